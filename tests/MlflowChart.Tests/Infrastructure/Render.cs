using System.Text.RegularExpressions;
using k8s;
using Xunit.Sdk;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// One `helm template` run. When it succeeded, every document has been loaded strictly into
/// KubernetesClient's typed models: an unknown or misspelt field fails the load.
/// </summary>
public sealed partial class Render
{
    private readonly Lazy<IReadOnlyList<IKubernetesObject>> objects;

    public Render(HelmVersion helm, IReadOnlyList<string> arguments, ProcessResult result)
    {
        Helm = helm;
        Arguments = arguments;
        Result = result;
        objects = new Lazy<IReadOnlyList<IKubernetesObject>>(() => Load(result.Stdout));
    }

    public HelmVersion Helm { get; }

    public IReadOnlyList<string> Arguments { get; }

    public ProcessResult Result { get; }

    public bool Succeeded => Result.Succeeded;

    /// <summary>What helm printed on stderr: the error of a refused render.</summary>
    public string Error => Result.Stderr;

    public string Manifest => Result.Stdout;

    /// <summary>Every rendered object, strictly loaded. Throws with helm's stderr if the render failed.</summary>
    public IReadOnlyList<IKubernetesObject> Objects
    {
        get
        {
            ShouldSucceed();
            return objects.Value;
        }
    }

    public Render ShouldSucceed()
    {
        if (!Succeeded)
        {
            throw new XunitException(
                $"{Helm}: helm {string.Join(' ', Arguments)} failed (exit {Result.ExitCode}):\n{Result.Stderr}");
        }

        return this;
    }

    public IEnumerable<T> All<T>() where T : IKubernetesObject => Objects.OfType<T>();

    public T Single<T>() where T : IKubernetesObject
    {
        var found = All<T>().ToList();
        if (found.Count != 1)
        {
            throw new XunitException(
                $"{Helm}: expected exactly one {typeof(T).Name}, found {found.Count}: " +
                string.Join(", ", found.Select(o => ((IMetadata<k8s.Models.V1ObjectMeta>)o).Metadata?.Name)));
        }

        return found[0];
    }

    public T Named<T>(string name) where T : IKubernetesObject<k8s.Models.V1ObjectMeta> =>
        All<T>().SingleOrDefault(o => o.Metadata.Name == name)
        ?? throw new XunitException($"{Helm}: no {typeof(T).Name} named {name}; have: " +
                                    string.Join(", ", All<T>().Select(o => o.Metadata.Name)));

    /// <summary>The documents of the manifest that hold an object (comment-only documents dropped).</summary>
    public static IReadOnlyList<string> Documents(string manifest) =>
        DocumentSeparator().Split(manifest)
            .Where(doc => doc.Split('\n').Any(line => line.Trim().Length > 0 && !line.TrimStart().StartsWith('#')))
            .ToList();

    private static IReadOnlyList<IKubernetesObject> Load(string manifest)
    {
        var loaded = new List<IKubernetesObject>();
        foreach (var document in Documents(manifest))
        {
            try
            {
                var objs = KubernetesYaml.LoadAllFromString(document, Models.TypeMap, strict: true);
                loaded.AddRange(objs.Cast<IKubernetesObject>());
            }
            catch (Exception e)
            {
                throw new XunitException($"A rendered document does not load strictly: {e.Message}\n{document}");
            }
        }

        return loaded;
    }

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}
