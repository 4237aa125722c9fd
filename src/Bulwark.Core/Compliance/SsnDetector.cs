namespace Bulwark.Core.Compliance;

/// <summary>
/// US Social Security numbers, AAA-GG-SSSS (or with spaces), that the SSA could have issued: area 000, 666 and 900–999,
/// group 00 and serial 0000 never are (SSA, "Social Security Number Randomization", 2011), nor are the two numbers
/// voided after they were printed in public (078-05-1120, from a wallet insert, and 219-09-9999, from an SSA leaflet).
/// </summary>
/// <remarks>Nine bare digits are an SSN only in a column whose name says so: otherwise they are just as likely an id.</remarks>
internal static class SsnDetector
{
    public static bool IsSsn(ReadOnlySpan<char> cell, bool hinted)
    {
        var text = cell.Trim(' ');
        if (text.Length is not (9 or 11) || !char.IsAsciiDigit(text[0]))
        {
            return false;
        }

        Span<char> digits = stackalloc char[9];
        if (text.Length == 11 && text[3] == text[6] && text[3] is '-' or ' ')
        {
            text[..3].CopyTo(digits);
            text[4..6].CopyTo(digits[3..]);
            text[7..].CopyTo(digits[5..]);
        }
        else if (text.Length == 9 && hinted)
        {
            text.CopyTo(digits);
        }
        else
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        var area = digits[..3];
        var group = digits[3..5];
        var serial = digits[5..];
        return area is not ("000" or "666") && area[0] != '9' && group is not "00" && serial is not "0000"
            && digits is not ("078051120" or "219099999");
    }
}
