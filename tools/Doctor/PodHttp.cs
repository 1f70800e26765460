using System.Diagnostics;
using System.Net.Security;
using System.Text;
using k8s;

namespace MlflowChart.Doctor;

/// <summary>
/// Plain HTTP/1.1 requests to a pod's port through the API server's port-forward (a WebSocket per
/// request), so doctor can send any Host header, as an Ingress, a Service name or a pod IP would,
/// and needs neither kubectl nor a route into the cluster. Under TLS the connection is encrypted
/// but the certificate is not checked: doctor asks for status codes, never sends a password.
/// </summary>
public sealed class PodHttp(IKubernetes client, string ns, string pod, int port, bool tls)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>The status code of GET path with that Host header and how long it took; status 0 when nothing came back.</summary>
    public async Task<(int Status, double Seconds)> GetAsync(string path, string host, CancellationToken cancel = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(Timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var socket = await client.WebSocketNamespacedPodPortForwardAsync(pod, ns, [port], "v4.channel.k8s.io", cancellationToken: cts.Token);
            using var demuxer = new StreamDemuxer(socket, StreamType.PortForward);
            demuxer.Start();
            Stream stream = demuxer.GetStream((byte?)0, (byte?)0);
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: true, (_, _, _, _) => true);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host.Split(':')[0] }, cts.Token);
                stream = ssl;
            }

            var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: mlflow-doctor\r\nAccept: */*\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(request, cts.Token);
            await stream.FlushAsync(cts.Token);
            var status = await ReadStatusAsync(stream, cts.Token);
            return (status, clock.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.WebSockets.WebSocketException or k8s.Autorest.HttpOperationException or HttpRequestException or System.Security.Authentication.AuthenticationException)
        {
            return (0, clock.Elapsed.TotalSeconds);
        }
    }

    /// <summary>Reads up to the end of the status line and returns its code.</summary>
    private static async Task<int> ReadStatusAsync(Stream stream, CancellationToken cancel)
    {
        var buffer = new byte[512];
        var text = new StringBuilder();
        while (!text.ToString().Contains('\n'))
        {
            var read = await stream.ReadAsync(buffer, cancel);
            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var line = text.ToString().Split('\n')[0];
        var parts = line.Split(' ');
        return parts.Length > 1 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal) && int.TryParse(parts[1], out var code) ? code : 0;
    }
}
