namespace MlflowChart.Tests;

/// <summary>
/// How server.value_options, server.flag_options, server.staticPrefix and server.workers become
/// the `mlflow server` command line.
/// </summary>
public sealed class ServerArgsTests
{
    private static async Task<IList<string>> Args(HelmVersion helm, string values) =>
        (await Helm.TemplateAsync(helm, values)).ServerContainer().Args;

    [Theory, BothHelms]
    public async Task Value_options_become_dashed_flags_in_sorted_order(HelmVersion helm)
    {
        var args = await Args(helm, """
            server:
              allowedHosts: {derive: false}
              value_options:
                x_frame_options: DENY
                allowed_hosts: mlflow.example.com
                cors_allowed_origins: https://notebooks.example.com
            """);

        args.Should().ContainInOrder(
            "--allowed-hosts=mlflow.example.com",
            "--cors-allowed-origins=https://notebooks.example.com",
            "--x-frame-options=DENY");
    }

    [Theory, BothHelms]
    public async Task True_is_a_bare_flag_and_false_null_and_empty_render_nothing(HelmVersion helm)
    {
        var args = await Args(helm, """
            server:
              value_options:
                disable_security_middleware: true
                dev: false
                gunicorn_opts: null
                uvicorn_opts: ""
            """);

        args.Should().Contain("--disable-security-middleware");
        args.Should().NotContain(a => a.StartsWith("--dev") || a.StartsWith("--gunicorn-opts") || a.StartsWith("--uvicorn-opts"));
        args.Should().NotContain(a => a.EndsWith("=true") || a.EndsWith("=false"));
    }

    [Theory, BothHelms]
    public async Task A_list_of_hosts_or_origins_is_comma_joined(HelmVersion helm)
    {
        var args = await Args(helm, """
            server:
              allowedHosts: {derive: false}
              value_options:
                allowed_hosts: ["mlflow.example.com", "localhost:*"]
                cors_allowed_origins: ["https://a.example.com", "https://b.example.com"]
            """);

        args.Should().Contain("--allowed-hosts=mlflow.example.com,localhost:*")
            .And.Contain("--cors-allowed-origins=https://a.example.com,https://b.example.com");
    }

    [Theory, BothHelms]
    public async Task Flag_options_become_bare_flags(HelmVersion helm)
    {
        var args = await Args(helm, """
            mlflow:
              defaultArtifactRoot: s3://bucket/mlflow
              backendStoreUri: postgresql://db:5432/mlflow
            server:
              flag_options: [no_serve_artifacts, enable_workspaces]
            """);

        args.Should().Contain("--no-serve-artifacts").And.Contain("--enable-workspaces");
    }

    [Theory, BothHelms]
    public async Task Host_and_port_from_the_docs_example_are_accepted_and_not_repeated(HelmVersion helm)
    {
        var args = await Args(helm, """
            server:
              allowedHosts: {derive: false}
              value_options:
                host: "0.0.0.0"
                port: 5000
                workers: 4
            """);

        args.Should().Equal("server", "--host", "0.0.0.0", "--port", "5000", "--workers=4");
    }

    [Theory, BothHelms]
    public async Task An_IPv6_listen_address_is_honoured(HelmVersion helm)
    {
        var args = await Args(helm, """server: {value_options: {host: "::"}}""");

        args.Should().StartWith(["server", "--host", "::", "--port", "5000"]);
    }

    [Theory, BothHelms]
    public async Task Workers_come_from_server_workers_unless_value_options_names_them(HelmVersion helm)
    {
        (await Args(helm, "server: {workers: 1}")).Should().ContainSingle(a => a.StartsWith("--workers")).Which.Should().Be("--workers=1");
        (await Args(helm, "server: {workers: 1, value_options: {workers: 2}}")).Should().ContainSingle(a => a.StartsWith("--workers"))
            .Which.Should().Be("--workers=2");
    }

    [Theory, BothHelms]
    public async Task Static_prefix_moves_the_ui_and_the_probes(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, "server: {staticPrefix: /mlflow}");
        var container = render.ServerContainer();

        container.Args.Should().Contain("--static-prefix=/mlflow");
        container.StartupProbe.HttpGet.Path.Should().Be("/mlflow/health");
        container.LivenessProbe.TcpSocket.Port.Value.Should().Be("http", "liveness is a TCP check, which no prefix moves");
        container.ReadinessProbe.HttpGet.Path.Should().Be("/mlflow/health");
    }

    [Theory, BothHelms]
    public async Task User_env_and_envFrom_follow_the_charts_own(HelmVersion helm)
    {
        var container = (await Helm.TemplateAsync(helm, """
            env:
              - name: MLFLOW_S3_ENDPOINT_URL
                value: http://minio.storage.svc:9000
            envFrom:
              - secretRef: {name: extra}
            """)).ServerContainer();

        container.Env.Select(e => e.Name).Should().StartWith(["HOME", "USER", "MLFLOW_BACKEND_STORE_URI"]).And.EndWith("MLFLOW_S3_ENDPOINT_URL");
        container.EnvFrom.Should().ContainSingle().Which.SecretRef.Name.Should().Be("extra");
    }
}
