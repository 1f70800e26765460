namespace MlflowChart.Doctor;

public enum Verdict
{
    Ok,
    Warn,
    Fail,
}

/// <summary>One check's result: what was looked at, what was seen, and what to do about it.</summary>
public sealed record Finding(string Area, string Check, Verdict Verdict, string Evidence, string Fix = "")
{
    public static Finding Ok(string area, string check, string evidence) => new(area, check, Verdict.Ok, evidence);

    public static Finding Warn(string area, string check, string evidence, string fix) => new(area, check, Verdict.Warn, evidence, fix);

    public static Finding Fail(string area, string check, string evidence, string fix) => new(area, check, Verdict.Fail, evidence, fix);
}

/// <summary>What this chart sizes a server at, from its measured idle use (the chart's own formula).</summary>
public static class Sizing
{
    /// <summary>Idle MiB: about 200 + 160 per uvicorn worker + 1070 for MLflow's job runner.</summary>
    public static int IdleMiB(int workers, bool jobExecution) => 200 + (160 * workers) + (jobExecution ? 1070 : 0);

    /// <summary>
    /// Peak working set under 10 requests/s, as the chart estimates it from its measurements:
    /// about 180 + 175 per worker + 1150 for the job runner (which grows under load).
    /// </summary>
    public static int PeakMiB(int workers, bool jobExecution) => 180 + (175 * workers) + (jobExecution ? 1150 : 0);

    /// <summary>The chart's memory request: idle + 20%, rounded up to 64 MiB.</summary>
    public static int RequestMiB(int workers, bool jobExecution) => ((IdleMiB(workers, jobExecution) * 12 / 10) + 63) / 64 * 64;

    /// <summary>The chart's memory limit: idle + 60%, rounded up to 256 MiB.</summary>
    public static int LimitMiB(int workers, bool jobExecution) => ((IdleMiB(workers, jobExecution) * 16 / 10) + 255) / 256 * 256;

    /// <summary>A quantity in MiB ("2Gi" is 2048), or null when there is none.</summary>
    public static double? MiB(k8s.Models.ResourceQuantity? quantity) =>
        quantity is null ? null : (double)quantity.ToDecimal() / (1024 * 1024);
}

/// <summary>Label, annotation and selector maps of the Kubernetes models (IDictionary, possibly null).</summary>
public static class Maps
{
    public static TValue? Get<TValue>(this IDictionary<string, TValue>? map, string key)
        where TValue : class =>
        map is not null && map.TryGetValue(key, out var value) ? value : null;
}
