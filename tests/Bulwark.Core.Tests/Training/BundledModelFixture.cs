using Bulwark.Core.Datasets;
using Bulwark.Core.Training;

namespace Bulwark.Core.Tests.Training;

/// <summary>The bundled dataset and one SDCA model trained on it with ONNX export, shared by a test class.</summary>
public sealed class BundledModelFixture
{
    public BundledModelFixture()
    {
        Data = TrainingTestData.Bundled();
        Request = new TrainingRequest(Guid.Empty, "diagnosis", TrainingTasks.Binary, TrainingTasks.Sdca, 0.2, 42, TrainingTasks.Onnx);
        var outcome = ModelTrainer.Train(Data, Request);
        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        Model = outcome.Value;
    }

    internal LoadedDataset Data { get; }

    internal TrainingRequest Request { get; }

    internal TrainedModel Model { get; }
}
