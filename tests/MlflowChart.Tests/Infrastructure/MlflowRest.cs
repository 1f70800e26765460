using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// MLflow's REST API, as the tests drive a live server with it: what the Python client does,
/// one call at a time, so a test can see each status code. Optional basic auth and, under TLS,
/// a CA the server's certificate must chain to (nothing else is trusted).
/// </summary>
public sealed class MlflowRest : IDisposable
{
    private readonly HttpClient http;

    public MlflowRest(string baseUrl, (string User, string Password)? credentials = null, X509Certificate2? trust = null, TimeSpan? timeout = null, string? cookie = null)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) };
        if (trust is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch))
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(trust);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        if (cookie is not null)
        {
            // A browser's session, as its cookies: what an SSO login hands the user.
            handler.UseCookies = false;
        }

        if (credentials is { } c)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.User}:{c.Password}")));
        }

        if (!string.IsNullOrEmpty(cookie))
        {
            http.DefaultRequestHeaders.Add("Cookie", cookie);
        }
    }

    public Task<HttpResponseMessage> GetAsync(string path) => http.GetAsync(path.TrimStart('/'));

    /// <summary>POSTs to /api/2.0/mlflow/{method} and returns the answer as it is, for a test that expects a refusal.</summary>
    public Task<HttpResponseMessage> PostAsync(string method, object body) => http.PostAsync($"api/2.0/mlflow/{method}", Json(body));

    /// <summary>The status of a GET sent with another Host header, as a client using that address would send it.</summary>
    public async Task<int> StatusWithHostAsync(string path, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Host = host;
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    public async Task<string> HealthAsync()
    {
        using var answer = await GetAsync("health");
        var body = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.Should().Be(HttpStatusCode.OK, $"/health answered {body}");
        return body.Trim();
    }

    /// <summary>POSTs to /api/2.0/mlflow/{method} and returns the JSON answer; fails on any status but 200.</summary>
    public async Task<JsonNode> CallAsync(string method, object body)
    {
        using var answer = await http.PostAsync($"api/2.0/mlflow/{method}", Json(body));
        var text = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.Should().Be(HttpStatusCode.OK, $"{method} answered {text}");
        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
    }

    public async Task<string> CreateExperimentAsync(string name) =>
        (await CallAsync("experiments/create", new { name }))["experiment_id"]!.GetValue<string>();

    /// <summary>A run with a parameter, a metric and a text artifact uploaded through the server's proxy.</summary>
    public async Task<(string RunId, string ArtifactUri)> LogRunAsync(string experimentId, string artifactText)
    {
        var run = (await CallAsync("runs/create", new { experiment_id = experimentId, start_time = Now }))["run"]!["info"]!;
        var runId = run["run_id"]!.GetValue<string>();
        var artifactUri = run["artifact_uri"]!.GetValue<string>();
        await CallAsync("runs/log-parameter", new { run_id = runId, key = "learning_rate", value = "0.01" });
        await CallAsync("runs/log-metric", new { run_id = runId, key = "accuracy", value = 0.95, timestamp = Now, step = 0 });
        using (var upload = await http.PutAsync(ArtifactPath(artifactUri, "notes/hello.txt"), new StringContent(artifactText)))
        {
            upload.StatusCode.Should().Be(HttpStatusCode.OK, $"the artifact upload answered {await upload.Content.ReadAsStringAsync()}");
        }

        await CallAsync("runs/update", new { run_id = runId, status = "FINISHED", end_time = Now });
        return (runId, artifactUri);
    }

    public async Task<string> DownloadArtifactAsync(string artifactUri, string path)
    {
        using var answer = await http.GetAsync(ArtifactPath(artifactUri, path));
        var body = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.Should().Be(HttpStatusCode.OK, $"the artifact download answered {body}");
        return body;
    }

    /// <summary>runs/get: the run's JSON, or null when the server no longer knows the run.</summary>
    public async Task<JsonNode?> GetRunAsync(string runId)
    {
        using var answer = await http.GetAsync($"api/2.0/mlflow/runs/get?run_id={runId}");
        var text = await answer.Content.ReadAsStringAsync();
        if (answer.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        answer.StatusCode.Should().Be(HttpStatusCode.OK, $"runs/get answered {text}");
        return JsonNode.Parse(text)!["run"];
    }

    public Task DeleteRunAsync(string runId) => CallAsync("runs/delete", new { run_id = runId });

    /// <summary>Names of the experiments the server lists (active ones).</summary>
    public async Task<IReadOnlyList<string>> ExperimentNamesAsync()
    {
        var answer = await CallAsync("experiments/search", new { max_results = 1000 });
        return (answer["experiments"]?.AsArray() ?? []).Select(e => e!["name"]!.GetValue<string>()).ToList();
    }

    public void Dispose() => http.Dispose();

    /// <summary>The proxy path of a run artifact: mlflow-artifacts:/1/abc/artifacts + a/b.txt.</summary>
    public static string ArtifactPath(string artifactUri, string path)
    {
        const string scheme = "mlflow-artifacts:";
        artifactUri.Should().StartWith(scheme, "the server proxies artifacts");
        var rest = artifactUri[scheme.Length..].TrimStart('/');
        if (rest.Contains("://", StringComparison.Ordinal))
        {
            rest = rest[(rest.IndexOf('/', rest.IndexOf("://", StringComparison.Ordinal) + 3) + 1)..];
        }

        return $"api/2.0/mlflow-artifacts/artifacts/{rest}/{path}";
    }

    /// <summary>
    /// A JSON body with a Content-Length. MLflow's WSGI app reads a chunked body (what
    /// PostAsJsonAsync sends) as empty, and then acts on a request without its fields.
    /// </summary>
    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
