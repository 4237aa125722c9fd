using System.Globalization;
using System.Net;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// When and from where administrative actions are expected (<see cref="DetectionOptions.AdminHours"/>,
/// <see cref="DetectionOptions.AdminDays"/>, <see cref="DetectionOptions.AdminTimeZone"/>, <see cref="DetectionOptions.AdminNetworks"/>).
/// Hours are [start, end) in local time and may wrap midnight; days are checked against the local date of the action.
/// </summary>
internal sealed class AdminSchedule
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly int startMinute;
    private readonly int endMinute;
    private readonly bool[] days;
    private readonly IReadOnlyList<IPNetwork> networks;

    private AdminSchedule(TimeZoneInfo zone, int startMinute, int endMinute, bool[] days, IReadOnlyList<IPNetwork> networks)
    {
        Zone = zone;
        this.startMinute = startMinute;
        this.endMinute = endMinute;
        this.days = days;
        this.networks = networks;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>Parses the options; on failure <paramref name="errors"/> says what to fix, naming the configuration key.</summary>
    public static AdminSchedule? Parse(DetectionOptions options, List<string> errors)
    {
        var count = errors.Count;
        var zone = ParseZone(options.AdminTimeZone, errors);
        var (start, end) = ParseHours(options.AdminHours, errors);
        var days = ParseDays(options.AdminDays, errors);
        var networks = new List<IPNetwork>();
        foreach (var cidr in options.AdminNetworks)
        {
            var text = cidr?.Trim() ?? "";
            var slash = text.IndexOf('/', StringComparison.Ordinal);

            // Host bits must be zero: "10.0.0.1/8" is a typo for a /32 as often as for 10.0.0.0/8, so neither is guessed.
            if (slash > 0 && IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.AsSpan(0, slash), out var written)
                && written.Equals(network.BaseAddress))
            {
                networks.Add(network);
            }
            else
            {
                errors.Add($"{DetectionOptions.Section}:AdminNetworks entry '{cidr}' is not a CIDR network such as 192.0.2.0/24 or 2001:db8::/32 (host bits must be zero).");
            }
        }

        return errors.Count == count ? new AdminSchedule(zone!, start, end, days!, networks) : null;
    }

    public bool IsWithinHours(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        if (!days[(int)local.DayOfWeek])
        {
            return false;
        }

        var minute = local.Hour * 60 + local.Minute;
        return startMinute < endMinute
            ? minute >= startMinute && minute < endMinute
            : minute >= startMinute || minute < endMinute;
    }

    /// <summary>True when no networks are configured, or the address lies in one. An absent or unreadable address is outside.</summary>
    public bool IsFromAdminNetwork(string? address)
    {
        if (networks.Count == 0)
        {
            return true;
        }

        return ClientNetwork.TryParse(address, out var parsed) && networks.Any(n => n.Contains(parsed));
    }

    public string LocalTime(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, Zone).ToString("ddd HH:mm", CultureInfo.InvariantCulture) + " " + Zone.Id;

    private static TimeZoneInfo? ParseZone(string id, List<string> errors)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            errors.Add($"{DetectionOptions.Section}:AdminTimeZone '{id}' is not a known time zone id; use an IANA id such as 'UTC' or 'Europe/Berlin'.");
            return null;
        }
    }

    private static (int Start, int End) ParseHours(string text, List<string> errors)
    {
        var parts = (text ?? "").Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && TryMinute(parts[0], out var start) && TryMinute(parts[1], out var end) && start != end && start < 24 * 60)
        {
            return (start, end == 24 * 60 && start == 0 ? end : end % (24 * 60));
        }

        errors.Add($"{DetectionOptions.Section}:AdminHours '{text}' must be 'HH:mm-HH:mm' with different start and end, e.g. '07:00-19:00' ('22:00-06:00' wraps midnight, '00:00-24:00' is all day).");
        return (0, 0);
    }

    private static bool TryMinute(string text, out int minute)
    {
        minute = 0;
        var parts = text.Split(':');
        if (parts.Length != 2 || parts[0].Length != 2 || parts[1].Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hour)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
            || minutes > 59 || hour > 24 || (hour == 24 && minutes != 0))
        {
            return false;
        }

        minute = hour * 60 + minutes;
        return true;
    }

    private static bool[]? ParseDays(string text, List<string> errors)
    {
        var days = new bool[7];
        var items = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var valid = items.Length > 0;
        foreach (var item in items)
        {
            var range = item.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length is < 1 or > 2 || DayOf(range[0]) is not { } first || DayOf(range[^1]) is not { } last)
            {
                valid = false;
                break;
            }

            // A range may wrap the week: "Fri-Mon" is Friday to Monday.
            for (var day = first; ; day = (day + 1) % 7)
            {
                days[day] = true;
                if (day == last)
                {
                    break;
                }
            }
        }

        if (valid)
        {
            return days;
        }

        errors.Add($"{DetectionOptions.Section}:AdminDays '{text}' must list days or ranges of days, e.g. 'Mon-Fri' or 'Mon,Wed,Sat-Sun'.");
        return null;
    }

    private static int? DayOf(string name)
    {
        if (name.Length < 3)
        {
            return null;
        }

        var lower = name.ToLowerInvariant();
        for (var i = 0; i < DayNames.Length; i++)
        {
            var full = ((DayOfWeek)i).ToString().ToLowerInvariant();
            if (lower == DayNames[i] || lower == full)
            {
                return i;
            }
        }

        return null;
    }
}
