using Microsoft.Extensions.Logging;

namespace Bulwark.Core.Serving;

internal static partial class ServingLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Loaded model {Model} version {Version} ({Format}, manifest {ManifestDigest})")]
    public static partial void ModelLoaded(ILogger logger, string model, int version, string format, string manifestDigest);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "Model {Model} version {Version} failed integrity verification: {Code} {Reason}")]
    public static partial void IntegrityFailure(ILogger logger, string model, int version, string code, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Model {Model} version {Version} passed verification but its runtime failed to load")]
    public static partial void RuntimeFailed(ILogger logger, string model, int version, Exception exception);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "Model {Model} version {Version} failed while scoring a request")]
    public static partial void PredictionFailed(ILogger logger, string model, int version, Exception exception);
}
