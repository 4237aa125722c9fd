namespace Bulwark.Core.Compliance;

/// <summary>What a detector recognised in a column. Declared in order of precedence: when several match, the first wins.</summary>
internal enum SensitiveDataKind
{
    CardNumber,
    Ssn,
    Iban,
    Email,
    Phone,
    BirthDate,
}
