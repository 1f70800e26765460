namespace MlflowChart.Tests.Infrastructure;

/// <summary>Paths inside the repository the suite runs from.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "charts");

    public static string ScenarioDir => Path.Combine(Chart, "ci");

    /// <summary>A top-level field of charts/Chart.yaml as written (version, appVersion, name), quotes removed.</summary>
    public static string ChartField(string field) =>
        File.ReadAllLines(Path.Combine(Chart, "Chart.yaml"))
            .Select(l => l.Split(':', 2))
            .Single(p => p.Length == 2 && p[0] == field)[1].Trim().Trim('"');

    /// <summary>The image the chart installs by default: ghcr.io/mlflow/mlflow:v&lt;appVersion&gt;-full.</summary>
    public static string DefaultImage => $"ghcr.io/mlflow/mlflow:v{ChartField("appVersion")}-full";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "charts", "Chart.yaml")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No charts/Chart.yaml above {AppContext.BaseDirectory}; run the suite from inside the repository.");
    }
}
