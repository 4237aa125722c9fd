using System.Globalization;

namespace Bulwark.Core.Compliance;

/// <summary>
/// Dates of birth: a date (ISO 8601 yyyy-MM-dd, optionally with a time; yyyy/MM/dd; dd/MM/yyyy or MM/dd/yyyy; dd.MM.yyyy;
/// dd-MM-yyyy) in a plausible range of birth dates. Most date columns are not birth dates (orders, admissions, logins),
/// so without a hint in the column name only the dates of adults count: between 100 and 18 years before today, a range
/// recent event dates do not fall into. With a hint (dob, birth, born…), any date up to 130 years back counts.
/// </summary>
internal static class BirthDateDetector
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd", "yyyy/MM/dd", "yyyy.MM.dd", "dd/MM/yyyy", "MM/dd/yyyy", "dd.MM.yyyy", "dd-MM-yyyy", "MM-dd-yyyy",
    ];

    public static bool IsBirthDate(ReadOnlySpan<char> cell, DateOnly today, bool hinted)
    {
        var text = cell.Trim(' ');

        // An ISO 8601 date-time counts by its date (birth records often carry midnight).
        if (text.Length > 10 && text[10] is 'T' or ' ')
        {
            text = text[..10];
        }

        DateOnly date;
        if (text.Length == 10)
        {
            if (!DateOnly.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            {
                return false;
            }
        }
        else if (text.Length == 8 && hinted)
        {
            // yyyyMMdd only where the column name says birth: otherwise it is any eight-digit number.
            if (!DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        return hinted
            ? date <= today && date >= today.AddYears(-130)
            : date <= today.AddYears(-18) && date >= today.AddYears(-100);
    }
}
