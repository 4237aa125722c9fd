namespace Bulwark.Core.Identity.Passwords;

/// <summary>The kinds of guessable structure the strength estimator recognises (after zxcvbn).</summary>
internal enum PasswordPattern
{
    Bruteforce,
    Dictionary,
    Repeat,
    Sequence,
    Spatial,
    Year,
    Date,
}
