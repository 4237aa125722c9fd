using Bulwark.Client;
using Bulwark.Client.Contracts;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Models;

/// <summary>Polls a training job and shows it as a Spectre progress bar (plain lines when stdout is not a terminal).</summary>
internal static class JobProgress
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static async Task<JobInfo> WaitAsync(CliConsole console, BulwarkClient client, JobInfo job, CancellationToken ct)
    {
        var current = job;
        if (!console.Ansi.Profile.Capabilities.Interactive)
        {
            return await WaitPlainAsync(console, client, job, ct);
        }

        await console.Ansi.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(TerminalText.Cell($"train {job.ModelName}"), maxValue: 1.0);
                while (!IsFinished(current.State))
                {
                    await Task.Delay(PollInterval, ct);
                    current = await client.GetJobAsync(job.Id, ct);
                    task.Value = Math.Clamp(current.Progress, 0, 1);
                    if (current.Message is { Length: > 0 } message)
                    {
                        task.Description = TerminalText.Cell($"train {job.ModelName}: {message}");
                    }
                }

                task.Value = 1.0;
                task.StopTask();
            });
        return current;
    }

    /// <summary>No terminal (CI, a pipe): one line per change instead of a redrawn bar.</summary>
    private static async Task<JobInfo> WaitPlainAsync(CliConsole console, BulwarkClient client, JobInfo job, CancellationToken ct)
    {
        var current = job;
        string? last = null;
        while (true)
        {
            var line = $"train {job.ModelName}: {current.State} {Math.Clamp(current.Progress, 0, 1):P0}{(current.Message is { Length: > 0 } m ? " " + m : string.Empty)}";
            if (line != last)
            {
                console.Out.WriteLine(TerminalText.Sanitize(line));
                last = line;
            }

            if (IsFinished(current.State))
            {
                return current;
            }

            await Task.Delay(PollInterval, ct);
            current = await client.GetJobAsync(job.Id, ct);
        }
    }

    public static bool IsFinished(string state) =>
        state is "succeeded" or "failed" or "cancelled";
}
