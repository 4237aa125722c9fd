namespace Bulwark.Core.Monitoring;

/// <summary>
/// The true outcome for one row of a served prediction, reported later by whoever learns it. The label is sealed (an
/// outcome such as a diagnosis is as sensitive as the data). Labels count towards live metrics only once their batch
/// passed the poisoning guard (<see cref="FeedbackStates"/>).
/// </summary>
internal sealed class FeedbackLabel
{
    public Guid Id { get; set; }
    public string ProjectId { get; set; } = "";
    public string ModelName { get; set; } = "";
    public Guid PredictionId { get; set; }
    public int Row { get; set; }

    /// <summary>Sealed (<c>bwe1:</c>) label text: a class name, or a number in invariant form for regression.</summary>
    public string Label { get; set; } = "";
    public string Principal { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string State { get; set; } = FeedbackStates.Pending;

    /// <summary>The batch the guard judged this label in; null while pending.</summary>
    public Guid? BatchId { get; set; }
}

/// <summary>Pending → accepted, or held for review → accepted (released) or discarded.</summary>
internal static class FeedbackStates
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Held = "held";
    public const string Discarded = "discarded";
}
