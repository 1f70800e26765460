using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// `kubectl port-forward svc/NAME LOCAL:REMOTE`, the docs' way to reach the server, running in the
/// background until disposed. The local port is free and chosen here.
/// </summary>
public sealed partial class PortForward : IAsyncDisposable
{
    private readonly Process process;

    private PortForward(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Forwards a free local port (or <paramref name="localPort"/>, when a URL must carry a known port) to the target's remote port.</summary>
    public static async Task<PortForward> StartAsync(TestNamespace ns, string target, int remotePort = 5000, int? localPort = null)
    {
        var port = localPort ?? Loopback.FreePort();
        var start = new ProcessStartInfo(RealCluster.KubectlBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--kubeconfig", ns.Cluster.Kubeconfig, "port-forward", "-n", ns.Name, target, $"{port}:{remotePort}", "--address", "127.0.0.1" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl port-forward did not start");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ForwardingLine().IsMatch(e.Data))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
        if (first != ready.Task)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            throw new InvalidOperationException($"kubectl port-forward {target} did not start: {errors}");
        }

        return new PortForward(process, port);
    }

    public string Url(string scheme = "http") => $"{scheme}://127.0.0.1:{Port}";

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    [GeneratedRegex(@"^Forwarding from 127\.0\.0\.1:\d+")]
    private static partial Regex ForwardingLine();
}
