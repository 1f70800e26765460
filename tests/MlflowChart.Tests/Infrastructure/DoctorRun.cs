using System.Text.Json;
using MlflowChart.Doctor;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// `doctor RELEASE -n NAMESPACE --json` against the real cluster, in-process; its findings, exit
/// code and human-readable report. MLFLOW_DOCTOR_RECORD=DIR also saves what doctor saw as
/// DIR/&lt;name&gt;.json, which is how the recorded snapshots of the unit tests were made.
/// </summary>
public sealed record DoctorRun(int Exit, DoctorCommand.Report Report, string Text, string Errors, double Seconds)
{
    public static async Task<DoctorRun> RunAsync(TestNamespace ns, string record, string release = ClusterRelease.Name)
    {
        string[] target = [release, "-n", ns.Name, "--kubeconfig", ns.Cluster.Kubeconfig];
        var recordDir = Environment.GetEnvironmentVariable("MLFLOW_DOCTOR_RECORD");
        string[] save = recordDir is { Length: > 0 } ? ["--snapshot-out", Path.Combine(recordDir, $"{record}.json")] : [];
        using var json = new StringWriter();
        using var errors = new StringWriter();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var exit = await DoctorCommand.RunAsync([.. target, "--json", .. save], json, errors);
        var seconds = clock.Elapsed.TotalSeconds;
        using var text = new StringWriter();
        await DoctorCommand.RunAsync(target, text, errors);
        var report = exit == DoctorCommand.CannotTell
            ? new DoctorCommand.Report(release, ns.Name, null, [])
            : JsonSerializer.Deserialize<DoctorCommand.Report>(json.ToString(), DoctorCommand.JsonOptions)!;
        TestContext.Current.TestOutputHelper?.WriteLine(text.ToString());
        return new DoctorRun(exit, report, text.ToString(), errors.ToString(), seconds);
    }

    public IEnumerable<Finding> Failures => Report.Findings.Where(f => f.Verdict == Verdict.Fail);

    /// <summary>Fails the test unless some FAIL finding's check and evidence, and its fix, contain the given words.</summary>
    public Finding ShouldFail(string area, string[] evidence, string[] fix)
    {
        Exit.Should().Be(DoctorCommand.Failing, $"doctor exits 1 when something FAILs:\n{Text}{Errors}");
        var match = Failures.FirstOrDefault(f => f.Area == area
            && evidence.All(w => $"{f.Check}: {f.Evidence}".Contains(w, StringComparison.Ordinal)) && fix.All(w => f.Fix.Contains(w, StringComparison.Ordinal)));
        match.Should().NotBeNull($"doctor names the {area} problem ({string.Join(", ", evidence)}) and the fix ({string.Join(", ", fix)}):\n{Text}");
        return match!;
    }

    /// <summary>Fails the test unless every finding is ok.</summary>
    public void ShouldBeAllOk()
    {
        Report.Findings.Should().NotBeEmpty($"doctor looked at the release:\n{Text}{Errors}");
        Report.Findings.Where(f => f.Verdict != Verdict.Ok).Should().BeEmpty($"a healthy release gives only ok:\n{Text}");
        Exit.Should().Be(DoctorCommand.Healthy);
    }
}
