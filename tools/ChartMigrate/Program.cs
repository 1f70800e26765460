using MlflowChart.Migrate;
using YamlDotNet.Serialization;

// dotnet run --project tools/ChartMigrate -- [--from community|bitnami|upstream] [-o values.yaml]
//     [--report report.md] [--secrets secrets.yaml] [--force] [--release mlflow] [--namespace mlflow]
//     [--no-verify] [--helm PATH] SOURCE-VALUES.yaml
// Converts a values file written for community-charts/mlflow, bitnami/mlflow or the upstream
// mlflow/mlflow chart into values for this chart, reports what became of every source key, and
// renders the result with this chart to prove it is accepted.
// Exit codes: 0 converted and accepted by the chart; 2 refused (one line, nothing written);
// 3 converted, but the chart refuses the result (files written, the refusal and its rows printed).
return MigrateCommand.Run(args, Console.Out, Console.Error);

namespace MlflowChart.Migrate
{
    public static class MigrateCommand
    {
        public const int Accepted = 0;
        public const int Refused = 2;
        public const int ChartRefuses = 3;

        public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            if (args.Any(a => a is "-h" or "--help"))
            {
                stdout.WriteLine(Options.Help);
                return Accepted;
            }

            try
            {
                var options = Options.Parse(args);
                var yaml = File.Exists(options.Source)
                    ? File.ReadAllText(options.Source)
                    : throw new MigrationException($"no such file: {options.Source}");
                var schema = Options.Schema();
                var migration = Converter.Run(yaml, options.From, options.Release, schema);
                var output = Output.Values(migration);
                var secrets = options.Secrets ?? (options.Output is null ? "mlflow-migrated.secrets.yaml" : Path.ChangeExtension(options.Output, ".secrets.yaml"));
                if (migration.SecretData.Count > 0 && File.Exists(secrets) && !options.Force)
                {
                    throw new MigrationException($"{secrets} exists (the credentials of an earlier run?); pass --force to replace it, or --secrets FILE to write elsewhere");
                }

                if (options.Output is null)
                {
                    stdout.Write(output);
                }
                else
                {
                    File.WriteAllText(options.Output, output);
                }

                if (migration.SecretData.Count > 0)
                {
                    WritePrivate(secrets, Common.SecretManifest(migration));
                }

                var report = Output.Report(migration, migration.SecretData.Count > 0 ? secrets : null);
                if (options.Report is null)
                {
                    stderr.Write(report);
                }
                else
                {
                    File.WriteAllText(options.Report, report);
                }

                if (!options.Verify)
                {
                    stderr.WriteLine("chart-migrate: not checked against the chart (--no-verify): render the values with it (helm template) before installing");
                    return Accepted;
                }

                var verdict = Verification.Render(output, Path.GetDirectoryName(schema)!, options);
                if (verdict.Refusal is null)
                {
                    stderr.WriteLine($"chart-migrate: the converted values render with this chart (helm template with {verdict.Helm}, release {options.Release}, namespace {options.Namespace})");
                    return Accepted;
                }

                stderr.WriteLine($"chart-migrate: converted, but the chart refuses the result: {verdict.Refusal}");
                foreach (var row in Verification.RowsBehind(migration, verdict.Refusal))
                {
                    stderr.WriteLine($"  from `{row.SourceKey}` -> `{row.Target}`: {row.Note}");
                }

                stderr.WriteLine($"chart-migrate: the files are written; fix {(options.Output ?? "the values")} as the message says, then run helm template to check");
                return ChartRefuses;
            }
            catch (MigrationException e)
            {
                stderr.WriteLine($"chart-migrate: {e.Message}");
                return Refused;
            }
        }

        /// <summary>Creates a file readable by its owner only, from the first byte on (never a moment world-readable).</summary>
        private static void WritePrivate(string path, string text)
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
            }

            using var writer = new StreamWriter(path, System.Text.Encoding.UTF8, options);
            writer.Write(text);
        }
    }

    public sealed record Options(string Source, string? From, string? Output, string? Report, string? Secrets, string Release,
        string Namespace = "mlflow", bool Verify = true, string? Helm = null, bool Force = false)
    {
        private const string Usage = "usage: ChartMigrate [--from community|bitnami|upstream] [-o FILE] [--report FILE] [--secrets FILE] [--force] [--release NAME] [--namespace NAME] [--no-verify] [--helm PATH] SOURCE";

        /// <summary>What --help prints: the usage, then what each option does.</summary>
        public const string Help = Usage + """


            Converts a values file of community-charts/mlflow, bitnami/mlflow or the upstream
            mlflow/mlflow chart into values for this chart, renders the result with this chart to
            prove it, and reports what happened to every source key.

              SOURCE             the old chart's values file
              --from CHART       community, bitnami or upstream (default: told from the keys)
              -o, --output FILE  write the converted values there (default: standard output)
              --report FILE      write the report there (default: standard error)
              --secrets FILE     where credentials go, as a Secret manifest (default: beside -o)
              --force            replace an existing secrets file
              --release NAME     the release name the values are rendered for (default: mlflow)
              -n, --namespace NS the namespace (default: mlflow)
              --no-verify        do not render the result with this chart
              --helm PATH        the helm binary for that render (default: HELM_BIN, then PATH)
              -h, --help         this text

            Exit: 0 converted and accepted by the chart, 3 converted but refused by the chart
            (its sentence is printed), 2 not converted (one line says why).
            """;

        public static Options Parse(string[] args)
        {
            string? source = null, from = null, output = null, report = null, secrets = null, release = "mlflow", ns = "mlflow", helm = null;
            var verify = true;
            var force = false;
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
                    case "--namespace" or "-n": ns = Next(); break;
                    case "--helm": helm = Next(); break;
                    case "--no-verify": verify = false; break;
                    case "--force": force = true; break;
                    case var flag when flag.StartsWith('-'): throw new MigrationException($"unknown option {flag}; {Usage}");
                    default: source = source is null ? args[i] : throw new MigrationException($"one source file only; {Usage}"); break;
                }
            }

            return new Options(source ?? throw new MigrationException($"no source values file given; {Usage}"), from, output, report, secrets, release, ns, verify, helm, force);
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
            Common.Switching(migration);
            return migration;
        }
    }

    public static class Detect
    {
        private static readonly Dictionary<string, string[]> Markers = new()
        {
            ["community"] = ["backendStore", "artifactRoot", "extraArgs", "extraFlags", "extraEnvVars", "extraSecretNamesForEnvFrom", "ldapAuth", "oidcAuth", "oauth2Proxy", "flaskServerSecretKey", "extraPodLabels"],
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
            var present = scores.Where(s => s.Value > 0).Select(s => s.Key).ToList();
            if (present.Count > 1)
            {
                var keys = present.Select(chart => $"{Name(chart)} ({string.Join(", ", Markers[chart].Where(source.ContainsKey))})");
                throw new MigrationException($"these values mix keys of {string.Join(" and ", keys)}; a file converted as one chart would lose the other's settings. " +
                    "Pass --from community, --from bitnami or --from upstream to say which chart the release ran; the other keys are then reported as unknown");
            }

            var best = scores.MaxBy(s => s.Value);
            if (best.Value == 0 || scores.Count(s => s.Value == best.Value) > 1)
            {
                throw new MigrationException("cannot tell which chart these values were written for; pass --from community, --from bitnami or --from upstream");
            }

            return best.Key;
        }

        private static string Name(string chart) => chart switch
        {
            "community" => "community-charts/mlflow",
            "bitnami" => "bitnami/mlflow",
            _ => "the upstream mlflow/mlflow chart",
        };
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

            text.AppendLine("## Switching");
            text.AppendLine();
            foreach (var line in m.Switching)
            {
                text.AppendLine(line);
            }

            text.AppendLine();
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
