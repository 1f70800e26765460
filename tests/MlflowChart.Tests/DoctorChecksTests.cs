using MlflowChart.Doctor;

namespace MlflowChart.Tests;

/// <summary>
/// doctor's checks on objects rendered by this chart and by another chart's layout (no cluster
/// needed): what they conclude from the Deployment alone, before any pod is asked.
/// </summary>
public sealed class DoctorChecksTests
{
    private static string OtherChart => Path.Combine(Repo.Root, "tests", "MlflowChart.Tests", "DoctorFixtures", "other-chart");

    private static Snapshot FromRender(Render render, string release = "mlflow") => new()
    {
        Release = release,
        Namespace = Helm.Namespace,
        Deployments = render.All<V1Deployment>().ToList(),
        Services = render.All<V1Service>().ToList(),
        Ingresses = render.All<V1Ingress>().ToList(),
        CronJobs = render.All<V1CronJob>().ToList(),
        Claims = render.All<V1PersistentVolumeClaim>().ToList(),
    };

    [Theory, BothHelms]
    public async Task This_charts_derived_hosts_admit_every_way_in(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/ingress-values.yaml"));

        var findings = Checks.Run(FromRender(render));

        findings.Where(f => f.Area == "hosts").Should().ContainSingle().Which.Verdict.Should().Be(Verdict.Ok,
            "the Ingress host, the Service names and port-forward are all in the derived list");
    }

    [Theory, BothHelms]
    public async Task Without_derivation_an_ingress_host_left_out_fails_with_the_fix(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/ingress-values.yaml"),
            "--set", "server.allowedHosts.derive=false", "--set", "server.value_options.allowed_hosts=localhost:*");

        var findings = Checks.Run(FromRender(render));

        var ingress = findings.Should().ContainSingle(f => f.Area == "hosts" && f.Verdict == Verdict.Fail && f.Evidence.Contains("Ingress")).Subject;
        ingress.Evidence.Should().Contain("is not admitted").And.Contain("--allowed-hosts=localhost:*");
        ingress.Fix.Should().Contain("server.value_options.allowed_hosts").And.Contain("derive=true");
        findings.Should().Contain(f => f.Area == "hosts" && f.Check == "Service mlflow-mlflow" && f.Verdict == Verdict.Warn
            && f.Evidence.Contains("mlflow-mlflow.mlflow.svc.cluster.local:5000 is not admitted"),
            "in-cluster names are refused too, one warning for the Service while no GC job uses them");
    }

    [Theory, BothHelms]
    public async Task Another_charts_layout_is_read_from_its_command_line(HelmVersion helm)
    {
        var render = await Helm.TemplateChartAsync(helm, OtherChart, "ingress: {enabled: true, host: mlflow.example.com}\nserver: {value_options: {app_name: basic-auth}}", []);

        var server = ServerSettings.Find(render.All<V1Deployment>())!;
        server.Should().NotBeNull();
        server.AllowedHosts.Should().BeNull("no --allowed-hosts: MLflow's defaults apply");
        server.BasicAuth.Should().BeTrue();
        server.Backend.Should().Be("sqlite:////tmp/mlflow.db");
        server.Admits("mlflow.example.com").Should().BeFalse();
        server.Admits("localhost:5000").Should().BeTrue();
        server.Admits("10.244.0.7:5000").Should().BeTrue("MLflow admits private networks by default");

        var findings = Checks.Run(FromRender(render, "mlflow"));
        findings.Should().Contain(f => f.Area == "hosts" && f.Check == "mlflow.example.com" && f.Verdict == Verdict.Fail);
        findings.Should().Contain(f => f.Area == "auth" && f.Check == "users database" && f.Verdict == Verdict.Fail && f.Evidence.Contains("read-only root filesystem"));
        findings.Should().Contain(f => f.Area == "artifacts" && f.Verdict == Verdict.Fail && f.Evidence.Contains("default 1m"));
    }

    [Fact]
    public async Task Doctors_sizing_is_the_charts_own()
    {
        foreach (var workers in new[] { 1, 2, 4, 8 })
        {
            foreach (var jobs in new[] { true, false })
            {
                var container = (await Helm.TemplateAsync(HelmVersion.Helm4, $"server: {{workers: {workers}, jobExecution: {jobs.ToString().ToLowerInvariant()}}}")).ServerContainer();

                Sizing.MiB(container.Resources.Requests["memory"]).Should().Be(Sizing.RequestMiB(workers, jobs), $"{workers} workers, jobs {jobs}");
                Sizing.MiB(container.Resources.Limits["memory"]).Should().Be(Sizing.LimitMiB(workers, jobs), $"{workers} workers, jobs {jobs}");
                (await Helm.NotesAsync(HelmVersion.Helm4, $"server: {{workers: {workers}, jobExecution: {jobs.ToString().ToLowerInvariant()}}}")).Stdout
                    .Should().Contain($"about {Sizing.PeakMiB(workers, jobs)} MiB under load", "doctor and NOTES give one peak");
            }
        }
    }

    [Fact]
    public async Task A_limit_with_little_room_above_the_peak_under_load_is_a_warning()
    {
        // The docs' resources block (2Gi) with MLflow's 4 workers and the job runner.
        var render = await Helm.TemplateAsync(HelmVersion.Helm4, "resources: {requests: {cpu: 500m, memory: 512Mi}, limits: {memory: 2Gi}}\n");

        var finding = Checks.Run(FromRender(render, "mlflow")).Should().ContainSingle(f => f.Area == "pods" && f.Check == "memory limit").Subject;
        finding.Verdict.Should().Be(Verdict.Warn);
        finding.Evidence.Should().Contain("2048 MiB").And.Contain("about 2030 MiB").And.Contain("4 worker(s) and job execution on");
        finding.Fix.Should().Contain("resources.limits.memory to 3072Mi");
        Checks.Run(FromRender(await Helm.TemplateAsync(HelmVersion.Helm4), "mlflow")).Should().NotContain(f => f.Check == "memory limit",
            "the chart's own limit leaves the room");
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1m", 1048576L)]
    [InlineData("500m", 524288000L)]
    [InlineData("2g", 2147483648L)]
    [InlineData("10k", 10240L)]
    [InlineData("8388608", 8388608L)]
    [InlineData("1 MB", null)]
    public void Nginx_body_sizes_are_read_as_ingress_nginx_reads_them(string text, long? bytes)
    {
        Checks.ParseNginxSize(text).Should().Be(bytes);
    }

    [Theory, BothHelms]
    public async Task An_ingress_with_a_body_limit_below_the_upload_size_fails(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/ingress-values.yaml"),
            "--set-string", "ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/proxy-body-size=8m");

        var small = Checks.Run(FromRender(render), new Checks.Options(UploadBytes: 100L * 1024 * 1024));
        var fits = Checks.Run(FromRender(render), new Checks.Options(UploadBytes: 4L * 1024 * 1024));

        small.Should().Contain(f => f.Area == "artifacts" && f.Verdict == Verdict.Fail && f.Evidence.Contains("proxy-body-size 8m") && f.Fix.Contains("proxy-body-size"));
        fits.Should().Contain(f => f.Area == "artifacts" && f.Verdict == Verdict.Ok);
    }

    [Theory, BothHelms]
    public async Task Secret_references_are_checked_by_name_and_key(HelmVersion helm)
    {
        var snapshot = FromRender(await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/example-mlflow-charts.yaml")));
        var complete = new Dictionary<string, IReadOnlyList<string>?>
        {
            ["mlflow-db-secret"] = ["uri"],
            ["s3-credentials"] = ["access-key-id", "secret-access-key"],
        };
        var wrongKey = new Dictionary<string, IReadOnlyList<string>?>(complete) { ["mlflow-db-secret"] = ["url"] };
        var missing = new Dictionary<string, IReadOnlyList<string>?>(complete) { ["s3-credentials"] = null };

        Checks.Run(snapshot with { SecretKeys = complete }).Where(f => f.Area == "secrets").Should().OnlyContain(f => f.Verdict == Verdict.Ok);
        Checks.Run(snapshot with { SecretKeys = wrongKey }).Should().Contain(f => f.Area == "secrets" && f.Verdict == Verdict.Fail
            && f.Evidence.Contains("reads key uri of Secret mlflow-db-secret, which holds only: url") && f.Fix.Contains("add the key uri"));
        Checks.Run(snapshot with { SecretKeys = missing }).Should().Contain(f => f.Area == "secrets" && f.Verdict == Verdict.Fail
            && f.Evidence.Contains("Secret s3-credentials, which does not exist"));
    }

    [Theory, BothHelms]
    public async Task Sqlite_with_two_replicas_fails(HelmVersion helm)
    {
        var snapshot = FromRender(await Helm.TemplateAsync(helm));
        var deployment = snapshot.Deployments.Single();
        deployment.Spec.Replicas = 2;

        Checks.Run(snapshot).Should().Contain(f => f.Area == "storage" && f.Check == "backend store" && f.Verdict == Verdict.Fail && f.Evidence.Contains("SQLite"));
    }

    [Theory, BothHelms]
    public async Task A_serving_certificate_is_judged_by_its_expiry(HelmVersion helm)
    {
        var snapshot = FromRender(await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/tls-values.yaml")));
        var now = DateTimeOffset.Parse("2026-12-02T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        Verdict For(int days) => Checks.Run(snapshot with { Now = now, CertificateExpiry = new Dictionary<string, DateTimeOffset> { ["mlflow-tls"] = now.AddDays(days) } })
            .Single(f => f.Check == "certificate").Verdict;

        For(90).Should().Be(Verdict.Ok);
        For(7).Should().Be(Verdict.Warn);
        For(-1).Should().Be(Verdict.Fail);
    }

    [Theory, BothHelms]
    public async Task The_charts_service_monitor_selects_its_service_and_a_foreign_selector_fails(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/monitoring-values.yaml"));
        var monitor = render.Single<Infrastructure.Crds.ServiceMonitor>();
        var info = new ServiceMonitorInfo(monitor.Metadata.Name, monitor.Spec.Selector.MatchLabels.ToDictionary(), monitor.Spec.Endpoints.Select(e => e.Port).ToList());
        var snapshot = FromRender(render);

        Checks.Run(snapshot with { ServiceMonitors = [info] }).Should().Contain(f => f.Check == info.Name && f.Verdict == Verdict.Ok);
        var stale = info with { MatchLabels = new Dictionary<string, string> { ["app"] = "mlflow" } };
        Checks.Run(snapshot with { ServiceMonitors = [stale] }).Should().Contain(f => f.Check == info.Name && f.Verdict == Verdict.Fail && f.Evidence.Contains("selects no Service"));
        var wrongPort = info with { Ports = ["metrics"] };
        Checks.Run(snapshot with { ServiceMonitors = [wrongPort] }).Should().Contain(f => f.Check == info.Name && f.Verdict == Verdict.Fail && f.Evidence.Contains("port \"metrics\""));
    }

    [Theory, BothHelms]
    public async Task An_outdated_schema_in_the_servers_log_is_named_with_both_versions(HelmVersion helm)
    {
        var snapshot = FromRender(await Helm.TemplateAsync(helm, Fragments.PostgresAndS3));
        var template = snapshot.Deployments.Single().Spec.Template;
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "mlflow-mlflow-abc", Labels = template.Metadata.Labels },
            Spec = template.Spec,
            Status = new V1PodStatus { Phase = "Running", ContainerStatuses = [new V1ContainerStatus { Name = "mlflow", RestartCount = 3, Ready = false, Image = "i", ImageID = "i" }] },
        };
        var log = "ERROR mlflow.cli: Error initializing backend store\nmlflow.exceptions.MlflowException: Detected out-of-date database schema (found version 1b5f0d9ad7c1, but expected 3da73c924c2f). Take a backup of your database, then run 'mlflow db upgrade <database_uri>'";

        var findings = Checks.Run(snapshot with { Pods = [pod], Logs = new Dictionary<string, string> { ["mlflow-mlflow-abc/mlflow (previous)"] = log } });

        findings.Should().Contain(f => f.Area == "database" && f.Verdict == Verdict.Fail
            && f.Evidence.Contains("schema is at 1b5f0d9ad7c1") && f.Evidence.Contains("expects 3da73c924c2f") && f.Fix.Contains("migrations.enabled=true"));
    }

    [Theory]
    [InlineData("invalid_client", 302, "client", "refuses the credentials of client mlflow", "Secret mlflow-oidc/client-secret")]
    [InlineData("invalid_grant", 400, "redirect URI", "refuses https://mlflow.example.com/callback", "register https://mlflow.example.com/callback")]
    public async Task Single_sign_on_breakages_the_probe_finds_are_named_with_the_value_to_fix(string client, int redirect, string check, string evidence, string fix)
    {
        var snapshot = FromRender(await Helm.TemplateAsync(HelmVersion.Helm4, ScenarioFiles.Read("charts/ci/sso-values.yaml"))) with
        {
            Sso = new SsoProbe("ok", Plugin: true, Client: client, Redirect: redirect, RedirectError: "redirect_uri did not match any of the client's registered redirect_uris",
                RedirectUri: "https://mlflow.example.com/callback"),
        };

        var finding = Checks.Run(snapshot).Should().ContainSingle(f => f.Area == "sso" && f.Verdict == Verdict.Fail).Subject;

        finding.Check.Should().Be(check);
        finding.Evidence.Should().Contain(evidence);
        finding.Fix.Should().Contain(fix);
    }

    [Fact]
    public async Task Single_sign_on_without_the_plugin_or_the_provider_is_a_fail_not_an_ok()
    {
        var render = await Helm.TemplateAsync(HelmVersion.Helm4, ScenarioFiles.Read("charts/ci/sso-values.yaml"));

        Checks.Run(FromRender(render) with { Sso = new SsoProbe("ok", Plugin: false) }).Should().Contain(f => f.Area == "sso" && f.Check == "plugin" && f.Verdict == Verdict.Fail
            && f.Fix.Contains("official ghcr.io/mlflow/mlflow images do not contain it", StringComparison.Ordinal));
        Checks.Run(FromRender(render) with { Sso = new SsoProbe("error", Code: "DiscoveryUnreachable", Message: "URLError: <urlopen error [Errno -2] Name or service not known>", Plugin: true) })
            .Should().Contain(f => f.Area == "sso" && f.Check == "provider" && f.Verdict == Verdict.Fail && f.Evidence.Contains("keycloak.example.com", StringComparison.Ordinal)
                && f.Fix.Contains("auth.oidc.discoveryUrl", StringComparison.Ordinal));
        Checks.Run(FromRender(await Helm.TemplateAsync(HelmVersion.Helm4))).Should().NotContain(f => f.Area == "sso", "without SSO there is nothing to check");
    }
}
