using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Privacy;

/// <summary>
/// The signed statement an erasure returns (GDPR Art. 17 and the accountability of Art. 5(2)): what was removed from each
/// store and which model versions must be retrained, for a subject named only by its keyed HMAC. It is a DSSE envelope
/// (payload type <see cref="PayloadType"/>) signed with the audit signing key (ECDSA P-256), so anyone holding that
/// public key (<c>bulwark audit keys</c>) verifies it offline with <c>bulwark privacy verify-receipt</c>.
/// </summary>
internal static class ErasureReceipt
{
    public const string PayloadType = "application/vnd.bulwark.erasure-receipt+json";
    public const string TypeName = "bulwark.privacy.erasure-receipt/v1";

    public static byte[] Statement(
        Guid requestId, string projectId, string subjectHmac, string requestedBy, DateTimeOffset completedAt, IReadOnlyList<ErasedDataset> datasets,
        int capturedPredictions, int feedbackLabels, IReadOnlyList<RetrainTarget> retrain)
    {
        var statement = new JsonObject
        {
            ["type"] = TypeName,
            ["requestId"] = requestId.ToString("D"),
            ["project"] = projectId,
            ["subject"] = new JsonObject { ["hmac"] = subjectHmac, ["algorithm"] = "HMAC-SHA256", ["key"] = "capture-pseudonym/" + projectId },
            ["requestedBy"] = requestedBy,
            ["completedAt"] = completedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["removed"] = new JsonObject
            {
                ["datasets"] = new JsonArray([.. datasets.Select(d => (JsonNode)new JsonObject
                {
                    ["id"] = d.Id.ToString("D"),
                    ["name"] = d.Name,
                    ["rowsRemoved"] = d.RowsRemoved,
                    ["rowsRemaining"] = d.RowsRemaining,
                    ["digest"] = d.Digest,
                })]),
                ["datasetRows"] = datasets.Sum(d => d.RowsRemoved),
                ["capturedPredictions"] = capturedPredictions,
                ["feedbackLabels"] = feedbackLabels,
            },
            ["retrainRequired"] = new JsonArray([.. retrain.Select(r => (JsonNode)new JsonObject
            {
                ["model"] = r.Model, ["version"] = r.Version, ["stage"] = r.Stage, ["dataset"] = r.DatasetId.ToString("D"),
            })]),
        };
        return JsonSerializer.SerializeToUtf8Bytes(statement);
    }

    /// <summary>
    /// Verifies a receipt envelope against trusted public keys (key id → SubjectPublicKeyInfo). Returns the statement on
    /// success; the reason otherwise. Only the keys handed in count, never anything the receipt carries.
    /// </summary>
    public static bool TryVerify(string envelopeJson, IReadOnlyDictionary<string, byte[]> trusted, out JsonObject? statement, out string reason)
    {
        statement = null;
        if (!Dsse.TryParse(envelopeJson, out var envelope, out var error))
        {
            reason = error;
            return false;
        }

        if (envelope.PayloadType != PayloadType)
        {
            reason = $"The envelope's payload type is '{envelope.PayloadType}', not an erasure receipt.";
            return false;
        }

        var pae = Dsse.Pae(envelope.PayloadType, envelope.Payload);
        if (!envelope.Signatures.Any(s => trusted.TryGetValue(s.KeyId, out var key) && EcdsaP256.Verify(key, pae, s.Sig)))
        {
            reason = "No signature verifies with a trusted key: the receipt was altered or signed by another key.";
            return false;
        }

        try
        {
            statement = JsonNode.Parse(envelope.Payload) as JsonObject;
        }
        catch (JsonException)
        {
            statement = null;
        }

        if (statement?["type"]?.GetValue<string>() != TypeName)
        {
            reason = "The signed payload is not an erasure receipt statement.";
            return false;
        }

        reason = "";
        return true;
    }
}

/// <summary>One dataset an erasure rewrote: rows removed and left, and the digest of the rows now stored.</summary>
internal sealed record ErasedDataset(Guid Id, string Name, int RowsRemoved, int RowsRemaining, string Digest);

/// <summary>A model version trained on a dataset the erasure changed.</summary>
internal sealed record RetrainTarget(string Model, int Version, string Stage, Guid DatasetId);
