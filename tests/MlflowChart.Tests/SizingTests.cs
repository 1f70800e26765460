namespace MlflowChart.Tests;

/// <summary>
/// Workers, job execution, memory and probe budgets, held against what MLflow was measured to
/// use (reference: idle memory of the whole process tree, per workers x job execution).
/// </summary>
public sealed class SizingTests
{
    /// <summary>Measured idle use in MiB: (workers, job execution, PSS, RSS).</summary>
    public static TheoryData<int, bool, int, int, HelmVersion> Measured
    {
        get
        {
            var data = new TheoryData<int, bool, int, int, HelmVersion>();
            foreach (var helm in new[] { HelmVersion.Helm3, HelmVersion.Helm4 })
            {
                data.Add(4, true, 1892, 2408, helm);
                data.Add(1, true, 1415, 1776, helm);
                data.Add(4, false, 824, 1028, helm);
                data.Add(1, false, 353, 404, helm);
            }

            return data;
        }
    }

    [Theory, MemberData(nameof(Measured))]
    public async Task Default_resources_cover_the_measured_idle_use(int workers, bool jobs, int pssMiB, int rssMiB, HelmVersion helm)
    {
        var container = (await Helm.TemplateAsync(helm, $"server: {{workers: {workers}, jobExecution: {jobs.ToString().ToLowerInvariant()}}}"))
            .ServerContainer();

        var request = MiB(container.Resources.Requests["memory"]);
        var limit = MiB(container.Resources.Limits["memory"]);
        request.Should().BeGreaterThanOrEqualTo(pssMiB, "the request must hold what the pod really uses at idle");
        request.Should().BeLessThanOrEqualTo((int)(pssMiB * 1.3), "the request must not ask for much more than it uses");
        limit.Should().BeGreaterThanOrEqualTo((int)(rssMiB * 1.2), "the limit must leave room for load above even the RSS figure");
        container.Args.Should().Contain($"--workers={workers}");
        container.Env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION")!.Value.Should().Be(jobs ? "true" : "false");
    }

    [Theory, BothHelms]
    public async Task The_default_keeps_MLflows_behaviour_and_asks_no_cpu_limit(HelmVersion helm)
    {
        var container = (await Helm.TemplateAsync(helm)).ServerContainer();

        container.Args.Should().Contain("--workers=4");
        container.Env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION")!.Value.Should().Be("true");
        MiB(container.Resources.Requests["memory"]).Should().Be(2304, "1910 MiB idle plus 20%, rounded up to 64 MiB");
        MiB(container.Resources.Limits["memory"]).Should().Be(3072, "1910 MiB idle plus 60%, rounded up to 256 MiB");
        container.Resources.Requests["cpu"].ToString().Should().Be("250m");
        container.Resources.Limits.Should().NotContainKey("cpu", "a CPU limit throttles a busy server");
    }

    [Theory, BothHelms]
    public async Task Several_replicas_turn_job_execution_off_by_themselves(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/example-mlflow-charts.yaml"));

        render.ServerContainer().Env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION")!.Value.Should().Be("false");
    }

    [Theory, BothHelms]
    public async Task Resources_given_by_the_user_are_used_as_they_are(HelmVersion helm)
    {
        var resources = (await Helm.TemplateAsync(helm, "resources: {requests: {cpu: 1, memory: 3Gi}, limits: {cpu: 2, memory: 4Gi}}"))
            .ServerContainer().Resources;

        resources.Requests["memory"].ToString().Should().Be("3Gi");
        resources.Limits["cpu"].ToString().Should().Be("2");
    }

    [Theory, BothHelms]
    public async Task A_limit_just_above_idle_use_is_accepted(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, "resources: {limits: {memory: 2Gi}}");

        render.ServerContainer().Resources.Limits["memory"].ToString().Should().Be("2Gi");
    }

    [Theory, BothHelms]
    public async Task Probes_allow_a_slow_cold_start_and_survive_a_busy_server(HelmVersion helm)
    {
        var container = (await Helm.TemplateAsync(helm)).ServerContainer();

        var startup = container.StartupProbe;
        (startup.InitialDelaySeconds + startup.PeriodSeconds * startup.FailureThreshold).Should()
            .BeGreaterThanOrEqualTo(60, "a cold start took up to 29 s on a loaded 2-core machine");
        container.LivenessProbe.TimeoutSeconds.Should().BeGreaterThanOrEqualTo(5, "a 1 s timeout fails under load");
        container.ReadinessProbe.TimeoutSeconds.Should().BeGreaterThanOrEqualTo(5);
        (container.LivenessProbe.PeriodSeconds * container.LivenessProbe.FailureThreshold).Should()
            .BeGreaterThanOrEqualTo(60, "a busy server must not be restarted for a short stall");
    }

    [Theory, BothHelms]
    public async Task Without_a_startup_probe_a_patient_liveness_probe_is_accepted(HelmVersion helm)
    {
        var container = (await Helm.TemplateAsync(helm, "probes: {startup: {enabled: false}, liveness: {initialDelaySeconds: 60}}"))
            .ServerContainer();

        container.StartupProbe.Should().BeNull();
        container.LivenessProbe.InitialDelaySeconds.Should().Be(60);
    }

    [Theory, BothHelms]
    public async Task Notes_state_workers_job_execution_and_memory(HelmVersion helm)
    {
        var notes = await Helm.NotesAsync(helm, "server: {workers: 2}\nresources: {requests: {memory: 1Gi}}");

        notes.Stdout.Should().Contain("2 worker(s), job execution on")
            .And.Contain("about 1590 MiB")
            .And.Contain("WARNING: the memory request is below MLflow's idle use");
    }

    /// <summary>
    /// Peak working set under 10 requests/s, measured on the rig by
    /// Cluster/SizingUnderLoadOnClusterTests (MLflow 3.11, two cores): workers, job execution, MiB.
    /// </summary>
    [Theory]
    [InlineData(4, true, 1998)]
    [InlineData(1, true, 1467)]
    [InlineData(4, false, 860)]
    [InlineData(1, false, 344)]
    public async Task Default_limits_leave_room_above_the_measured_peak_and_notes_give_it(int workers, bool jobs, int peakMiB)
    {
        foreach (var helm in new[] { HelmVersion.Helm3, HelmVersion.Helm4 })
        {
            var values = $"server: {{workers: {workers}, jobExecution: {jobs.ToString().ToLowerInvariant()}}}\n";
            var limit = MiB((await Helm.TemplateAsync(helm, values)).ServerContainer().Resources.Limits["memory"]);
            limit.Should().BeGreaterThanOrEqualTo((int)(peakMiB * 1.15), "the default limit leaves 15% above the peak under load");

            var notes = (await Helm.NotesAsync(helm, values)).Stdout;
            var estimate = int.Parse(System.Text.RegularExpressions.Regex.Match(notes, @"about (\d+) MiB under load").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            estimate.Should().BeInRange(peakMiB, (int)(peakMiB * 1.1), "NOTES give the measured peak, rounded up a little");
            notes.Should().NotContain("WARNING: the memory limit", "the chart's own sizing needs no warning");
        }
    }

    [Theory, BothHelms]
    public async Task The_docs_resources_block_is_warned_about_under_the_defaults(HelmVersion helm)
    {
        // The seed's resources block: a 2Gi limit, with MLflow's 4 workers and the job runner.
        var notes = (await Helm.NotesAsync(helm, "resources: {requests: {cpu: 500m, memory: 512Mi}, limits: {cpu: 2000m, memory: 2Gi}}\n")).Stdout;

        notes.Should().Contain("WARNING: the memory limit leaves less than 15% above the peak under load")
            .And.Contain("resources.limits.memory to 3072Mi").And.Contain("server.workers");
    }

    private static int MiB(ResourceQuantity quantity) => (int)(quantity.ToDecimal() / (1024 * 1024));
}
