namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// Measurements the cluster tests take (time to Ready, memory, latency under load), written to the
/// test's output and appended to TestResults/cluster-figures.tsv, which scripts/cluster-test.sh
/// prints at the end of a run; the README's figures come from there.
/// </summary>
public static class Figures
{
    private static readonly object Gate = new();

    public static string File => Path.Combine(Repo.Root, "TestResults", "cluster-figures.tsv");

    public static void Record(HelmVersion helm, string scenario, string what, string value)
    {
        var line = $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\t{helm}\t{scenario}\t{what}\t{value}";
        TestContext.Current.TestOutputHelper?.WriteLine($"{scenario}: {what} = {value}");
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(File)!);
            System.IO.File.AppendAllText(File, line + "\n");
        }
    }
}
