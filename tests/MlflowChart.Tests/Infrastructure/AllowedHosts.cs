using System.Text.RegularExpressions;

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

    public static bool Admits(IReadOnlyList<string> allowed, string hostHeader) =>
        allowed.Any(entry => entry.Contains('*') ? Regex.IsMatch(hostHeader, FnMatchRegex(entry)) : entry == hostHeader);

    /// <summary>
    /// Python's fnmatch: `*` any run, `?` one character, `[...]` a class (`[!...]` negated, a `]`
    /// right after the opening bracket belongs to the class). So `[::1]:*` is the class of ':' and '1'
    /// followed by ':' and anything, not the IPv6 loopback; `[[]::1]:*` is.
    /// </summary>
    private static string FnMatchRegex(string pattern)
    {
        var regex = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var close = pattern[i] == '[' ? pattern.IndexOf(']', i + 2) : -1;
            if (pattern[i] == '*')
            {
                regex.Append(".*");
            }
            else if (pattern[i] == '?')
            {
                regex.Append('.');
            }
            else if (close > 0)
            {
                var set = pattern[(i + 1)..close];
                regex.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                i = close;
            }
            else
            {
                regex.Append(Regex.Escape(pattern[i].ToString()));
            }
        }

        return regex.Append('$').ToString();
    }
}
