using System.Diagnostics.CodeAnalysis;

namespace Bulwark.Core;

/// <summary>Either a value or an expected <see cref="Failure"/>; expected outcomes are return values, not exceptions.</summary>
internal readonly record struct Outcome<T>(T? Value, Failure? Failure)
{
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Failure failure) => new(default, failure);
}
