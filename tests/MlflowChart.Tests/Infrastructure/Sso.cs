using System.Security.Cryptography;
using System.Text.Json;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// The image of the single sign-on tests: the rig's MLflow with the mlflow-oidc-auth plugin, and
/// node with oidc-provider (scripts/sso-image.sh builds and imports it, once per machine).
/// MLFLOW_SSO_IMAGE names an image already on the node instead.
/// </summary>
public static class SsoImage
{
    private static readonly Lazy<Task<(string? Image, string? Reason)>> Built = new(BuildAsync);

    public static async Task<string> RequireAsync()
    {
        var (image, reason) = await Built.Value;
        if (image is null)
        {
            Assert.Skip(reason!);
        }

        return image!;
    }

    private static async Task<(string? Image, string? Reason)> BuildAsync()
    {
        if (Environment.GetEnvironmentVariable("MLFLOW_SSO_IMAGE") is { Length: > 0 } named)
        {
            return (named, null);
        }

        var result = await ProcessRunner.RunAsync("bash", [Path.Combine(Repo.Root, "scripts", "sso-image.sh")], TimeSpan.FromMinutes(20));
        var name = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return result.Succeeded && name is { Length: > 0 }
            ? (name, null)
            : (null, $"the SSO image could not be built (scripts/sso-image.sh): {result.Stderr.Trim().Split('\n').LastOrDefault()}");
    }

    /// <summary>Values that run a release on the SSO image.</summary>
    public static string Values(string image)
    {
        var colon = image.LastIndexOf(':');
        return $"image:\n  repository: {image[..colon]}\n  tag: {image[(colon + 1)..]}\n  pullPolicy: Never\n";
    }
}

/// <summary>
/// Debian's chromium, which the browser tests drive headless (MLFLOW_CHROMIUM names another): its
/// binary itself, /usr/lib/chromium/chromium, without the /usr/bin/chromium wrapper script.
/// </summary>
public static class Chromium
{
    public static string Require()
    {
        var path = Environment.GetEnvironmentVariable("MLFLOW_CHROMIUM") is { Length: > 0 } p ? p : "/usr/lib/chromium/chromium";
        if (!File.Exists(path))
        {
            Assert.Skip($"no chromium at {path} (apt-get install chromium, or set MLFLOW_CHROMIUM)");
        }

        return path;
    }
}

/// <summary>A person of the test provider: user name, password, email and groups.</summary>
public sealed record SsoUser(string Name, string Password, string Email, string[] Groups);

/// <summary>
/// An OpenID provider in the test namespace: oidc-provider under node (Sso/provider.mjs), as the
/// Service `oidc` whose port is also the local port of a port-forward, so the issuer URL
/// `http://oidc.NAMESPACE.svc.cluster.local:PORT` is the same for the server pods and for a
/// browser that maps that host to 127.0.0.1. Its signing key is generated here and handed over in
/// a Secret; one confidential client, `mlflow`, with the redirect URI the test gives.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "mlflow";

    private readonly PortForward forward;

    private OidcProvider(string host, int port, string clientSecret, PortForward forward)
    {
        Host = host;
        Port = port;
        ClientSecret = clientSecret;
        this.forward = forward;
    }

    public string Host { get; }

    public int Port { get; }

    public string Issuer => $"http://{Host}:{Port}";

    public string DiscoveryUrl => $"{Issuer}/.well-known/openid-configuration";

    public string ClientSecret { get; }

    /// <summary>alice and bob may log in (group mlflow), dana is an admin (mlflow-admin), carol is in neither.</summary>
    public static readonly IReadOnlyDictionary<string, SsoUser> Users = new[]
    {
        new SsoUser("alice", "alice-Pw-1", "alice@example.com", ["mlflow", "ml-team"]),
        new SsoUser("bob", "bob-Pw-2", "bob@example.com", ["mlflow"]),
        new SsoUser("carol", "carol-Pw-3", "carol@example.com", ["finance"]),
        new SsoUser("dana", "dana-Pw-4", "dana@example.com", ["mlflow-admin"]),
    }.ToDictionary(u => u.Name);

    public static async Task<OidcProvider> StartAsync(TestNamespace ns, string image, string redirectUri)
    {
        var port = Loopback.FreePort();
        var host = $"oidc.{ns.Name}.svc.cluster.local";
        var clientSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var clients = new[]
        {
            new Dictionary<string, object>
            {
                ["client_id"] = ClientId,
                ["client_secret"] = clientSecret,
                ["redirect_uris"] = new[] { redirectUri },
                ["post_logout_redirect_uris"] = new[] { redirectUri.Replace("/callback", "/oidc/ui/auth", StringComparison.Ordinal) },
                ["grant_types"] = new[] { "authorization_code", "refresh_token" },
                ["response_types"] = new[] { "code" },
                ["token_endpoint_auth_method"] = "client_secret_basic",
            },
        };
        var users = Users.Values.ToDictionary(u => u.Name, u => new { password = u.Password, email = u.Email, name = u.Name, groups = u.Groups });
        await ns.CreateSecretAsync("oidc-provider", new Dictionary<string, string>
        {
            ["jwks.json"] = SigningKeys(),
            ["clients.json"] = JsonSerializer.Serialize(clients),
            ["users.json"] = JsonSerializer.Serialize(users),
            ["cookie-key"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),
        });
        await ns.KubectlAsync("create", "configmap", "oidc-provider-app", $"--from-file=provider.mjs={Path.Combine(AppContext.BaseDirectory, "Sso", "provider.mjs")}");
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: oidc, labels: {app: oidc}}
            spec:
              automountServiceAccountToken: false
              securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: {type: RuntimeDefault}}
              containers:
                - name: provider
                  image: {{{image}}}
                  imagePullPolicy: Never
                  command: [node, /etc/oidc-app/provider.mjs]
                  env:
                    - {name: ISSUER, value: "http://{{{host}}}:{{{port}}}"}
                    - {name: HOME, value: /tmp}
                  ports: [{name: http, containerPort: 3000}]
                  readinessProbe:
                    httpGet: {path: /.well-known/openid-configuration, port: http}
                    periodSeconds: 2
                  securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
                  resources: {requests: {cpu: 50m, memory: 128Mi}, limits: {memory: 512Mi}}
                  volumeMounts:
                    - {name: config, mountPath: /etc/oidc, readOnly: true}
                    - {name: app, mountPath: /etc/oidc-app, readOnly: true}
                    - {name: tmp, mountPath: /tmp}
              volumes:
                - {name: config, secret: {secretName: oidc-provider}}
                - {name: app, configMap: {name: oidc-provider-app}}
                - {name: tmp, emptyDir: {}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: oidc}
            spec:
              selector: {app: oidc}
              ports: [{name: http, port: {{{port}}}, targetPort: http}]
            """;
        await ns.KubectlAsync("apply", "-f", TestNamespace.Values(manifest));
        await ns.KubectlAsync("wait", "--for=condition=Ready", "pod/oidc", "--timeout=120s");
        var forward = await PortForward.StartAsync(ns, "svc/oidc", port, port);
        return new OidcProvider(host, port, clientSecret, forward);
    }

    /// <summary>One RS256 signing key as a JWK set, with its private part: the provider signs ID tokens with it.</summary>
    private static string SigningKeys()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(includePrivateParameters: true);
        static string B64(byte[]? bytes) => Convert.ToBase64String(bytes!).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = new Dictionary<string, string>
        {
            ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = $"test-{Guid.NewGuid():N}"[..16],
            ["n"] = B64(p.Modulus), ["e"] = B64(p.Exponent), ["d"] = B64(p.D), ["p"] = B64(p.P), ["q"] = B64(p.Q),
            ["dp"] = B64(p.DP), ["dq"] = B64(p.DQ), ["qi"] = B64(p.InverseQ),
        };
        return JsonSerializer.Serialize(new { keys = new[] { key } });
    }

    public ValueTask DisposeAsync() => forward.DisposeAsync();
}
