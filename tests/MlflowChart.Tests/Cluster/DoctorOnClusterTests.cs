using k8s;
using MlflowChart.Doctor;

namespace MlflowChart.Tests.Cluster;

/// <summary>
/// `doctor` on releases broken on purpose, each the way users break them, and on releases of
/// another chart. Each test asserts that doctor names the problem and its fix. doctor reads the
/// cluster, so which Helm installed the release does not matter to it: these run under Helm 4
/// only (the healthy quick start and production releases are checked under both, in their own tests).
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class DoctorOnClusterTests
{
    private const HelmVersion Helm = HelmVersion.Helm4;

    private static string OtherChart => Path.Combine(Repo.Root, "tests", "MlflowChart.Tests", "DoctorFixtures", "other-chart");

    [Fact]
    public async Task An_ingress_host_missing_from_the_allowed_hosts_is_named_with_its_403()
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-host", Helm);
        await new ClusterRelease(ns, Helm).InstallAsync([.. QuickStartTests.DocsFlags,
            "--set", "ingress.enabled=true", "--set", "ingress.className=nginx", "--set", "ingress.hosts[0].host=mlflow.example.com",
            "--set", "ingress.hosts[0].paths[0].path=/", "--set", "ingress.hosts[0].paths[0].pathType=Prefix",
            "--set", "server.allowedHosts.derive=false", "--set", "server.value_options.allowed_hosts=localhost:*"]);

        var doctor = await DoctorRun.RunAsync(ns, "ingress-host-not-allowed");

        doctor.ShouldFail("hosts", ["Ingress mlflow-mlflow", "Host mlflow.example.com answered 403"], ["allowed_hosts", "derive=true"]);
    }

    [Fact]
    public async Task On_another_charts_release_an_ingress_without_allowed_hosts_gets_403_and_doctor_says_so()
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-other", Helm);
        await ns.MustHelmAsync(Helm, "install", "tracking", OtherChart, "--set", "ingress.enabled=true", "--set", "ingress.host=mlflow.example.com", "--wait", "--timeout", "5m");

        var doctor = await DoctorRun.RunAsync(ns, "other-chart-ingress-host", "tracking");

        doctor.Report.Chart.Should().Be("other-mlflow-1.0.0");
        doctor.ShouldFail("hosts", ["Ingress tracking-mlflow", "mlflow.example.com answered 403", "MLflow's defaults"], ["allowed_hosts"]);
        doctor.Report.Findings.Should().Contain(f => f.Area == "hosts" && f.Check == "Service tracking-mlflow" && f.Verdict == Verdict.Warn
            && f.Evidence.Contains($"tracking-mlflow.{ns.Name}:5000 answered 403"), "in-cluster clients using the Service's names get 403 too");
        doctor.ShouldFail("artifacts", ["default 1m", "413"], ["proxy-body-size"]);
    }

    [Fact]
    public async Task On_another_charts_release_a_memory_limit_below_idle_use_is_OOMKilled_and_sized()
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-oom-other", Helm);
        // The 512Mi limit some charts suggest, under MLflow's defaults (4 workers, job execution on).
        await ns.MustHelmAsync(Helm, "install", "tracking", OtherChart, "--set", "resources.limits.memory=512Mi", "--set", "resources.requests.memory=256Mi");
        await WaitForAsync(ns, pod => pod.Status.ContainerStatuses?.Any(c => c.LastState?.Terminated?.Reason == "OOMKilled") == true, TimeSpan.FromMinutes(4));

        var doctor = await DoctorRun.RunAsync(ns, "other-chart-oomkilled", "tracking");

        doctor.ShouldFail("pods", ["OOMKilled", "512 MiB", "4 worker(s) and job execution on", "3072Mi"], ["resources.limits.memory to 3072Mi"]);
    }

    [Fact]
    public async Task A_memory_limit_lowered_below_idle_use_after_install_is_OOMKilled_and_sized()
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-oom", Helm);
        await new ClusterRelease(ns, Helm).InstallAsync(QuickStartTests.DocsFlags);
        // The chart refuses such a limit at render; here it is lowered afterwards, as an admin,
        // a LimitRange or a vertical autoscaler in recommendation-apply mode would.
        await ns.KubectlAsync("set", "resources", "deployment/mlflow-mlflow", "--limits=memory=1Gi", "--requests=memory=1Gi");
        await WaitForAsync(ns, pod => pod.Status.ContainerStatuses?.Any(c => c.LastState?.Terminated?.Reason == "OOMKilled") == true, TimeSpan.FromMinutes(4));

        var doctor = await DoctorRun.RunAsync(ns, "oomkilled");

        doctor.ShouldFail("pods", ["OOMKilled", "1024 MiB", "4 worker(s) and job execution on", "3072Mi"], ["3072Mi", "job execution off"]);
    }

    [Fact]
    public async Task A_secret_without_its_key_is_named_with_the_keys_it_has()
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-key", Helm);
        await ns.KubectlAsync("create", "secret", "generic", "s3-credentials", "--from-literal=access-key=a", "--from-literal=secret-key=b");
        await ns.MustHelmAsync(Helm, ["install", ClusterRelease.Name, Repo.Chart, "-f", TestNamespace.Values(cluster.ImageValues), .. QuickStartTests.DocsFlags,
            "--set", "env[0].name=AWS_ACCESS_KEY_ID", "--set", "env[0].valueFrom.secretKeyRef.name=s3-credentials", "--set", "env[0].valueFrom.secretKeyRef.key=access-key-id"]);
        // On SQLite the first container to start is the migrate init container, which gets the env too.
        await WaitForAsync(ns, pod => (pod.Status.ContainerStatuses ?? []).Concat(pod.Status.InitContainerStatuses ?? [])
            .Any(c => c.State?.Waiting?.Reason == "CreateContainerConfigError"), TimeSpan.FromMinutes(2));

        var doctor = await DoctorRun.RunAsync(ns, "secret-without-key");

        doctor.ShouldFail("secrets", ["access-key-id", "s3-credentials", "holds only: access-key, secret-key"], ["add the key access-key-id"]);
        doctor.ShouldFail("pods", ["CreateContainerConfigError"], ["Secret"]);
    }

    [Fact]
    public async Task A_claim_of_a_storage_class_that_does_not_exist_is_named_with_the_classes_there_are()
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-sc", Helm);
        await ns.MustHelmAsync(Helm, ["install", ClusterRelease.Name, Repo.Chart, "-f", TestNamespace.Values(cluster.ImageValues), .. QuickStartTests.DocsFlags,
            "--set", "storage.storageClassName=fast-ssd"]);
        await WaitForAsync(ns, pod => pod.Status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true, TimeSpan.FromMinutes(1));

        var doctor = await DoctorRun.RunAsync(ns, "missing-storage-class");

        doctor.ShouldFail("storage", ["mlflow-mlflow", "Pending"], ["storage class \"fast-ssd\" does not exist", "standard"]);
        doctor.ShouldFail("pods", ["Pending"], ["fast-ssd"]);
    }

    [Fact]
    public async Task A_failed_migration_is_named_with_the_line_that_says_why()
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-migrate", Helm);
        // A URI with the postgres:// alias, written into the Secret as many connection strings are.
        await ns.KubectlAsync("create", "secret", "generic", "mlflow-db-secret", "--from-literal=uri=postgres://user:password@postgres:5432/mlflow");
        await ns.KubectlAsync("create", "secret", "generic", "s3-credentials", "--from-literal=access-key-id=a", "--from-literal=secret-access-key=b");
        var install = await ns.HelmAsync(Helm, "install", ClusterRelease.Name, Repo.Chart, "-f", Backends.ExampleFile,
            "-f", TestNamespace.Values(cluster.ImageValues), "--wait", "--timeout", "3m");
        install.Succeeded.Should().BeFalse("the migration hook fails");

        var doctor = await DoctorRun.RunAsync(ns, "failed-migration");

        doctor.ShouldFail("database", ["mlflow-mlflow-migrate", "failed", "scheme postgres"], ["kubectl logs", "helm upgrade again"]);
    }

    [Fact]
    public async Task A_gc_job_that_fails_is_named_with_its_last_log_line()
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-gc", Helm);
        await ns.KubectlAsync("create", "secret", "generic", "mlflow-auth-secret", "--from-literal=secret-key=0123456789abcdef0123456789abcdef");
        await ProductionOnClusterTests.CreateAdminSecretAsync(ns);
        var release = new ClusterRelease(ns, Helm);
        await release.InstallAsync([.. QuickStartTests.DocsFlags, "--set", "auth.enabled=true", "--set", "auth.secretKey.existingSecret=mlflow-auth-secret",
            "--set", "auth.admin.existingSecret=mlflow-admin", "--set", "garbageCollection.enabled=true", "--set", "garbageCollection.olderThan=1s"]);
        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url(), ClusterRelease.Admin);
            var run = await api.LogRunAsync(await api.CreateExperimentAsync("gc"), "collect me\n");
            await api.DeleteRunAsync(run.RunId);
        }

        // The admin password rotated in the Secret, but no helm upgrade applied it: the server still has the old one.
        await ns.KubectlAsync("delete", "secret", "mlflow-admin");
        await ProductionOnClusterTests.CreateAdminSecretAsync(ns, "rotated-but-not-applied");
        var gc = await ns.RunCronJobNowAsync("mlflow-mlflow-gc", TimeSpan.FromMinutes(4));
        gc.Succeeded.Should().BeFalse($"GC cannot log in:\n{gc.Logs}");

        var doctor = await DoctorRun.RunAsync(ns, "gc-fails");

        doctor.ShouldFail("operations", ["mlflow-mlflow-gc", "failed", "401"], ["auth.admin.existingSecret"]);
    }

    [Fact]
    public async Task On_another_charts_release_basic_auth_with_its_users_on_the_read_only_root_is_named()
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-auth-other", Helm);
        await ns.KubectlAsync("create", "secret", "generic", "tracking-auth", "--from-literal=secret-key=0123456789abcdef0123456789abcdef");
        await ns.MustHelmAsync(Helm, "install", "tracking", OtherChart, "--set", "server.value_options.app_name=basic-auth");
        await Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        var doctor = await DoctorRun.RunAsync(ns, "other-chart-auth-read-only-root", "tracking");

        doctor.ShouldFail("auth", ["sqlite:///basic_auth.db", "read-only root filesystem", "never becomes healthy"], ["MLFLOW_AUTH_CONFIG_PATH"]);
    }

    [Theory, BothHelms]
    public async Task Pods_a_resource_quota_refuses_are_named_with_the_quota_and_the_claim_is_not_blamed(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-quota", helm);
        await ns.KubectlAsync("create", "quota", "mlflow-quota", "--hard=limits.memory=1Gi,requests.memory=1Gi");
        await InstallWithoutWaitingAsync(ns, helm, QuickStartTests.DocsFlags);
        var refusal = await FailedCreateAsync(ns);
        refusal.Should().Contain("exceeded quota", "the breakage really happened: the ReplicaSet cannot make the pod");
        (await ns.PodsAsync("server")).Should().BeEmpty();

        var doctor = await DoctorRun.RunAsync(ns, "quota-refuses-pods");

        doctor.ShouldFail("pods", ["no server pod was ever created", "exceeded quota: mlflow-quota"], ["ResourceQuota mlflow-quota", "server.workers"]);
        doctor.Report.Findings.Should().NotContain(f => f.Area == "storage" && f.Verdict != Verdict.Ok,
            "the claim only waits for its first pod, which was never created");
    }

    [Theory, BothHelms]
    public async Task Pods_pod_security_refuses_are_named_with_the_rule_they_break(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-pss", helm);
        await InstallWithoutWaitingAsync(ns, helm, [.. QuickStartTests.DocsFlags, "--set-json", "extraVolumes=[{\"name\":\"host\",\"hostPath\":{\"path\":\"/tmp\"}}]"]);
        (await FailedCreateAsync(ns)).Should().Contain("violates PodSecurity");

        var doctor = await DoctorRun.RunAsync(ns, "pod-security-refuses-pods");

        doctor.ShouldFail("pods", ["no server pod was ever created", "violates PodSecurity", "hostPath"], ["Pod Security level", "extraVolumes"]);
    }

    [Theory, BothHelms]
    public async Task A_service_that_selects_no_pod_is_named_though_every_pod_is_healthy(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-svc", helm);
        await new ClusterRelease(ns, helm).InstallAsync(QuickStartTests.DocsFlags);
        await ns.KubectlAsync("patch", "service", "mlflow-mlflow", "--type=merge", "-p", "{\"spec\":{\"selector\":{\"app.kubernetes.io/component\":\"tracking\"}}}");
        var through = await cluster.KubectlAsync("get", "--raw", $"/api/v1/namespaces/{ns.Name}/services/mlflow-mlflow:http/proxy/health");
        through.Succeeded.Should().BeFalse("the breakage really happened: nothing answers through the Service");

        var doctor = await DoctorRun.RunAsync(ns, "service-selects-no-pod");

        doctor.ShouldFail("service", ["Service mlflow-mlflow", "app.kubernetes.io/component=tracking", "Ready server pod"], ["helm upgrade restores"]);
        doctor.Report.Findings.Should().Contain(f => f.Area == "pods" && f.Verdict == Verdict.Ok, "the pods themselves are fine; the Service is the cause");
    }

    [Theory, BothHelms]
    public async Task A_rotated_database_password_is_named_as_a_stuck_rollout_with_its_secret_and_the_rollback(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-rollout", helm);
        var (release, _) = await ProductionOnClusterTests.InstallWithAuthAsync(ns, helm);
        await release.ShouldBeReadyWithoutRestartsAsync(2);

        // The Secret gets a wrong password, and the pods are rolled.
        var wrong = Backends.DatabaseUri.Replace(":password@", ":rotated-wrong@", StringComparison.Ordinal);
        await ns.KubectlAsync("patch", "secret", "mlflow-db-secret", "--type=merge", "-p", $"{{\"stringData\":{{\"uri\":\"{wrong}\"}}}}");
        await ns.KubectlAsync("rollout", "restart", "deployment/mlflow-mlflow");
        await WaitForAsync(ns, pod => pod.Status.ContainerStatuses?.Any(c => c.Name == "mlflow" && c.RestartCount > 0) == true, TimeSpan.FromMinutes(4));
        (await release.ServerPodsAsync()).Count(p => p.Status.ContainerStatuses?.Any(c => c.Ready) == true).Should().BeGreaterThan(0,
            "the breakage is the issue's: new pods crash-loop while an old one keeps serving");

        var doctor = await DoctorRun.RunAsync(ns, "rotated-database-password");

        doctor.ShouldFail("rollout", ["the rollout of revision 2 is stuck", "password authentication failed for user", "of an older revision still serve"],
            ["Secret mlflow-db-secret/uri", "kubectl rollout undo deployment/mlflow-mlflow"]);
        doctor.Text.Should().NotContain("its log ended with: (Background on this error", "the quoted line is the one that says why");
    }

    [Theory, BothHelms]
    public async Task A_bucket_that_does_not_exist_is_named_with_the_stores_error(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-bucket", helm);
        var (release, _) = await ProductionOnClusterTests.InstallWithAuthAsync(ns, helm, "--set", "mlflow.artifactsDestination=s3://no-such-bucket/mlflow");
        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url(), ClusterRelease.Admin);
            var experiment = await api.CreateExperimentAsync("upload");
            var upload = () => api.LogRunAsync(experiment, "never stored\n");
            await upload.Should().ThrowAsync<Exception>("the breakage really happened: the upload fails");
        }

        var doctor = await DoctorRun.RunAsync(ns, "no-such-bucket");

        doctor.ShouldFail("artifacts", ["s3://no-such-bucket/mlflow", "every artifact upload fails", "NoSuchBucket"], ["create the bucket", "mlflow.artifactsDestination"]);
    }

    [Theory, BothHelms]
    public async Task A_database_that_went_away_is_named_though_the_pods_stay_ready(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-db", helm);
        var (release, _) = await ProductionOnClusterTests.InstallWithAuthAsync(ns, helm);
        await ns.KubectlAsync("delete", "pod", "postgres", "--wait=true");
        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url(), ClusterRelease.Admin);
            var create = () => api.CreateExperimentAsync("never-stored");
            await create.Should().ThrowAsync<Exception>("the breakage really happened: the API fails without its database");
        }

        await release.ShouldBeReadyWithoutRestartsAsync(2);
        var doctor = await DoctorRun.RunAsync(ns, "database-gone");

        doctor.ShouldFail("database", ["backend store", "cannot query it", "OperationalError"], ["Secret mlflow-db-secret/uri", "cannot be reached"]);
    }

    [Theory, BothHelms]
    public async Task Pods_a_limit_range_refuses_are_named_with_the_limit_and_the_value_to_change(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-limits", helm);
        var limits = TestNamespace.Values("""
            apiVersion: v1
            kind: LimitRange
            metadata: {name: small-containers}
            spec:
              limits:
                - type: Container
                  max: {memory: 256Mi}
            """);
        await ns.KubectlAsync("apply", "-f", limits);
        await InstallWithoutWaitingAsync(ns, helm, QuickStartTests.DocsFlags);
        (await FailedCreateAsync(ns)).Should().Contain("maximum memory usage per Container is 256Mi", "the breakage really happened: the LimitRange refuses the pod");

        var doctor = await DoctorRun.RunAsync(ns, "limit-range-refuses-pods");

        doctor.ShouldFail("pods", ["no server pod was ever created", "maximum memory usage per Container is 256Mi"], ["LimitRange", "resources"]);
    }

    [Theory, BothHelms]
    public async Task Pods_of_a_service_account_that_does_not_exist_are_named_with_the_account(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-sa", helm);
        await InstallWithoutWaitingAsync(ns, helm, [.. QuickStartTests.DocsFlags, "--set", "serviceAccount.create=false", "--set", "serviceAccount.name=mlflow-runner"]);
        (await FailedCreateAsync(ns)).Should().Contain("serviceaccount \"mlflow-runner\" not found");

        var doctor = await DoctorRun.RunAsync(ns, "service-account-missing");

        doctor.ShouldFail("pods", ["no server pod was ever created", "mlflow-runner"], ["ServiceAccount mlflow-runner does not exist", "serviceAccount.create=true"]);
    }

    [Theory, BothHelms]
    public async Task A_wrong_s3_secret_key_is_named_with_the_secret_that_holds_it(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-s3key", helm);
        var (release, _) = await ProductionOnClusterTests.InstallWithAuthAsync(ns, helm, checkedKeys: true);
        await UploadAsync(release, works: true);

        // The key in the Secret is changed to a wrong one, and the pods are rolled: they start (MLflow does not touch the store at start).
        await ns.KubectlAsync("patch", "secret", "s3-credentials", "--type=merge", "-p", "{\"stringData\":{\"secret-access-key\":\"not-the-key\"}}");
        await ns.KubectlAsync("rollout", "restart", "deployment/mlflow-mlflow");
        await ns.KubectlAsync("rollout", "status", "deployment/mlflow-mlflow", "--timeout=5m");
        await UploadAsync(release, works: false);

        var doctor = await DoctorRun.RunAsync(ns, "wrong-s3-secret-key");

        doctor.ShouldFail("artifacts", ["s3://my-bucket/mlflow", "every artifact upload fails", "SignatureDoesNotMatch"],
            ["refuses the server's credentials", "Secret s3-credentials/secret-access-key"]);
    }

    [Theory, BothHelms]
    public async Task An_s3_endpoint_that_cannot_be_reached_is_named_with_its_url(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-s3url", helm);
        await Backends.StartAsync(ns);
        await ProductionOnClusterTests.CreateAdminSecretAsync(ns);
        var release = new ClusterRelease(ns, helm);
        var overrides = Backends.ProductionOverrides(ProductionOnClusterTests.Extra).Replace("http://s3:9000", "http://s3-old:9000", StringComparison.Ordinal);
        await release.InstallAsync("-f", Backends.ExampleFile, "-f", TestNamespace.Values(overrides));
        await UploadAsync(release, works: false);

        var doctor = await DoctorRun.RunAsync(ns, "s3-endpoint-unreachable");

        doctor.ShouldFail("artifacts", ["every artifact upload fails", "EndpointConnectionError"], ["cannot be reached", "MLFLOW_S3_ENDPOINT_URL=http://s3-old:9000"]);
    }

    [Theory, BothHelms]
    public async Task A_gcs_destination_in_an_image_without_its_client_is_a_fail_not_an_ok(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-gcs", helm);
        var release = new ClusterRelease(ns, helm);
        await release.InstallAsync([.. QuickStartTests.DocsFlags, "--set", "mlflow.artifactsDestination=gs://team-mlflow/artifacts"]);
        await UploadAsync(release, works: false);

        var doctor = await DoctorRun.RunAsync(ns, "gcs-without-client");

        doctor.ShouldFail("artifacts", ["gs://team-mlflow/artifacts", "MissingLibrary", "google-cloud-storage"], ["-full"]);
    }

    [Theory, BothHelms]
    public async Task A_schema_the_servers_mlflow_does_not_expect_is_named_before_a_restart_fails(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("dr-schema", helm);
        var (release, _) = await ProductionOnClusterTests.InstallWithAuthAsync(ns, helm);
        var pods = await release.ShouldBeReadyWithoutRestartsAsync(2);
        var revisions = (await ns.ExecAsync(pods[0].Metadata.Name, "python", "-c",
            "import os, mlflow.store.db_migrations as m\nfrom alembic.script import ScriptDirectory\ns = ScriptDirectory(os.path.dirname(m.__file__))\nhead = s.get_current_head()\nprint(head, s.get_revision(head).down_revision)")).Trim().Split(' ');
        var (head, previous) = (revisions[0], revisions[1]);

        // As a database restored from an older backup, or migrated back, looks: one revision behind.
        await Backends.SqlAsync(ns, $"update alembic_version set version_num = '{previous}'");
        var behind = await DoctorRun.RunAsync(ns, "schema-behind");
        behind.ShouldFail("database", ["schema", $"at {previous}", $"expects {head}", "refuse to start at their next restart"], ["migrations.enabled=true", "mlflow db upgrade"]);

        await ns.KubectlAsync("delete", "pod", pods[0].Metadata.Name, "--wait=true");
        await WaitForAsync(ns, pod => pod.Metadata.Name != pods[0].Metadata.Name && pod.Metadata.Name != pods[1].Metadata.Name
            && pod.Status.ContainerStatuses?.Any(c => c.Name == "mlflow" && c.RestartCount > 0) == true, TimeSpan.FromMinutes(3));
        var replacement = (await release.ServerPodsAsync()).Single(p => p.Metadata.Name != pods[1].Metadata.Name);
        (await ns.KubectlAsync("logs", replacement.Metadata.Name, "-c", "mlflow", "--previous")).Should().Contain("out-of-date database schema",
            "the breakage really happened: a restarted pod refuses the schema doctor named");

        // As a database that a newer MLflow migrated looks: a revision this image does not know.
        await Backends.SqlAsync(ns, "update alembic_version set version_num = 'f0f0f0f0f0f0'");
        var ahead = await DoctorRun.RunAsync(ns, "schema-ahead");
        ahead.ShouldFail("database", ["schema", "at f0f0f0f0f0f0", "does not know", "a newer MLflow migrated it"], ["image.tag"]);
    }

    /// <summary>
    /// A production-shaped release of the upstream chart (PostgreSQL from a Secret, S3 with checked
    /// keys, two replicas), broken three ways in turn: a wrong S3 key, a Service that selects no
    /// pod, a rotated database password. doctor names each on a chart it did not come with.
    /// </summary>
    [Theory, BothHelms]
    public async Task On_an_upstream_release_the_store_the_service_path_and_a_stuck_rollout_are_named(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        var upstream = UpstreamChart.Require();
        await using var ns = await cluster.CreateNamespaceAsync("dr-upstream", helm);
        await Backends.StartAsync(ns, checkedKeys: true);
        var release = new ClusterRelease(ns, helm, upstream);
        await release.InstallAsync("-f", TestNamespace.Values(Backends.SharedKeysProduction));
        await UploadAsync(release, works: true);
        (await DoctorRun.RunAsync(ns, "upstream-healthy")).Failures.Should().BeEmpty("the upstream release is healthy before the breakages");

        await ns.KubectlAsync("patch", "secret", "s3-credentials", "--type=merge", "-p", "{\"stringData\":{\"secret-access-key\":\"not-the-key\"}}");
        await ns.KubectlAsync("rollout", "restart", "deployment/mlflow-mlflow");
        await ns.KubectlAsync("rollout", "status", "deployment/mlflow-mlflow", "--timeout=5m");
        await UploadAsync(release, works: false);
        (await DoctorRun.RunAsync(ns, "upstream-wrong-s3-key")).ShouldFail("artifacts", ["SignatureDoesNotMatch"], ["Secret s3-credentials/secret-access-key"]);

        await ns.KubectlAsync("patch", "service", "mlflow-mlflow", "--type=merge", "-p", "{\"spec\":{\"selector\":{\"app.kubernetes.io/component\":\"tracking\"}}}");
        (await cluster.KubectlAsync("get", "--raw", $"/api/v1/namespaces/{ns.Name}/services/mlflow-mlflow:http/proxy/health")).Succeeded.Should().BeFalse();
        (await DoctorRun.RunAsync(ns, "upstream-service-selects-no-pod")).ShouldFail("service", ["Service mlflow-mlflow", "app.kubernetes.io/component=tracking"], []);

        var wrong = Backends.DatabaseUri.Replace(":password@", ":rotated-wrong@", StringComparison.Ordinal);
        await ns.KubectlAsync("patch", "secret", "mlflow-db-secret", "--type=merge", "-p", $"{{\"stringData\":{{\"uri\":\"{wrong}\"}}}}");
        await ns.KubectlAsync("rollout", "restart", "deployment/mlflow-mlflow");
        await WaitForAsync(ns, pod => pod.Status.ContainerStatuses?.Any(c => c.Name == "mlflow" && c.RestartCount > 0) == true, TimeSpan.FromMinutes(4));
        (await DoctorRun.RunAsync(ns, "upstream-rotated-database-password")).ShouldFail("rollout", ["is stuck", "password authentication failed for user"],
            ["Secret mlflow-db-secret/uri", "kubectl rollout undo deployment/mlflow-mlflow"]);
    }

    /// <summary>Uploads one artifact through the server and asserts that it worked or failed, as the test's breakage says.</summary>
    private static async Task UploadAsync(ClusterRelease release, bool works)
    {
        await using var forward = await release.ForwardAsync();
        using var api = new MlflowRest(forward.Url(), ClusterRelease.Admin); // ignored by a server without auth
        var experiment = await api.CreateExperimentAsync($"upload-{Guid.NewGuid():N}"[..16]);
        var upload = () => api.LogRunAsync(experiment, "an artifact\n");
        if (works)
        {
            await upload.Should().NotThrowAsync("the store works before the breakage");
        }
        else
        {
            await upload.Should().ThrowAsync<Exception>("the breakage really happened: the upload fails");
        }
    }

    private static async Task InstallWithoutWaitingAsync(TestNamespace ns, HelmVersion helm, string[] args) =>
        await ns.MustHelmAsync(helm, ["install", ClusterRelease.Name, Repo.Chart, "-f", TestNamespace.Values(ns.Cluster.ImageValues), .. args]);

    /// <summary>The message of the first FailedCreate event in the namespace, waiting up to a minute for it.</summary>
    private static async Task<string> FailedCreateAsync(TestNamespace ns)
    {
        for (var i = 0; i < 30; i++)
        {
            if ((await ns.EventsAsync()).FirstOrDefault(e => e.Reason == "FailedCreate") is { } failed)
            {
                return failed.Message;
            }

            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        }

        return "";
    }

    private static async Task WaitForAsync(TestNamespace ns, Func<V1Pod, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if ((await ns.PodsAsync("server")).Concat(await PodsOfOtherChartAsync(ns)).Any(condition))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        }

        var pods = await ns.Cluster.KubectlAsync("get", "pods", "-n", ns.Name, "-o", "wide");
        Assert.Fail($"the breakage did not show within {timeout.TotalSeconds:0} s:\n{pods.Stdout}");
    }

    private static async Task<IEnumerable<V1Pod>> PodsOfOtherChartAsync(TestNamespace ns) =>
        (await ns.Cluster.Client.CoreV1.ListNamespacedPodAsync(ns.Name, labelSelector: "app.kubernetes.io/name=mlflow")).Items;
}
