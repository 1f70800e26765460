using System.Collections.Concurrent;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// Temporary folders of this test process (values files, certificates, converter output, stub
/// servers), deleted when the process ends so that runs do not pile up in the temp folder.
/// </summary>
public static class Scratch
{
    private static readonly ConcurrentBag<string> Folders = [];

    static Scratch() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();

    /// <summary>A new, empty folder under the system temp folder whose name starts with `prefix`.</summary>
    public static string Folder(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        Folders.Add(folder);
        return folder;
    }

    private static void DeleteAll()
    {
        foreach (var folder in Folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A process still writing there (a stub server stopping) loses nothing by its staying.
            }
        }
    }
}
