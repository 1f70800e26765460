using k8s.Models;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// The Kubernetes "restricted" Pod Security Standard (baseline included), checked on a pod spec.
/// Returns one sentence per violation, empty when the pod would be admitted. The API-server layer
/// of the suite asks the real admission plugin too; this check runs on every render.
/// </summary>
public static class PodSecurity
{
    private static readonly HashSet<string> AllowedVolumeKinds =
        ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    public static IReadOnlyList<string> RestrictedViolations(V1PodSpec spec)
    {
        var problems = new List<string>();
        var pod = spec.SecurityContext;
        if (spec.HostNetwork == true || spec.HostPID == true || spec.HostIPC == true)
        {
            problems.Add("pod shares a host namespace (hostNetwork/hostPID/hostIPC)");
        }

        foreach (var volume in spec.Volumes ?? [])
        {
            var kind = VolumeKind(volume);
            if (!AllowedVolumeKinds.Contains(kind))
            {
                problems.Add($"volume {volume.Name} is of kind {kind}, not allowed under restricted");
            }
        }

        if (pod?.RunAsUser == 0)
        {
            problems.Add("pod runAsUser is 0 (root)");
        }

        foreach (var sysctl in pod?.Sysctls ?? [])
        {
            problems.Add($"pod sets sysctl {sysctl.Name}");
        }

        var containers = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).ToList();
        foreach (var c in containers)
        {
            var sc = c.SecurityContext;
            var where = $"container {c.Name}";
            if (sc?.Privileged == true)
            {
                problems.Add($"{where} is privileged");
            }

            if (sc?.AllowPrivilegeEscalation != false)
            {
                problems.Add($"{where} does not set allowPrivilegeEscalation=false");
            }

            var runAsNonRoot = sc?.RunAsNonRoot ?? pod?.RunAsNonRoot;
            if (runAsNonRoot != true)
            {
                problems.Add($"{where} does not run with runAsNonRoot=true (pod or container)");
            }

            if (sc?.RunAsUser == 0)
            {
                problems.Add($"{where} runs as UID 0");
            }

            var seccomp = sc?.SeccompProfile?.Type ?? pod?.SeccompProfile?.Type;
            if (seccomp is not ("RuntimeDefault" or "Localhost"))
            {
                problems.Add($"{where} has seccompProfile {seccomp ?? "unset"}, not RuntimeDefault or Localhost");
            }

            var drop = sc?.Capabilities?.Drop ?? [];
            if (!drop.Contains("ALL"))
            {
                problems.Add($"{where} does not drop ALL capabilities");
            }

            foreach (var added in sc?.Capabilities?.Add ?? [])
            {
                if (added != "NET_BIND_SERVICE")
                {
                    problems.Add($"{where} adds capability {added}");
                }
            }

            if (sc?.WindowsOptions?.HostProcess == true)
            {
                problems.Add($"{where} is a Windows host process");
            }

            if (sc?.ProcMount is not (null or "Default"))
            {
                problems.Add($"{where} sets procMount {sc.ProcMount}");
            }

            foreach (var port in c.Ports ?? [])
            {
                if (port.HostPort is > 0)
                {
                    problems.Add($"{where} uses hostPort {port.HostPort}");
                }
            }
        }

        return problems;
    }

    private static string VolumeKind(V1Volume v) =>
        v.ConfigMap is not null ? "configMap"
        : v.Csi is not null ? "csi"
        : v.DownwardAPI is not null ? "downwardAPI"
        : v.EmptyDir is not null ? "emptyDir"
        : v.Ephemeral is not null ? "ephemeral"
        : v.PersistentVolumeClaim is not null ? "persistentVolumeClaim"
        : v.Projected is not null ? "projected"
        : v.Secret is not null ? "secret"
        : v.HostPath is not null ? "hostPath"
        : "another kind";
}
