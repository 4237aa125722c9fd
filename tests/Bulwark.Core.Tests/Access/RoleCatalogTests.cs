using Bulwark.Core.Access;

namespace Bulwark.Core.Tests.Access;

public sealed class RoleCatalogTests
{
    [Fact]
    public void Create_CustomRoleNamedLikeBuiltIn_IsRefused()
    {
        var result = RoleCatalog.Create([new CustomRole("admin", new HashSet<string> { "predict" })]);

        Assert.False(result.Succeeded);
        Assert.Equal(RoleCatalog.InvalidCode, result.Failure.Code);
        Assert.Contains("built-in", result.Failure.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dataset:read")]
    [InlineData("predict:*")]
    [InlineData("admin")]
    [InlineData("")]
    public void Create_UnknownPermission_IsRefused(string permission)
    {
        var result = RoleCatalog.Create([new CustomRole("labeller", new HashSet<string> { "datasets:read", permission })]);

        Assert.False(result.Succeeded);
        Assert.Contains("unknown permission", result.Failure.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Labeller")]
    [InlineData("l")]
    [InlineData("1abeller")]
    [InlineData("labeller\n")]
    [InlineData("label_ler")]
    [InlineData("a-very-long-role-name-that-exceeds-forty-chars")]
    public void Create_BadRoleName_IsRefused(string name)
    {
        var result = RoleCatalog.Create([new CustomRole(name, new HashSet<string> { "predict" })]);

        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Create_DuplicateCustomRole_IsRefused()
    {
        var role = new CustomRole("labeller", new HashSet<string> { "datasets:read" });

        Assert.False(RoleCatalog.Create([role, role]).Succeeded);
    }

    [Fact]
    public void Create_MfaForUnknownRole_IsRefused() =>
        Assert.False(RoleCatalog.Create([], ["ghost"]).Succeeded);

    [Fact]
    public void PermissionsOf_CustomAndBuiltIn_AreUnited()
    {
        var catalog = RoleCatalog.Create([new CustomRole("labeller", new HashSet<string> { "datasets:write" })]).Value!;

        var permissions = catalog.PermissionsOf(["labeller", "service"]);

        Assert.Equal(["datasets:write", "feedback", "predict"], permissions.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PermissionsOf_UnknownRole_GrantsNothing() =>
        Assert.Empty(RoleCatalog.BuiltIn.PermissionsOf(["root", "Admin", "admin "]));

    [Fact]
    public void PermissionsOf_Admin_IsEverything() =>
        Assert.True(RoleCatalog.BuiltIn.PermissionsOf(["admin"]).SetEquals(AccessPermissions.All));

    [Theory]
    [InlineData("security-officer", "models:train")]
    [InlineData("security-officer", "predict")]
    [InlineData("ml-engineer", "models:promote")]
    [InlineData("data-scientist", "datasets:write")]
    [InlineData("data-scientist", "models:promote")]
    [InlineData("approver", "models:train")]
    [InlineData("auditor", "datasets:write")]
    [InlineData("service", "datasets:read")]
    public void Permits_SeparatedDuty_IsNotGranted(string role, string action) =>
        Assert.False(RoleCatalog.BuiltIn.Permits([role], action));

    [Theory]
    [InlineData("ml-engineer", "models:train")]
    [InlineData("approver", "models:promote")]
    [InlineData("auditor", "audit:read")]
    [InlineData("service", "predict")]
    [InlineData("security-officer", "keys:manage")]
    public void Permits_RoleDuty_IsGranted(string role, string action) =>
        Assert.True(RoleCatalog.BuiltIn.Permits([role], action));

    [Fact]
    public void MfaRequiredRoles_Default_AreThePrivilegedRoles()
    {
        Assert.Equal(["admin", "approver", "security-officer"], RoleCatalog.BuiltIn.MfaRequiredRoles.Order(StringComparer.Ordinal));
        Assert.True(RoleCatalog.BuiltIn.RequiresMfa(["service", "approver"]));
        Assert.False(RoleCatalog.BuiltIn.RequiresMfa(["data-scientist"]));
    }

    [Fact]
    public void BuiltInRoles_GrantOnlyKnownPermissions()
    {
        foreach (var (_, permissions) in BuiltInRoles.Permissions)
        {
            Assert.All(permissions, p => Assert.True(AccessPermissions.IsKnown(p), p));
        }
    }
}
