namespace Bulwark.Core.Audit;

/// <summary>
/// Walks events in sequence order, recomputing each hash and link, and checks every signed checkpoint it passes. Shared
/// by online verification (the database) and offline verification (an export), so both report the same first broken link.
/// </summary>
/// <param name="previousHash">The previous-hash the first event must carry: the genesis hash from sequence 1; for a slice,
/// null to take it from the first event (a slice is then anchored by the checkpoint or export signature after it).</param>
internal sealed class AuditChainWalker(long firstSequence, string? previousHash, IReadOnlyDictionary<long, CheckpointStatement> checkpoints)
{
    private long _expected = firstSequence;
    private string? _previous = previousHash;

    public long EventsVerified { get; private set; }
    public string? HeadHash { get; private set; }
    public long? FirstBrokenSequence { get; private set; }
    public string? Reason { get; private set; }
    public int CheckpointsVerified { get; private set; }
    public long? LastCheckpointSequence { get; private set; }
    public bool Broken => FirstBrokenSequence is not null;

    /// <summary>The sequence the next event must have (the last verified + 1).</summary>
    public long NextSequence => _expected;

    /// <summary>Checks one event; false (and no further checks) once the chain is broken.</summary>
    public bool Add(AuditEvent e)
    {
        if (Broken)
        {
            return false;
        }

        if (e.Sequence != _expected)
        {
            return Break(_expected, e.Sequence > _expected
                ? $"sequence {_expected} is missing (next present is {e.Sequence})"
                : $"sequence {e.Sequence} appears out of order after {_expected - 1}");
        }

        if (_previous is not null && !string.Equals(e.PreviousHash, _previous, StringComparison.Ordinal))
        {
            return Break(e.Sequence, "previous-hash does not match the preceding event");
        }

        var hash = AuditHasher.ComputeHash(e);
        if (!string.Equals(hash, e.Hash, StringComparison.Ordinal))
        {
            return Break(e.Sequence, "event content does not match its hash");
        }

        if (checkpoints.TryGetValue(e.Sequence, out var checkpoint))
        {
            if (!string.Equals(checkpoint.Head, hash, StringComparison.Ordinal))
            {
                return Break(e.Sequence, "the event differs from the one the signed checkpoint vouches for");
            }

            CheckpointsVerified++;
            LastCheckpointSequence = e.Sequence;
        }

        _previous = hash;
        HeadHash = hash;
        EventsVerified++;
        _expected++;
        return true;
    }

    /// <summary>
    /// After the last event: a signed checkpoint beyond it means events were cut off the end (the chain alone cannot
    /// see that). <paramref name="expectedLast"/> is the last sequence an export's signature vouches for, if any.
    /// </summary>
    public void Finish(long? expectedLast = null, string? expectedLastHash = null)
    {
        if (Broken)
        {
            return;
        }

        var beyond = checkpoints.Keys.Where(s => s >= _expected).DefaultIfEmpty(0).Max();
        if (beyond > 0)
        {
            Break(_expected, $"the ledger ends at sequence {_expected - 1} but a signed checkpoint covers sequence {beyond}: the tail was truncated");
            return;
        }

        if (expectedLast is not { } last)
        {
            return;
        }

        var lastSeen = _expected - 1;
        if (lastSeen < last)
        {
            Break(_expected, $"the signed export ends at sequence {last} but the events stop at {lastSeen}: the tail was cut off");
        }
        else if (lastSeen > last)
        {
            Break(last + 1, $"events after sequence {last}, where the signed export ends, were added");
        }
        else if (!string.Equals(expectedLastHash, HeadHash, StringComparison.Ordinal))
        {
            Break(last, "the events were rewritten: the last hash differs from the one the export signature vouches for");
        }
    }

    /// <summary>Records an error found outside the walk (for example, a checkpoint whose signature does not verify).</summary>
    public void Fail(long sequence, string reason)
    {
        if (!Broken)
        {
            Break(sequence, reason);
        }
    }

    private bool Break(long sequence, string reason)
    {
        FirstBrokenSequence = sequence;
        Reason = reason;
        return false;
    }

    public AuditVerification ToResult() => new(!Broken, EventsVerified, FirstBrokenSequence, Reason, Broken ? null : HeadHash, CheckpointsVerified, LastCheckpointSequence);
}
