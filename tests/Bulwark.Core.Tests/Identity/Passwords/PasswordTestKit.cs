using Bulwark.Core.Identity.Passwords;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Identity.Passwords;

/// <summary>Shared fixtures: a fixed clock (so "recent year" maths is stable) and one hasher.</summary>
internal static class PasswordTestKit
{
    public const string GoodPassphrase = "violet anchor drifting copper lantern";
    public const string GoodPciPassphrase = "violet anchor 7 drifting copper lanterns";

    public static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero));

    public static readonly PasswordHasher Hasher = new();

    public static PasswordStrengthEstimator Estimator { get; } = new(Clock);

    public static PasswordPolicy Policy { get; } = new(Hasher, Estimator);

    public static PasswordContext Context(bool hasMfa = false, params string[] previousHashes) =>
        new("alice.smith", "Alice Smith", hasMfa, previousHashes);
}
