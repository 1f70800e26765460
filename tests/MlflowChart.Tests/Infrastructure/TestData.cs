using System.Reflection;
using Xunit.v3;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>Theory rows shared by the test classes.</summary>
public static class TestData
{
    public static TheoryData<HelmVersion> Helms => new(HelmVersion.Helm3, HelmVersion.Helm4);

    /// <summary>Every scenario file, under each Helm version.</summary>
    public static TheoryData<string, HelmVersion> Scenarios
    {
        get
        {
            var data = new TheoryData<string, HelmVersion>();
            foreach (var scenario in ScenarioFiles.All)
            {
                data.Add(scenario, HelmVersion.Helm3);
                data.Add(scenario, HelmVersion.Helm4);
            }

            return data;
        }
    }
}

/// <summary>Runs the theory once under Helm 3 and once under Helm 4.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BothHelmsAttribute : MemberDataAttributeBase
{
    public BothHelmsAttribute()
        : base(nameof(TestData.Helms), [])
    {
        MemberType = typeof(TestData);
    }
}

/// <summary>Runs the theory for every scenario file, under Helm 3 and Helm 4.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EveryScenarioAttribute : MemberDataAttributeBase
{
    public EveryScenarioAttribute()
        : base(nameof(TestData.Scenarios), [])
    {
        MemberType = typeof(TestData);
    }
}

/// <summary>
/// The scenario values files: every file under charts/ci/ and examples/, and the production
/// example the docs name (charts/example-mlflow-charts.yaml). A new file is new coverage.
/// </summary>
public static class ScenarioFiles
{
    public static IReadOnlyList<string> All { get; } = Find();

    public static string Read(string scenario) => File.ReadAllText(Path.Combine(Repo.Root, scenario));

    private static IReadOnlyList<string> Find()
    {
        var files = new List<string>();
        foreach (var dir in new[] { Path.Combine("charts", "ci"), "examples" })
        {
            var full = Path.Combine(Repo.Root, dir);
            if (Directory.Exists(full))
            {
                files.AddRange(Directory.GetFiles(full, "*.yaml").Select(f => Path.GetRelativePath(Repo.Root, f)));
            }
        }

        var example = Path.Combine("charts", "example-mlflow-charts.yaml");
        if (File.Exists(Path.Combine(Repo.Root, example)))
        {
            files.Add(example);
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
