using System.Text.RegularExpressions;
using MlflowChart.ValuesDoc;

namespace MlflowChart.Tests;

/// <summary>
/// The documentation matches the chart: the values reference is generated and current, every
/// section of the user documentation is covered, and the README's commands are the real ones.
/// </summary>
public sealed partial class DocsTests
{
    private static string Readme => File.ReadAllText(Path.Combine(Repo.Root, "README.md"));

    [Fact]
    public void Values_schema_and_readme_table_agree()
    {
        var problems = new ValuesDocument(Repo.Root).Check();

        problems.Should().BeEmpty("run `dotnet run --project tools/ValuesDoc -- write` after changing values.yaml");
    }

    [Fact]
    public void Every_key_of_values_yaml_is_documented()
    {
        var keys = new ValuesDocument(Repo.Root).Keys;

        keys.Where(k => k.Description is not null).Should().HaveCountGreaterThan(140);
        keys.Where(k => k.Description is not null).Should().OnlyContain(k => k.Description!.Length > 15 && k.Description.EndsWith('.'),
            "each comment says what the key does, as a sentence");
    }

    [Fact]
    public void The_ci_script_runs_the_readmes_test_command()
    {
        var command = TestCommand().Match(Readme);

        command.Success.Should().BeTrue("the README names one test command in a sh block");
        File.ReadAllText(Path.Combine(Repo.Root, ".ci", "run")).Should().Contain(command.Groups[1].Value);
    }

    [Fact]
    public void The_readme_quick_start_is_the_documented_command()
    {
        var flags = string.Join(' ', QuickStartTests.DocsFlags).Replace("--set ", "");
        Readme.Should().Contain("helm install mlflow ./charts \\\n  --namespace mlflow \\\n  --create-namespace");
        foreach (var flag in QuickStartTests.DocsFlags.Where(f => f != "--set"))
        {
            var (key, value) = (flag.Split('=')[0], flag.Split('=', 2)[1]);
            Readme.Should().Match(r => r.Contains($"--set {key}={value}") || r.Contains($"--set {key}=\"{value}\""), $"the README sets {flags}");
        }

        Readme.Should().Contain("kubectl port-forward -n mlflow svc/mlflow-mlflow 5000:5000");
    }

    [Theory]
    [InlineData("Quick start")]
    [InlineData("PostgreSQL")]
    [InlineData("S3")]
    [InlineData("Google Cloud Storage")]
    [InlineData("Azure Blob Storage")]
    [InlineData("TLS")]
    [InlineData("Ingress")]
    [InlineData("allowed hosts")]
    [InlineData("Workspaces")]
    [InlineData("Basic auth")]
    [InlineData("Metrics")]
    [InlineData("Garbage collection")]
    [InlineData("Sizing")]
    [InlineData("Server options")]
    [InlineData("Upgrade and uninstall")]
    [InlineData("mlflow.set_tracking_uri")]
    [InlineData("Troubleshooting")]
    [InlineData("403")]
    [InlineData("Multi-Attach")]
    [InlineData("migrat")]
    [InlineData("dotnet run --project tools/ChartMigrate -- old-values.yaml")]
    public void The_readme_covers_each_section_of_the_user_documentation(string topic)
    {
        Readme.Should().Contain(topic);
    }

    [Fact]
    public void Every_example_file_is_a_tested_scenario()
    {
        var examples = Directory.GetFiles(Path.Combine(Repo.Root, "examples"), "*.yaml")
            .Select(f => Path.GetRelativePath(Repo.Root, f)).ToList();

        examples.Should().NotBeEmpty();
        ScenarioFiles.All.Should().Contain(examples);
        ScenarioFiles.All.Should().Contain(Path.Combine("charts", "example-mlflow-charts.yaml"));
    }

    [GeneratedRegex(@"## Running the tests\s+```sh\n([^\n]+)\n```")]
    private static partial Regex TestCommand();
}
