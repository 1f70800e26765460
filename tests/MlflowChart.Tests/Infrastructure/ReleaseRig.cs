using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// What the release tests need, started once per run: a real OCI registry (Debian's
/// docker-registry) on a free loopback port, two throwaway GPG keys (the one releases are signed
/// with and another), and a committed copy of the working tree for scripts/release.sh to release
/// from. Skips the calling test, with the reason, when the registry or GnuPG is not installed
/// (scripts/setup-release-tools.sh installs them).
/// </summary>
public sealed class ReleaseRig
{
    public const string Passphrase = "release-test-passphrase";
    private static readonly Lazy<Task<ReleaseRig>> Instance = new(StartAsync);

    private ReleaseRig(string registry, SigningKey key, SigningKey other)
    {
        Registry = registry;
        Key = key;
        Other = other;
    }

    /// <summary>host:port of the registry.</summary>
    public string Registry { get; }

    public SigningKey Key { get; }

    public SigningKey Other { get; }

    public static async Task<ReleaseRig> RequireAsync()
    {
        var registry = Environment.GetEnvironmentVariable("MLFLOW_REGISTRY_BIN");
        var gpg = Environment.GetEnvironmentVariable("MLFLOW_GPG_BIN");
        if (string.IsNullOrEmpty(registry) || !File.Exists(registry) || string.IsNullOrEmpty(gpg) || !File.Exists(gpg))
        {
            Assert.Skip("No OCI registry or GnuPG on this machine (MLFLOW_REGISTRY_BIN / MLFLOW_GPG_BIN unset; scripts/setup-release-tools.sh installs docker-registry and gnupg as root)");
        }

        return await Instance.Value;
    }

    /// <summary>A fresh git repository holding the working tree as it is (tracked and new files), committed: what a maintainer releases from.</summary>
    public static async Task<string> CommittedCopyAsync()
    {
        var copy = Scratch.Folder("release-tree-");
        var files = await Git(Repo.Root, "ls-files", "-z", "--cached", "--others", "--exclude-standard");
        foreach (var file in files.Stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var from = Path.Combine(Repo.Root, file);
            if (!File.Exists(from))
            {
                continue; // deleted in the working tree
            }

            var to = Path.Combine(copy, file);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
        }

        await Git(copy, "init", "-q");
        await Git(copy, "add", "-A");
        await Git(copy, "-c", "user.name=release-test", "-c", "user.email=release-test@example.invalid", "commit", "-q", "-m", "snapshot");
        return copy;
    }

    public static async Task<ProcessResult> Git(string dir, params string[] args)
    {
        var result = await ProcessRunner.RunAsync("git", ["-C", dir, .. args], TimeSpan.FromSeconds(60));
        return result.Succeeded ? result : throw new InvalidOperationException($"git {string.Join(' ', args)}: {result.Stderr}");
    }

    /// <summary>scripts/release.sh of a copy, with this rig's signing key and the given Helm.</summary>
    public Task<ProcessResult> ReleaseAsync(string tree, HelmVersion helm, params string[] args) =>
        ReleaseAsync(tree, helm, Key.Uid, Key.SecretRing, args);

    public static Task<ProcessResult> ReleaseAsync(string tree, HelmVersion helm, string key, string keyring, params string[] args)
    {
        var env = new Dictionary<string, string>(Helm.Environment)
        {
            ["HELM"] = Helm.Binary(helm),
            ["MLFLOW_SIGN_KEY"] = key,
            ["MLFLOW_SIGN_KEYRING"] = keyring,
            ["MLFLOW_SIGN_PASSPHRASE"] = Passphrase,
        };
        return ProcessRunner.RunAsync("bash", [Path.Combine(tree, "scripts", "release.sh"), .. args], TimeSpan.FromMinutes(5), env, tree);
    }

    private static async Task<ReleaseRig> StartAsync()
    {
        var key = await SigningKey.CreateAsync("mlflow-helm release test <release-test@example.invalid>");
        var other = await SigningKey.CreateAsync("someone else <someone@example.invalid>");
        var dir = Scratch.Folder("registry-");
        var port = Loopback.FreePort();
        var config = Path.Combine(dir, "config.yml");
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {Path.Combine(dir, "data")}
            http:
              addr: 127.0.0.1:{port}
            """);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("MLFLOW_REGISTRY_BIN")!, ["serve", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        };

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/v2/")).StatusCode == HttpStatusCode.OK)
                {
                    return new ReleaseRig($"127.0.0.1:{port}", key, other);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"docker-registry did not answer on 127.0.0.1:{port} within 10 s");
    }
}

/// <summary>A throwaway RSA key in its own GnuPG home, exported as the keyrings Helm reads.</summary>
public sealed record SigningKey(string Uid, string Home, string SecretRing, string PublicRing, string Fingerprint)
{
    public static async Task<SigningKey> CreateAsync(string uid)
    {
        var home = Scratch.Folder("gnupg-"); // created 0700, as GnuPG wants its home
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            Process.Start(new ProcessStartInfo("gpgconf", ["--homedir", home, "--kill", "gpg-agent"]) { UseShellExecute = false })?.WaitForExit(5000);
        await Gpg(home, "--quick-gen-key", uid, "rsa2048", "sign", "never");
        var secret = Path.Combine(home, "secring.gpg");
        var pub = Path.Combine(home, "pubring.export.gpg");
        await Gpg(home, "--output", secret, "--export-secret-keys", uid);
        await Gpg(home, "--output", pub, "--export", uid);
        var listing = await Gpg(home, "--with-colons", "--fingerprint", uid);
        var fingerprint = listing.Stdout.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        return new SigningKey(uid, home, secret, pub, fingerprint);
    }

    private static async Task<ProcessResult> Gpg(string home, params string[] args)
    {
        var result = await ProcessRunner.RunAsync(Environment.GetEnvironmentVariable("MLFLOW_GPG_BIN")!,
            ["--homedir", home, "--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", ReleaseRig.Passphrase, .. args],
            TimeSpan.FromMinutes(2));
        return result.Succeeded ? result : throw new InvalidOperationException($"gpg {string.Join(' ', args)}: {result.Stderr}");
    }
}

/// <summary>A folder served over HTTP on a free loopback port (a classic chart repository), until the run ends.</summary>
public sealed class StaticSite
{
    private StaticSite(string url) => Url = url;

    public string Url { get; }

    public static StaticSite Serve(string folder)
    {
        var port = Loopback.FreePort();
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var path = Path.GetFullPath(Path.Combine(folder, context.Request.Url!.AbsolutePath.TrimStart('/')));
                if (path.StartsWith(Path.GetFullPath(folder), StringComparison.Ordinal) && File.Exists(path))
                {
                    var bytes = await File.ReadAllBytesAsync(path);
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }

                context.Response.Close();
            }
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) => listener.Close();
        return new StaticSite($"http://127.0.0.1:{port}");
    }
}
