using Bulwark.Core.Identity;

namespace Bulwark.Core.Serving;

/// <summary>One prediction request as the server hands it to Core: the raw body is parsed and validated here.</summary>
/// <param name="Version">A specific version, or null for the model's production version.</param>
/// <param name="IncludeProbabilities">Return every class probability (the server decides from the caller's scopes).</param>
/// <param name="Subject">The data subject the request is about (the <c>Bulwark-Subject</c> header): kept with the capture only as an HMAC.</param>
internal sealed record PredictionCall(
    string ModelName,
    int? Version,
    ReadOnlyMemory<byte> Body,
    PredictionProtocol Protocol,
    BulwarkPrincipal Principal,
    string? ClientAddress,
    bool IncludeProbabilities,
    string? Subject = null);
