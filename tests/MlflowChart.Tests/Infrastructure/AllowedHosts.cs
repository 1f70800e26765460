namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// MLflow's host check as its docs and source describe it: each entry of --allowed-hosts is
/// compared with the whole Host header, exactly, unless it contains '*', when it is an fnmatch
/// pattern. Lets tests ask what a user notices: does this Host header get a 403?
/// </summary>
public static class AllowedHosts
{
    /// <summary>The entries of the single --allowed-hosts= argument, or none.</summary>
    public static IReadOnlyList<string> FromArgs(IEnumerable<string> args)
    {
        var flags = args.Where(a => a.StartsWith("--allowed-hosts", StringComparison.Ordinal)).ToList();
        if (flags.Count > 1)
        {
            throw new InvalidOperationException($"--allowed-hosts given {flags.Count} times");
        }

        return flags.Count == 0 ? [] : flags[0]["--allowed-hosts=".Length..].Split(',');
    }

    /// <summary>Whether MLflow admits the Host header: doctor's reading of MLflow's check (exact, or fnmatch with its character sets).</summary>
    public static bool Admits(IReadOnlyList<string> allowed, string hostHeader) =>
        allowed.Any(entry => MlflowChart.Doctor.ServerSettings.HostMatches(entry, hostHeader));
}
