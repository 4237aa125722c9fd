using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Bulwark.Core.Identity;

/// <summary>
/// Keeps <see cref="User.Login"/> and <see cref="User.DisplayName"/> out of the database: every user row read is opened
/// (or refused, <see cref="PersonalFieldIntegrityException"/>) and every user row written is sealed and indexed, so no
/// feature can forget to. Queries compare <see cref="User.LoginIndex"/>, never a login.
/// </summary>
internal sealed class PersonalFieldInterceptor(PersonalFields fields) : SaveChangesInterceptor, IMaterializationInterceptor
{
    public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
    {
        if (entity is User user)
        {
            fields.Open(user);
        }

        return entity;
    }

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

    private void SealPending(DbContext? context)
    {
        if (context is not BulwarkDbContext db)
        {
            return;
        }

        foreach (var entry in db.ChangeTracker.Entries<User>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Unchanged)
            {
                fields.Seal(entry.Entity);
            }
        }
    }
}
