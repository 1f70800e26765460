using System.Net;
using System.Net.Sockets;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>What the suite's local servers share: a free loopback port and a kubeconfig pointing at them.</summary>
public static class Loopback
{
    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>Writes a kubeconfig for one server (with a bearer token when given) and returns its path.</summary>
    public static string WriteKubeconfig(string dir, string server, string? token = null)
    {
        var path = Path.Combine(dir, "kubeconfig");
        var insecure = server.StartsWith("https:", StringComparison.Ordinal) ? "\n      insecure-skip-tls-verify: true" : "";
        var user = token is null ? "{}" : $"\n      token: {token}";
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: local
                cluster:
                  server: {server}{insecure}
            users:
              - name: local
                user: {user}
            contexts:
              - name: local
                context:
                  cluster: local
                  user: local
            current-context: local
            """);
        return path;
    }
}
