namespace Bulwark.Core.Access;

/// <summary>
/// Unwinds the document readers to their entry point, which returns it as a failure with the code given there; it
/// never escapes <see cref="DocumentReader"/>, <see cref="PolicyParser"/> or <see cref="PolicyTestFile"/>.
/// </summary>
internal sealed class DocumentFormatException(string message) : Exception(message);
