using Bulwark.Core.Crypto;

namespace Bulwark.Core.Audit;

/// <summary>Verifies a DSSE envelope signed by an audit key: the payload type must match and one signature must verify under a trusted key.</summary>
internal static class SignedDocument
{
    public static bool TryVerify(string envelopeJson, string expectedPayloadType, IReadOnlyDictionary<string, byte[]> trustedKeys, out byte[] payload, out string keyId, out string error)
    {
        payload = [];
        keyId = "";
        if (!Dsse.TryParse(envelopeJson, out var envelope, out error))
        {
            return false;
        }

        if (!string.Equals(envelope.PayloadType, expectedPayloadType, StringComparison.Ordinal))
        {
            error = "unexpected payload type " + envelope.PayloadType;
            return false;
        }

        var pae = Dsse.Pae(envelope.PayloadType, envelope.Payload);
        foreach (var (id, signature) in envelope.Signatures)
        {
            if (trustedKeys.TryGetValue(id, out var key) && EcdsaP256.Verify(key, pae, signature))
            {
                payload = envelope.Payload;
                keyId = id;
                return true;
            }
        }

        error = "no valid signature by a trusted audit key";
        return false;
    }
}
