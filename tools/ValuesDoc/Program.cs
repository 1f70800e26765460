using MlflowChart.ValuesDoc;

// dotnet run --project tools/ValuesDoc -- check|write [repo-root]
//   check: report every drift between values.yaml, values.schema.json and the README's table (exit 1)
//   write: copy values.yaml's comments and defaults into the schema and regenerate the table
var mode = args.Length > 0 ? args[0] : "check";
var root = args.Length > 1 ? args[1] : FindRoot();
var document = new ValuesDocument(root);
switch (mode)
{
    case "check":
        var problems = document.Check();
        foreach (var problem in problems)
        {
            Console.Error.WriteLine(problem);
        }

        Console.WriteLine(problems.Count == 0
            ? $"values.yaml, values.schema.json and README.md agree on {document.Keys.Count} keys"
            : $"{problems.Count} problem(s)");
        return problems.Count == 0 ? 0 : 1;
    case "write":
        document.Write();
        Console.WriteLine($"wrote descriptions and defaults of {document.Keys.Count(k => k.Description is not null)} keys to the schema and the README table");
        return 0;
    default:
        Console.Error.WriteLine("usage: ValuesDoc check|write [repo-root]");
        return 2;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "charts", "values.yaml")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("run inside the repository (no charts/values.yaml above here)");
}
