using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Bulwark.Core.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running host.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<BulwarkDbContext>
{
    public BulwarkDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<BulwarkDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
