namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// A copy of the upstream chart (mlflow/mlflow, folder charts/) for the switch-in-place tests:
/// the folder MLFLOW_UPSTREAM_CHART names. Its code is not ours to commit, so a machine without
/// a copy skips those tests and says so.
/// </summary>
public static class UpstreamChart
{
    public static string? Dir =>
        Environment.GetEnvironmentVariable("MLFLOW_UPSTREAM_CHART") is { Length: > 0 } dir && File.Exists(Path.Combine(dir, "Chart.yaml"))
            ? dir
            : null;

    public static string Require()
    {
        if (Dir is not { } dir)
        {
            Assert.Skip("MLFLOW_UPSTREAM_CHART does not name a copy of the upstream chart (mlflow/mlflow charts/, with Chart.yaml)");
            return "";
        }

        return dir;
    }
}
