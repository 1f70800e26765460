using k8s;
using MlflowChart.Doctor;

namespace MlflowChart.Tests;

/// <summary>
/// doctor's verdicts on what it saw in real releases, broken and healthy: each file in DoctorRecords is a
/// snapshot recorded on the real cluster (`MLFLOW_DOCTOR_RECORD=DIR scripts/cluster-test.sh`, the
/// same breakages as DoctorOnClusterTests: API objects, events, log tails, the server's answers;
/// Secret key names, never values). CI has no cluster; these keep the checks' logic tested there.
/// </summary>
public sealed class DoctorRecordedTests
{
    private static Snapshot Recorded(string name) =>
        KubernetesJson.Deserialize<Snapshot>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "DoctorRecords", $"{name}.json")));

    private static Finding ShouldFail(IReadOnlyList<Finding> findings, string area, params string[] words)
    {
        var match = findings.FirstOrDefault(f => f.Verdict == Verdict.Fail && f.Area == area && words.All(w => $"{f.Check}: {f.Evidence} fix: {f.Fix}".Contains(w, StringComparison.Ordinal)));
        match.Should().NotBeNull($"a FAIL in {area} names {string.Join(", ", words)}; found:\n{string.Join('\n', findings.Select(f => $"{f.Verdict} {f.Area}/{f.Check}: {f.Evidence} | {f.Fix}"))}");
        return match!;
    }

    [Fact]
    public void An_ingress_host_outside_the_allowed_hosts_is_named_with_the_403_the_server_gave()
    {
        var findings = Checks.Run(Recorded("ingress-host-not-allowed"));

        ShouldFail(findings, "hosts", "mlflow.example.com answered 403", "--allowed-hosts=localhost:*", "derive=true");
    }

    [Fact]
    public void On_another_chart_the_ingress_host_gets_403_under_mlflows_defaults_and_the_body_limit_is_named()
    {
        var snapshot = Recorded("other-chart-ingress-host");
        var findings = Checks.Run(snapshot);

        snapshot.Chart.Should().Be("other-mlflow-1.0.0");
        ShouldFail(findings, "hosts", "Ingress tracking-mlflow", "answered 403", "MLflow's defaults");
        ShouldFail(findings, "artifacts", "default 1m", "413", "proxy-body-size");
        findings.Should().Contain(f => f.Area == "hosts" && f.Verdict == Verdict.Ok, "port-forward and pod IPs pass MLflow's defaults");
        findings.Should().Contain(f => f.Area == "hosts" && f.Check == "Service tracking-mlflow" && f.Verdict == Verdict.Warn && f.Evidence.Contains("answered 403"),
            "the Service's in-cluster names are not private IPs either");
    }

    [Theory]
    [InlineData("oomkilled", "1024 MiB")]
    [InlineData("other-chart-oomkilled", "512 MiB")]
    public void An_OOMKilled_server_is_named_with_its_limit_and_the_size_its_settings_need(string record, string limit)
    {
        var findings = Checks.Run(Recorded(record));

        ShouldFail(findings, "pods", "OOMKilled", limit, "4 worker(s) and job execution on", "limit 3072Mi", "resources.limits.memory to 3072Mi");
    }

    [Fact]
    public void On_the_upstream_charts_documented_values_port_forward_and_the_service_names_get_403()
    {
        // Recorded from a release of the upstream mlflow/mlflow chart (its own templates), with its
        // docs' Ingress values: allowed_hosts mlflow.example.com and that Ingress host.
        var snapshot = Recorded("upstream-chart-docs-values");
        var findings = Checks.Run(snapshot);

        snapshot.Chart.Should().Be("mlflow-0.1.1");
        ShouldFail(findings, "hosts", "localhost:5000", "answered 403", "kubectl port-forward", "--allowed-hosts=mlflow.example.com");
        findings.Should().Contain(f => f.Area == "hosts" && f.Check == "Service mlflow-mlflow" && f.Verdict == Verdict.Warn && f.Evidence.Contains("answered 403"));
        findings.Should().NotContain(f => f.Check == "mlflow.example.com", "the Ingress host itself is listed, so it passes");
    }

    [Fact]
    public void On_the_upstream_chart_a_512Mi_limit_is_OOMKilled_and_sized()
    {
        var findings = Checks.Run(Recorded("upstream-chart-oomkilled"));

        ShouldFail(findings, "pods", "OOMKilled", "512 MiB", "4 worker(s) and job execution on", "limit 3072Mi");
    }

    [Fact]
    public void A_missing_secret_key_is_named_with_the_keys_the_secret_has()
    {
        var findings = Checks.Run(Recorded("secret-without-key"));

        ShouldFail(findings, "secrets", "access-key-id", "holds only: access-key, secret-key", "add the key access-key-id");
        ShouldFail(findings, "pods", "CreateContainerConfigError");
    }

    [Fact]
    public void A_claim_of_a_missing_storage_class_is_named_with_the_classes_there_are()
    {
        var findings = Checks.Run(Recorded("missing-storage-class"));

        ShouldFail(findings, "storage", "mlflow-mlflow-data", "\"fast-ssd\" not found", "storage class \"fast-ssd\" does not exist", "one of: standard");
        ShouldFail(findings, "pods", "Pending", "unbound");
    }

    [Fact]
    public void A_failed_migration_is_named_with_its_log_line_even_before_the_server_exists()
    {
        var findings = Checks.Run(Recorded("failed-migration"));

        ShouldFail(findings, "release", "no Deployment", "install stopped before creating it");
        ShouldFail(findings, "database", "mlflow-mlflow-migrate", "scheme postgres", "helm upgrade again");
    }

    [Fact]
    public void A_failing_gc_job_is_named_with_its_last_line_and_the_credentials_to_check()
    {
        var findings = Checks.Run(Recorded("gc-fails"));

        ShouldFail(findings, "operations", "mlflow-mlflow-gc", "failed", "401", "auth.admin.existingSecret");
        findings.Where(f => f.Area == "pods").Should().OnlyContain(f => f.Verdict == Verdict.Ok, "the server itself is fine");
    }

    [Fact]
    public void Basic_auth_with_mlflows_default_users_database_on_a_read_only_root_is_named()
    {
        var findings = Checks.Run(Recorded("other-chart-auth-read-only-root"));

        ShouldFail(findings, "auth", "sqlite:///basic_auth.db", "read-only root filesystem", "never becomes healthy", "MLFLOW_AUTH_CONFIG_PATH");
    }

    [Theory]
    [InlineData("healthy-quick-start", "hosts pods storage operations")]
    [InlineData("healthy-production", "hosts pods secrets auth operations")]
    public void A_healthy_release_gets_only_ok(string record, string areas)
    {
        var findings = Checks.Run(Recorded(record));

        findings.Where(f => f.Verdict != Verdict.Ok).Should().BeEmpty(
            $"the release was healthy when recorded; found:\n{string.Join('\n', findings.Select(f => $"{f.Verdict} {f.Area}/{f.Check}: {f.Evidence}"))}");
        findings.Select(f => f.Area).Distinct().Should().BeEquivalentTo(areas.Split(' '), "each check that applies to the release has run");
    }

    [Theory]
    [InlineData("oomkilled")]
    [InlineData("gc-fails")]
    [InlineData("secret-without-key")]
    [InlineData("healthy-production")]
    public void A_recorded_snapshot_holds_secret_key_names_and_never_values(string record)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "DoctorRecords", $"{record}.json"));

        text.Should().NotContain("s3cret-Admin-passw0rd").And.NotContain("rotated-but-not-applied")
            .And.NotContain("0123456789abcdef0123456789abcdef", "doctor reads Secrets for their key names only");
    }
    [Fact]
    public void Pods_a_quota_refuses_are_named_with_the_quota_and_the_waiting_claim_is_not_blamed()
    {
        var findings = Checks.Run(Recorded("quota-refuses-pods"));

        ShouldFail(findings, "pods", "no server pod was ever created", "exceeded quota: mlflow-quota", "ResourceQuota mlflow-quota");
        findings.Should().NotContain(f => f.Area == "storage" && f.Verdict != Verdict.Ok, "the claim waits for a pod that was never created");
        findings.Should().NotContain(f => f.Evidence.Contains("has no pods", StringComparison.Ordinal), "the symptom gives way to its cause");
    }

    [Fact]
    public void Pods_pod_security_refuses_are_named_with_the_rule()
    {
        ShouldFail(Checks.Run(Recorded("pod-security-refuses-pods")), "pods", "violates PodSecurity", "hostPath", "extraVolumes");
    }

    [Fact]
    public void A_service_that_selects_no_pod_is_named_with_its_selector()
    {
        var findings = Checks.Run(Recorded("service-selects-no-pod"));

        ShouldFail(findings, "service", "Service mlflow-mlflow", "app.kubernetes.io/component=tracking", "helm upgrade restores");
    }

    [Fact]
    public void A_rotated_database_password_is_a_stuck_rollout_naming_the_secret_and_the_rollback()
    {
        var findings = Checks.Run(Recorded("rotated-database-password"));

        var fail = ShouldFail(findings, "rollout", "the rollout of revision 2 is stuck", "password authentication failed", "Secret mlflow-db-secret/uri", "kubectl rollout undo");
        fail.Evidence.Should().NotContain("(Background on this error", "the quoted line is the exception's message");
    }

    [Fact]
    public void A_bucket_that_does_not_exist_is_named_with_the_stores_error()
    {
        ShouldFail(Checks.Run(Recorded("no-such-bucket")), "artifacts", "s3://no-such-bucket/mlflow", "NoSuchBucket", "create the bucket");
    }
    [Fact]
    public void A_database_that_went_away_is_named_with_the_secret_of_its_uri()
    {
        ShouldFail(Checks.Run(Recorded("database-gone")), "database", "backend store", "cannot query it", "Secret mlflow-db-secret/uri", "cannot be reached");
    }

    [Fact]
    public void Pods_a_limit_range_refuses_are_named_with_the_limit()
    {
        ShouldFail(Checks.Run(Recorded("limit-range-refuses-pods")), "pods", "no server pod was ever created", "maximum memory usage per Container is 256Mi", "LimitRange", "resources");
    }

    [Fact]
    public void Pods_of_a_missing_service_account_are_named_with_the_account()
    {
        ShouldFail(Checks.Run(Recorded("service-account-missing")), "pods", "no server pod was ever created", "ServiceAccount mlflow-runner does not exist", "serviceAccount.create=true");
    }

    [Fact]
    public void Pods_an_admission_webhook_refuses_are_named_with_the_webhook()
    {
        // The quota record, with the refusal Kyverno gives instead (the rig runs no webhook; the text is Kyverno's).
        var snapshot = Recorded("quota-refuses-pods");
        foreach (var e in snapshot.Events.Where(e => e.Reason == "FailedCreate"))
        {
            e.Message = "Error creating: admission webhook \"validate.kyverno.svc-fail\" denied the request: \n\nresource Pod/mlflow/mlflow-mlflow-6d4b9-x2x7q was blocked due to the following policies \n\nrequire-team-label:\n  check-team: 'validation error: every pod needs a team label. rule check-team failed at path /metadata/labels/team/'";
        }

        ShouldFail(Checks.Run(snapshot), "pods", "no server pod was ever created", "validate.kyverno.svc-fail", "every pod needs a team label", "an admission webhook refused the pod");
    }

    [Fact]
    public void A_wrong_s3_secret_key_is_named_with_the_secret_that_holds_it()
    {
        ShouldFail(Checks.Run(Recorded("wrong-s3-secret-key")), "artifacts", "SignatureDoesNotMatch", "Secret s3-credentials/secret-access-key");
    }

    [Fact]
    public void An_s3_endpoint_that_cannot_be_reached_is_named_with_its_url()
    {
        ShouldFail(Checks.Run(Recorded("s3-endpoint-unreachable")), "artifacts", "EndpointConnectionError", "MLFLOW_S3_ENDPOINT_URL=http://s3-old:9000");
    }

    [Fact]
    public void A_gcs_destination_without_its_client_in_the_image_is_a_fail()
    {
        ShouldFail(Checks.Run(Recorded("gcs-without-client")), "artifacts", "gs://team-mlflow/artifacts", "MissingLibrary", "google-cloud-storage", "-full");
    }

    [Theory]
    [InlineData("schema-behind", "expects", "migrations.enabled=true")]
    [InlineData("schema-ahead", "does not know", "image.tag")]
    public void A_schema_the_servers_mlflow_does_not_expect_is_named_before_a_restart(string record, string evidence, string fix)
    {
        ShouldFail(Checks.Run(Recorded(record)), "database", "the database schema is at", evidence, fix);
    }

    [Fact]
    public void On_the_upstream_charts_production_release_the_store_the_service_path_and_the_rollout_are_named()
    {
        Checks.Run(Recorded("upstream-healthy")).Should().NotContain(f => f.Verdict == Verdict.Fail, "the upstream release was healthy before the breakages");
        ShouldFail(Checks.Run(Recorded("upstream-wrong-s3-key")), "artifacts", "SignatureDoesNotMatch", "Secret s3-credentials/secret-access-key");
        ShouldFail(Checks.Run(Recorded("upstream-service-selects-no-pod")), "service", "app.kubernetes.io/component=tracking");
        ShouldFail(Checks.Run(Recorded("upstream-rotated-database-password")), "rollout", "is stuck", "password authentication failed", "Secret mlflow-db-secret/uri");
    }
}
