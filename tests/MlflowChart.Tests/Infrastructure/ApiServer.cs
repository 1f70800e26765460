using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Autorest;

[assembly: AssemblyFixture(typeof(MlflowChart.Tests.Infrastructure.ApiServerLifetime))]

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// A real kube-apiserver with etcd on loopback, as controller-runtime's envtest runs it: objects
/// are validated and stored for real, admission plugins (PodSecurity enforcing "restricted") run,
/// but no kubelet or controller ever acts on them. Binaries come from KUBEBUILDER_ASSETS
/// (scripts/setup-k8s.sh fills it). Started at most once per test run, on first use, and stopped
/// when the run ends; when the binaries are missing, tests that need it are skipped with the reason.
/// </summary>
public sealed class ApiServer
{
    private const string Token = "mlflow-chart-tests-admin-token";
    private static readonly Lazy<Task<ApiServer>> Instance = new(StartAsync);
    private readonly List<Process> processes;

    private ApiServer(string dir, string kubeconfig, IKubernetes client, List<Process> processes, TimeSpan startup)
    {
        Dir = dir;
        Kubeconfig = kubeconfig;
        Client = client;
        this.processes = processes;
        Startup = startup;
    }

    public string Dir { get; }

    /// <summary>A kubeconfig for kubectl and helm (token auth, self-signed serving certificate).</summary>
    public string Kubeconfig { get; }

    public IKubernetes Client { get; }

    /// <summary>How long etcd, the API server and the CRDs took to become ready.</summary>
    public TimeSpan Startup { get; }

    public static bool Started => Instance.IsValueCreated && Instance.Value.IsCompletedSuccessfully;

    /// <summary>Why the API server cannot run here, or null when it can.</summary>
    public static string? MissingReason
    {
        get
        {
            var assets = Environment.GetEnvironmentVariable("KUBEBUILDER_ASSETS");
            if (string.IsNullOrEmpty(assets))
            {
                return "KUBEBUILDER_ASSETS is not set (scripts/test.sh sets it from scripts/setup-k8s.sh)";
            }

            var missing = new[] { "etcd", "kube-apiserver", "kubectl" }.Where(b => !File.Exists(Path.Combine(assets, b))).ToList();
            return missing.Count == 0 ? null : $"{string.Join(", ", missing)} not found in KUBEBUILDER_ASSETS={assets}";
        }
    }

    /// <summary>The shared API server; skips the calling test when its binaries are not on this machine.</summary>
    public static async Task<ApiServer> RequireAsync()
    {
        if (MissingReason is { } reason)
        {
            Assert.Skip($"No Kubernetes API server on this machine: {reason}");
        }

        return await Instance.Value;
    }

    public static string Binary(string name) =>
        Path.Combine(Environment.GetEnvironmentVariable("KUBEBUILDER_ASSETS")!, name);

    /// <summary>kubectl against this API server.</summary>
    public Task<ProcessResult> KubectlAsync(params string[] args) =>
        ProcessRunner.RunAsync(Binary("kubectl"), ["--kubeconfig", Kubeconfig, .. args], TimeSpan.FromSeconds(120));

    /// <summary>helm against this API server.</summary>
    public Task<ProcessResult> HelmAsync(HelmVersion version, params string[] args) =>
        Infrastructure.Helm.RunAsync(version, [.. args, "--kubeconfig", Kubeconfig]);

    /// <summary>Creates a namespace (labelled to enforce the restricted Pod Security Standard) unless it exists.</summary>
    public async Task<string> NamespaceAsync(string name)
    {
        var ns = new V1Namespace
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string>
                {
                    ["pod-security.kubernetes.io/enforce"] = "restricted",
                    ["pod-security.kubernetes.io/enforce-version"] = "latest",
                    ["pod-security.kubernetes.io/warn"] = "restricted",
                },
            },
        };
        try
        {
            await Client.CoreV1.CreateNamespaceAsync(ns);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }

        return name;
    }

    internal async Task StopAsync()
    {
        foreach (var process in Enumerable.Reverse(processes))
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
            }
        }

        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal static async Task StopIfStartedAsync()
    {
        if (Started)
        {
            await (await Instance.Value).StopAsync();
        }
    }

    private static async Task<ApiServer> StartAsync()
    {
        var clock = Stopwatch.StartNew();
        var dir = Scratch.Folder("mlflow-apiserver-");
        var processes = new List<Process>();
        try
        {
            var (etcdClient, etcdPeer, securePort) = (Loopback.FreePort(), Loopback.FreePort(), Loopback.FreePort());
            processes.Add(Launch(Binary("etcd"), dir, "etcd",
                "--data-dir", Path.Combine(dir, "etcd"),
                "--listen-client-urls", $"http://127.0.0.1:{etcdClient}",
                "--advertise-client-urls", $"http://127.0.0.1:{etcdClient}",
                "--listen-peer-urls", $"http://127.0.0.1:{etcdPeer}",
                "--initial-advertise-peer-urls", $"http://127.0.0.1:{etcdPeer}",
                "--initial-cluster", $"default=http://127.0.0.1:{etcdPeer}"));

            File.WriteAllText(Path.Combine(dir, "tokens.csv"), $"{Token},admin,admin,system:masters\n");
            using (var rsa = RSA.Create(2048))
            {
                File.WriteAllText(Path.Combine(dir, "sa.key"), rsa.ExportRSAPrivateKeyPem());
                File.WriteAllText(Path.Combine(dir, "sa.pub"), rsa.ExportSubjectPublicKeyInfoPem());
            }

            File.WriteAllText(Path.Combine(dir, "admission.yaml"), """
                apiVersion: apiserver.config.k8s.io/v1
                kind: AdmissionConfiguration
                plugins:
                  - name: PodSecurity
                    configuration:
                      apiVersion: pod-security.admission.config.k8s.io/v1
                      kind: PodSecurityConfiguration
                      defaults:
                        enforce: restricted
                        enforce-version: latest
                        warn: restricted
                        warn-version: latest
                      exemptions:
                        namespaces: [kube-system]
                """);
            processes.Add(Launch(Binary("kube-apiserver"), dir, "kube-apiserver",
                $"--etcd-servers=http://127.0.0.1:{etcdClient}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                $"--secure-port={securePort}",
                $"--cert-dir={Path.Combine(dir, "certs")}",
                $"--token-auth-file={Path.Combine(dir, "tokens.csv")}",
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc",
                $"--service-account-key-file={Path.Combine(dir, "sa.pub")}",
                $"--service-account-signing-key-file={Path.Combine(dir, "sa.key")}",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--disable-admission-plugins=ServiceAccount",
                "--enable-admission-plugins=PodSecurity",
                $"--admission-control-config-file={Path.Combine(dir, "admission.yaml")}"));

            await WaitReadyAsync(securePort, processes, dir);

            var kubeconfig = Loopback.WriteKubeconfig(dir, $"https://127.0.0.1:{securePort}", Token);
            var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            var server = new ApiServer(dir, kubeconfig, client, processes, TimeSpan.Zero);
            await server.InstallCrdsAsync();
            return new ApiServer(dir, kubeconfig, client, processes, clock.Elapsed);
        }
        catch
        {
            foreach (var p in processes.Where(p => !p.HasExited))
            {
                p.Kill(entireProcessTree: true);
            }

            throw;
        }
    }

    private async Task InstallCrdsAsync()
    {
        var crds = Environment.GetEnvironmentVariable("MLFLOW_CRDS");
        if (string.IsNullOrEmpty(crds) || !Directory.Exists(crds))
        {
            throw new InvalidOperationException(
                $"MLFLOW_CRDS={crds} is not a folder of CRDs; scripts/setup-k8s.sh sets it to ../shared/k8s/crds");
        }

        var apply = await KubectlAsync("apply", "--server-side", "-f", crds);
        if (!apply.Succeeded)
        {
            throw new InvalidOperationException($"Installing the CRDs from {crds} failed:\n{apply.Stderr}");
        }

        var wait = await KubectlAsync("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s");
        if (!wait.Succeeded)
        {
            throw new InvalidOperationException($"The CRDs did not become established:\n{wait.Stderr}");
        }

        var prerequisites = Path.Combine(AppContext.BaseDirectory, "cluster-prerequisites.yaml");
        var created = await KubectlAsync("apply", "--server-side", "-f", prerequisites);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException($"Applying {prerequisites} failed:\n{created.Stderr}");
        }
    }

    private static Process Launch(string file, string dir, string name, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}");
        var log = new StreamWriter(Path.Combine(dir, $"{name}.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(int port, List<Process> processes, string dir)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (processes.FirstOrDefault(p => p.HasExited) is { } dead)
            {
                throw new InvalidOperationException(
                    $"{dead.StartInfo.FileName} exited with {dead.ExitCode}:\n{Tail(dir, Path.GetFileName(dead.StartInfo.FileName))}");
            }

            try
            {
                var body = await http.GetStringAsync($"https://127.0.0.1:{port}/readyz");
                if (body.Trim() == "ok")
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"kube-apiserver was not ready within 60 s:\n{Tail(dir, "kube-apiserver")}");
    }

    private static string Tail(string dir, string name)
    {
        var path = Path.Combine(dir, $"{name}.log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(20)) : "(no log)";
    }
}

/// <summary>Stops the API server, if a test started it, when the test run ends.</summary>
public sealed class ApiServerLifetime : IAsyncDisposable
{
    public ValueTask DisposeAsync() => new(ApiServer.StopIfStartedAsync());
}
