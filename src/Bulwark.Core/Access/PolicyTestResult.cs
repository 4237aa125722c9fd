namespace Bulwark.Core.Access;

/// <summary>The result of one <see cref="PolicyTestCase"/>: <paramref name="Failure"/> says what differed, null when it passed.</summary>
internal sealed record PolicyTestResult(string Name, bool Passed, PolicyDecision Actual, bool RbacPermits, string? Failure);
