namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// A copy of the upstream chart (mlflow/mlflow, folder charts/) for the switch-in-place tests:
/// the folder MLFLOW_UPSTREAM_CHART names, else MLFLOW_SOURCE_CHARTS/upstream (where
/// scripts/source-charts.sh expects it). Its code is not ours to commit, so a machine without a
/// copy skips those tests and says so.
/// </summary>
public static class UpstreamChart
{
    public static string? Dir =>
        new[]
        {
            Environment.GetEnvironmentVariable("MLFLOW_UPSTREAM_CHART"),
            Environment.GetEnvironmentVariable("MLFLOW_SOURCE_CHARTS") is { Length: > 0 } all ? Path.Combine(all, "upstream") : null,
        }.FirstOrDefault(dir => dir is { Length: > 0 } && File.Exists(Path.Combine(dir, "Chart.yaml")));

    public static string Require()
    {
        if (Dir is not { } dir)
        {
            Assert.Skip("no copy of the upstream chart (mlflow/mlflow charts/, with Chart.yaml) in MLFLOW_UPSTREAM_CHART or MLFLOW_SOURCE_CHARTS/upstream");
            return "";
        }

        return dir;
    }
}
