using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Identity;

/// <summary>
/// Keeps <see cref="User.Login"/> and <see cref="User.DisplayName"/> out of the database: every user row read is opened
/// (or refused, <see cref="PersonalFieldIntegrityException"/>) and every user row written is sealed and indexed, so no
/// feature can forget to. Queries compare <see cref="User.LoginIndex"/>, never a login.
/// </summary>
/// <remarks>
/// One instance for the process: a materialization interceptor is part of EF Core's internal service-provider cache key,
/// so an instance per host would build a provider per host. The key ring's <see cref="PersonalFields"/> comes from the
/// context's application services instead.
/// </remarks>
internal sealed class PersonalFieldInterceptor : SaveChangesInterceptor, IMaterializationInterceptor
{
    public static readonly PersonalFieldInterceptor Instance = new();

    private PersonalFieldInterceptor()
    {
    }

    public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
    {
        if (entity is User user)
        {
            FieldsOf(materializationData.Context).Open(user);
        }

        return entity;
    }

    private static PersonalFields FieldsOf(DbContext context) =>
        context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<PersonalFields>()
        ?? throw new InvalidOperationException("User rows need the key ring: create the context through AddStorage's factory.");

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        SealPending(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        SealPending(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void SealPending(DbContext? context)
    {
        if (context is not BulwarkDbContext db)
        {
            return;
        }

        PersonalFields? fields = null;
        foreach (var entry in db.ChangeTracker.Entries<User>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Unchanged)
            {
                fields ??= FieldsOf(db);
                fields.Seal(entry.Entity);
            }
        }
    }
}
