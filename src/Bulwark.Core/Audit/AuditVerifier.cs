using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Audit;

/// <summary>Recomputes the ledger's hash chain and names the first broken sequence number.</summary>
internal sealed class AuditVerifier(BulwarkDbContext db)
{
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        long expected = 1;
        var previous = AuditHasher.GenesisHash;
        await foreach (var e in db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (e.Sequence != expected)
            {
                return AuditVerification.Broken(expected - 1, expected, $"sequence {expected} is missing (next present is {e.Sequence})");
            }

            if (!string.Equals(e.PreviousHash, previous, StringComparison.Ordinal))
            {
                return AuditVerification.Broken(expected - 1, e.Sequence, "previous-hash does not match the preceding event");
            }

            if (!string.Equals(AuditHasher.ComputeHash(e), e.Hash, StringComparison.Ordinal))
            {
                return AuditVerification.Broken(expected - 1, e.Sequence, "event content does not match its hash");
            }

            previous = e.Hash;
            expected++;
        }

        return new AuditVerification(true, expected - 1, null, null, expected == 1 ? null : previous);
    }
}

/// <param name="EventsVerified">How many events, from sequence 1, are intact.</param>
/// <param name="FirstBrokenSequence">The first sequence number whose link fails, when not valid.</param>
internal sealed record AuditVerification(bool Valid, long EventsVerified, long? FirstBrokenSequence, string? Reason, string? HeadHash)
{
    public static AuditVerification Broken(long verified, long sequence, string reason) => new(false, verified, sequence, reason, null);
}
