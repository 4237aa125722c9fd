using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Privacy;

/// <summary>Finds the captured predictions about one subject in the current project.</summary>
internal static class SubjectCaptures
{
    /// <summary>
    /// Captures named for the subject in <c>Bulwark-Subject</c> (the indexed HMAC), or holding the subject's token in a
    /// pseudonymised feature (the subject column, or a personal column sent as a feature). Every other capture of the
    /// project is opened for the second kind; capture retention bounds how many there are.
    /// </summary>
    public static async Task<List<(Guid Id, CapturedPrediction Row, CapturePayload? Payload)>> FindAsync(
        BulwarkDbContext db, EnvelopeEncryption envelope, string projectId, string hmac, CancellationToken ct)
    {
        var token = Encoding.UTF8.GetBytes(CapturePseudonyms.TokenPrefix + hmac);
        var found = new List<(Guid, CapturedPrediction, CapturePayload?)>();
        await foreach (var capture in db.CapturedPredictions.AsNoTracking().Where(c => c.ProjectId == projectId).AsAsyncEnumerable().WithCancellation(ct))
        {
            CapturePayload? payload;
            try
            {
                payload = CapturePayload.Open(envelope, capture);
            }
            catch (CryptographicException)
            {
                payload = null; // unreadable by anyone; it still goes when it names the subject
            }

            if (capture.SubjectPseudonym == hmac || (payload?.Pseudonymised is { Count: > 0 } && payload.Body.AsSpan().IndexOf(token) >= 0))
            {
                found.Add((capture.Id, capture, payload));
            }
        }

        return found;
    }
}
