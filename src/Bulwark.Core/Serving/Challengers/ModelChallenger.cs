namespace Bulwark.Core.Serving;

/// <summary>
/// The challenger configured for a model (at most one per model and project): which version, how it is exposed
/// (<see cref="ChallengerModes"/>), and who set it. Written only by <see cref="ModelChallengers"/>; the
/// <see cref="Tag"/> binds every field, so a challenger inserted or edited in the database is not served.
/// </summary>
internal sealed class ModelChallenger
{
    public Guid Id { get; set; }
    public string ProjectId { get; set; } = "";
    public string ModelName { get; set; } = "";
    public Guid VersionId { get; set; }
    public int Version { get; set; }

    /// <summary>The challenger's manifest digest when it was set: a row later swapped under the same id does not serve.</summary>
    public string ManifestDigest { get; set; } = "";

    /// <summary><see cref="ChallengerModes.Split"/> or <see cref="ChallengerModes.Shadow"/>.</summary>
    public string Mode { get; set; } = "";

    /// <summary>Fraction of the model's production traffic the challenger answers (split mode; 0 for shadow).</summary>
    public double Share { get; set; }

    public string SetBy { get; set; } = "";
    public DateTimeOffset SetAt { get; set; }

    /// <summary>HMAC-SHA256 over every field above (<see cref="ChallengerTag"/>).</summary>
    public byte[] Tag { get; set; } = [];
}
