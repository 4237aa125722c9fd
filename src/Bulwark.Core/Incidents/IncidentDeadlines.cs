namespace Bulwark.Core.Incidents;

/// <summary>
/// Regulatory clocks. GDPR Art. 33(1): notify the supervisory authority within 72 hours of becoming aware of a personal
/// data breach. HIPAA Breach Notification Rule 45 CFR §164.404(b): notify affected individuals without unreasonable delay
/// and no later than 60 calendar days after discovery. Both run from when the incident was opened (awareness).
/// </summary>
internal static class IncidentDeadlines
{
    public static readonly TimeSpan GdprWindow = TimeSpan.FromHours(72);
    public static readonly TimeSpan HipaaWindow = TimeSpan.FromDays(60);

    public static IReadOnlyList<Deadline> Of(Incident incident)
    {
        var list = new List<Deadline>(2);
        if (incident.PersonalData)
        {
            list.Add(new Deadline("gdpr-72h", "GDPR Art. 33: notify the supervisory authority", incident.OpenedAt + GdprWindow));
        }

        if (incident.HealthData)
        {
            list.Add(new Deadline("hipaa-60d", "HIPAA §164.404: notify affected individuals", incident.OpenedAt + HipaaWindow));
        }

        return list;
    }

    /// <summary>Reminders that are due at <paramref name="now"/> and were not sent yet; a closed incident has none.</summary>
    public static IEnumerable<Reminder> Due(Incident incident, IncidentsOptions options, DateTimeOffset now)
    {
        if (incident.State == IncidentState.Closed)
        {
            yield break;
        }

        var sent = incident.RemindersSent.Split(',', StringSplitOptions.RemoveEmptyEntries);
        foreach (var deadline in Of(incident))
        {
            var leads = deadline.Id.StartsWith("gdpr", StringComparison.Ordinal) ? options.GdprReminderLeads : options.HipaaReminderLeads;
            // Only the most urgent due reminder is sent: a late start must not fire every earlier one at once.
            var due = leads.Where(lead => now >= deadline.DueAt - lead).OrderBy(lead => lead).Select(lead => (Lead: lead, Id: ReminderId(deadline, lead))).FirstOrDefault();
            if (due.Id is not null && !sent.Contains(due.Id))
            {
                yield return new Reminder(due.Id, deadline, due.Lead);
            }
        }
    }

    private static string ReminderId(Deadline deadline, TimeSpan lead) =>
        deadline.Id + "@" + (lead == TimeSpan.Zero ? "due" : ((long)lead.TotalMinutes).ToString(System.Globalization.CultureInfo.InvariantCulture) + "m");
}

/// <summary>A regulatory deadline of an incident.</summary>
internal sealed record Deadline(string Id, string Description, DateTimeOffset DueAt);

/// <summary>A reminder <paramref name="Lead"/> before <paramref name="Deadline"/> (zero: the deadline has passed).</summary>
internal sealed record Reminder(string Id, Deadline Deadline, TimeSpan Lead);
