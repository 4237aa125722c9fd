namespace Bulwark.Core.Training;

public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
}
