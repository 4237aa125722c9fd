using System.Globalization;
using System.Text.Json;

namespace Bulwark.Core.Audit;

/// <summary>
/// Verifies an export offline with nothing but the audit public keys the operator trusts (never the keys the file
/// carries): every event's hash and link, every checkpoint's signature and head, and the signed export statement, which
/// catches a cut-off tail or appended events and must be the last record in the file. Reports the first broken link.
/// </summary>
internal static class AuditExportVerifier
{
    private const int MaxLineLength = 1024 * 1024;

    public static async Task<AuditExportReport> VerifyAsync(TextReader reader, IReadOnlyDictionary<string, byte[]> trustedKeys, CancellationToken cancellationToken = default)
    {
        var options = new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false };
        var checkpoints = new Dictionary<long, CheckpointStatement>();
        AuditChainWalker? walker = null;
        string? firstPrevious = null;
        long firstSeen = 0;
        long? from = null, to = null;
        var lineNumber = 0;
        string? line;
        while ((line = await reader.ReadLineAsync(cancellationToken)) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length > MaxLineLength)
            {
                return Fail(walker, $"line {lineNumber} is longer than {MaxLineLength} characters");
            }

            try
            {
                using var doc = JsonDocument.Parse(line, options);
                var root = doc.RootElement;
                var type = root.GetProperty("type").GetString();
                if (lineNumber == 1)
                {
                    if (type != AuditExportFormat.HeaderType)
                    {
                        return Fail(null, "the file does not start with a Bulwark audit export header");
                    }

                    from = root.GetProperty("from").GetInt64();
                    to = root.GetProperty("to").GetInt64();
                    continue;
                }

                switch (type)
                {
                    case "key":
                        break;
                    case "checkpoint" when walker is null:
                        var envelope = root.GetProperty("envelope").GetRawText();
                        if (!SignedDocument.TryVerify(envelope, CheckpointStatement.PayloadType, trustedKeys, out var payload, out _, out var error)
                            || !CheckpointStatement.TryParse(payload, out var statement))
                        {
                            var sequence = root.TryGetProperty("sequence", out var s) && s.TryGetInt64(out var n) ? n : 0;
                            return Fail(null, $"the checkpoint at sequence {sequence} does not verify ({error})", sequence);
                        }

                        checkpoints[statement.Sequence] = statement;
                        break;
                    case "event":
                        var e = AuditExportFormat.ReadEvent(root);
                        if (walker is null)
                        {
                            firstPrevious = e.PreviousHash;
                            firstSeen = e.Sequence;
                            walker = new AuditChainWalker(e.Sequence, e.Sequence == 1 ? AuditHasher.GenesisHash : null, checkpoints);
                        }

                        if (!walker.Add(e))
                        {
                            return Report(walker, from, to, signed: false);
                        }

                        break;
                    case "signature":
                        var report = VerifyStatement(root.GetProperty("envelope").GetRawText(), walker, firstSeen, firstPrevious, trustedKeys, from, to);
                        return report.Valid ? await EnsureEndAsync(reader, lineNumber, report, cancellationToken) : report;
                    default:
                        return Fail(walker, $"line {lineNumber} has an unexpected record type");
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                return Fail(walker, $"line {lineNumber} is not a valid export record");
            }
        }

        return Fail(walker, "the export has no signature line: the file was cut off");
    }

    /// <summary>
    /// The signed statement ends the export: anything after it (forged events, a second statement, garbage) is vouched for
    /// by nothing and must not ride along with a file that reports "valid". Blank lines are tolerated.
    /// </summary>
    private static async Task<AuditExportReport> EnsureEndAsync(TextReader reader, int lineNumber, AuditExportReport report, CancellationToken cancellationToken)
    {
        string? line;
        while ((line = await reader.ReadLineAsync(cancellationToken)) is not null)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                return report with
                {
                    Valid = false,
                    FirstBrokenSequence = report.LastSequence + 1,
                    Reason = $"line {lineNumber} comes after the signed export statement, which must end the file: records were appended",
                };
            }
        }

        return report;
    }

    private static AuditExportReport VerifyStatement(string envelope, AuditChainWalker? walker, long firstSeen, string? firstPrevious,
        IReadOnlyDictionary<string, byte[]> trustedKeys, long? from, long? to)
    {
        if (!SignedDocument.TryVerify(envelope, AuditExportFormat.StatementPayloadType, trustedKeys, out var payload, out var keyId, out var error))
        {
            return Fail(walker, "the export signature does not verify: " + error);
        }

        using var doc = JsonDocument.Parse(payload);
        var s = doc.RootElement;
        if (s.GetProperty("type").GetString() != AuditExportFormat.StatementType)
        {
            return Fail(walker, "the signed statement is not an export statement");
        }

        var firstSequence = s.GetProperty("firstSequence").GetInt64();
        var expectedFirstPrevious = s.GetProperty("firstPreviousHash").GetString();
        if (walker is null)
        {
            return Fail(null, "the export holds no events", firstSequence);
        }

        if (firstSequence != firstSeen || !string.Equals(expectedFirstPrevious, firstPrevious, StringComparison.Ordinal))
        {
            walker.Fail(firstSequence, "the first event is not the one the export signature vouches for (events were removed from the start)");
        }

        walker.Finish(s.GetProperty("lastSequence").GetInt64(), s.GetProperty("lastHash").GetString());
        var report = Report(walker, from, to, signed: true);
        return report with
        {
            SignedBy = keyId,
            From = s.GetProperty("from").GetInt64(),
            To = s.GetProperty("to").GetInt64(),
            FirstSequence = firstSequence,
            FirstPreviousHash = expectedFirstPrevious,
            LastHash = s.GetProperty("lastHash").GetString(),
        };
    }

    private static AuditExportReport Report(AuditChainWalker walker, long? from, long? to, bool signed)
    {
        var result = walker.ToResult();
        return new AuditExportReport(result.Valid && signed, result.EventsVerified, result.FirstBrokenSequence, result.Reason, from, to,
            walker.NextSequence - 1, result.CheckpointsVerified, null);
    }

    private static AuditExportReport Fail(AuditChainWalker? walker, string reason, long? sequence = null)
    {
        var at = sequence ?? walker?.FirstBrokenSequence ?? walker?.NextSequence;
        return new AuditExportReport(false, walker?.EventsVerified ?? 0, at, walker?.Reason ?? reason, null, null,
            walker is null ? null : walker.NextSequence - 1, walker?.CheckpointsVerified ?? 0, null);
    }

    /// <summary>Reads trusted keys from PEM text (one or more "PUBLIC KEY" blocks).</summary>
    public static IReadOnlyDictionary<string, byte[]> ReadTrustedKeys(string pemText)
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        const string begin = "-----BEGIN PUBLIC KEY-----";
        const string end = "-----END PUBLIC KEY-----";
        var index = 0;
        while ((index = pemText.IndexOf(begin, index, StringComparison.Ordinal)) >= 0)
        {
            var stop = pemText.IndexOf(end, index, StringComparison.Ordinal);
            if (stop < 0)
            {
                break;
            }

            var block = pemText[index..(stop + end.Length)];
            if (Crypto.EcdsaP256.TryReadPublicKeyPem(block, out var spki))
            {
                keys[Crypto.EcdsaP256.KeyIdOf(spki)] = spki;
            }

            index = stop + end.Length;
        }

        return keys;
    }
}

/// <summary>The outcome of an offline export verification.</summary>
/// <param name="FirstSequence">The first event's sequence, as the signed statement vouches for it (set when signed).</param>
/// <param name="FirstPreviousHash">The first event's previous-hash, as signed: what the slice links to.</param>
/// <param name="LastHash">The last event's hash, as signed.</param>
internal sealed record AuditExportReport(bool Valid, long EventsVerified, long? FirstBrokenSequence, string? Reason, long? From, long? To,
    long? LastSequence, int CheckpointsVerified, string? SignedBy, long? FirstSequence = null, string? FirstPreviousHash = null, string? LastHash = null)
{
    public override string ToString() => Valid
        ? string.Create(CultureInfo.InvariantCulture, $"valid: {EventsVerified} events, {CheckpointsVerified} checkpoints, signed by {SignedBy}")
        : string.Create(CultureInfo.InvariantCulture, $"BROKEN at sequence {FirstBrokenSequence}: {Reason}");
}
