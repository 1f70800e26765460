using System.Net;
using System.Text;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// A loopback HTTP endpoint that answers Kubernetes discovery (/version, /api, /apis) and
/// nothing else, for helm commands that insist on asking a cluster its version even when they
/// never touch it (Helm 3's `install --dry-run=client`). Started once, on a free port.
/// </summary>
public static class DiscoveryStub
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Env = new(Start);

    /// <summary>KUBECONFIG and the in-memory release driver for a helm process.</summary>
    public static IReadOnlyDictionary<string, string> Environment => Env.Value;

    private static IReadOnlyDictionary<string, string> Start()
    {
        var port = Loopback.FreePort();
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(() => Serve(listener));

        var dir = Scratch.Folder("mlflow-discovery-");
        var kubeconfig = Loopback.WriteKubeconfig(dir, $"http://127.0.0.1:{port}");
        var releases = Path.Combine(dir, "releases.yaml");
        File.WriteAllText(releases, "[]\n");
        return new Dictionary<string, string>
        {
            ["KUBECONFIG"] = kubeconfig,
            ["HELM_DRIVER"] = "memory",
            ["HELM_MEMORY_DRIVER_DATA"] = releases,
        };
    }

    private static async Task Serve(HttpListener listener)
    {
        while (listener.IsListening)
        {
            var context = await listener.GetContextAsync();
            var (status, body) = context.Request.Url?.AbsolutePath switch
            {
                "/version" => (200, $$"""{"major":"1","minor":"32","gitVersion":"v{{Helm.KubeVersion}}","platform":"linux/amd64"}"""),
                "/api" => (200, """{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]}"""),
                "/apis" => (200, """{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"""),
                _ => (404, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"""),
            };
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
