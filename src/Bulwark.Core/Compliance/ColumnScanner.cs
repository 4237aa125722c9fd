namespace Bulwark.Core.Compliance;

/// <summary>
/// Runs every detector over the cells of one column and decides, at the end, what the column holds.
/// </summary>
/// <remarks>
/// A column is recognised as a kind when at least <see cref="Share"/> of its non-empty cells match and at least
/// <see cref="MinMatches"/> do: a threshold rather than "any cell", because one e-mail address in a free-text column
/// does not make it an e-mail column, and a minimum so that two lucky cells of a tiny file do not either. When the
/// column's name hints at the kind (<see cref="HeaderHints"/>), <see cref="HintedShare"/> and one match suffice, and the
/// ambiguous forms (bare nine-digit SSNs, unformatted phone numbers, yyyyMMdd and recent birth dates) count too.
/// Card numbers are also caught cell by cell, whatever the share (see the dataset importer): the threshold only decides
/// whether the whole column is a card-number column.
/// </remarks>
internal sealed class ColumnScanner
{
    public const double Share = 0.8;
    public const int MinMatches = 3;
    public const double HintedShare = 0.5;

    private readonly IReadOnlySet<SensitiveDataKind> _hints;
    private readonly DateOnly _today;
    private readonly int[] _matches = new int[Enum.GetValues<SensitiveDataKind>().Length];

    public ColumnScanner(string columnName, DateOnly today)
    {
        Name = columnName;
        _hints = HeaderHints.Of(columnName);
        _today = today;
    }

    public string Name { get; }

    public int NonEmpty { get; private set; }

    public int MatchesOf(SensitiveDataKind kind) => _matches[(int)kind];

    public void Observe(string cell)
    {
        if (cell.Length == 0)
        {
            return;
        }

        NonEmpty++;
        var span = cell.AsSpan();
        Count(SensitiveDataKind.CardNumber, CardNumberDetector.IsPan(span));
        Count(SensitiveDataKind.Ssn, SsnDetector.IsSsn(span, Hinted(SensitiveDataKind.Ssn)));
        Count(SensitiveDataKind.Iban, IbanDetector.IsIban(span));
        Count(SensitiveDataKind.Email, EmailDetector.IsEmail(span));
        Count(SensitiveDataKind.Phone, PhoneDetector.IsPhone(span, Hinted(SensitiveDataKind.Phone)));
        Count(SensitiveDataKind.BirthDate, BirthDateDetector.IsBirthDate(span, _today, Hinted(SensitiveDataKind.BirthDate)));
    }

    /// <summary>The kind this column holds, by the thresholds above; when several qualify, the first in declaration order.</summary>
    public SensitiveDataKind? Detected()
    {
        foreach (var kind in Enum.GetValues<SensitiveDataKind>())
        {
            var matches = _matches[(int)kind];
            var qualifies = Hinted(kind)
                ? matches >= 1 && matches >= HintedShare * NonEmpty
                : matches >= MinMatches && matches >= Share * NonEmpty;
            if (qualifies)
            {
                return kind;
            }
        }

        return null;
    }

    private bool Hinted(SensitiveDataKind kind) => _hints.Contains(kind);

    private void Count(SensitiveDataKind kind, bool matched)
    {
        if (matched)
        {
            _matches[(int)kind]++;
        }
    }
}
