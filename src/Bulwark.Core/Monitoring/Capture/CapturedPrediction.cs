namespace Bulwark.Core.Monitoring;

/// <summary>
/// A served prediction request kept for monitoring: its id is the prediction id returned to the caller. The request body
/// and the hardened outputs are sealed together (AES-256-GCM, bound to the id), never stored in clear; what stays
/// readable is only what retention, joins and windows need.
/// </summary>
internal sealed class CapturedPrediction
{
    public Guid Id { get; set; }
    public string ProjectId { get; set; } = "";
    public string ModelName { get; set; } = "";
    public int Version { get; set; }
    public Guid VersionId { get; set; }
    public string Principal { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public int Rows { get; set; }

    /// <summary>
    /// For a challenger's shadow scoring: the prediction id the champion answered, which feedback joins on. The shadow row's
    /// payload holds the challenger's outputs only (the body is the champion capture's). Null for answered requests.
    /// </summary>
    public Guid? ShadowOf { get; set; }

    /// <summary>
    /// HMAC-SHA256 (lowercase hex) of the data subject the caller named in the <c>Bulwark-Subject</c> header, under the
    /// project's capture-pseudonym key; never the raw key. Erasure and access requests find captures by it.
    /// </summary>
    public string? SubjectPseudonym { get; set; }

    /// <summary>"v1" or "oip-v2": how to parse the sealed body again.</summary>
    public string Protocol { get; set; } = "";

    /// <summary>Sealed JSON: <c>{"body": base64, "outputs": [label or value per row]}</c>.</summary>
    public byte[] Payload { get; set; } = [];
}
