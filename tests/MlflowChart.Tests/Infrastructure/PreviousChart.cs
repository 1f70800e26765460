namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// The chart as it was before its latest change, taken from git: HEAD's charts/ when the working
/// tree has changed it, otherwise the commit before the last one that touched charts/.
/// </summary>
public static class PreviousChart
{
    private static readonly Lazy<Task<(string? Dir, string? Reason)>> Instance = new(FindAsync);

    private static readonly Lazy<Task<(string? Dir, string? Reason)>> Released = new(FindReleasedAsync);

    public static Task<(string? Dir, string? Reason)> GetAsync() => Instance.Value;

    /// <summary>
    /// The previous release of the chart: charts/ at the newest commit whose Chart.yaml carries a
    /// version other than the working tree's, i.e. what users of that version have installed.
    /// </summary>
    public static Task<(string? Dir, string? Reason)> ReleasedAsync() => Released.Value;

    private static async Task<(string? Dir, string? Reason)> FindReleasedAsync()
    {
        var timeout = TimeSpan.FromSeconds(30);
        var current = Version(await File.ReadAllTextAsync(Path.Combine(Repo.Chart, "Chart.yaml")));
        var log = await ProcessRunner.RunAsync("git", ["log", "--format=%H", "--", "charts"], timeout);
        foreach (var commit in log.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var chart = await ProcessRunner.RunAsync("git", ["show", $"{commit}:charts/Chart.yaml"], timeout);
            if (chart.Succeeded && Version(chart.Stdout) is { } version && version != current)
            {
                return await ExportAsync(commit);
            }
        }

        return (null, $"git history holds no chart version other than {current} ({log.Stderr.Trim()})");
    }

    private static string? Version(string chartYaml) =>
        chartYaml.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("version:", StringComparison.Ordinal))?["version:".Length..].Trim();

    private static async Task<(string? Dir, string? Reason)> FindAsync()
    {
        var timeout = TimeSpan.FromSeconds(30);
        var dirty = await ProcessRunner.RunAsync("git", ["diff", "--quiet", "HEAD", "--", "charts"], timeout);
        string commit;
        if (dirty.ExitCode == 1)
        {
            commit = "HEAD";
        }
        else
        {
            var log = await ProcessRunner.RunAsync("git", ["log", "--format=%H", "-n", "2", "--", "charts"], timeout);
            var commits = log.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (!log.Succeeded || commits.Length < 2)
            {
                return (null, $"git history holds no earlier version of charts/ ({log.Stderr.Trim()})");
            }

            commit = commits[1];
        }

        return await ExportAsync(commit);
    }

    private static async Task<(string? Dir, string? Reason)> ExportAsync(string commit)
    {
        var timeout = TimeSpan.FromSeconds(30);
        var dir = Scratch.Folder("mlflow-previous-chart-");
        var tar = Path.Combine(dir, "chart.tar");
        var archive = await ProcessRunner.RunAsync("git", ["archive", "-o", tar, commit, "charts"], timeout);
        var unpack = archive.Succeeded ? await ProcessRunner.RunAsync("tar", ["-xf", tar, "-C", dir], timeout) : archive;
        return unpack.Succeeded
            ? (Path.Combine(dir, "charts"), null)
            : (null, $"could not take charts/ from commit {commit}: {unpack.Stderr.Trim()}");
    }
}
