using System.Globalization;

namespace Bulwark.Cli.Commands.Keys;

/// <summary>Parses <c>--expires</c>: a relative duration (<c>30d</c>, <c>12h</c>) or an ISO 8601 instant.</summary>
internal static class ExpiryParser
{
    public static DateTimeOffset Parse(string value, TimeProvider time)
    {
        var trimmed = value.Trim();
        if (trimmed.Length > 1 && char.IsAsciiDigit(trimmed[0]) && trimmed[^1] is 'd' or 'h' or 'm'
            && int.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            && amount > 0)
        {
            var span = trimmed[^1] switch
            {
                'd' => TimeSpan.FromDays(amount),
                'h' => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromMinutes(amount),
            };
            return time.GetUtcNow().Add(span);
        }

        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            if (instant <= time.GetUtcNow())
            {
                throw new CliUsageException($"--expires '{value}' is in the past.");
            }

            return instant;
        }

        throw new CliUsageException($"--expires '{value}' is neither a duration (30d, 12h, 90m) nor an ISO 8601 date.");
    }
}
