using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Incidents;

/// <summary>
/// Opens incidents and moves them through their phases. Every change writes a timeline entry and an audit event in the
/// same transaction; transitions go one phase at a time and closing needs the playbook's checklist complete.
/// </summary>
internal sealed class IncidentService(BulwarkDbContext db, AuditLedger audit, IncidentNumberGate numbers, TimeProvider time)
{
    public const int MaxTextLength = 2000;

    /// <summary>Tries at a free incident number; each failed one means another replica committed in between.</summary>
    private const int MaxNumberAttempts = 16;

    public async Task<Outcome<Incident>> OpenAsync(NewIncident request, string actor, string? client, CancellationToken ct = default)
    {
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }

        var now = time.GetUtcNow();
        var incident = new Incident
        {
            Id = Guid.CreateVersion7(now),
            Title = Compliance.SensitiveText.Redact(request.Title),
            Type = request.Type,
            Severity = request.Severity,
            State = IncidentState.Identified,
            Owner = request.Owner is { } owner ? IncidentOwner.Canonical(owner) : null,
            ProjectId = request.ProjectId,
            PersonalData = request.PersonalData,
            HealthData = request.HealthData,
            OpenedAt = now,
            UpdatedAt = now,
        };
        db.Incidents.Add(incident);
        AddEntry(incident, actor, "opened", request.Title, new JsonObject { ["severity"] = request.Severity, ["type"] = request.Type });
        await SaveNewAsync(incident, () => [Audit(AuditCodes.IncidentOpened, "incident.open", actor, incident, client,
            new Dictionary<string, object?> { ["severity"] = incident.Severity, ["type"] = incident.Type, ["title"] = incident.Title })], ct);
        return incident;
    }

    /// <summary>
    /// Opens an incident for a detection, or adds it to the open incident of the same rule and subject (raising its
    /// severity if the new detection is worse). Returns whether it was newly opened or its severity rose.
    /// </summary>
    public async Task<(Incident Incident, bool Escalated)> RecordSignalAsync(IncidentSignal signal, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.RuleId == signal.RuleId && i.Subject == signal.Subject && i.State != IncidentState.Closed, ct);
        var escalated = false;
        var opened = incident is null;
        if (incident is null)
        {
            incident = new Incident
            {
                Id = Guid.CreateVersion7(now),
                Title = Truncate(signal.Title, 200),
                Type = IncidentPlaybooks.ForRule(signal.RuleId),
                Severity = signal.Severity,
                RuleId = signal.RuleId,
                Subject = signal.Subject,
                ProjectId = signal.ProjectId,
                OpenedAt = now,
                UpdatedAt = now,
            };
            db.Incidents.Add(incident);
            AddEntry(incident, "system", "opened", incident.Title, new JsonObject { ["rule"] = signal.RuleId, ["severity"] = signal.Severity });
            escalated = true;
        }
        else if (IncidentSeverity.Rank(signal.Severity) > IncidentSeverity.Rank(incident.Severity))
        {
            incident.Severity = signal.Severity;
            escalated = true;
        }

        incident.DetectionCount++;
        incident.UpdatedAt = now;
        var facts = new JsonObject { ["rule"] = signal.RuleId, ["severity"] = signal.Severity };
        foreach (var (key, value) in signal.Facts)
        {
            facts[key] = value;
        }

        AddEntry(incident, "system", "detection", Truncate(signal.Summary, MaxTextLength), facts);
        await LinkAsync(incident.Id, signal.EvidenceSequences, ct);

        // Built when saved: the events name the incident's number, which a retry may change.
        List<AuditEntry> Entries()
        {
            var entries = new List<AuditEntry>();
            if (opened)
            {
                entries.Add(Audit(AuditCodes.IncidentOpened, "incident.open", "system", incident, null,
                    new Dictionary<string, object?> { ["rule"] = signal.RuleId, ["subject"] = signal.Subject, ["severity"] = signal.Severity, ["type"] = incident.Type }));
            }

            entries.Add(Audit(AuditCodes.DetectionFired, "incident.detect", "system", incident, null,
                new Dictionary<string, object?> { ["rule"] = signal.RuleId, ["subject"] = signal.Subject, ["severity"] = signal.Severity, ["evidence"] = signal.EvidenceSequences.Count }));
            return entries;
        }

        if (opened)
        {
            await SaveNewAsync(incident, Entries, ct);
        }
        else
        {
            await audit.SaveChangesAsync(db, Entries(), ct);
        }

        return (incident, escalated);
    }

    public async Task<Outcome<Incident>> TransitionAsync(int number, IncidentState target, string evidence, string actor, string? client, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(evidence) || evidence.Length > MaxTextLength)
        {
            return new Failure(IncidentErrors.Invalid, 400, $"A transition needs evidence: 1–{MaxTextLength} characters saying what was done and how it was checked.");
        }

        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Number == number, ct);
        if (incident is null)
        {
            return IncidentErrors.Missing(number);
        }

        if (target != incident.State + 1)
        {
            return new Failure(IncidentErrors.InvalidTransition, 409,
                $"Incident {number} is {Name(incident.State)}; the next phase is {(incident.State == IncidentState.Closed ? "none (it is closed)" : Name(incident.State + 1))}, phases cannot be skipped.");
        }

        if (target == IncidentState.Closed && MissingItems(incident) is { Count: > 0 } missing)
        {
            return new Failure(IncidentErrors.ChecklistIncomplete, 409, $"Incident {number} cannot close: checklist items not done: {string.Join(", ", missing)}.",
                new Dictionary<string, object?> { ["missing"] = missing });
        }

        var from = incident.State;
        incident.State = target;
        incident.UpdatedAt = time.GetUtcNow();
        incident.ClosedAt = target == IncidentState.Closed ? incident.UpdatedAt : null;
        AddEntry(incident, actor, "transition", evidence, new JsonObject { ["from"] = Name(from), ["to"] = Name(target) });
        return await SaveAsync(incident, Audit(AuditCodes.IncidentTransitioned, "incident.transition", actor, incident, client,
            new Dictionary<string, object?> { ["from"] = Name(from), ["to"] = Name(target) }), ct);
    }

    public async Task<Outcome<Incident>> CompleteItemAsync(int number, string item, string evidence, string actor, string? client, CancellationToken ct = default)
    {
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Number == number, ct);
        if (incident is null)
        {
            return IncidentErrors.Missing(number);
        }

        if (!IncidentPlaybooks.ChecklistOf(incident.Type).Contains(item))
        {
            return new Failure(IncidentErrors.Invalid, 400, $"'{Truncate(item, 64)}' is not on the {incident.Type} checklist: {string.Join(", ", IncidentPlaybooks.ChecklistOf(incident.Type))}.");
        }

        if (string.IsNullOrWhiteSpace(evidence) || evidence.Length > MaxTextLength)
        {
            return new Failure(IncidentErrors.Invalid, 400, $"A checklist item needs evidence (1–{MaxTextLength} characters).");
        }

        return await TickAsync(incident, item, evidence, actor, client, ct);
    }

    /// <summary>Ticks an item as part of an action already audited (containment, verification); no-op for a closed incident.</summary>
    public async Task TickIfOpenAsync(int number, string item, string evidence, string actor, string? client, CancellationToken ct = default)
    {
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Number == number, ct);
        if (incident is not null && incident.State != IncidentState.Closed && IncidentPlaybooks.ChecklistOf(incident.Type).Contains(item))
        {
            await TickAsync(incident, item, evidence, actor, client, ct);
        }
    }

    private async Task<Outcome<Incident>> TickAsync(Incident incident, string item, string evidence, string actor, string? client, CancellationToken ct)
    {
        if (incident.State == IncidentState.Closed)
        {
            return new Failure(IncidentErrors.Closed, 409, $"Incident {incident.Number} is closed.");
        }

        var now = time.GetUtcNow();
        var checklist = JsonNode.Parse(incident.ChecklistJson)!.AsObject();
        checklist[item] = new JsonObject { ["by"] = actor, ["at"] = now.ToString("O"), ["evidence"] = evidence };
        incident.ChecklistJson = checklist.ToJsonString();
        incident.UpdatedAt = now;
        AddEntry(incident, actor, "checklist", evidence, new JsonObject { ["item"] = item });
        return await SaveAsync(incident, Audit(AuditCodes.IncidentChecklistItemCompleted, "incident.checklist", actor, incident, client,
            new Dictionary<string, object?> { ["item"] = item }), ct);
    }

    public async Task<Outcome<Incident>> UpdateAsync(int number, IncidentUpdate update, string actor, string? client, CancellationToken ct = default)
    {
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Number == number, ct);
        if (incident is null)
        {
            return IncidentErrors.Missing(number);
        }

        if (update.Severity is not null && !IncidentSeverity.IsValid(update.Severity)
            || update.Note is { Length: > MaxTextLength } || update.Note is { } n && string.IsNullOrWhiteSpace(n))
        {
            return new Failure(IncidentErrors.Invalid, 400, $"severity is one of {string.Join(", ", IncidentSeverity.All)}; a note 1–{MaxTextLength}.");
        }

        if (update.Owner is { } newOwner && IncidentOwner.Canonical(newOwner) is null)
        {
            return IncidentOwner.Invalid;
        }

        var changes = new Dictionary<string, object?>();
        if (update.Severity is { } severity && severity != incident.Severity)
        {
            changes["severity"] = severity;
            incident.Severity = severity;
        }

        if (update.Owner is not null && IncidentOwner.Canonical(update.Owner) is { } owner && owner != incident.Owner)
        {
            changes["owner"] = owner;
            incident.Owner = owner;
        }

        if (update.PersonalData is { } personal && personal != incident.PersonalData)
        {
            changes["personalData"] = personal;
            incident.PersonalData = personal;
        }

        if (update.HealthData is { } health && health != incident.HealthData)
        {
            changes["healthData"] = health;
            incident.HealthData = health;
        }

        if (changes.Count == 0 && update.Note is null)
        {
            return incident;
        }

        incident.UpdatedAt = time.GetUtcNow();
        if (changes.Count > 0)
        {
            AddEntry(incident, actor, "update", string.Join(", ", changes.Select(c => $"{c.Key} = {c.Value}")), JsonSerializer.SerializeToNode(changes)!.AsObject());
        }

        if (update.Note is { } note)
        {
            // Notes are free text: a card number or e-mail address read out on a call is masked before it is stored.
            AddEntry(incident, actor, "note", Compliance.SensitiveText.Redact(note), []);
            changes["note"] = true;
        }

        return await SaveAsync(incident, Audit(update.Note is not null && changes.Count == 1 ? AuditCodes.IncidentNoteAdded : AuditCodes.IncidentUpdated,
            "incident.update", actor, incident, client, changes), ct);
    }

    /// <summary>Records an action taken under the incident (containment, verification, evidence) on its timeline.</summary>
    public async Task AddTimelineAsync(int number, string actor, string kind, string text, JsonObject data, CancellationToken ct = default)
    {
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Number == number, ct);
        if (incident is null)
        {
            return;
        }

        incident.UpdatedAt = time.GetUtcNow();
        AddEntry(incident, actor, kind, text, data);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Records every deadline reminder now due (once each) and returns them for alerting.</summary>
    public async Task<IReadOnlyList<(Incident Incident, Reminder Reminder)>> RecordDueRemindersAsync(IncidentsOptions options, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var open = await db.Incidents.Where(i => i.State != IncidentState.Closed && (i.PersonalData || i.HealthData)).ToListAsync(ct);
        var due = new List<(Incident, Reminder)>();
        var entries = new List<AuditEntry>();
        foreach (var incident in open)
        {
            foreach (var reminder in IncidentDeadlines.Due(incident, options, now))
            {
                incident.RemindersSent = incident.RemindersSent.Length == 0 ? reminder.Id : incident.RemindersSent + "," + reminder.Id;
                var text = reminder.Lead == TimeSpan.Zero
                    ? $"Deadline passed: {reminder.Deadline.Description} was due {reminder.Deadline.DueAt:u}."
                    : $"Reminder: {reminder.Deadline.Description} is due {reminder.Deadline.DueAt:u} (in {reminder.Lead.TotalHours:0} hours).";
                AddEntry(incident, "system", "reminder", text, new JsonObject { ["deadline"] = reminder.Deadline.Id, ["dueAt"] = reminder.Deadline.DueAt.ToString("O") });
                entries.Add(Audit(AuditCodes.IncidentDeadlineReminder, "incident.reminder", "system", incident, null,
                    new Dictionary<string, object?> { ["deadline"] = reminder.Deadline.Id, ["reminder"] = reminder.Id, ["dueAt"] = reminder.Deadline.DueAt }));
                due.Add((incident, reminder));
            }
        }

        if (entries.Count > 0)
        {
            await audit.SaveChangesAsync(db, entries, ct);
        }

        return due;
    }

    public Task<Incident?> FindAsync(int number, CancellationToken ct = default) =>
        db.Incidents.AsNoTracking().FirstOrDefaultAsync(i => i.Number == number, ct);

    public Task<List<Incident>> ListAsync(bool includeClosed, CancellationToken ct = default) =>
        db.Incidents.AsNoTracking().Where(i => includeClosed || i.State != IncidentState.Closed).OrderByDescending(i => i.Number).Take(500).ToListAsync(ct);

    public Task<List<IncidentEntry>> TimelineAsync(Guid incidentId, CancellationToken ct = default) =>
        db.IncidentEntries.AsNoTracking().Where(e => e.IncidentId == incidentId).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(ct);

    public Task<List<long>> LinkedEventsAsync(Guid incidentId, CancellationToken ct = default) =>
        db.IncidentEvents.AsNoTracking().Where(e => e.IncidentId == incidentId).OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync(ct);

    public static IReadOnlyList<string> MissingItems(Incident incident)
    {
        var done = JsonNode.Parse(incident.ChecklistJson)!.AsObject();
        return [.. IncidentPlaybooks.ChecklistOf(incident.Type).Where(item => !done.ContainsKey(item))];
    }

    public static string Name(IncidentState state) => state.ToString().ToLowerInvariant();

    public static bool TryParseState(string? text, out IncidentState state)
    {
        foreach (var candidate in Enum.GetValues<IncidentState>())
        {
            if (Name(candidate) == text)
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    private async Task LinkAsync(Guid incidentId, IReadOnlyList<long> sequences, CancellationToken ct)
    {
        if (sequences.Count == 0)
        {
            return;
        }

        var known = await db.IncidentEvents.Where(e => e.IncidentId == incidentId && sequences.Contains(e.Sequence)).Select(e => e.Sequence).ToListAsync(ct);
        foreach (var sequence in sequences.Distinct().Except(known))
        {
            db.IncidentEvents.Add(new IncidentEvent { IncidentId = incidentId, Sequence = sequence });
        }
    }

    private async Task<Outcome<Incident>> SaveAsync(Incident incident, AuditEntry entry, CancellationToken ct)
    {
        incident.Revision++;
        try
        {
            await audit.SaveChangesAsync(db, entry, ct);
            return incident;
        }
        catch (DbUpdateConcurrencyException)
        {
            return new Failure(IncidentErrors.Conflict, 409, $"Incident {incident.Number} was changed by someone else; reload and try again.");
        }
    }

    /// <summary>
    /// Saves a new incident under the next free number ("highest + 1"). The gate keeps this replica's writers in turn; a
    /// save refused because another replica committed first (the number's unique index, or the audit chain moving on)
    /// changed nothing, so it is retried with a fresh number, at most <see cref="MaxNumberAttempts"/> times.
    /// </summary>
    private async Task SaveNewAsync(Incident incident, Func<List<AuditEntry>> entries, CancellationToken ct)
    {
        using var turn = await numbers.EnterAsync(ct);
        for (var attempt = 1; ; attempt++)
        {
            incident.Number = await NextNumberAsync(ct);
            try
            {
                await audit.SaveChangesAsync(db, entries(), ct);
                return;
            }
            catch (DbUpdateException) when (attempt < MaxNumberAttempts)
            {
            }
        }
    }

    private async Task<int> NextNumberAsync(CancellationToken ct) => (await db.Incidents.MaxAsync(i => (int?)i.Number, ct) ?? 0) + 1;

    private void AddEntry(Incident incident, string actor, string kind, string text, JsonObject data) =>
        db.IncidentEntries.Add(new IncidentEntry
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            IncidentId = incident.Id,
            At = time.GetUtcNow(),
            Actor = actor,
            Kind = kind,
            Text = text,
            DataJson = data.ToJsonString(),
        });

    private static AuditEntry Audit(int code, string action, string actor, Incident incident, string? client, Dictionary<string, object?> details) =>
        new(code, action, actor, "incident/" + incident.Number, "success", client, details);

    private static Failure? Validate(NewIncident request)
    {
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > 200 || request.Title.Any(char.IsControl))
        {
            return new Failure(IncidentErrors.Invalid, 400, "title is 1–200 printable characters.");
        }

        if (!IncidentSeverity.IsValid(request.Severity))
        {
            return new Failure(IncidentErrors.Invalid, 400, $"severity is one of {string.Join(", ", IncidentSeverity.All)}.");
        }

        if (request.Owner is { } owner && IncidentOwner.Canonical(owner) is null)
        {
            return IncidentOwner.Invalid;
        }

        return IncidentPlaybooks.IsType(request.Type) ? null : new Failure(IncidentErrors.Invalid, 400, $"type is one of {string.Join(", ", IncidentPlaybooks.Types)}.");
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
