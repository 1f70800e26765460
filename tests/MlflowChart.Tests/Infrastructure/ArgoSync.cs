using k8s;
using k8s.Models;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// A sync the way Argo CD does one, on the real cluster: the chart is rendered with `helm
/// template` (Argo CD never runs helm install), Helm hooks become sync phases as gitops-engine
/// maps them (pre-install and pre-upgrade are PreSync on every sync, the first one included;
/// post-install and post-upgrade are PostSync; `test` and other hooks never run), each phase is
/// applied wave by wave (argocd.argoproj.io/sync-wave, for Helm hooks helm.sh/hook-weight) in
/// Argo CD's kind order with `kubectl apply`, and the next wave or phase starts only when every
/// object of the last one is healthy: a Deployment rolled out, a claim Bound, a Job complete.
/// Hook delete policies are Argo CD's (Helm's names mapped, BeforeHookCreation when none is
/// given); objects of an earlier sync that are no longer rendered are pruned.
/// </summary>
public sealed class ArgoSync(TestNamespace ns, HelmVersion helm, string chart)
{
    private const string Tracking = "argocd.argoproj.io/tracking-id";

    /// <summary>gitops-engine's kind order within a wave; other kinds come after these.</summary>
    private static readonly string[] KindOrder =
    [
        "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount",
        "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition",
        "ClusterRole", "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
        "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
        "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
    ];

    private readonly HashSet<string> synced = [];

    /// <summary>What the last sync did, in order: "PreSync wave -5: Job/mlflow-mlflow-migrate", ...</summary>
    public List<string> Steps { get; } = [];

    private IKubernetes Client => ns.Cluster.Client;

    /// <summary>Renders the chart with these values files and syncs it; fails on a hook that fails or a wave that never gets healthy.</summary>
    public async Task SyncAsync(TimeSpan timeout, params string[] valuesFiles)
    {
        Steps.Clear();
        var args = new List<string> { "template", ClusterRelease.Name, chart, "--namespace", ns.Name, "--kube-version", Helm.KubeVersion, "-f", TestNamespace.Values(ns.Cluster.ImageValues) };
        foreach (var file in valuesFiles)
        {
            args.AddRange(["-f", file]);
        }

        var render = new Render(helm, args, await Helm.RunAsync(helm, args)).ShouldSucceed();
        var items = render.Objects.Select(Classify).Where(i => i.Phase is not null).ToList();
        var deadline = DateTime.UtcNow + timeout;

        foreach (var phase in new[] { "PreSync", "Sync", "PostSync" })
        {
            foreach (var wave in items.Where(i => i.Phase == phase).GroupBy(i => i.Wave).OrderBy(g => g.Key))
            {
                var ordered = wave.OrderBy(i => KindRank(i.Kind)).ThenBy(i => i.Name, StringComparer.Ordinal).ToList();
                foreach (var item in ordered)
                {
                    Steps.Add($"{phase} wave {wave.Key}: {item.Kind}/{item.Name}");
                    if (item.Hook && item.DeletePolicies.Contains("BeforeHookCreation"))
                    {
                        await DeleteAsync(item.Kind, item.Name);
                    }

                    await ApplyAsync(item);
                }

                foreach (var item in ordered)
                {
                    await WaitHealthyAsync(item, deadline);
                    if (item.Hook && item.DeletePolicies.Contains("HookSucceeded"))
                    {
                        await DeleteAsync(item.Kind, item.Name);
                    }
                }
            }
        }

        // Prune what an earlier sync applied and this one no longer renders.
        var now = items.Where(i => !i.Hook).Select(i => $"{i.Kind}/{i.Name}").ToHashSet();
        foreach (var gone in synced.Where(s => !now.Contains(s)).ToList())
        {
            Steps.Add($"Prune: {gone}");
            var slash = gone.IndexOf('/');
            await DeleteAsync(gone[..slash], gone[(slash + 1)..]);
            synced.Remove(gone);
        }

        synced.UnionWith(now);
    }

    private sealed record Item(IKubernetesObject Object, string Kind, string Name, bool Hook, string? Phase, int Wave, IReadOnlyList<string> DeletePolicies);

    private static Item Classify(IKubernetesObject obj)
    {
        var meta = obj.Meta();
        var annotations = meta.Annotations ?? new Dictionary<string, string>();
        var argoHook = Csv(annotations, "argocd.argoproj.io/hook");
        var helmHook = Csv(annotations, "helm.sh/hook");
        var hook = argoHook.Count > 0 ? !(argoHook.Count == 1 && argoHook[0] == "Skip") : helmHook.Count > 0 && !helmHook.SequenceEqual(["crd-install"]);
        string? phase = "Sync";
        var wave = annotations.TryGetValue("argocd.argoproj.io/sync-wave", out var w) ? int.Parse(w, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var policies = Csv(annotations, "argocd.argoproj.io/hook-delete-policy");
        if (hook)
        {
            var types = argoHook.Count > 0
                ? argoHook
                : helmHook.Select(h => h switch
                {
                    "pre-install" or "pre-upgrade" => "PreSync",
                    "post-install" or "post-upgrade" => "PostSync",
                    _ => null,
                }).OfType<string>().Distinct().ToList();
            phase = types.FirstOrDefault(t => t is "PreSync" or "Sync" or "PostSync");
            if (argoHook.Count == 0 && annotations.TryGetValue("helm.sh/hook-weight", out var weight) && !annotations.ContainsKey("argocd.argoproj.io/sync-wave"))
            {
                wave = int.Parse(weight, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (policies.Count == 0)
            {
                policies = Csv(annotations, "helm.sh/hook-delete-policy").Select(p => p switch
                {
                    "before-hook-creation" => "BeforeHookCreation",
                    "hook-succeeded" => "HookSucceeded",
                    "hook-failed" => "HookFailed",
                    _ => p,
                }).ToList();
            }

            if (policies.Count == 0)
            {
                policies = ["BeforeHookCreation"];
            }
        }

        return new Item(obj, obj.Kind, meta.Name, hook, phase, wave, policies);
    }

    private static List<string> Csv(IDictionary<string, string> annotations, string key) =>
        annotations.TryGetValue(key, out var value)
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : [];

    private static int KindRank(string kind) => Array.IndexOf(KindOrder, kind) is var i and >= 0 ? i : KindOrder.Length;

    private async Task ApplyAsync(Item item)
    {
        var meta = item.Object.Meta();
        meta.Annotations ??= new Dictionary<string, string>();
        meta.Annotations[Tracking] = $"{ClusterRelease.Name}:{item.Object.ApiGroup()}/{item.Kind}:{ns.Name}/{item.Name}";
        var file = TestNamespace.Values(KubernetesJson.Serialize(item.Object));
        await ns.KubectlAsync("apply", "-f", file);
    }

    private async Task DeleteAsync(string kind, string name) =>
        await ns.KubectlAsync("delete", kind, name, "--ignore-not-found", "--wait=true", "--timeout=2m");

    /// <summary>Waits until the object is healthy as Argo CD's health checks see it; a failed Job fails the sync.</summary>
    private async Task WaitHealthyAsync(Item item, DateTime deadline)
    {
        while (true)
        {
            var (healthy, failed) = await HealthAsync(item);
            failed.Should().BeNull($"Argo CD would stop the sync at {item.Kind}/{item.Name}");
            if (healthy)
            {
                return;
            }

            DateTime.UtcNow.Should().BeBefore(deadline, $"{item.Kind}/{item.Name} became healthy in time; the sync so far:\n{string.Join('\n', Steps)}\n{await ns.KubectlAsync("get", "pods,pvc,jobs", "-o", "wide")}");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    private async Task<(bool Healthy, string? Failed)> HealthAsync(Item item)
    {
        switch (item.Kind)
        {
            case "Deployment":
                var d = await Client.AppsV1.ReadNamespacedDeploymentAsync(item.Name, ns.Name);
                var want = d.Spec.Replicas ?? 1;
                return ((d.Status.ObservedGeneration ?? 0) >= d.Metadata.Generation
                    && d.Status.UpdatedReplicas == want && (d.Status.Replicas ?? 0) == want && d.Status.AvailableReplicas == want, null);
            case "PersistentVolumeClaim":
                var c = await Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(item.Name, ns.Name);
                return (c.Status.Phase == "Bound", c.Status.Phase == "Lost" ? "the claim is Lost" : null);
            case "Job":
                var j = await Client.BatchV1.ReadNamespacedJobAsync(item.Name, ns.Name);
                var conditions = j.Status.Conditions ?? [];
                var failedJob = conditions.FirstOrDefault(x => x.Type == "Failed" && x.Status == "True");
                return (conditions.Any(x => x.Type == "Complete" && x.Status == "True"),
                    failedJob is null ? null : $"Job {item.Name} failed: {failedJob.Message}\n{await ns.KubectlAsync("logs", $"job/{item.Name}", "--tail=30")}");
            default:
                return (true, null);
        }
    }
}
