using System.Text.Json.Nodes;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// The docs' "Connecting the MLflow Client" section, run by the real MLflow Python client on this
/// machine against a port-forward: the rig's `mlflow/client-flow` (set_tracking_uri, set_experiment,
/// start_run, log_param, log_metric, log_artifact through the server's proxy, download and compare,
/// read the run back). MLFLOW_RIG names the rig when it is not ../shared/rig.
/// </summary>
public static class ClientFlow
{
    public sealed record Outcome(string ExperimentId, string RunId, string ArtifactUri, string Output);

    public static string Script =>
        Path.Combine(Environment.GetEnvironmentVariable("MLFLOW_RIG") is { Length: > 0 } rig ? rig : Path.Combine(Repo.Root, "..", "shared", "rig"), "mlflow", "client-flow");

    /// <summary>Runs the flow against a loopback http URL; fails the test with the script's output when a step fails.</summary>
    public static async Task<Outcome> RunAsync(string url, string experiment, (string User, string Password)? credentials = null)
    {
        File.Exists(Script).Should().BeTrue($"the client flow needs the rig's {Script} (set MLFLOW_RIG)");
        var env = new Dictionary<string, string> { ["EXPERIMENT"] = experiment };
        if (credentials is { } c)
        {
            env["MLFLOW_TRACKING_USERNAME"] = c.User;
            env["MLFLOW_TRACKING_PASSWORD"] = c.Password;
        }

        var result = await ProcessRunner.RunAsync("bash", [Script, url], TimeSpan.FromMinutes(4), env);
        var output = result.Stdout + result.Stderr;
        result.Succeeded.Should().BeTrue($"the MLflow client flow against {url} failed:\n{output}");
        var summary = JsonNode.Parse(result.Stdout.Trim().Split('\n')[^1])!;
        return new Outcome(
            summary["experiment_id"]!.GetValue<string>(), summary["run_id"]!.GetValue<string>(), summary["artifact_uri"]!.GetValue<string>(), output);
    }
}
