using Bulwark.Core.Audit;
using Bulwark.Core.Incidents.Detection;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Tests.Incidents.Detection;

/// <summary>
/// Builds ledger events the way the features write them (same actions, resources, principals, outcomes and detail keys)
/// with increasing sequences and a clock that only moves when told.
/// </summary>
internal sealed class AuditStream
{
    /// <summary>Tuesday 4 March 2025, 10:00 UTC: inside the default admin hours.</summary>
    public static readonly DateTimeOffset TuesdayMorning = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    public const string Alice = "user:0195a1c2-7d3e-7a10-8b1c-2f3e4d5a6b7c";
    public const string Key = "key:bwk_0123456789ab";

    private long sequence = 100;

    public DateTimeOffset Now { get; set; } = TuesdayMorning;

    public static DetectionEngine Engine(Action<DetectionOptions>? configure = null)
    {
        var options = new DetectionOptions();
        configure?.Invoke(options);
        var validation = new DetectionOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return new DetectionEngine(Options.Create(options));
    }

    public void Advance(TimeSpan by) => Now += by;

    public AuditEvent Event(int code, string action, string principal, string resource, string outcome, string? client,
        IReadOnlyDictionary<string, object?>? details = null, string? project = null) => new()
        {
            Sequence = ++sequence,
            Timestamp = Now,
            Code = code,
            Action = action,
            Principal = principal,
            Resource = resource,
            Outcome = outcome,
            ClientAddress = client,
            ProjectId = project,
            Details = AuditHasher.CanonicalDetails(details),
        };

    public AuditEvent LoginFailed(string login, string? client) =>
        Event(AuditCodes.LoginFailed, "auth.login", "anonymous", "user/" + login, "denied", client,
            new Dictionary<string, object?> { ["reason"] = "password", ["failures"] = 1 });

    public AuditEvent UnknownLoginFailed(string client) =>
        Event(AuditCodes.LoginFailed, "auth.login", "anonymous", "user/?", "denied", client, new Dictionary<string, object?> { ["reason"] = "unknown" });

    public AuditEvent ApiKeyFailed(string? prefix, string client) =>
        Event(AuditCodes.AuthenticationFailed, "auth.authenticate", "anonymous", prefix is null ? "key" : "key/" + prefix, "denied", client,
            new Dictionary<string, object?> { ["reason"] = prefix is null ? "malformed" : "key.invalid", ["method"] = "POST", ["path"] = "/v1/models/fraud:predict" });

    public AuditEvent Predicted(string principal, string model, int version, string? client, int rows = 1, string project = "default") =>
        Event(AuditCodes.PredictionServed, "model.predict", principal, $"model/{model}/{version}", "success", client,
            new Dictionary<string, object?>
            {
                ["version"] = version,
                ["manifestDigest"] = "sha256:ab12",
                ["protocol"] = "v1",
                ["rows"] = rows,
                ["inputHmac"] = "c0ffee",
                ["truncated"] = false,
                ["labels"] = new[] { "0" },
                ["scores"] = new[] { 0.12 },
            }, project);

    public AuditEvent Rejected(string principal, string model, string client, string project = "default") =>
        Event(AuditCodes.PredictionRejected, "model.predict", principal, "model/" + model, "failure", client,
            new Dictionary<string, object?> { ["code"] = "serving.input-invalid", ["status"] = 400, ["version"] = null }, project);

    public AuditEvent Granted(string actor, string principal, string role, string project, string? client = "192.0.2.10") =>
        Event(AuditCodes.MembershipGranted, "project.grant", actor, principal, "success", client,
            new Dictionary<string, object?> { ["role"] = role, ["project"] = project }, project == "*" ? null : project);

    public static IReadOnlyList<SecurityDetection> Run(DetectionEngine engine, IEnumerable<AuditEvent> events) =>
        events.SelectMany(engine.Observe).ToList();

    public IEnumerable<AuditEvent> Repeat(int count, TimeSpan every, Func<int, AuditEvent> next)
    {
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                Advance(every);
            }

            yield return next(i);
        }
    }
}
