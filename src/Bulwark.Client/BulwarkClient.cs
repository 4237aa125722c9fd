using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Client.Contracts;

namespace Bulwark.Client;

/// <summary>
/// Typed client for the Bulwark HTTPS API. Authenticates with <c>Authorization: ApiKey &lt;key&gt;</c> or an access
/// token (<see cref="ForAccessToken"/>); every error response becomes a <see cref="BulwarkApiException"/> carrying the
/// problem's stable code.
/// </summary>
/// <remarks>Thread-safe; reuse one instance (it owns a pooled <see cref="HttpClient"/>).</remarks>
public sealed partial class BulwarkClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Creates a client for <paramref name="baseUrl"/> with the given API key and server trust.</summary>
    /// <param name="baseUrl">The server's base address, e.g. <c>https://127.0.0.1:8443</c>. Must be HTTPS.</param>
    /// <param name="apiKey">The API key sent on every request.</param>
    /// <param name="trust">How to trust the server certificate (fingerprint pin, CA file or system store).</param>
    /// <exception cref="ArgumentException">The URL is not absolute HTTPS or the key is empty.</exception>
    public BulwarkClient(Uri baseUrl, string apiKey, ServerTrust trust)
        : this(baseUrl, trust)
    {
        SetApiKey(apiKey);
    }

    private BulwarkClient(Uri baseUrl, ServerTrust trust)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(trust);
        if (!baseUrl.IsAbsoluteUri || baseUrl.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException("The server URL must be an absolute https:// URL.", nameof(baseUrl));
        }

        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions =
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => trust.Validate(certificate, chain, errors),
            },
        };
        _http = new HttpClient(handler, disposeHandler: true) { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(5) };
        _ownsHttp = true;
    }

    /// <summary>A client that sends <c>Authorization: Bearer &lt;access token&gt;</c>.</summary>
    public static BulwarkClient ForAccessToken(Uri baseUrl, string accessToken, ServerTrust trust)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessToken);
        var client = new BulwarkClient(baseUrl, trust);
        client._http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken.Trim());
        return client;
    }

    /// <summary>A client without credentials: for signing in and refreshing a session.</summary>
    public static BulwarkClient Anonymous(Uri baseUrl, ServerTrust trust) => new(baseUrl, trust);

    /// <summary>The project every request acts in (the <c>Bulwark-Project</c> header); null for the caller's default.</summary>
    public string? Project
    {
        get => _http.DefaultRequestHeaders.TryGetValues(ProjectHeader, out var values) ? values.FirstOrDefault() : null;
        set
        {
            _http.DefaultRequestHeaders.Remove(ProjectHeader);
            if (!string.IsNullOrWhiteSpace(value))
            {
                _http.DefaultRequestHeaders.Add(ProjectHeader, value.Trim());
            }
        }
    }

    private const string ProjectHeader = "Bulwark-Project";

    /// <summary>Creates a client over an existing <see cref="HttpClient"/> (its BaseAddress must be set). It is not disposed.</summary>
    public BulwarkClient(HttpClient httpClient, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
        SetApiKey(apiKey);
    }

    /// <summary>The server base address.</summary>
    public Uri? BaseAddress => _http.BaseAddress;

    /// <summary>
    /// Imports a CSV dataset (<c>POST /api/v1/datasets</c>). <paramref name="classification"/> is one of
    /// <c>public</c>, <c>internal</c>, <c>confidential</c>, <c>restricted</c>.
    /// </summary>
    public async Task<DatasetInfo> ImportDatasetAsync(string name, string classification, string? label, Stream csv, CancellationToken cancellationToken = default)
    {
        var query = $"api/v1/datasets?name={Uri.EscapeDataString(name)}&classification={Uri.EscapeDataString(classification)}"
            + (label is null ? string.Empty : $"&label={Uri.EscapeDataString(label)}");
        using var content = new StreamContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return await SendAsync<DatasetInfo>(HttpMethod.Post, query, content, cancellationToken);
    }

    /// <summary>Lists datasets (<c>GET /api/v1/datasets</c>).</summary>
    public Task<IReadOnlyList<DatasetInfo>> ListDatasetsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<DatasetInfo>>(HttpMethod.Get, "api/v1/datasets", null, cancellationToken);

    /// <summary>Starts a training job (<c>POST /api/v1/models/{model}/train</c>).</summary>
    public Task<JobInfo> TrainAsync(string model, TrainModelRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<JobInfo>(HttpMethod.Post, $"api/v1/models/{Escape(model)}/train", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Reads a job's state and progress (<c>GET /api/v1/jobs/{id}</c>).</summary>
    public Task<JobInfo> GetJobAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<JobInfo>(HttpMethod.Get, $"api/v1/jobs/{id:D}", null, cancellationToken);

    /// <summary>Imports an ONNX model as a new candidate version (<c>POST /api/v1/models/{model}/versions</c>, multipart).</summary>
    public async Task<ModelVersionInfo> ImportModelAsync(string model, Stream onnx, ImportModelSchema schema, CancellationToken cancellationToken = default)
    {
        using var form = new MultipartFormDataContent();
        var file = new StreamContent(onnx);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "model", "model.onnx");
        var schemaPart = new StringContent(JsonSerializer.Serialize(schema, Json), Encoding.UTF8);
        schemaPart.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(schemaPart, "schema");
        return await SendAsync<ModelVersionInfo>(HttpMethod.Post, $"api/v1/models/{Escape(model)}/versions", form, cancellationToken);
    }

    /// <summary>Lists model versions (<c>GET /api/v1/models</c>).</summary>
    public Task<IReadOnlyList<ModelVersionInfo>> ListModelsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ModelVersionInfo>>(HttpMethod.Get, "api/v1/models", null, cancellationToken);

    /// <summary>Moves a version to another stage (<c>POST /api/v1/models/{model}/promote</c>).</summary>
    public Task<ModelVersionInfo> PromoteAsync(string model, PromoteRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ModelVersionInfo>(HttpMethod.Post, $"api/v1/models/{Escape(model)}/promote", JsonContent.Create(request, options: Json), cancellationToken);

    public Task<ApprovalInfo> ApproveAsync(string model, int version, ApproveRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ApprovalInfo>(HttpMethod.Post, $"api/v1/models/{Escape(model)}/versions/{version}/approvals", JsonContent.Create(request, options: Json), cancellationToken);

    public Task<ApprovalInfo[]> ListApprovalsAsync(string model, int version, CancellationToken cancellationToken = default) =>
        SendAsync<ApprovalInfo[]>(HttpMethod.Get, $"api/v1/models/{Escape(model)}/versions/{version}/approvals", null, cancellationToken);

    public Task<GateReportInfo> EvaluateGatesAsync(string model, int version, CancellationToken cancellationToken = default) =>
        SendAsync<GateReportInfo>(HttpMethod.Get, $"api/v1/models/{Escape(model)}/versions/{version}/gates", null, cancellationToken);

    /// <summary>Puts the previous production version back (<c>POST /api/v1/models/{model}/rollback</c>).</summary>
    public Task<ModelVersionInfo> RollbackAsync(string model, RollbackRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ModelVersionInfo>(HttpMethod.Post, $"api/v1/models/{Escape(model)}/rollback", JsonContent.Create(request, options: Json), cancellationToken);

    public Task<ReleaseInfo[]> ListReleasesAsync(string model, CancellationToken cancellationToken = default) =>
        SendAsync<ReleaseInfo[]>(HttpMethod.Get, $"api/v1/models/{Escape(model)}/releases", null, cancellationToken);

    /// <summary>The model's champion, challenger and their live comparison (<c>GET /api/v1/models/{model}/challenger</c>).</summary>
    public Task<ChallengerInfo> GetChallengerAsync(string model, CancellationToken cancellationToken = default) =>
        SendAsync<ChallengerInfo>(HttpMethod.Get, $"api/v1/models/{Escape(model)}/challenger", null, cancellationToken);

    /// <summary>Sets the model's challenger (<c>PUT</c>; needs models:promote in a session signed in with a second factor).</summary>
    public Task<ChallengerInfo> SetChallengerAsync(string model, ChallengerRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ChallengerInfo>(HttpMethod.Put, $"api/v1/models/{Escape(model)}/challenger", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Clears the model's challenger: all traffic goes to the champion again.</summary>
    public async Task ClearChallengerAsync(string model, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/v1/models/{Escape(model)}/challenger", null, cancellationToken);
    }

    /// <summary>Reports the true outcome of one row of a served prediction (<c>POST /api/v1/models/{model}/feedback</c>).</summary>
    public Task<FeedbackReceipt> SubmitFeedbackAsync(string model, FeedbackRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<FeedbackReceipt>(HttpMethod.Post, $"api/v1/models/{Escape(model)}/feedback", JsonContent.Create(request, options: Json), cancellationToken);

    public Task<FeedbackBatchInfo[]> ListFeedbackBatchesAsync(string model, CancellationToken cancellationToken = default) =>
        SendAsync<FeedbackBatchInfo[]>(HttpMethod.Get, $"api/v1/models/{Escape(model)}/feedback/batches", null, cancellationToken);

    /// <summary>Releases (<paramref name="release"/>) or discards a feedback batch held by the poisoning guard.</summary>
    public Task<FeedbackDecision> DecideFeedbackBatchAsync(string model, Guid batch, bool release, CancellationToken cancellationToken = default) =>
        SendAsync<FeedbackDecision>(HttpMethod.Post, $"api/v1/models/{Escape(model)}/feedback/batches/{batch:D}/{(release ? "release" : "discard")}", null, cancellationToken);

    public Task<MonitoringReportInfo[]> ListMonitoringReportsAsync(string model, CancellationToken cancellationToken = default) =>
        SendAsync<MonitoringReportInfo[]>(HttpMethod.Get, $"api/v1/models/{Escape(model)}/monitoring", null, cancellationToken);

    public Task<MonitoringReportInfo> EvaluateModelAsync(string model, CancellationToken cancellationToken = default) =>
        SendAsync<MonitoringReportInfo>(HttpMethod.Post, $"api/v1/models/{Escape(model)}/monitoring/evaluate", null, cancellationToken);

    public Task<RetrainingRunInfo[]> ListRetrainingRunsAsync(string model, CancellationToken cancellationToken = default) =>
        SendAsync<RetrainingRunInfo[]>(HttpMethod.Get, $"api/v1/models/{Escape(model)}/retraining", null, cancellationToken);

    /// <summary>
    /// Gets predictions (<c>POST /v1/models/{model}:predict</c>). <paramref name="json"/> is either the full body
    /// (<c>{"instances":[…]}</c>) or just the instances array (<c>[{…}]</c>); it is sent as given, unparsed, so the
    /// server's validation sees exactly what the caller wrote.
    /// </summary>
    public Task<PredictResponse> PredictAsync(string model, string json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        var body = json.TrimStart().StartsWith('[') ? "{\"instances\":" + json + "}" : json;
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return SendAsync<PredictResponse>(HttpMethod.Post, $"v1/models/{Escape(model)}:predict", content, cancellationToken);
    }

    /// <summary>Gets predictions for typed instances (<c>POST /v1/models/{model}:predict</c>).</summary>
    public Task<PredictResponse> PredictAsync(string model, IReadOnlyList<IReadOnlyDictionary<string, object>> instances, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["instances"] = JsonSerializer.SerializeToNode(instances, Json) };
        return PredictAsync(model, body.ToJsonString(), cancellationToken);
    }

    /// <summary>Creates an API key (<c>POST /api/v1/keys</c>). The response is the only time the secret is ever shown.</summary>
    public Task<CreatedApiKeyInfo> CreateKeyAsync(CreateApiKeyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedApiKeyInfo>(HttpMethod.Post, "api/v1/keys", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Lists API keys without secrets (<c>GET /api/v1/keys</c>).</summary>
    public Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ApiKeyInfo>>(HttpMethod.Get, "api/v1/keys", null, cancellationToken);

    /// <summary>Revokes an API key by its public prefix (<c>DELETE /api/v1/keys/{prefix}</c>).</summary>
    public async Task RevokeKeyAsync(string prefix, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/v1/keys/{Escape(prefix)}", null, cancellationToken);
    }

    /// <summary>Signs in with a password (and a TOTP or recovery code once MFA is enrolled).</summary>
    public Task<TokenResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<TokenResponse>(HttpMethod.Post, "api/v1/auth/login", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Exchanges a refresh token for a new pair (the old refresh token is spent).</summary>
    public Task<TokenResponse> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default) =>
        SendAsync<TokenResponse>(HttpMethod.Post, "api/v1/auth/refresh", JsonContent.Create(new RefreshRequest(refreshToken), options: Json), cancellationToken);

    /// <summary>Ends the session the refresh token belongs to.</summary>
    public async Task LogoutAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Post, "api/v1/auth/logout", JsonContent.Create(new RefreshRequest(refreshToken), options: Json), cancellationToken);
    }

    /// <summary>The caller as the server sees it.</summary>
    public Task<WhoAmI> WhoAmIAsync(CancellationToken cancellationToken = default) =>
        SendAsync<WhoAmI>(HttpMethod.Get, "api/v1/auth/me", null, cancellationToken);

    /// <summary>Starts TOTP enrolment for the signed-in user.</summary>
    public Task<TotpEnrolment> BeginTotpAsync(string? enrolmentCode = null, CancellationToken cancellationToken = default) =>
        SendAsync<TotpEnrolment>(HttpMethod.Post, "api/v1/auth/mfa/totp", JsonContent.Create(new TotpBeginRequest(enrolmentCode), options: Json), cancellationToken);

    /// <summary>Issues a one-time MFA enrolment code for a user (needs users:manage in an MFA session).</summary>
    public Task<MfaEnrolmentCode> IssueMfaEnrolmentCodeAsync(string login, CancellationToken cancellationToken = default) =>
        SendAsync<MfaEnrolmentCode>(HttpMethod.Post, $"api/v1/users/{Escape(login)}/mfa/enrolment-code", null, cancellationToken);

    /// <summary>Confirms TOTP enrolment with a first code; returns the one-time recovery codes.</summary>
    public Task<RecoveryCodesResponse> ConfirmTotpAsync(string code, CancellationToken cancellationToken = default) =>
        SendAsync<RecoveryCodesResponse>(HttpMethod.Post, "api/v1/auth/mfa/totp/confirm", JsonContent.Create(new TotpConfirmRequest(code), options: Json), cancellationToken);

    /// <summary>Creates a user (<c>users:manage</c>).</summary>
    public Task<CreatedUserInfo> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedUserInfo>(HttpMethod.Post, "api/v1/users", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Lists users.</summary>
    public Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<UserInfo>>(HttpMethod.Get, "api/v1/users", null, cancellationToken);

    /// <summary>One user (<c>GET /api/v1/users/{login}</c>).</summary>
    public Task<UserInfo> GetUserAsync(string login, CancellationToken cancellationToken = default) =>
        SendAsync<UserInfo>(HttpMethod.Get, $"api/v1/users/{Escape(login)}", null, cancellationToken);

    /// <summary>Disables (signs out everywhere) or enables a user.</summary>
    public Task<UserInfo> SetUserEnabledAsync(string login, bool enabled, CancellationToken cancellationToken = default) =>
        SendAsync<UserInfo>(HttpMethod.Post, $"api/v1/users/{Escape(login)}/{(enabled ? "enable" : "disable")}", null, cancellationToken);

    /// <summary>Deletes a user.</summary>
    public async Task DeleteUserAsync(string login, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/v1/users/{Escape(login)}", null, cancellationToken);
    }

    /// <summary>Grants a role in a project ("*" = every project).</summary>
    public Task<UserInfo> GrantRoleAsync(string login, RoleGrant grant, CancellationToken cancellationToken = default) =>
        SendAsync<UserInfo>(HttpMethod.Post, $"api/v1/users/{Escape(login)}/roles", JsonContent.Create(grant, options: Json), cancellationToken);

    /// <summary>Takes a role in a project away (<c>DELETE /api/v1/users/{login}/roles/{project}/{role}</c>).</summary>
    public async Task RevokeRoleAsync(string login, RoleGrant grant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/v1/users/{Escape(login)}/roles/{Escape(grant.Project)}/{Escape(grant.Role)}", null, cancellationToken);
    }

    /// <summary>Removes a user's second factor so it can enrol again (needs a session signed in with MFA).</summary>
    public Task<UserInfo> ResetUserMfaAsync(string login, CancellationToken cancellationToken = default) =>
        SendAsync<UserInfo>(HttpMethod.Post, $"api/v1/users/{Escape(login)}/mfa/reset", null, cancellationToken);

    /// <summary>Changes the signed-in user's password; a refused one answers <c>password.*</c> (see <see cref="PasswordRejection"/>).</summary>
    public async Task ChangePasswordAsync(ChangePasswordRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Post, "api/v1/auth/password", JsonContent.Create(request, options: Json), cancellationToken);
    }

    /// <summary>Ends every session of a user.</summary>
    public async Task RevokeUserSessionsAsync(string login, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/v1/users/{Escape(login)}/sessions", null, cancellationToken);
    }

    /// <summary>Creates a project (<c>projects:manage</c>).</summary>
    public Task<ProjectInfo> CreateProjectAsync(CreateProjectRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ProjectInfo>(HttpMethod.Post, "api/v1/projects", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Lists projects.</summary>
    public Task<IReadOnlyList<ProjectInfo>> ListProjectsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ProjectInfo>>(HttpMethod.Get, "api/v1/projects", null, cancellationToken);

    /// <summary>The policy document in force.</summary>
    public Task<PolicyDocumentInfo> GetPoliciesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<PolicyDocumentInfo>(HttpMethod.Get, "api/v1/policies", null, cancellationToken);

    /// <summary>Activates a new policy document (needs a session signed in with MFA).</summary>
    public Task<PolicyDocumentInfo> PutPoliciesAsync(string document, CancellationToken cancellationToken = default) =>
        SendAsync<PolicyDocumentInfo>(HttpMethod.Put, "api/v1/policies", JsonContent.Create(new PutPolicyRequest(document), options: Json), cancellationToken);

    /// <summary>Recomputes the audit hash chain and checks the signed checkpoints on the server (<c>POST /api/v1/audit/verify</c>).</summary>
    public Task<AuditVerifyResult> VerifyAuditAsync(CancellationToken cancellationToken = default) => VerifyAuditAsync(null, null, cancellationToken);

    /// <summary>Verifies events <paramref name="from"/>..<paramref name="to"/> (sequence numbers; null = from the start / to the head).</summary>
    public Task<AuditVerifyResult> VerifyAuditAsync(long? from, long? to, CancellationToken cancellationToken = default) =>
        SendAsync<AuditVerifyResult>(HttpMethod.Post, "api/v1/audit/verify" + RangeQuery(from, to), null, cancellationToken);

    /// <summary>Signs the audit chain head now and returns the checkpoint.</summary>
    public Task<AuditCheckpointInfo> CheckpointAuditAsync(CancellationToken cancellationToken = default) =>
        SendAsync<AuditCheckpointInfo>(HttpMethod.Post, "api/v1/audit/checkpoints", null, cancellationToken);

    /// <summary>The archive files the ledger's retention has written.</summary>
    public Task<IReadOnlyList<AuditArchiveInfo>> ListAuditArchivesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<AuditArchiveInfo>>(HttpMethod.Get, "api/v1/audit/archives", null, cancellationToken);

    /// <summary>The audit public keys (PEM), for offline verification.</summary>
    /// <summary>Erases a data subject from the project (step-up: sign in with MFA); returns what was removed and the signed receipt.</summary>
    public Task<ErasureInfo> EraseSubjectAsync(string subject, CancellationToken cancellationToken = default) =>
        SendAsync<ErasureInfo>(HttpMethod.Post, "api/v1/privacy/erasure", JsonContent.Create(new SubjectRequest(subject), options: Json), cancellationToken);

    /// <summary>Everything the project holds about a data subject (step-up: sign in with MFA).</summary>
    public Task<SubjectExportInfo> ExportSubjectAsync(string subject, CancellationToken cancellationToken = default) =>
        SendAsync<SubjectExportInfo>(HttpMethod.Post, "api/v1/privacy/subjects/export", JsonContent.Create(new SubjectRequest(subject), options: Json), cancellationToken);

    public Task<RetentionInfo> GetRetentionAsync(string project, CancellationToken cancellationToken = default) =>
        SendAsync<RetentionInfo>(HttpMethod.Get, $"api/v1/projects/{Escape(project)}/retention", null, cancellationToken);

    public Task<RetentionInfo> SetRetentionAsync(string project, SetRetentionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<RetentionInfo>(HttpMethod.Put, $"api/v1/projects/{Escape(project)}/retention", JsonContent.Create(request, options: Json), cancellationToken);

    public Task<AuditKeyList> GetAuditKeysAsync(CancellationToken cancellationToken = default) =>
        SendAsync<AuditKeyList>(HttpMethod.Get, "api/v1/audit/keys", null, cancellationToken);

    /// <summary>Streams a verifiable JSON Lines export of events <paramref name="from"/>..<paramref name="to"/> into <paramref name="destination"/>.</summary>
    public async Task ExportAuditAsync(Stream destination, long? from, long? to, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, "api/v1/audit/export" + RangeQuery(from, to), null, cancellationToken,
            HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await body.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>Searches the audit ledger (project-scoped; instance-wide events with <paramref name="includeInstanceEvents"/>).</summary>
    public Task<AuditEventPage> SearchAuditAsync(string? principal, string? action, string? resource, string? outcome, string? from, string? to,
        long after = 0, int limit = 100, bool includeInstanceEvents = false, CancellationToken cancellationToken = default)
    {
        var query = new List<string> { "after=" + after.ToString(System.Globalization.CultureInfo.InvariantCulture), "limit=" + limit.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (name, value) in new[] { ("principal", principal), ("action", action), ("resource", resource), ("outcome", outcome), ("from", from), ("to", to) })
        {
            if (value is not null)
            {
                query.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        if (includeInstanceEvents)
        {
            query.Add("includeInstanceEvents=true");
        }

        return SendAsync<AuditEventPage>(HttpMethod.Get, "api/v1/audit/events?" + string.Join('&', query), null, cancellationToken);
    }

    /// <summary>Open incidents (or all, with <paramref name="includeClosed"/>), newest first.</summary>
    public Task<IReadOnlyList<IncidentSummary>> ListIncidentsAsync(bool includeClosed = false, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<IncidentSummary>>(HttpMethod.Get, "api/v1/incidents" + (includeClosed ? "?all=true" : ""), null, cancellationToken);

    /// <summary>One incident with its timeline, checklist and deadlines.</summary>
    public Task<IncidentInfo> GetIncidentAsync(int number, CancellationToken cancellationToken = default) =>
        SendAsync<IncidentInfo>(HttpMethod.Get, $"api/v1/incidents/{number}", null, cancellationToken);

    /// <summary>Opens an incident (needs a session signed in with MFA).</summary>
    public Task<IncidentInfo> OpenIncidentAsync(OpenIncidentRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<IncidentInfo>(HttpMethod.Post, "api/v1/incidents", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Changes severity, owner, data flags, or adds a note.</summary>
    public Task<IncidentInfo> UpdateIncidentAsync(int number, UpdateIncidentRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<IncidentInfo>(HttpMethod.Patch, $"api/v1/incidents/{number}", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Moves an incident to its next phase.</summary>
    public Task<IncidentInfo> TransitionIncidentAsync(int number, IncidentTransitionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<IncidentInfo>(HttpMethod.Post, $"api/v1/incidents/{number}/transitions", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Marks a checklist item done.</summary>
    public Task<IncidentInfo> CompleteIncidentItemAsync(int number, IncidentChecklistRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<IncidentInfo>(HttpMethod.Post, $"api/v1/incidents/{number}/checklist", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Downloads the signed evidence bundle of an incident into <paramref name="destination"/>.</summary>
    public async Task ExportEvidenceAsync(int number, Stream destination, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Post, $"api/v1/incidents/{number}/evidence", null, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await body.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>The containment controls in force.</summary>
    public Task<ContainmentStatus> GetContainmentAsync(CancellationToken cancellationToken = default) =>
        SendAsync<ContainmentStatus>(HttpMethod.Get, "api/v1/containment", null, cancellationToken);

    /// <summary>Runs a containment action: <paramref name="action"/> is the path under <c>/api/v1/containment/</c>.</summary>
    public Task<T> ContainAsync<T>(string action, object request, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Post, "api/v1/containment/" + action, JsonContent.Create(request, request.GetType(), options: Json), cancellationToken);

    /// <summary>Quarantines a model version of the current project.</summary>
    public Task<QuarantineResult> QuarantineAsync(string model, int version, ContainmentActionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<QuarantineResult>(HttpMethod.Post, $"api/v1/models/{Escape(model)}/versions/{version}/quarantine", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary>Returns a quarantined version to service after a clean verification (an approver's act).</summary>
    public Task<QuarantineResult> ReinstateAsync(string model, int version, ReinstateRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<QuarantineResult>(HttpMethod.Post, $"api/v1/models/{Escape(model)}/versions/{version}/reinstate", JsonContent.Create(request, options: Json), cancellationToken);

    private static string RangeQuery(long? from, long? to)
    {
        var parts = new List<string>(2);
        if (from is { } f)
        {
            parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"from={f}"));
        }

        if (to is { } t)
        {
            parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"to={t}"));
        }

        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private void SetApiKey(string apiKey)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            throw new ArgumentException("An API key is required.", nameof(apiKey));
        }

        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", apiKey.Trim());
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, cancellationToken);
        try
        {
            var value = await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
            return value ?? throw new BulwarkApiException((int)response.StatusCode, null, "Empty response", "The server sent an empty body.");
        }
        catch (JsonException ex)
        {
            throw new BulwarkApiException($"The server sent a response that is not the expected JSON ({ex.Message}).", ex);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        var response = await _http.SendAsync(request, completion, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ReadProblemAsync(response, cancellationToken);
        }
    }

    private static async Task<BulwarkApiException> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string? code = null, title = null, detail = null;
        JsonElement? problem = null;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!string.IsNullOrWhiteSpace(text))
        {
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    code = GetString(doc.RootElement, "code");
                    title = GetString(doc.RootElement, "title");
                    detail = GetString(doc.RootElement, "detail");
                    problem = doc.RootElement.Clone();
                }
            }
            catch (JsonException)
            {
                // Not problem+json (a proxy's HTML page, say): fall back to the status line below.
            }
        }

        title ??= response.ReasonPhrase;
        detail ??= string.Create(CultureInfo.InvariantCulture, $"the server answered {status} {response.ReasonPhrase}");
        if (response.Headers.RetryAfter?.Delta is { } retry)
        {
            detail += string.Create(CultureInfo.InvariantCulture, $" (retry after {retry.TotalSeconds:0} s)");
        }

        return new BulwarkApiException(status, code, title, detail) { Problem = problem };
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
