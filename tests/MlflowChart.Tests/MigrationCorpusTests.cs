using System.Text.RegularExpressions;
using MlflowChart.Migrate;

namespace MlflowChart.Tests;

/// <summary>
/// The converter's corpus: values files written for the three source charts from their own
/// documentation, examples and the configurations their users post (MigrationSources/&lt;chart&gt;).
/// Each file's keys are checked against the key list of that chart's published values.yaml
/// (MigrationSources/published-keys, the source charts are not vendored), and each file says in
/// `# expect` lines where its settings must arrive; the conversion is rendered under both Helms and
/// every expectation is checked on the rendered objects, where a user would look for it.
/// </summary>
public sealed partial class MigrationCorpusTests
{
    private static readonly string Sources = Path.Combine(AppContext.BaseDirectory, "MigrationSources");

    /// <summary>Files that carry a key on purpose that no version of their chart has, to test the unknown-key row.</summary>
    private static readonly Dictionary<string, string[]> DeliberatelyUnknown = new()
    {
        ["upstream/everything.yaml"] = ["hostNetwork"],
        ["community/everything.yaml"] = ["someFutureKey"],
    };

    /// <summary>Subcharts and open maps whose keys belong to someone else (a subchart's values, MLflow's flags).</summary>
    private static readonly Dictionary<string, string[]> OpenBranches = new()
    {
        ["community"] = ["postgresql", "mysql", "minio"],
        ["bitnami"] = ["postgresql", "minio", "global"],
        ["upstream"] = ["server.value_options"],
    };

    private static IEnumerable<string> CorpusFiles() =>
        Directory.GetFiles(Sources, "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Sources, f).Replace('\\', '/'))
            .Where(f => !DeliberatelyUnknown.ContainsKey(f))
            .Order(StringComparer.Ordinal);

    public static TheoryData<string> Files => new(CorpusFiles());

    public static TheoryData<string, HelmVersion> FilesUnderBothHelms
    {
        get
        {
            var data = new TheoryData<string, HelmVersion>();
            foreach (var file in CorpusFiles())
            {
                data.Add(file, HelmVersion.Helm3);
                data.Add(file, HelmVersion.Helm4);
            }

            return data;
        }
    }

    [Theory]
    [InlineData("community")]
    [InlineData("bitnami")]
    [InlineData("upstream")]
    public void The_corpus_holds_at_least_ten_valid_files_per_source_chart(string chart)
    {
        CorpusFiles().Count(f => f.StartsWith(chart + "/", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(10);
    }

    [Theory, MemberData(nameof(Files))]
    public void Every_key_of_a_corpus_file_is_one_its_source_chart_publishes(string file)
    {
        var chart = file[..file.IndexOf('/')];
        var (exact, open) = PublishedKeys(chart);
        var source = Values.Parse(File.ReadAllText(Path.Combine(Sources, file)));

        var unknown = Values.Leaves(source)
            .Where(leaf => !exact.Contains(leaf) && !open.Any(o => leaf == o || leaf.StartsWith(o + ".", StringComparison.Ordinal)))
            .ToList();

        unknown.Should().BeEmpty($"{file} is meant as a valid {chart} values file; its chart's values.yaml has no such key");
    }

    /// <summary>
    /// With MLFLOW_SOURCE_CHARTS pointing at the source charts (scripts/source-charts.sh assembles
    /// them from the mirrors), each corpus file is first rendered by its own chart, as its users
    /// would: proof that it is a valid input there, schema included. Skipped, saying so, without.
    /// </summary>
    [Theory]
    [InlineData("community", HelmVersion.Helm3)]
    [InlineData("community", HelmVersion.Helm4)]
    [InlineData("bitnami", HelmVersion.Helm3)]
    [InlineData("bitnami", HelmVersion.Helm4)]
    [InlineData("upstream", HelmVersion.Helm3)]
    [InlineData("upstream", HelmVersion.Helm4)]
    public async Task Its_own_chart_renders_each_corpus_file(string source, HelmVersion helm)
    {
        var charts = Environment.GetEnvironmentVariable("MLFLOW_SOURCE_CHARTS");
        var chart = Path.Combine(charts ?? "", source);
        Assert.SkipUnless(charts is not null && File.Exists(Path.Combine(chart, "Chart.yaml")),
            $"no source chart at {chart}: set MLFLOW_SOURCE_CHARTS to the folder scripts/source-charts.sh fills");

        var refused = new List<string>();
        foreach (var file in CorpusFiles().Where(f => f.StartsWith(source + "/", StringComparison.Ordinal)))
        {
            var result = await Helm.RunAsync(helm, ["template", "mlflow", chart, "-f", Path.Combine(Sources, file)]);
            if (!result.Succeeded)
            {
                refused.Add($"{file}: {result.Stderr.Trim()}");
            }
        }

        refused.Should().BeEmpty($"each corpus file is meant as a valid values file of {chart}");
    }

    [Fact]
    public void A_key_its_chart_does_not_publish_is_caught()
    {
        var (exact, open) = PublishedKeys("community");

        exact.Should().Contain("backendStore.existingDatabaseSecret.usernameKey");
        exact.Should().NotContain("backendStore.existingSecret", "a key of the older layout");
        open.Should().Contain("extraEnvVars").And.NotContain("backendStore");
    }

    [Theory, MemberData(nameof(FilesUnderBothHelms))]
    public async Task Each_expected_setting_arrives_in_the_rendered_release(string file, HelmVersion helm)
    {
        var text = File.ReadAllText(Path.Combine(Sources, file));
        var expectations = Expectations(text);
        expectations.Should().NotBeEmpty($"{file} says where its settings must arrive");
        var migration = Converter.Run(text, file[..file.IndexOf('/')], "mlflow", Path.Combine(Repo.Chart, "values.schema.json"));
        var render = (await Helm.TemplateAsync(helm, Output.Values(migration))).ShouldSucceed();
        var report = Output.Report(migration, "secrets.yaml");

        foreach (var (setting, expected) in expectations)
        {
            Check(render, report, setting, expected, $"{file}: {setting}");
        }
    }

    private static void Check(Render render, string report, string setting, string expected, string because)
    {
        var deployment = render.Server();
        var pod = deployment.Spec.Template.Spec;
        var server = render.ServerContainer();
        switch (setting)
        {
            case "database":
                EnvIs(server, "MLFLOW_BACKEND_STORE_URI", expected, because);
                break;
            case "auth database":
                var init = pod.InitContainers.Single(c => c.Name == "auth-config");
                EnvIs(init, "AUTH_DATABASE_URI", expected, because);
                break;
            case "artifacts":
                EnvIs(server, "MLFLOW_ARTIFACTS_DESTINATION", expected, because);
                break;
            case "artifact root":
                EnvIs(server, "MLFLOW_DEFAULT_ARTIFACT_ROOT", expected, because);
                server.Args.Should().Contain("--no-serve-artifacts", because);
                break;
            case "auth":
                if (expected == "none")
                {
                    server.Args.Should().NotContain(a => a.StartsWith("--app-name", StringComparison.Ordinal), because);
                }
                else if (expected == "oidc")
                {
                    server.Args.Should().Contain("--app-name=oidc-auth", because);
                }
                else
                {
                    server.Args.Should().Contain("--app-name=basic-auth", because);
                    if (expected.StartsWith("admin ", StringComparison.Ordinal))
                    {
                        var admin = pod.InitContainers.Single(c => c.Name == "auth-config").Env.Single(e => e.Name == "AUTH_ADMIN_PASSWORD");
                        SecretRef(admin).Should().Be(expected["admin ".Length..], because);
                    }
                }

                break;
            case "ingress":
                var parts = expected.Split(' ');
                if (parts[0] == "none")
                {
                    render.All<V1Ingress>().Should().BeEmpty(because);
                    break;
                }

                var ingress = render.Single<V1Ingress>();
                var hosts = parts[0].Split(',');
                ingress.Spec.Rules.Select(r => r.Host).Should().Equal(hosts, because);
                var tls = parts.Skip(1).SingleOrDefault(p => p.StartsWith("tls=", StringComparison.Ordinal))?["tls=".Length..];
                if (tls is null)
                {
                    ingress.Spec.Tls.Should().BeNullOrEmpty(because);
                }
                else
                {
                    ingress.Spec.Tls.Single().SecretName.Should().Be(tls, because);
                }

                foreach (var host in hosts)
                {
                    AllowedHosts.Admits(AllowedHosts.FromArgs(server.Args), host).Should().BeTrue($"{because}: {host} gets no 403");
                }

                break;
            case "resources":
                foreach (var pair in expected.Split(' '))
                {
                    var (path, quantity) = Pair(pair);
                    var (kind, resource) = (path[..path.IndexOf('.')], path[(path.IndexOf('.') + 1)..]);
                    var map = kind == "requests" ? server.Resources.Requests : server.Resources.Limits;
                    map.Should().ContainKey(resource, because);
                    map[resource].ToString().Should().Be(new ResourceQuantity(quantity).ToString(), because);
                }

                break;
            case "node selector":
                foreach (var pair in expected.Split(' '))
                {
                    var (label, value) = Pair(pair);
                    pod.NodeSelector.Should().Contain(label, value, because);
                }

                break;
            case "tolerations":
                pod.Tolerations.Select(t => $"{t.Key}:{t.Effect}").Should().Equal(expected.Split(' '), because);
                break;
            case "replicas":
                if (expected.StartsWith("hpa ", StringComparison.Ordinal))
                {
                    var hpa = render.Single<V2HorizontalPodAutoscaler>();
                    $"{hpa.Spec.MinReplicas}-{hpa.Spec.MaxReplicas}".Should().Be(expected[4..], because);
                }
                else
                {
                    (deployment.Spec.Replicas ?? 1).Should().Be(int.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), because);
                    render.All<V2HorizontalPodAutoscaler>().Should().BeEmpty(because);
                }

                break;
            case "image":
                server.Image.Should().Be(expected == "chart default" ? Repo.DefaultImage : expected, because);
                break;
            case "service":
                var service = render.All<V1Service>().Single(s => s.Spec.ClusterIP != "None");
                $"{service.Spec.Type} {service.Spec.Ports.Single().Port}".Should().Be(expected, because);
                break;
            case "service account":
                var account = render.Single<V1ServiceAccount>();
                foreach (var pair in expected.Split(' '))
                {
                    var (annotation, value) = Pair(pair);
                    account.Metadata.Annotations.Should().Contain(annotation, value, because);
                }

                break;
            case "volume":
                var (name, claim) = Pair(expected);
                pod.Volumes.Single(v => v.Name == name).PersistentVolumeClaim.ClaimName.Should().Be(claim, because);
                break;
            case "storage":
                render.All<V1PersistentVolumeClaim>().Should().HaveCount(expected == "claim" ? 1 : 0, because);
                break;
            case "strategy":
                deployment.Spec.Strategy.Type.Should().Be(expected, because);
                break;
            case "report":
                report.Should().Contain(expected, because);
                break;
            case "report lacks":
                report.Should().NotContain(expected, because);
                break;
            case "arg":
                server.Args.Should().Contain(expected, because);
                break;
            case "gc":
                var gc = render.Single<V1CronJob>();
                var gcArgs = string.Join(' ', gc.Spec.JobTemplate.Spec.Template.Spec.Containers.Single().Args);
                $"{gc.Spec.Schedule} | {gcArgs}".Should().Contain(expected.Split(" | ")[0], because).And.Contain(expected.Split(" | ")[1], because);
                break;
            default:
                if (setting.StartsWith("env ", StringComparison.Ordinal))
                {
                    EnvIs(server, setting["env ".Length..], expected, because);
                    break;
                }

                throw new InvalidOperationException($"{because}: no check is called '{setting}'");
        }
    }

    /// <summary>`secret NAME/KEY` means a secretKeyRef; `absent` no such variable; anything else the literal value.</summary>
    private static void EnvIs(V1Container container, string name, string expected, string because)
    {
        var env = container.Env?.SingleOrDefault(e => e.Name == name);
        if (expected == "absent")
        {
            env.Should().BeNull(because);
            return;
        }

        env.Should().NotBeNull($"{because}: {container.Name} has {name}");
        if (expected.StartsWith("secret ", StringComparison.Ordinal))
        {
            SecretRef(env!).Should().Be(expected["secret ".Length..], because);
        }
        else
        {
            env!.Value.Should().Be(expected, because);
        }
    }

    /// <summary>`key=value` (the value may hold further '=').</summary>
    private static (string Key, string Value) Pair(string text) => (text[..text.IndexOf('=')], text[(text.IndexOf('=') + 1)..]);

    private static string SecretRef(V1EnvVar env) =>
        env.ValueFrom?.SecretKeyRef is { } r ? $"{r.Name}/{r.Key}" : $"(not from a Secret: {env.Value})";

    /// <summary>`# expect SETTING: VALUE` lines of a corpus file.</summary>
    private static List<(string Setting, string Expected)> Expectations(string text) =>
        ExpectLine().Matches(text).Select(m => (m.Groups[1].Value.Trim(), m.Groups[2].Value.Trim())).ToList();

    private static (HashSet<string> Exact, HashSet<string> Open) PublishedKeys(string chart)
    {
        var exact = new HashSet<string>(StringComparer.Ordinal);
        var open = new HashSet<string>(OpenBranches[chart], StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(Sources, "published-keys", $"{chart}.keys")).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            if (line.EndsWith(" {}", StringComparison.Ordinal) || line.EndsWith(" []", StringComparison.Ordinal))
            {
                open.Add(line[..^3]);
            }
            else
            {
                exact.Add(line);
            }
        }

        return (exact, open);
    }

    [GeneratedRegex(@"^# expect ([a-zA-Z_ ]+?|env [A-Z0-9_]+): (.+)$", RegexOptions.Multiline)]
    private static partial Regex ExpectLine();
}
