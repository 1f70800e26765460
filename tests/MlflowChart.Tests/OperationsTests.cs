using System.Text.Json;
using MlflowChart.Tests.Infrastructure.Crds;

namespace MlflowChart.Tests;

/// <summary>
/// Metrics and alerts, garbage collection, NetworkPolicy, RBAC, availability and `helm test`.
/// </summary>
public sealed class OperationsTests
{
    private static async Task<Render> Scenario(HelmVersion helm, string file) =>
        (await Helm.TemplateAsync(helm, ScenarioFiles.Read($"charts/ci/{file}"))).ShouldSucceed();

    private static V1PodSpec GcPod(Render render) =>
        render.Single<V1CronJob>().Spec.JobTemplate.Spec.Template.Spec;

    [Theory, BothHelms]
    public async Task Metrics_go_to_a_writable_directory_and_are_scraped_on_the_server_port(HelmVersion helm)
    {
        var render = await Scenario(helm, "monitoring-values.yaml");
        var container = render.ServerContainer();

        container.Args.Should().Contain("--expose-prometheus=/var/run/mlflow/metrics");
        var mount = container.VolumeMounts.Single(m => m.MountPath == "/var/run/mlflow/metrics");
        render.Server().Spec.Template.Spec.Volumes.Single(v => v.Name == mount.Name).EmptyDir.Should().NotBeNull();
        var monitor = render.Single<ServiceMonitor>();
        monitor.Metadata.Labels.Should().Contain("release", "kube-prometheus-stack");
        render.Single<V1Service>().Metadata.Labels.Should().Contain(monitor.Spec.Selector.MatchLabels, "the ServiceMonitor selects the server's Service by its labels");
        var endpoint = monitor.Spec.Endpoints.Should().ContainSingle().Subject;
        (endpoint.Port, endpoint.Path, endpoint.Scheme).Should().Be(("http", "/metrics", "http"));
    }

    [Theory, BothHelms]
    public async Task Under_tls_and_basic_auth_the_scrape_uses_https_and_credentials(HelmVersion helm)
    {
        var endpoint = (await Scenario(helm, "secured-operations-values.yaml")).Single<ServiceMonitor>().Spec.Endpoints.Single();

        (endpoint.Port, endpoint.Scheme).Should().Be(("https", "https"));
        endpoint.TlsConfig.Should().ContainKey("ca").And.ContainKey("serverName");
        endpoint.BasicAuth!.Password.Name.Should().Be("mlflow-admin");
        endpoint.BasicAuth.Password.Key.Should().Be("password");
    }

    [Theory, BothHelms]
    public async Task Alerts_watch_the_metrics_MLflow_really_emits(HelmVersion helm)
    {
        var rules = (await Scenario(helm, "monitoring-values.yaml")).Single<PrometheusRule>().Spec.Groups.Single().Rules;

        rules.Select(r => r.Alert).Should().Equal("MLflowDown", "MLflowHighErrorRatio", "MLflowSlowRequests");
        rules[0].Expr.Should().Contain("up{namespace=\"mlflow\", service=\"mlflow-mlflow\"}");
        rules[1].Expr.Should().Contain("mlflow_http_request_total").And.Contain("status=~\"5..\"").And.EndWith("> 0.02\n");
        rules[2].Expr.Should().Contain("histogram_quantile(0.95").And.Contain("mlflow_http_request_duration_seconds_bucket").And.Contain("> 2");
        rules.Should().OnlyContain(r => r.For != null && r.Labels!.ContainsKey("severity"));
    }

    [Theory, BothHelms]
    public async Task The_dashboard_is_valid_json_for_the_grafana_sidecar(HelmVersion helm)
    {
        var map = (await Scenario(helm, "monitoring-values.yaml")).Named<V1ConfigMap>("mlflow-mlflow-dashboard");

        map.Metadata.Labels.Should().Contain("grafana_dashboard", "1");
        map.Metadata.Annotations.Should().Contain("grafana_folder", "MLflow");
        using var dashboard = JsonDocument.Parse(map.Data["mlflow.json"]);
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()).ToList();
        queries.Should().Contain(q => q!.Contains("mlflow_http_request_total")).And.Contain(q => q!.Contains("mlflow_http_request_duration_seconds_bucket"));
    }

    [Theory, BothHelms]
    public async Task Garbage_collection_runs_weekly_without_overlap(HelmVersion helm)
    {
        var cron = (await Scenario(helm, "gc-sqlite-values.yaml")).Single<V1CronJob>();

        cron.Spec.Schedule.Should().Be("0 2 * * 0");
        cron.Spec.ConcurrencyPolicy.Should().Be("Forbid");
        cron.Spec.StartingDeadlineSeconds.Should().BePositive();
        cron.Spec.SuccessfulJobsHistoryLimit.Should().BePositive();
        cron.Spec.FailedJobsHistoryLimit.Should().BePositive();
        cron.Spec.JobTemplate.Spec.ActiveDeadlineSeconds.Should().Be(3600);
    }

    [Theory, BothHelms]
    public async Task Garbage_collection_calls_the_server_by_a_host_it_admits(HelmVersion helm)
    {
        foreach (var file in new[] { "gc-sqlite-values.yaml", "secured-operations-values.yaml" })
        {
            var render = await Scenario(helm, file);
            var gc = GcPod(render).Containers.Single();

            var tracking = new Uri(gc.Env("MLFLOW_TRACKING_URI")!.Value);
            AllowedHosts.Admits(AllowedHosts.FromArgs(render.ServerContainer().Args), $"{tracking.Host}:{tracking.Port}")
                .Should().BeTrue($"{file}: the upstream chart's GC is refused with 403 here");
            tracking.Host.Should().Be("mlflow-mlflow.mlflow.svc.cluster.local");
        }
    }

    [Theory, BothHelms]
    public async Task Garbage_collection_gets_the_backend_uri_from_the_environment_only(HelmVersion helm)
    {
        var gc = GcPod(await Scenario(helm, "secured-operations-values.yaml")).Containers.Single();

        gc.Env("MLFLOW_BACKEND_STORE_URI")!.ValueFrom.SecretKeyRef.Name.Should().Be("mlflow-db-secret");
        gc.Command.Should().Equal(["mlflow"], "the CronJob shows the command it runs");
        gc.Args.Should().Equal(["gc", "--backend-store-uri", "$(MLFLOW_BACKEND_STORE_URI)", "--older-than", "30d", "--all-workspaces"],
            "the kubelet expands $(MLFLOW_BACKEND_STORE_URI) from the Secret-fed variable, so the object holds no credential");
    }

    [Theory, BothHelms]
    public async Task Under_tls_and_auth_gc_trusts_the_ca_only_and_logs_in(HelmVersion helm)
    {
        var pod = GcPod(await Scenario(helm, "secured-operations-values.yaml"));
        var gc = pod.Containers.Single();

        gc.Env("MLFLOW_TRACKING_URI")!.Value.Should().StartWith("https://");
        gc.Env("MLFLOW_TRACKING_SERVER_CERT_PATH")!.Value.Should().Be("/etc/mlflow/tls/ca.crt");
        gc.Env("MLFLOW_TRACKING_PASSWORD")!.ValueFrom.SecretKeyRef.Name.Should().Be("mlflow-admin");
        var tls = pod.Volumes.Single(v => v.Name == "tls").Secret;
        tls.Items.Should().ContainSingle().Which.Key.Should().Be("ca.crt", "a client never gets the server's private key");
    }

    [Theory, BothHelms]
    public async Task Under_tls_without_a_ca_key_gc_trusts_the_served_certificate_only(HelmVersion helm)
    {
        var pod = GcPod(await Helm.TemplateAsync(helm, "garbageCollection: {enabled: true}\ntls: {enabled: true, secretName: mlflow-tls}"));
        var gc = pod.Containers.Single();

        gc.Env("MLFLOW_TRACKING_URI")!.Value.Should().StartWith("https://mlflow-mlflow.mlflow.svc.cluster.local:5000");
        gc.Env("MLFLOW_TRACKING_SERVER_CERT_PATH")!.Value.Should().Be("/etc/mlflow/tls/ca.crt");
        var item = pod.Volumes.Single(v => v.Name == "tls").Secret.Items.Should().ContainSingle().Subject;
        item.Key.Should().Be("tls.crt", "the certificate of `kubectl create secret tls` is pinned; the key never reaches a client");
        item.Path.Should().Be("ca.crt");
    }

    [Theory, BothHelms]
    public async Task On_sqlite_gc_shares_the_claim_on_the_servers_node(HelmVersion helm)
    {
        var pod = GcPod(await Scenario(helm, "gc-sqlite-values.yaml"));

        pod.Volumes.Should().Contain(v => v.PersistentVolumeClaim != null && v.PersistentVolumeClaim.ClaimName == "mlflow-mlflow");
        var term = pod.Affinity.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution.Should().ContainSingle().Subject;
        term.TopologyKey.Should().Be("kubernetes.io/hostname");
        term.LabelSelector.MatchLabels.Should().Contain("app.kubernetes.io/component", "server");
    }

    [Theory, BothHelms]
    public async Task The_network_policy_admits_only_named_peers_to_the_server_port(HelmVersion helm)
    {
        var policy = (await Scenario(helm, "secured-operations-values.yaml")).Single<V1NetworkPolicy>();

        policy.Spec.PodSelector.MatchLabels.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = "mlflow", ["app.kubernetes.io/instance"] = "mlflow",
        }, "the GC, migration and test pods are covered too");
        var ingress = policy.Spec.Ingress.Should().ContainSingle().Subject;
        ingress.Ports.Select(p => p.Port.Value).Should().Equal("5000");
        ingress.FromProperty.Should().NotContain(peer => peer.NamespaceSelector != null
            && (peer.NamespaceSelector.MatchLabels == null || peer.NamespaceSelector.MatchLabels.Count == 0)
            && peer.NamespaceSelector.MatchExpressions == null, "an empty namespaceSelector admits every namespace");
        ingress.FromProperty.Should().HaveCount(3);
    }

    [Theory, BothHelms]
    public async Task The_network_policy_lets_out_dns_the_database_and_https(HelmVersion helm)
    {
        var egress = (await Scenario(helm, "secured-operations-values.yaml")).Single<V1NetworkPolicy>().Spec.Egress;
        var ports = egress.SelectMany(r => r.Ports ?? []).Select(p => $"{p.Port.Value}/{p.Protocol}").ToList();

        ports.Should().Contain(["53/UDP", "53/TCP", "5432/TCP", "443/TCP", "5000/TCP"]);
        var explicitPorts = (await Helm.TemplateAsync(helm, "networkPolicy: {enabled: true}\nmlflow: {backendStoreUri: \"mysql+pymysql://db.example.com:3307/mlflow\", artifactsDestination: s3://b/p}"))
            .Single<V1NetworkPolicy>().Spec.Egress.SelectMany(r => r.Ports ?? []).Select(p => p.Port.Value).ToList();
        explicitPorts.Should().Contain("3307").And.NotContain("5432");
    }

    [Theory, BothHelms]
    public async Task Rbac_binds_the_service_account_and_mounts_its_token(HelmVersion helm)
    {
        var render = await Scenario(helm, "availability-values.yaml");

        var binding = render.Single<V1RoleBinding>();
        binding.RoleRef.Name.Should().Be(render.Single<V1Role>().Metadata.Name);
        binding.Subjects.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Kind = "ServiceAccount", Name = "mlflow-mlflow", NamespaceProperty = "mlflow" });
        var clusterRole = render.Single<V1ClusterRole>();
        clusterRole.Metadata.Name.Should().Be("mlflow-mlflow-mlflow", "namespace-prefixed, so two releases named alike do not collide");
        render.Single<V1ClusterRoleBinding>().Subjects.Single().Name.Should().Be("mlflow-mlflow");
        render.Server().Spec.Template.Spec.AutomountServiceAccountToken.Should().BeTrue();
    }

    [Theory, BothHelms]
    public async Task Autoscaling_owns_the_replica_count_and_a_budget_keeps_capacity(HelmVersion helm)
    {
        var render = await Scenario(helm, "availability-values.yaml");

        render.Server().Spec.Replicas.Should().BeNull("the HorizontalPodAutoscaler sets it");
        var hpa = render.Single<V2HorizontalPodAutoscaler>();
        (hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas).Should().Be((2, 6));
        hpa.Spec.Metrics.Single().Resource.Target.AverageUtilization.Should().Be(75);
        render.Single<V1PodDisruptionBudget>().Spec.MaxUnavailable.Value.Should().Be("1");
        render.ServerContainer().Env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION")!.Value.Should().Be("false");
    }

    [Theory, BothHelms]
    public async Task One_replica_gets_no_disruption_budget(HelmVersion helm)
    {
        (await Helm.TemplateAsync(helm)).All<V1PodDisruptionBudget>().Should().BeEmpty();
    }

    [Theory, BothHelms]
    public async Task Stopping_pods_keep_serving_while_they_leave_the_endpoints(HelmVersion helm)
    {
        var render = await Scenario(helm, "availability-values.yaml");
        var pod = render.Server().Spec.Template.Spec;

        render.ServerContainer().Lifecycle.PreStop.Exec.Command.Should().Equal("sleep", "5");
        pod.TerminationGracePeriodSeconds.Should().Be(45);
        pod.PriorityClassName.Should().Be("ml-platform");
        pod.TopologySpreadConstraints.Single().LabelSelector.MatchLabels.Should().Contain("app.kubernetes.io/component", "server");
    }

    [Theory, BothHelms]
    public async Task External_secrets_and_extra_objects_are_rendered(HelmVersion helm)
    {
        var render = await Scenario(helm, "availability-values.yaml");

        var external = render.Single<ExternalSecret>();
        external.ApiVersion.Should().Be("external-secrets.io/v1");
        external.Spec.Target.Name.Should().Be("mlflow-db-from-vault");
        external.Spec.SecretStoreRef.Should().BeEquivalentTo(new StoreRef { Name = "vault", Kind = "ClusterSecretStore" });
        render.Named<V1ConfigMap>("mlflow-notes").Data["owner"].Should().Be("ml-platform");
    }

    [Theory, BothHelms]
    public async Task Helm_test_runs_every_step_of_the_client_flow(HelmVersion helm)
    {
        var pod = (await Helm.TemplateAsync(helm)).Named<V1Pod>("mlflow-mlflow-test");

        pod.Metadata.Annotations.Should().Contain("helm.sh/hook", "test");
        var script = pod.Spec.Containers.Single().Args.Single();
        string[] steps = ["/health", "create_experiment", "log_param", "log_metric", "log_text", "get_run", "load_text", "sys.exit(1)"];
        foreach (var step in steps)
        {
            script.Should().Contain(step);
        }

        pod.Spec.Volumes.Should().NotContain(v => v.PersistentVolumeClaim != null, "the test talks to the server and must not wait for its claim");
        pod.Spec.Containers.Single().Env("MLFLOW_TRACKING_URI")!.Value.Should().Be("http://mlflow-mlflow.mlflow.svc.cluster.local:5000");
    }

    [Theory, BothHelms]
    public async Task Helm_test_under_auth_without_a_user_proves_the_api_is_closed(HelmVersion helm)
    {
        var container = (await Scenario(helm, "basic-auth-docs-values.yaml")).Named<V1Pod>("mlflow-mlflow-test").Spec.Containers.Single();

        container.Env("MLFLOW_TEST_AUTH_WITHOUT_USER")!.Value.Should().Be("true");
        container.Args.Single().Should().Contain("answer.status_code == 401");
    }
}
