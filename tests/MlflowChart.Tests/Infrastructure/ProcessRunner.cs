using System.Diagnostics;

namespace MlflowChart.Tests.Infrastructure;

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs a program without a shell (arguments go through ArgumentList) and with a time limit.</summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(
        string file,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {file}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"{Path.GetFileName(file)} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
