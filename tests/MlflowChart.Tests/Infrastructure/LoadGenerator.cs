using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// A steady, open-loop load on the server through its Service: a fixed number of requests per
/// second, each sent on time whether or not the earlier ones have answered, alternating an
/// experiment search with logging a metric, authenticated when credentials are given. Each request
/// opens its own connection (so the Service balances every one), waits at most
/// <see cref="RequestTimeout"/> and is never retried: a request that does not get a 2xx counts as failed.
/// </summary>
public sealed class LoadGenerator : IAsyncDisposable
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient http;
    private readonly string runId;
    private readonly double perSecond;
    private readonly List<Sample> samples = [];
    private readonly List<Task> inFlight = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private Task? loop;

    private LoadGenerator(HttpClient http, string runId, double perSecond)
    {
        this.http = http;
        this.runId = runId;
        this.perSecond = perSecond;
    }

    /// <summary>One request: when it was sent (seconds since the start), how long it took, and what came back.</summary>
    public sealed record Sample(double SentAt, double Seconds, int Status, string? Error)
    {
        public bool Failed => Status is < 200 or >= 300;
    }

    /// <summary>Starts the load against baseUrl (e.g. http://ClusterIP:5000); runId is the run the metrics are logged to.</summary>
    public static LoadGenerator Start(string baseUrl, string runId, double perSecond, (string User, string Password)? credentials)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, ConnectTimeout = TimeSpan.FromSeconds(10) };
        var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = RequestTimeout };
        http.DefaultRequestHeaders.ConnectionClose = true;
        if (credentials is { } c)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.User}:{c.Password}")));
        }

        var load = new LoadGenerator(http, runId, perSecond);
        load.loop = Task.Run(load.RunAsync);
        return load;
    }

    /// <summary>Seconds since the load started, to mark phases (e.g. the rollout) in the samples.</summary>
    public double Now => clock.Elapsed.TotalSeconds;

    /// <summary>Stops sending, waits for the requests still in flight and returns every sample.</summary>
    public async Task<IReadOnlyList<Sample>> StopAsync()
    {
        await stop.CancelAsync();
        if (loop is not null)
        {
            await loop;
        }

        Task[] pending;
        lock (inFlight)
        {
            pending = [.. inFlight];
        }

        await Task.WhenAll(pending);
        lock (samples)
        {
            return [.. samples.OrderBy(s => s.SentAt)];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        http.Dispose();
        stop.Dispose();
    }

    /// <summary>Percentile (0-100) of the request times of some samples, nearest-rank.</summary>
    public static double Percentile(IReadOnlyCollection<Sample> of, double percentile)
    {
        if (of.Count == 0)
        {
            return double.NaN;
        }

        var sorted = of.Select(s => s.Seconds).Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private async Task RunAsync()
    {
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var next = clock.Elapsed;
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var task = SendAsync(n++);
            lock (inFlight)
            {
                inFlight.Add(task);
            }

            next += interval;
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task SendAsync(int n)
    {
        var sentAt = clock.Elapsed.TotalSeconds;
        int status;
        string? error = null;
        try
        {
            using var answer = n % 2 == 0
                ? await http.PostAsync("api/2.0/mlflow/experiments/search", MlflowRest.Json(new { max_results = 10 }))
                : await http.PostAsync("api/2.0/mlflow/runs/log-metric",
                    MlflowRest.Json(new { run_id = runId, key = "load", value = n, timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), step = n }));
            status = (int)answer.StatusCode;
            if (answer.StatusCode != HttpStatusCode.OK)
            {
                var body = await answer.Content.ReadAsStringAsync();
                error = body[..Math.Min(200, body.Length)];
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            status = 0;
            error = e is TaskCanceledException ? $"no answer within {RequestTimeout.TotalSeconds:0} s" : e.Message;
        }

        var sample = new Sample(sentAt, clock.Elapsed.TotalSeconds - sentAt, status, error);
        lock (samples)
        {
            samples.Add(sample);
        }
    }
}
