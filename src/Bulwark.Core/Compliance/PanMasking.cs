namespace Bulwark.Core.Compliance;

/// <summary>
/// The forms of a PAN that may leave the importer. Messages, logs and audit events show at most the last four digits;
/// a truncated column keeps the first six and last four (PCI DSS 4.0 req. 3.4.1 and 3.5.1, the most either allows).
/// </summary>
internal static class PanMasking
{
    /// <summary>First six, '*' for the middle, last four: "4111111111111111" → "411111******1111".</summary>
    public static string Truncate(string digits) =>
        digits.Length < CardNumberDetector.MinDigits
            ? new string('*', digits.Length)
            : string.Concat(digits.AsSpan(0, 6), new string('*', digits.Length - 10), digits.AsSpan(digits.Length - 4));

    /// <summary>The last four digits behind '*': "************1111".</summary>
    public static string LastFour(string digits) =>
        digits.Length < CardNumberDetector.MinDigits ? new string('*', digits.Length) : new string('*', digits.Length - 4) + digits[^4..];

    /// <summary>
    /// <paramref name="text"/> with every PAN in it masked to its last four digits. For text that may echo what a caller
    /// sent (an error detail quoting a column or a label name) before it reaches a response, a log line or the ledger.
    /// </summary>
    public static string Scrub(string text)
    {
        var found = CardNumberDetector.Find(text);
        if (found.Count == 0)
        {
            return text;
        }

        var result = new System.Text.StringBuilder(text.Length);
        var position = 0;
        foreach (var occurrence in found)
        {
            result.Append(text, position, occurrence.Start - position).Append(LastFour(occurrence.Digits));
            position = occurrence.Start + occurrence.Length;
        }

        return result.Append(text, position, text.Length - position).ToString();
    }
}
