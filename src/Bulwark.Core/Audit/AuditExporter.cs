using System.Text.Json;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Audit;

/// <summary>Writes a verifiable JSON Lines export of events <c>from..to</c> (see <see cref="AuditExportFormat"/>).</summary>
internal sealed class AuditExporter(BulwarkDbContext db, AuditCheckpointer checkpointer, AuditKeyStore keys, TimeProvider time)
{
    /// <summary>The range actually exported: it extends past <c>to</c> to the first signed checkpoint at or after it.</summary>
    public sealed record Range(long From, long To, long End);

    /// <summary>
    /// Resolves the range; signs a fresh checkpoint when none covers <paramref name="to"/> yet. Null when the ledger has
    /// no events in the range.
    /// </summary>
    public async Task<Range?> PlanAsync(long from, long? to, string actor, string? client, CancellationToken cancellationToken)
    {
        var head = await db.AuditEvents.AsNoTracking().MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        var last = Math.Min(to ?? head, head);
        if (head == 0 || from > last)
        {
            return null;
        }

        var end = await db.AuditCheckpoints.AsNoTracking().Where(c => c.Sequence >= last).MinAsync(c => (long?)c.Sequence, cancellationToken);
        end ??= (await checkpointer.CheckpointAsync(actor, client, force: true, cancellationToken))!.Sequence;
        return new Range(from, last, end.Value);
    }

    public async Task WriteAsync(Stream output, Range range, CancellationToken cancellationToken)
    {
        var keySet = keys.Current;
        await WriteLineAsync(output, w =>
        {
            w.WriteStartObject();
            w.WriteString("type", AuditExportFormat.HeaderType);
            w.WriteNumber("from", range.From);
            w.WriteNumber("to", range.To);
            w.WriteNumber("end", range.End);
            w.WriteString("note", "Verify offline: bulwark audit verify --file <this file> --key <audit public key PEM>");
            w.WriteEndObject();
        }, cancellationToken);

        foreach (var key in keySet.Trusted.Values)
        {
            await WriteLineAsync(output, w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "key");
                w.WriteString("keyId", key.KeyId);
                w.WriteString("publicKey", key.Pem);
                w.WriteEndObject();
            }, cancellationToken);
        }

        var checkpoints = await db.AuditCheckpoints.AsNoTracking().Where(c => c.Sequence >= range.From && c.Sequence <= range.End)
            .OrderBy(c => c.Sequence).ToListAsync(cancellationToken);
        foreach (var checkpoint in checkpoints)
        {
            await WriteLineAsync(output, w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "checkpoint");
                w.WriteNumber("sequence", checkpoint.Sequence);
                w.WritePropertyName("envelope");
                w.WriteRawValue(checkpoint.Envelope);
                w.WriteEndObject();
            }, cancellationToken);
        }

        string? firstPrevious = null;
        long firstSequence = 0, lastSequence = 0, count = 0;
        var lastHash = "";
        await foreach (var e in db.AuditEvents.AsNoTracking().Where(e => e.Sequence >= range.From && e.Sequence <= range.End).OrderBy(e => e.Sequence)
            .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (firstPrevious is null)
            {
                firstPrevious = e.PreviousHash;
                firstSequence = e.Sequence;
            }

            lastSequence = e.Sequence;
            lastHash = e.Hash;
            count++;
            await WriteLineAsync(output, w => AuditExportFormat.WriteEvent(w, e), cancellationToken);
        }

        var statement = AuditExportFormat.Statement(range.From, range.To, firstSequence, firstPrevious ?? "", lastSequence, lastHash, count,
            AuditHasher.Normalize(time.GetUtcNow()));
        var envelope = keySet.Sign(AuditExportFormat.StatementPayloadType, statement);
        await WriteLineAsync(output, w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "signature");
            w.WritePropertyName("envelope");
            w.WriteRawValue(envelope);
            w.WriteEndObject();
        }, cancellationToken);
    }

    private static async Task WriteLineAsync(Stream output, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        buffer.WriteByte((byte)'\n');
        await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
    }
}
