namespace MlflowChart.Tests;

/// <summary>
/// The documented quick start, flag for flag, and the bare `helm install mlflow ./charts` that
/// must give the same try-it-out server.
/// </summary>
public sealed class QuickStartTests
{
    /// <summary>The docs' command: helm install mlflow ./charts --namespace mlflow --set ... (the shell drops the quotes).</summary>
    public static readonly string[] DocsFlags =
    [
        "--set", "storage.enabled=true",
        "--set", "mlflow.backendStoreUri=sqlite:////mlflow/mlflow.db",
        "--set", "mlflow.artifactsDestination=/mlflow/artifacts",
    ];

    /// <summary>The same settings as a values file (an Argo CD Application's, a converter's input).</summary>
    public const string DocsValues = """
        storage:
          enabled: true
        mlflow:
          backendStoreUri: "sqlite:////mlflow/mlflow.db"
          artifactsDestination: "/mlflow/artifacts"

        """;

    private static Task<Render> QuickStart(HelmVersion helm) => Helm.TemplateAsync(helm, null, DocsFlags);

    [Theory, BothHelms]
    public async Task The_docs_values_file_says_what_the_docs_flags_say(HelmVersion helm)
    {
        (await Helm.TemplateAsync(helm, DocsValues)).Manifest.Should().Be((await QuickStart(helm)).Manifest,
            "tests that take the quick start as a values file install exactly the docs' command");
    }

    [Theory, BothHelms]
    public async Task Quick_start_serves_svc_mlflow_mlflow_on_port_5000(HelmVersion helm)
    {
        var render = await QuickStart(helm);

        var service = render.Single<V1Service>();
        service.Metadata.Name.Should().Be("mlflow-mlflow");
        service.Spec.Type.Should().Be("ClusterIP");
        var port = service.Spec.Ports.Should().ContainSingle().Subject;
        port.Port.Should().Be(5000);
        port.Name.Should().Be("http");
        port.TargetPort.Value.Should().Be("http");

        var deployment = render.Server();
        deployment.Metadata.Name.Should().Be("mlflow-mlflow", "the docs show pods named mlflow-mlflow-xxxxxxxxxx-xxxxx");
        deployment.Spec.Replicas.Should().Be(1);
        var containerPort = render.ServerContainer().Ports.Should().ContainSingle().Subject;
        (containerPort.Name, containerPort.ContainerPort).Should().Be(("http", 5000));
        service.Spec.Selector.Should().BeEquivalentTo(deployment.Spec.Selector.MatchLabels);
    }

    [Theory, BothHelms]
    public async Task Quick_start_runs_mlflow_server_on_all_addresses_port_5000(HelmVersion helm)
    {
        var container = (await QuickStart(helm)).ServerContainer();

        container.Image.Should().Be(Repo.DefaultImage).And.StartWith("ghcr.io/mlflow/mlflow:v3.");
        container.Command.Should().Equal("mlflow");
        container.Args.Should().StartWith(["server", "--host", "0.0.0.0", "--port", "5000"]);
    }

    [Theory, BothHelms]
    public async Task Quick_start_keeps_runs_and_artifacts_on_a_claim_that_survives_uninstall(HelmVersion helm)
    {
        var render = await QuickStart(helm);

        var claim = render.Single<V1PersistentVolumeClaim>();
        claim.Metadata.Name.Should().Be("mlflow-mlflow");
        claim.Metadata.Annotations.Should().Contain("helm.sh/resource-policy", "keep");
        claim.Spec.AccessModes.Should().Equal("ReadWriteOnce");
        claim.Spec.Resources.Requests["storage"].ToString().Should().Be("10Gi");

        var pod = render.Server().Spec.Template.Spec;
        var volume = pod.Volumes.Single(v => v.PersistentVolumeClaim is not null);
        volume.PersistentVolumeClaim.ClaimName.Should().Be("mlflow-mlflow");
        render.ServerContainer().VolumeMounts.Should().ContainSingle(m => m.Name == volume.Name)
            .Which.MountPath.Should().Be("/mlflow");
    }

    [Theory, BothHelms]
    public async Task Quick_start_uses_Recreate_so_the_volume_is_never_attached_twice(HelmVersion helm)
    {
        var strategy = (await QuickStart(helm)).Server().Spec.Strategy;

        strategy.Type.Should().Be("Recreate");
        strategy.RollingUpdate.Should().BeNull();
    }

    [Theory, BothHelms]
    public async Task Quick_start_passes_the_stores_as_environment_not_argv(HelmVersion helm)
    {
        var container = (await QuickStart(helm)).ServerContainer();

        container.Env("MLFLOW_BACKEND_STORE_URI")!.Value.Should().Be("sqlite:////mlflow/mlflow.db");
        container.Env("MLFLOW_ARTIFACTS_DESTINATION")!.Value.Should().Be("/mlflow/artifacts");
        container.Args.Should().NotContain(a => a.Contains("sqlite") || a.Contains("/mlflow/artifacts"));
    }

    [Theory, BothHelms]
    public async Task Quick_start_probes_health_on_the_named_port(HelmVersion helm)
    {
        var container = (await QuickStart(helm)).ServerContainer();

        foreach (var probe in new[] { container.StartupProbe, container.ReadinessProbe })
        {
            probe.Should().NotBeNull();
            probe.HttpGet.Path.Should().Be("/health");
            probe.HttpGet.Port.Value.Should().Be("http");
            probe.HttpGet.Scheme.Should().Be("HTTP");
        }

        // Liveness asks only whether the server accepts connections: an HTTP check waits in line
        // behind busy workers, and on a loaded node that got healthy servers killed.
        container.LivenessProbe.HttpGet.Should().BeNull();
        container.LivenessProbe.TcpSocket.Port.Value.Should().Be("http");
    }

    [Theory, BothHelms]
    public async Task Bare_install_is_the_quick_start(HelmVersion helm)
    {
        var bare = (await Helm.TemplateAsync(helm)).ShouldSucceed();
        var quickStart = (await QuickStart(helm)).ShouldSucceed();

        bare.Manifest.Should().Be(quickStart.Manifest,
            "helm install mlflow ./charts with no values must give the docs' SQLite-on-a-claim server");
    }

    [Theory, BothHelms]
    public async Task Notes_tell_how_to_reach_the_server_and_that_it_is_for_trying_out(HelmVersion helm)
    {
        var notes = await Helm.NotesAsync(helm);

        notes.Succeeded.Should().BeTrue(notes.Stderr);
        notes.Stdout.Should().Contain("kubectl port-forward -n mlflow svc/mlflow-mlflow 5000:5000");
        notes.Stdout.Should().Contain("mlflow.set_tracking_uri(\"http://localhost:5000\")");
        notes.Stdout.Should().Contain("TRY-IT-OUT").And.Contain("mlflow.backendStoreUriFrom");
    }
}
