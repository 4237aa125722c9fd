using Bulwark.Core.Registry;

namespace Bulwark.Core.Serving;

/// <summary>
/// What the serving path knows about a model's challenger, cached per model next to its resolved rows: nothing
/// configured (<see cref="None"/>), a configuration that cannot serve now and why, or an eligible challenger row.
/// </summary>
internal sealed record ChallengerRoute(ModelChallenger? Config, ModelVersion? Row, string? InactiveReason)
{
    public static readonly ChallengerRoute None = new(null, null, null);

    /// <summary>The verified challenger row, when it may take traffic now.</summary>
    public bool Active => Row is not null && InactiveReason is null;

    /// <summary>
    /// Whether the request with this prediction id goes to the challenger: the first eight bytes of SHA-256 of the id,
    /// as a fraction of 2⁶⁴, below the share. Deterministic per request (the same id always routes the same way), not
    /// steerable by the caller (the server mints the id), and uniform because SHA-256 is.
    /// </summary>
    public static bool TakesChallenger(Guid predictionId, double share)
    {
        if (share <= 0)
        {
            return false;
        }

        Span<byte> id = stackalloc byte[16];
        Span<byte> hash = stackalloc byte[32];
        predictionId.TryWriteBytes(id, bigEndian: true, out _);
        System.Security.Cryptography.SHA256.HashData(id, hash);
        var point = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash) / 18446744073709551616.0;
        return point < share;
    }
}
