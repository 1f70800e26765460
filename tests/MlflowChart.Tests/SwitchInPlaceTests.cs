namespace MlflowChart.Tests;

/// <summary>
/// What lets a release of the upstream chart (mlflow/mlflow, charts/) upgrade in place to this
/// one, seen in the render: its selector, its claim, no hook that waits on an object the release
/// creates later, and its way of configuring basic auth (env MLFLOW_AUTH_CONFIG_PATH and an INI
/// the user mounts). The upgrades themselves run in Cluster/SwitchInPlaceOnClusterTests.
/// </summary>
public sealed class SwitchInPlaceTests
{
    /// <summary>The upstream chart's basic auth, as its users write it: their INI in a Secret, mounted, named by env.</summary>
    public const string UpstreamAuthIni = """
        server:
          value_options:
            app_name: basic-auth
        env:
          - name: MLFLOW_AUTH_CONFIG_PATH
            value: /etc/mlflow-auth/basic_auth.ini
          - name: MLFLOW_FLASK_SERVER_SECRET_KEY
            valueFrom:
              secretKeyRef: {name: mlflow-auth-secret, key: secret-key}
        extraVolumes:
          - name: auth-ini
            secret:
              secretName: mlflow-basic-auth-ini
        extraVolumeMounts:
          - name: auth-ini
            mountPath: /etc/mlflow-auth
            readOnly: true

        """ + QuickStartTests.DocsValues;

    [Theory, BothHelms]
    public async Task The_quick_start_has_the_upstream_charts_selector_claim_and_service(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, null, QuickStartTests.DocsFlags);

        render.Server().Spec.Selector.MatchLabels.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = "mlflow",
            ["app.kubernetes.io/instance"] = "mlflow",
        }, "a Deployment's selector cannot change, and this is the upstream chart's");
        var claim = render.Single<V1PersistentVolumeClaim>();
        claim.Metadata.Name.Should().Be("mlflow-mlflow", "the upstream chart's claim, which holds its users' runs");
        claim.Metadata.Annotations.Should().Contain("helm.sh/resource-policy", "keep");
        (claim.Spec.AccessModes.Single(), claim.Spec.Resources.Requests["storage"].ToString()).Should().Be(("ReadWriteOnce", "10Gi"),
            "the upstream defaults: a claim's size cannot shrink and its access modes cannot change");
        claim.Spec.StorageClassName.Should().BeNull("the upstream chart leaves the class to the cluster; a patch to it would be refused");
        var service = render.Single<V1Service>();
        (service.Metadata.Name, service.Spec.Ports.Single().Port, service.Spec.Type).Should().Be(("mlflow-mlflow", 5000, "ClusterIP"));
    }

    [Theory, BothHelms]
    public async Task No_hook_waits_on_an_object_the_same_release_creates(HelmVersion helm)
    {
        foreach (var values in new[] { null, ScenarioFiles.Read("charts/example-mlflow-charts.yaml"), ScenarioFiles.Read("charts/ci/basic-auth-values.yaml"), ScenarioFiles.Read("charts/ci/everything-values.yaml"), UpstreamAuthIni })
        {
            var render = await Helm.TemplateAsync(helm, values, values is null ? QuickStartTests.DocsFlags : []);
            var created = render.Objects.Where(o => !(o.Meta().Annotations?.ContainsKey("helm.sh/hook") ?? false))
                .Select(o => $"{o.Kind}/{o.Meta().Name}").ToHashSet();
            foreach (var hook in render.PodTemplates().Where(p => p.Owner.StartsWith("Job/", StringComparison.Ordinal)))
            {
                var claims = hook.Spec.Volumes?.Where(v => v.PersistentVolumeClaim != null).Select(v => v.PersistentVolumeClaim.ClaimName) ?? [];
                claims.Should().NotContain(c => created.Contains($"PersistentVolumeClaim/{c}"),
                    $"{hook.Owner} runs before install and before an Argo CD sync, when the release's own claim does not exist yet");
                var sa = hook.Spec.ServiceAccountName;
                created.Should().NotContain($"ServiceAccount/{sa}", $"{hook.Owner} runs before the release's ServiceAccount exists");
                var secrets = hook.Spec.Containers.SelectMany(c => c.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Name)
                    .Concat(hook.Spec.Volumes?.Select(v => v.Secret?.SecretName) ?? []).OfType<string>();
                secrets.Should().NotContain(n => created.Contains($"Secret/{n}"), $"{hook.Owner} runs before the release's own Secrets exist");
            }
        }
    }

    [Theory, BothHelms]
    public async Task The_upstream_charts_own_auth_ini_is_honoured_and_the_chart_writes_none(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, UpstreamAuthIni);
        var server = render.ServerContainer();
        var pod = render.Server().Spec.Template.Spec;

        server.Args.Should().Contain("--app-name=basic-auth");
        server.Env.Where(e => e.Name == "MLFLOW_AUTH_CONFIG_PATH").Should().ContainSingle()
            .Which.Value.Should().Be("/etc/mlflow-auth/basic_auth.ini", "the user's INI, not one of the chart's");
        server.VolumeMounts.Should().Contain(m => m.MountPath == "/etc/mlflow-auth");
        render.All<V1Secret>().Should().BeEmpty("the chart writes no INI of its own");
        (pod.InitContainers ?? []).Select(c => c.Name).Should().NotContain("auth-config");
        pod.InitContainers!.Single(c => c.Name == "migrate").Env.Should().NotContain(e => e.Name == "MLFLOW_AUTH_DATABASE_URI",
            "the users database is the INI's, which MLflow prepares itself at start");

        var notes = (await Helm.NotesAsync(helm, UpstreamAuthIni)).Stdout;
        notes.Should().Contain("MLflow reads the INI at /etc/mlflow-auth/basic_auth.ini").And.Contain("the chart writes none");
    }
}
