namespace MlflowChart.Tests.Infrastructure;

/// <summary>Paths inside the repository the suite runs from.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "charts");

    public static string ScenarioDir => Path.Combine(Chart, "ci");

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
