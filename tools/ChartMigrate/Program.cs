using MlflowChart.Migrate;
using YamlDotNet.Serialization;

// dotnet run --project tools/ChartMigrate -- [--from community|bitnami|upstream] [-o values.yaml]
//     [--report report.md] [--secrets secrets.yaml] [--release mlflow] SOURCE-VALUES.yaml
// Converts a values file written for community-charts/mlflow, bitnami/mlflow or the upstream
// mlflow/mlflow chart into values for this chart, and reports what became of every source key.
try
{
    var options = Options.Parse(args);
    var yaml = File.Exists(options.Source)
        ? File.ReadAllText(options.Source)
        : throw new MigrationException($"no such file: {options.Source}");
    var migration = Converter.Run(yaml, options.From, options.Release, Options.Schema());
    var output = Output.Values(migration);
    if (options.Output is null)
    {
        Console.Out.Write(output);
    }
    else
    {
        File.WriteAllText(options.Output, output);
    }

    var secrets = options.Secrets ?? (options.Output is null ? "mlflow-migrated.secrets.yaml" : Path.ChangeExtension(options.Output, ".secrets.yaml"));
    if (migration.SecretData.Count > 0)
    {
        File.WriteAllText(secrets, Common.SecretManifest(migration));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    var report = Output.Report(migration, migration.SecretData.Count > 0 ? secrets : null);
    if (options.Report is null)
    {
        Console.Error.Write(report);
    }
    else
    {
        File.WriteAllText(options.Report, report);
    }

    return 0;
}
catch (MigrationException e)
{
    Console.Error.WriteLine($"chart-migrate: {e.Message}");
    return 2;
}

namespace MlflowChart.Migrate
{
    public sealed record Options(string Source, string? From, string? Output, string? Report, string? Secrets, string Release)
    {
        private const string Usage = "usage: ChartMigrate [--from community|bitnami|upstream] [-o FILE] [--report FILE] [--secrets FILE] [--release NAME] SOURCE";

        public static Options Parse(string[] args)
        {
            string? source = null, from = null, output = null, report = null, secrets = null, release = "mlflow";
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new MigrationException($"{args[i]} needs a value; {Usage}");
                switch (args[i])
                {
                    case "--from":
                        from = Next();
                        if (from is not ("community" or "bitnami" or "upstream"))
                        {
                            throw new MigrationException($"--from {from} is not a chart this tool knows; use community, bitnami or upstream");
                        }

                        break;
                    case "-o" or "--output": output = Next(); break;
                    case "--report": report = Next(); break;
                    case "--secrets": secrets = Next(); break;
                    case "--release": release = Next(); break;
                    case var flag when flag.StartsWith('-'): throw new MigrationException($"unknown option {flag}; {Usage}");
                    default: source = source is null ? args[i] : throw new MigrationException($"one source file only; {Usage}"); break;
                }
            }

            return new Options(source ?? throw new MigrationException($"no source values file given; {Usage}"), from, output, report, secrets, release);
        }

        /// <summary>This chart's values.schema.json, found from the tool's folder or the working directory upwards.</summary>
        public static string Schema()
        {
            foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    var schema = Path.Combine(dir.FullName, "charts", "values.schema.json");
                    if (File.Exists(schema))
                    {
                        return schema;
                    }
                }
            }

            throw new MigrationException("cannot find charts/values.schema.json; run the tool inside the mlflow-helm repository");
        }
    }

    /// <summary>The conversion itself, without files: what the command and the tests call.</summary>
    public static class Converter
    {
        public static Migration Run(string yaml, string? from, string release, string schemaPath)
        {
            var source = Values.Parse(yaml);
            var chart = from ?? Detect.Chart(source);
            var migration = new Migration(chart, source, release);
            var schema = ChartSchema.Load(schemaPath);
            switch (chart)
            {
                case "community":
                    Community.Convert(migration);
                    break;
                case "bitnami":
                    Bitnami.Convert(migration, schema);
                    break;
                default:
                    Upstream.Convert(migration, schema);
                    break;
            }

            migration.Finish();
            return migration;
        }
    }

    public static class Detect
    {
        private static readonly Dictionary<string, string[]> Markers = new()
        {
            ["community"] = ["backendStore", "artifactRoot", "extraArgs", "extraFlags", "extraEnvVars", "extraSecretNamesForEnvFrom", "ldapAuth", "flaskServerSecretKey", "extraPodLabels"],
            ["bitnami"] = ["tracking", "run", "externalDatabase", "externalS3", "externalGCS", "externalAzureBlob", "minio", "gitImage", "volumePermissions", "waitContainer"],
            ["upstream"] = ["mlflow", "server", "storage", "probes", "garbageCollection", "namespace_rbac", "cluster_rbac", "deploymentStrategy"],
        };

        public static string Chart(Dictionary<string, object?> source)
        {
            if (source.ContainsKey("trackingServer") || source.GetValueOrDefault("artifacts") is Dictionary<string, object?>)
            {
                throw new MigrationException("these values use the older mlflow/mlflow chart layout (trackingServer, artifacts.*), which this tool does not convert; " +
                    "set mlflow.backendStoreUriFrom.secretKeyRef, mlflow.defaultArtifactRoot or mlflow.artifactsDestination and env by hand (see the README's production section)");
            }

            var scores = Markers.ToDictionary(m => m.Key, m => m.Value.Count(source.ContainsKey));
            var best = scores.MaxBy(s => s.Value);
            if (best.Value == 0 || scores.Count(s => s.Value == best.Value) > 1)
            {
                throw new MigrationException("cannot tell which chart these values were written for; pass --from community, --from bitnami or --from upstream");
            }

            return best.Key;
        }
    }

    public static class Output
    {
        public static string Values(Migration m)
        {
            var serializer = new SerializerBuilder().WithQuotingNecessaryStrings().Build();
            return $"# Values for the mlflow chart, converted from {m.Chart} values by tools/ChartMigrate.\n" +
                   "# Read the conversion report before installing.\n" +
                   (m.Target.Count == 0 ? "{}\n" : serializer.Serialize(m.Target));
        }

        public static string Report(Migration m, string? secretsFile)
        {
            var rows = m.Report;
            var text = new System.Text.StringBuilder();
            text.AppendLine($"# Conversion report ({m.Chart} -> mlflow chart)");
            text.AppendLine();
            text.AppendLine($"{rows.Count} source keys: {rows.Count(r => r.Outcome == Outcome.Carried)} carried as is, " +
                            $"{rows.Count(r => r.Outcome == Outcome.Changed)} carried with a change, {rows.Count(r => r.Outcome == Outcome.NotCarried)} not carried.");
            text.AppendLine();
            if (secretsFile is not null)
            {
                text.AppendLine($"Credentials found as plain values are in {secretsFile} (Secret {m.SecretName}, {m.SecretData.Count} keys), never in the values:");
                text.AppendLine($"  kubectl apply -n <namespace> -f {secretsFile}");
                text.AppendLine();
            }

            foreach (var note in m.Notes.Distinct())
            {
                text.AppendLine($"- {note}");
            }

            if (m.Notes.Count > 0)
            {
                text.AppendLine();
            }

            text.AppendLine("| source key | outcome | here | note |");
            text.AppendLine("|---|---|---|---|");
            foreach (var row in rows)
            {
                var outcome = row.Outcome switch { Outcome.Carried => "carried", Outcome.Changed => "changed", _ => "not carried" };
                text.AppendLine($"| `{row.SourceKey}` | {outcome} | {(row.Target is null ? "" : $"`{row.Target}`")} | {row.Note.Replace("|", "\\|")} |");
            }

            return text.ToString();
        }
    }
}
