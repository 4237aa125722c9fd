using System.Net.Http.Json;
using Bulwark.Client.Contracts;

namespace Bulwark.Client;

/// <summary>Emergency (break-glass) access and compliance evidence reports.</summary>
public sealed partial class BulwarkClient
{
    /// <summary>Starts break-glass access in <see cref="Project"/> (<c>POST /api/v1/break-glass</c>; a user signed in with MFA).</summary>
    public Task<BreakGlassSessionInfo> StartBreakGlassAsync(BreakGlassStartRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<BreakGlassSessionInfo>(HttpMethod.Post, "api/v1/break-glass", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Ends a break-glass session early (its holder, or a security officer).</summary>
    public Task<BreakGlassSessionInfo> EndBreakGlassAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<BreakGlassSessionInfo>(HttpMethod.Post, $"api/v1/break-glass/{Escape(id)}/end", null, cancellationToken);

    /// <summary>Break-glass sessions, newest first (security officers, auditors and admins).</summary>
    public Task<IReadOnlyList<BreakGlassSessionInfo>> ListBreakGlassAsync(bool activeOnly, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<BreakGlassSessionInfo>>(HttpMethod.Get, "api/v1/break-glass" + (activeOnly ? "?active=true" : ""), null, cancellationToken);

    /// <summary>
    /// The signed compliance evidence report for <paramref name="framework"/> (gdpr, hipaa or pci) as the server's JSON
    /// text: the report and the DSSE envelope that signs it.
    /// </summary>
    public Task<string> GetComplianceReportAsync(string framework, int? days = null, CancellationToken cancellationToken = default) =>
        SendTextAsync("api/v1/compliance/report?framework=" + Uri.EscapeDataString(framework)
            + (days is { } d ? "&days=" + d.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""), cancellationToken);
}
