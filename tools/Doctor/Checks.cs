using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;

namespace MlflowChart.Doctor;

/// <summary>
/// The checks: each reads the snapshot only and says ok, warn or FAIL, with the evidence and the
/// fix. A check that does not apply to the release (no Ingress, no auth, ...) says nothing.
/// </summary>
public static partial class Checks
{
    /// <summary>What the user tells doctor: the size of the artifacts they upload through an Ingress.</summary>
    public sealed record Options(long UploadBytes = 100L * 1024 * 1024);

    public static IReadOnlyList<Finding> Run(Snapshot s, Options? options = null)
    {
        options ??= new Options();
        var server = ServerSettings.Find(s.Deployments);
        if (server is null)
        {
            // An install whose pre-install hook failed has no Deployment yet, only the hook's Job and pods.
            return
            [
                Finding.Fail("release", "server", $"release {s.Release} has no Deployment that runs `mlflow server`{(s.Jobs.Count > 0 ? "; the install stopped before creating it (see below)" : "")}",
                    "check the release name and namespace (`helm list -n <namespace>`); an install that failed in its migration hook is fixed and installed again"),
                .. Secrets(s),
                .. Database(s, null, []),
            ];
        }

        var pods = ServerPods(s, server);
        return
        [
            .. Hosts(s, server, pods),
            .. Pods(s, server, pods),
            .. NeverCreated(s, server, pods),
            .. Rollout(s, server, pods),
            .. ServicePath(s, server, pods),
            .. Storage(s, server, pods),
            .. Database(s, server, pods),
            .. BackendStore(s, server),
            .. Secrets(s),
            .. Auth(s, server),
            .. Sso(s, server, pods),
            .. Operations(s, server),
            .. Artifacts(s, options),
            .. ArtifactStore(s, server),
        ];
    }

    /// <summary>The pods of the server Deployment (selected by its selector), without those being deleted.</summary>
    public static IReadOnlyList<V1Pod> ServerPods(Snapshot s, ServerSettings server)
    {
        var selector = server.Deployment.Spec.Selector.MatchLabels ?? new Dictionary<string, string>();
        var component = server.Deployment.Spec.Template.Metadata.Labels.Get("app.kubernetes.io/component");
        // The upstream chart's selector (name and instance) also matches the release's Job and test
        // pods; only pods of a ReplicaSet are the Deployment's.
        return s.Pods.Where(p => p.Metadata.DeletionTimestamp is null && selector.All(kv => p.Metadata.Labels.Get(kv.Key) == kv.Value)
            && (p.Metadata.OwnerReferences is not { Count: > 0 } owners || owners.Any(o => o.Kind == "ReplicaSet"))
            && (component is null || p.Metadata.Labels.Get("app.kubernetes.io/component") == component)).ToList();
    }

    private static IEnumerable<Finding> Hosts(Snapshot s, ServerSettings server, IReadOnlyList<V1Pod> pods)
    {
        const string area = "hosts";
        var allowed = server.AllowedHosts is null ? "MLflow's defaults (localhost and private networks)" : $"--allowed-hosts={string.Join(',', server.AllowedHosts)}";
        var refused = new List<(string Host, string From, bool Answered)>();
        var admitted = 0;
        var answered = 0;

        // A status the server gave is the truth; without one (no pod answered), the allowed-hosts list decides.
        void Judge(string host, string from)
        {
            var status = s.Answers?.HostStatus.GetValueOrDefault(host, 0) ?? 0;
            if (status == 403 || (status == 0 && !server.Admits(host)))
            {
                refused.Add((host, from, status == 403));
                return;
            }

            admitted++;
            answered += status == 0 ? 0 : 1;
        }

        foreach (var (host, from) in CandidateHosts(s, server, pods))
        {
            Judge(host, from);
        }

        var fix = "add the host to the server's allowed hosts: server.value_options.allowed_hosts (a list, comma-joined); with this chart keep server.allowedHosts.derive=true, which adds Ingress, HTTPRoute and Service names itself";
        var gcHost = GcTrackingHost(s);
        static string Seen(bool gave403) => gave403 ? "answered 403" : "is not admitted";
        var grouped = new List<(string From, List<(string Host, bool Gave403)> Hosts)>();
        foreach (var (host, from, gave403) in refused)
        {
            var external = from.StartsWith("Ingress", StringComparison.Ordinal) || from.StartsWith("HTTPRoute", StringComparison.Ordinal);
            if (external || host == gcHost || from == PortForward)
            {
                var who = external ? "every request through it gets HTTP 403 \"Invalid Host header\""
                    : from == PortForward ? "the documented access through kubectl port-forward gets HTTP 403 on the API and UI"
                    : "the GC job calls the server by this name and gets 403";
                yield return Finding.Fail(area, host, $"{from}: Host {host} {Seen(gave403)}; {who}; the server allows {allowed}", fix);
            }
            else if (grouped.FirstOrDefault(g => g.From == from) is { From: not null } group)
            {
                group.Hosts.Add((host, gave403));
            }
            else
            {
                grouped.Add((from, [(host, gave403)]));
            }
        }

        // The other names of one Service, or the pod IPs, are one finding each: they fail for one reason.
        foreach (var (from, hosts) in grouped)
        {
            var list = string.Join(", ", hosts.Select(h => $"{h.Host} {Seen(h.Gave403)}"));
            if (from == "pod IPs")
            {
                var verdict = s.ServiceMonitors.Count > 0 ? Verdict.Fail : Verdict.Warn;
                yield return new Finding(area, "pod IPs", verdict, $"{list}: clients that use pod IPs (Prometheus scraping pods) get 403; the server allows {allowed}",
                    "keep the private networks in the list (10.*, 172.16.* to 172.31.*, 192.168.*); with this chart server.allowedHosts.privateNetworks=true");
            }
            else
            {
                yield return Finding.Warn(area, from, $"{list}: in-cluster clients using these names get 403; the server allows {allowed}", fix);
            }
        }

        if (admitted > 0)
        {
            var how = answered == admitted ? $"as pod {s.Answers!.Pod} answered"
                : answered == 0 ? "judged from the allowed-hosts list (no pod answered)"
                : $"{answered} as pod {s.Answers!.Pod} answered, the rest judged from the allowed-hosts list";
            yield return Finding.Ok(area, "admitted", $"{admitted} Host header(s) pass MLflow's host check, {how}");
        }
    }

    /// <summary>
    /// Every Host header a client of the release sends, and where it comes from: Ingress and
    /// HTTPRoute hosts, the in-cluster names of every Service that selects the server (with the
    /// port, and bare for 80/443), and the pods' IPs with the container port.
    /// </summary>
    public static IEnumerable<(string Host, string From)> CandidateHosts(Snapshot s, ServerSettings server, IReadOnlyList<V1Pod> pods)
    {
        foreach (var ingress in s.Ingresses)
        {
            foreach (var rule in ingress.Spec.Rules ?? [])
            {
                if (rule.Host is { Length: > 0 } host)
                {
                    yield return (host, $"Ingress {ingress.Metadata.Name}");
                }
            }
        }

        foreach (var (route, hostnames) in s.Routes)
        {
            foreach (var host in hostnames)
            {
                yield return (host, $"HTTPRoute {route}");
            }
        }

        var labels = server.Deployment.Spec.Template.Metadata.Labels ?? new Dictionary<string, string>();
        foreach (var service in s.Services.Where(v => v.Spec.Selector is { Count: > 0 } sel && sel.All(kv => labels.Get(kv.Key) == kv.Value)))
        {
            var name = service.Metadata.Name;
            foreach (var port in service.Spec.Ports ?? [])
            {
                // `kubectl port-forward svc/NAME PORT:PORT`, then http://localhost:PORT: how the docs tell users to reach it.
                yield return ($"localhost:{port.Port}", PortForward);
                foreach (var form in new[] { name, $"{name}.{s.Namespace}", $"{name}.{s.Namespace}.svc", $"{name}.{s.Namespace}.svc.cluster.local" })
                {
                    yield return ($"{form}:{port.Port}", $"Service {name}");
                    if (port.Port is 80 or 443)
                    {
                        yield return (form, $"Service {name}");
                    }
                }
            }
        }

        foreach (var pod in pods.Where(p => p.Status.PodIP is not null))
        {
            yield return ($"{pod.Status.PodIP}:{server.Port}", "pod IPs");
        }
    }

    private const string PortForward = "kubectl port-forward";

    private static string? GcTrackingHost(Snapshot s)
    {
        foreach (var cronJob in s.CronJobs)
        {
            var uri = cronJob.Spec.JobTemplate.Spec.Template.Spec.Containers.SelectMany(c => c.Env ?? [])
                .FirstOrDefault(e => e.Name == "MLFLOW_TRACKING_URI")?.Value;
            if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
            {
                return parsed.IsDefaultPort ? parsed.Host : $"{parsed.Host}:{parsed.Port}";
            }
        }

        return null;
    }

    private static IEnumerable<Finding> Pods(Snapshot s, ServerSettings server, IReadOnlyList<V1Pod> pods)
    {
        const string area = "pods";
        var replicas = server.Deployment.Spec.Replicas ?? 1;
        var limit = Sizing.MiB(server.Container.Resources?.Limits.Get("memory"));
        var peak = Sizing.PeakMiB(server.Workers, server.JobExecution);
        if (limit is { } set && set * 100 < peak * 115)
        {
            yield return Finding.Warn(area, "memory limit",
                $"the limit, {set:0} MiB, leaves less than 15% above the about {peak} MiB MLflow reached under load (10 requests/s) with {server.Workers} worker(s) and job execution {(server.JobExecution ? "on" : "off")}: a burst can get it OOM-killed",
                $"raise resources.limits.memory to {Sizing.LimitMiB(server.Workers, server.JobExecution)}Mi (or leave resources empty with this chart), or lower the workers (about 175 MiB each under load) or turn job execution off (MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false, about 1150 MiB)");
        }

        if (pods.Count == 0 && FailedCreate(s, "ReplicaSet", CurrentReplicaSet(s, server)?.Metadata.Name) is not null)
        {
            yield break;
        }

        if (pods.Count == 0)
        {
            yield return Finding.Fail(area, "server pods", $"Deployment {server.Deployment.Metadata.Name} has no pods (replicas {replicas})",
                $"kubectl describe deployment -n {s.Namespace} {server.Deployment.Metadata.Name}");
            yield break;
        }

        var sizing = $"with {server.Workers} worker(s) and job execution {(server.JobExecution ? "on" : "off")} MLflow uses about {Sizing.IdleMiB(server.Workers, server.JobExecution)} MiB at idle; this chart would request {Sizing.RequestMiB(server.Workers, server.JobExecution)}Mi and limit {Sizing.LimitMiB(server.Workers, server.JobExecution)}Mi";
        var healthy = 0;
        foreach (var pod in pods)
        {
            var name = pod.Metadata.Name;
            var status = pod.Status.ContainerStatuses?.FirstOrDefault(c => c.Name == server.Container.Name);
            var scheduled = pod.Status.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
            if (pod.Status.Phase == "Pending" && scheduled?.Status == "False")
            {
                yield return Finding.Fail(area, name, $"Pending, not scheduled: {scheduled.Message}", PendingFix(s, pod));
                continue;
            }

            var terminated = status?.LastState?.Terminated;
            if (terminated?.Reason == "OOMKilled")
            {
                var limitText = limit is { } l ? $"{l:0} MiB" : "no limit (the node ran out)";
                yield return Finding.Fail(area, name, $"OOMKilled {status!.RestartCount} time(s): it reached its memory limit, {limitText}; {sizing}",
                    $"raise resources.limits.memory to {Sizing.LimitMiB(server.Workers, server.JobExecution)}Mi (or leave resources empty with this chart), or lower the workers (about 160 MiB each) or turn job execution off (MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false, about 1070 MiB)");
                continue;
            }

            var kills = Count(s, name, e => e.Reason == "Killing" && e.Message?.Contains("failed liveness probe", StringComparison.Ordinal) == true);
            if (kills > 0)
            {
                var probe = server.Container.LivenessProbe;
                var how = probe?.HttpGet is not null ? $"an HTTP check of {probe.HttpGet.Path} with a {probe.TimeoutSeconds ?? 1} s timeout" : "its liveness probe";
                var latency = s.Answers?.HealthSeconds is { } h ? $"; /health took {h:0.00} s just now" : "";
                yield return Finding.Fail(area, name, $"killed {kills} time(s) by {how}{latency}",
                    "a busy server answers /health late: give liveness a longer timeout and more failures, or check the port only (a tcpSocket probe, as this chart does)");
                continue;
            }

            // An init container that cannot start or keeps failing holds the server back.
            if (pod.Status.InitContainerStatuses?.FirstOrDefault(c => !c.Ready && (c.RestartCount > 0 || c.State?.Terminated is { ExitCode: not 0 }
                    || c.State?.Waiting?.Reason is { } r && r is not "PodInitializing" and not "ContainerCreating")) is { } init)
            {
                var log = LastLine(s, $"{name}/{init.Name}", l => l.StartsWith("FAILED", StringComparison.Ordinal));
                var state = init.State?.Waiting is { } w ? $"waiting: {w.Reason}: {w.Message}" : $"failed {init.RestartCount + 1} time(s)";
                yield return Finding.Fail(area, name, $"init container {init.Name} {state}{(log is null ? "" : $"; its log: {log}")}",
                    init.State?.Waiting?.Reason is { } wr && wr.Contains("Config", StringComparison.Ordinal) ? WaitingFix(wr)
                    : init.Name == "migrate" ? $"the database migration failed before the server could start: fix what the log names, then the pod retries it (kubectl logs -n {s.Namespace} {name} -c migrate)"
                    : $"kubectl logs -n {s.Namespace} {name} -c {init.Name}");
                continue;
            }

            // A killed container waits in CrashLoopBackOff: the kill, named above, is the news; other waits are named here.
            if (status?.State?.Waiting is { } waiting && waiting.Reason is not "ContainerCreating" and not "PodInitializing")
            {
                yield return Finding.Fail(area, name, $"container {status.Name} waiting: {waiting.Reason}: {waiting.Message}", WaitingFix(waiting.Reason));
                continue;
            }

            if ((status?.RestartCount ?? 0) > 0)
            {
                var last = terminated is null ? "" : $"; last exit: {terminated.Reason} (code {terminated.ExitCode})";
                var line = LastLine(s, $"{name}/{server.Container.Name} (previous)");
                yield return Finding.Warn(area, name, $"restarted {status!.RestartCount} time(s){last}{(line is null ? "" : $"; its log ended with: {line}")}",
                    $"kubectl logs -n {s.Namespace} {name} --previous");
                continue;
            }

            var readiness = Count(s, name, e => e.Reason == "Unhealthy" && e.Message?.StartsWith("Readiness probe failed", StringComparison.Ordinal) == true);
            if (readiness > 0 && status?.Ready != true)
            {
                yield return Finding.Warn(area, name, $"not Ready: its readiness probe failed {readiness} time(s){(s.Answers?.HealthSeconds is { } h2 ? $"; /health took {h2:0.00} s just now" : "")}",
                    "a server this slow to answer is overloaded: add replicas or CPU, or (basic auth) turn on the credential cache");
                continue;
            }

            if (status?.Ready == true)
            {
                healthy++;
            }
        }

        if (healthy > 0)
        {
            var latency = s.Answers?.HealthSeconds is { } h ? $", /health answered in {h:0.00} s" : "";
            yield return Finding.Ok(area, "server pods", $"{healthy} of {replicas} Ready with no restart{latency}");
        }
    }

    private static string PendingFix(Snapshot s, V1Pod pod)
    {
        foreach (var claimName in Claims(pod))
        {
            var claim = s.Claims.FirstOrDefault(c => c.Metadata.Name == claimName);
            if (claim is null)
            {
                return $"the claim {claimName} does not exist: create it, or let the chart create one (storage.existingClaim empty)";
            }

            if (claim.Status?.Phase != "Bound")
            {
                return ClaimFix(s, claim);
            }
        }

        return $"kubectl describe pod -n {s.Namespace} {pod.Metadata.Name}: the scheduler's message names what no node offers (CPU, memory, a node selector or toleration)";
    }

    private static string ClaimFix(Snapshot s, V1PersistentVolumeClaim claim)
    {
        var wanted = claim.Spec.StorageClassName ?? s.DefaultStorageClass;
        var known = s.StorageClasses.Count == 0 ? "none" : string.Join(", ", s.StorageClasses.Order());
        if (wanted is null)
        {
            return $"the claim names no storage class and the cluster has no default one: set storage.storageClassName to one of: {known}";
        }

        return s.StorageClasses.Contains(wanted)
            ? $"the claim waits for storage class {wanted}: kubectl describe pvc -n {s.Namespace} {claim.Metadata.Name} shows why it is not provisioned"
            : $"storage class \"{wanted}\" does not exist: set storage.storageClassName to one of: {known} (empty for the cluster's default{(s.DefaultStorageClass is null ? ", which it does not have" : $", {s.DefaultStorageClass}")}), then delete the Pending claim and upgrade";
    }

    private static string WaitingFix(string reason) => reason switch
    {
        "CreateContainerConfigError" => "a Secret or ConfigMap the pod names, or one of its keys, is missing: see the secrets checks below",
        "ErrImagePull" or "ImagePullBackOff" or "ErrImageNeverPull" => "the image cannot be pulled: check image.repository, image.tag and imagePullSecrets",
        "CrashLoopBackOff" => "the server exits at start: see its previous log (the database checks below read it)",
        _ => "kubectl describe pod shows the cause",
    };

    /// <summary>
    /// A rollout that does not finish: the newest ReplicaSet's pods fail (restarts, crash loops) or
    /// the Deployment gave up (ProgressDeadlineExceeded), while older pods may still serve.
    /// </summary>
    private static IEnumerable<Finding> Rollout(Snapshot s, ServerSettings server, IReadOnlyList<V1Pod> pods)
    {
        var current = CurrentReplicaSet(s, server);
        var owned = s.ReplicaSets.Count(r => r.Metadata.OwnerReferences?.Any(o => o.Uid == server.Deployment.Metadata.Uid) == true);
        if (current is null || owned < 2)
        {
            // The first revision has nothing to roll from; its failing pods are named under pods.
            yield break;
        }

        var revision = current.Metadata.Annotations.Get("deployment.kubernetes.io/revision") ?? "?";
        var newPods = pods.Where(p => p.Metadata.OwnerReferences?.Any(o => o.Uid == current.Metadata.Uid) == true).ToList();
        var oldServing = pods.Except(newPods).Count(p => p.Status.ContainerStatuses?.Any(c => c.Name == server.Container.Name && c.Ready) == true);
        var failing = newPods.FirstOrDefault(p => p.Status.ContainerStatuses?.Any(c => c.Name == server.Container.Name && !c.Ready
            && (c.RestartCount > 0 || c.State?.Waiting?.Reason == "CrashLoopBackOff")) == true);
        var gaveUp = server.Deployment.Status?.Conditions?.FirstOrDefault(c => c.Type == "Progressing" && c.Status == "False");
        if (failing is null && gaveUp is null)
        {
            yield break;
        }

        var why = failing is null ? null : LastLine(s, $"{failing.Metadata.Name}/{server.Container.Name} (previous)") ?? LastLine(s, $"{failing.Metadata.Name}/{server.Container.Name}");
        var rollback = s.HelmRevision is > 1
            ? $"helm rollback {s.Release} {s.HelmRevision - 1} -n {s.Namespace}, if helm revision {s.HelmRevision} started it; else kubectl rollout undo deployment/{server.Deployment.Metadata.Name} -n {s.Namespace}"
            : $"kubectl rollout undo deployment/{server.Deployment.Metadata.Name} -n {s.Namespace}";
        var cause = why is not null && DatabasePassword().IsMatch(why)
            ? $"the database refused the credentials of {server.Backend ?? "the backend store URI"}: put the right password there, then the rollout resumes; "
            : why is not null && DatabaseHost().IsMatch(why)
                ? $"the database host of {server.Backend ?? "the backend store URI"} cannot be reached: fix the host or the network, then the rollout resumes; "
                : "fix what the new pods fail with, then the rollout resumes; ";
        var what = failing is null ? $"{gaveUp!.Reason}: {gaveUp.Message}" : $"new pod {failing.Metadata.Name} fails{(why is null ? "" : $" with: {why}")}";
        yield return Finding.Fail("rollout", $"Deployment {server.Deployment.Metadata.Name}",
            $"the rollout of revision {revision} is stuck: {what}" + (oldServing > 0 ? $"; {oldServing} pod(s) of an older revision still serve" : "; no pod serves"),
            $"{cause}or roll back: {rollback}");
    }

    [GeneratedRegex(@"password authentication failed|Access denied for user|Login failed for user", RegexOptions.IgnoreCase)]
    private static partial Regex DatabasePassword();

    [GeneratedRegex(@"could not translate host name|Name or service not known|Connection refused|could not connect to server|timeout expired|Unknown MySQL server host", RegexOptions.IgnoreCase)]
    private static partial Regex DatabaseHost();

    /// <summary>The backend store, as a server pod reaches it with the server's own URI.</summary>
    private static IEnumerable<Finding> BackendStore(Snapshot s, ServerSettings server)
    {
        if (s.BackendStore is not { } probe || probe.Status == "unchecked" && probe.Message == "no database server URI")
        {
            yield break;
        }

        const string area = "database";
        var source = server.Backend ?? "the backend store URI";
        if (probe.Status == "ok" && probe.Head is { } head && probe.Version != head)
        {
            var image = server.Container.Image;
            yield return probe.Known == false
                ? Finding.Fail(area, "schema", $"the database schema is at {probe.Version}, which the server's MLflow ({image}) does not know: a newer MLflow migrated it, and the pods refuse to start at their next restart",
                    "run the MLflow version that migrated the database (image.tag), or restore the backup taken before that migration")
                : Finding.Fail(area, "schema", $"the database schema is at {probe.Version}, the server's MLflow ({image}) expects {head}: the pods that serve now refuse to start at their next restart",
                    "migrate once: helm upgrade with migrations.enabled=true (the chart's hook Job runs mlflow db upgrade), or run `mlflow db upgrade <uri>` from one pod, after a backup");
        }
        else if (probe.Status == "ok")
        {
            yield return Finding.Ok(area, "backend store", $"reached from a server pod with {source}; schema at {probe.Version}{(probe.Head is null ? "" : ", the server's own")}");
        }
        else if (probe.Status == "unchecked")
        {
            yield return Finding.Warn(area, "backend store", $"not checked: {probe.Message}", "check it by hand: kubectl exec into a server pod and connect with its URI");
        }
        else
        {
            var message = probe.Message ?? "";
            var fix = DatabasePassword().IsMatch(message)
                ? $"the database refuses the credentials of {source}: put the right user and password there (URL-encoded), then restart the pods"
                : DatabaseHost().IsMatch(message)
                    ? $"the database host of {source} cannot be reached: is the database up, is the host right, does a NetworkPolicy let the pods out?"
                    : message.Contains("alembic_version", StringComparison.Ordinal)
                        ? "the database has no MLflow schema: run the migration (helm upgrade runs this chart's migration hook) or point the URI at the right database"
                        : $"fix {source}";
            yield return Finding.Fail(area, "backend store", $"a server pod cannot query it: {probe.Code}: {message}", fix);
        }
    }

    /// <summary>The artifact store, as a server pod lists it with the server's own credentials.</summary>
    private static IEnumerable<Finding> ArtifactStore(Snapshot s, ServerSettings server)
    {
        if (s.ArtifactStore is not { } probe)
        {
            yield break;
        }

        const string area = "artifacts";
        var check = $"store {probe.Destination}";
        var credentials = string.Join(", ", (server.Container.Env ?? [])
            .Where(e => e.Name is "AWS_ACCESS_KEY_ID" or "AWS_SECRET_ACCESS_KEY" or "AZURE_STORAGE_CONNECTION_STRING" or "AZURE_STORAGE_ACCESS_KEY" or "GOOGLE_APPLICATION_CREDENTIALS" && e.ValueFrom?.SecretKeyRef is not null)
            .Select(e => $"{e.Name} from {ServerSettings.Source(e)}"));
        switch (probe.Status)
        {
            case "ok":
                yield return Finding.Ok(area, check, probe.Destination.StartsWith('/') || probe.Destination.StartsWith("file:", StringComparison.Ordinal)
                    ? "the server's user can write there (checked in a server pod)"
                    : "listed from a server pod with the server's own credentials");
                break;
            case "unchecked":
                yield return Finding.Warn(area, check, $"not checked: {probe.Message}", "check the store by hand: upload an artifact through the server and read it back");
                break;
            default:
                var fix = probe.Code switch
                {
                    "NoSuchBucket" or "NotFound" or "ContainerNotFound" => "create the bucket (or container), or point mlflow.artifactsDestination at one that exists",
                    "MissingLibrary" => "use an image with the store's client library: the official -full tags (image.tag v<version>-full) carry boto3, google-cloud-storage and azure-storage-blob",
                    "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "NoCredentialsError" or "Forbidden" or "Unauthorized" or "DefaultCredentialsError"
                        or "AuthenticationFailed" or "AuthorizationFailure" or "AuthorizationPermissionMismatch" or "ClientAuthenticationError" or "CredentialUnavailableError" =>
                        $"the store refuses the server's credentials{(credentials.Length > 0 ? $" ({credentials})" : "")}: fix the key in that Secret, or the role of the ServiceAccount, then restart the pods",
                    "EndpointConnectionError" or "ConnectTimeoutError" or "ServiceRequestError" or "TransportError" =>
                        $"the store's endpoint cannot be reached{(server.Container.Env?.FirstOrDefault(e => e.Name == "MLFLOW_S3_ENDPOINT_URL")?.Value is { } endpoint ? $" (MLFLOW_S3_ENDPOINT_URL={endpoint})" : "")}: fix the URL, or the network policy or DNS between",
                    "NotWritable" => "the server's user cannot write there: mount a writable volume at that path (storage.enabled), or set the pod's fsGroup",
                    _ => "fix mlflow.artifactsDestination or the store's credentials",
                };
                yield return Finding.Fail(area, check, $"every artifact upload fails: {probe.Code}: {probe.Message}", fix);
                break;
        }
    }

    /// <summary>The Deployment's newest ReplicaSet (highest deployment.kubernetes.io/revision).</summary>
    private static V1ReplicaSet? CurrentReplicaSet(Snapshot s, ServerSettings server) =>
        s.ReplicaSets.Where(r => r.Metadata.OwnerReferences?.Any(o => o.Uid == server.Deployment.Metadata.Uid) == true)
            .MaxBy(r => int.TryParse(r.Metadata.Annotations.Get("deployment.kubernetes.io/revision"), out var v) ? v : 0);

    /// <summary>The newest FailedCreate event of an object: why its controller could not make a pod.</summary>
    private static Corev1Event? FailedCreate(Snapshot s, string kind, string? name) =>
        name is null ? null : s.Events.Where(e => e.Reason == "FailedCreate" && e.InvolvedObject.Kind == kind && e.InvolvedObject.Name == name)
            .MaxBy(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp);

    /// <summary>Pods the ReplicaSet or a Job asked for and the API server refused: quota, LimitRange, Pod Security, a webhook, a missing ServiceAccount.</summary>
    private static IEnumerable<Finding> NeverCreated(Snapshot s, ServerSettings server, IReadOnlyList<V1Pod> pods)
    {
        const string area = "pods";
        var replicas = server.Deployment.Spec.Replicas ?? 1;
        var current = CurrentReplicaSet(s, server);
        if (current is not null && (current.Status?.Replicas ?? 0) < (current.Spec.Replicas ?? replicas) && FailedCreate(s, "ReplicaSet", current.Metadata.Name) is { } failed)
        {
            var revision = current.Metadata.Annotations.Get("deployment.kubernetes.io/revision");
            yield return Finding.Fail(area, $"ReplicaSet {current.Metadata.Name}",
                $"{(pods.Count == 0 ? "no server pod was ever created" : $"the pods of revision {revision} are not created")}: {failed.Message}", CreationFix(s, failed.Message ?? ""));
        }

        foreach (var job in s.Jobs.Where(j => (j.Status?.Active ?? 0) + (j.Status?.Succeeded ?? 0) + (j.Status?.Failed ?? 0) == 0))
        {
            if (FailedCreate(s, "Job", job.Metadata.Name) is { } jobFailed)
            {
                yield return Finding.Fail(area, $"Job {job.Metadata.Name}", $"its pod was never created: {jobFailed.Message}", CreationFix(s, jobFailed.Message ?? ""));
            }
        }
    }

    private static string CreationFix(Snapshot s, string message)
    {
        if (QuotaName().Match(message) is { Success: true } quota)
        {
            return $"the namespace's ResourceQuota {quota.Groups[1].Value} has no room for the pod: raise it (kubectl describe resourcequota -n {s.Namespace} {quota.Groups[1].Value}) or ask for less (resources, or fewer server.workers / server.jobExecution=false, which lower what the chart asks for)";
        }

        if (message.Contains("must specify", StringComparison.Ordinal))
        {
            return $"a ResourceQuota of the namespace requires the resource named above in every container: set it in resources (and migrations.resources for the Job); kubectl describe resourcequota -n {s.Namespace}";
        }

        if (message.Contains("violates PodSecurity", StringComparison.Ordinal))
        {
            return "the namespace enforces the Pod Security level named above: remove the value that asks for what it forbids (the chart's own pods pass restricted; look at extraVolumes, extraContainers, podSecurityContext and securityContext)";
        }

        if (message.Contains("LimitRange", StringComparison.Ordinal) || message.Contains("maximum", StringComparison.Ordinal) || message.Contains("minimum", StringComparison.Ordinal))
        {
            return $"a LimitRange of the namespace bounds what a container may ask for: fit resources within it (kubectl describe limitrange -n {s.Namespace})";
        }

        if (ServiceAccountName().Match(message) is { Success: true } sa)
        {
            return $"the ServiceAccount {sa.Groups[1].Value} does not exist: create it, or set serviceAccount.create=true";
        }

        if (message.Contains("admission webhook", StringComparison.Ordinal))
        {
            return "an admission webhook refused the pod (its name and reason are above): change the values it objects to, or ask its owner";
        }

        return $"kubectl describe replicaset -n {s.Namespace} (or the Job) shows the refusal in full";
    }

    [GeneratedRegex(@"exceeded quota: ([^,\s]+)")]
    private static partial Regex QuotaName();

    [GeneratedRegex(@"serviceaccount ""([^""]+)"" not found", RegexOptions.IgnoreCase)]
    private static partial Regex ServiceAccountName();

    /// <summary>The way clients come in: each Service has ready endpoints on the port MLflow listens on, and a request through it answers.</summary>
    private static IEnumerable<Finding> ServicePath(Snapshot s, ServerSettings server, IReadOnlyList<V1Pod> pods)
    {
        const string area = "service";
        var ready = pods.Where(p => p.Status.ContainerStatuses?.Any(c => c.Name == server.Container.Name && c.Ready) == true).ToList();
        foreach (var service in s.Services.Where(x => x.Spec.Selector is { Count: > 0 }))
        {
            var name = $"Service {service.Metadata.Name}";
            var selector = service.Spec.Selector;
            var shown = string.Join(",", selector.Select(kv => $"{kv.Key}={kv.Value}"));
            var endpoints = s.EndpointSlices.Where(e => e.Metadata.Labels.Get("kubernetes.io/service-name") == service.Metadata.Name)
                .SelectMany(e => e.Endpoints ?? []).Where(e => e.Conditions?.Ready != false).ToList();
            if (ready.Count == 0)
            {
                continue;
            }

            if (!ready.Any(p => selector.All(kv => p.Metadata.Labels.Get(kv.Key) == kv.Value)))
            {
                yield return Finding.Fail(area, name, $"selects {shown}, which none of the {ready.Count} Ready server pod(s) carry, so it has no endpoints and every client is refused",
                    $"give the Service the pods' labels back: helm upgrade restores the chart's selector (kubectl get endpointslices -n {s.Namespace} -l kubernetes.io/service-name={service.Metadata.Name})");
                continue;
            }

            if (!s.EndpointSlices.Any(e => e.Metadata.Labels.Get("kubernetes.io/service-name") == service.Metadata.Name))
            {
                // Not collected (a snapshot recorded before doctor read EndpointSlices): the live cluster always has one per Service.
                continue;
            }

            if (endpoints.Count == 0)
            {
                var target = service.Spec.Ports?.FirstOrDefault()?.TargetPort?.Value;
                yield return Finding.Fail(area, name, $"selects the server pods but has no ready endpoints: its target port {target} is not a port the pods declare",
                    "set the Service's targetPort to the container's port (MLflow listens on 5000; this chart names it http, or https under TLS)");
                continue;
            }

            var ports = s.EndpointSlices.Where(e => e.Metadata.Labels.Get("kubernetes.io/service-name") == service.Metadata.Name)
                .SelectMany(e => e.Ports ?? []).Select(p => p.Port).Distinct().ToList();
            if (!ports.Contains(server.Port))
            {
                yield return Finding.Fail(area, name, $"sends to port {string.Join(",", ports)}, but MLflow listens on {server.Port}",
                    "set the Service's targetPort to the container's port");
                continue;
            }

            if (s.ServiceAnswers.TryGetValue(service.Metadata.Name, out var status) && status != 200)
            {
                yield return Finding.Fail(area, name, $"{endpoints.Count} ready endpoint(s) on port {server.Port}, but /health through the Service answered {(status == 0 ? "nothing" : status.ToString(CultureInfo.InvariantCulture))}",
                    $"kubectl describe service -n {s.Namespace} {service.Metadata.Name}; a NetworkPolicy or the node's proxy may stand between");
                continue;
            }

            yield return Finding.Ok(area, name, $"{endpoints.Count} ready endpoint(s) on port {server.Port}{(s.ServiceAnswers.ContainsKey(service.Metadata.Name) ? "; /health answers through it" : "")}");
        }

        if (s.NetworkPolicies.Count > 0)
        {
            yield return Finding.Ok(area, "NetworkPolicies", $"{string.Join(", ", s.NetworkPolicies)}: not checked (doctor cannot tell whether the cluster enforces them)");
        }
    }

    private static IEnumerable<Finding> Storage(Snapshot s, ServerSettings server, IReadOnlyList<V1Pod> pods)
    {
        const string area = "storage";
        var replicas = server.Deployment.Spec.Replicas ?? 1;
        var strategy = server.Deployment.Spec.Strategy?.Type ?? "RollingUpdate";
        var claimNames = (server.Deployment.Spec.Template.Spec.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null)
            .Select(v => v.PersistentVolumeClaim.ClaimName).Distinct().ToList();
        foreach (var name in claimNames)
        {
            var claim = s.Claims.FirstOrDefault(c => c.Metadata.Name == name);
            if (claim is null)
            {
                yield return Finding.Fail(area, name, "the server mounts this claim, and it does not exist", "create it, or set storage.existingClaim to a claim that exists");
                continue;
            }

            if (claim.Status?.Phase != "Bound" && pods.Count == 0 && FailedCreate(s, "ReplicaSet", CurrentReplicaSet(s, server)?.Metadata.Name) is not null
                && s.Events.Any(e => e.InvolvedObject.Name == name && e.Reason == "WaitForFirstConsumer"))
            {
                yield return Finding.Ok(area, name, "Pending until its first pod is scheduled (WaitForFirstConsumer); that pod was never created, see pods");
                continue;
            }

            if (claim.Status?.Phase != "Bound")
            {
                var why = s.Events.Where(e => e.InvolvedObject.Kind == "PersistentVolumeClaim" && e.InvolvedObject.Name == name && e.Type == "Warning").Select(e => e.Message).LastOrDefault();
                yield return Finding.Fail(area, name, $"claim {claim.Status?.Phase ?? "Pending"}{(why is null ? "" : $": {why}")}", ClaimFix(s, claim));
                continue;
            }

            var modes = claim.Spec.AccessModes ?? [];
            var singleNode = modes.All(m => m is "ReadWriteOnce" or "ReadWriteOncePod");
            if (singleNode && replicas > 1)
            {
                yield return Finding.Fail(area, name, $"{string.Join(',', modes)} claim with {replicas} replicas: it attaches to one node, so pods elsewhere fail with a Multi-Attach error",
                    "use one replica, or ReadWriteMany storage, or keep data in a database and an object store (no claim)");
            }
            else if (singleNode && strategy == "RollingUpdate")
            {
                yield return Finding.Warn(area, name, $"{string.Join(',', modes)} claim with a RollingUpdate: during a rollout the new pod waits for a volume the old one holds unless both land on one node",
                    "use deploymentStrategy.type=Recreate (this chart picks it by itself for such a claim)");
            }
            else
            {
                yield return Finding.Ok(area, name, $"Bound, {string.Join(',', modes)}, {claim.Spec.Resources?.Requests.Get("storage")}");
            }
        }

        if (server.BackendIsSqlite && replicas > 1)
        {
            yield return Finding.Fail(area, "backend store", $"SQLite ({server.Backend}) with {replicas} replicas: several pods writing one database file corrupt it",
                "use PostgreSQL or MySQL for several replicas, or set replicaCount=1");
        }
    }

    private static IEnumerable<Finding> Database(Snapshot s, ServerSettings? server, IReadOnlyList<V1Pod> pods)
    {
        const string area = "database";
        foreach (var pod in pods)
        {
            var match = new[] { $"{pod.Metadata.Name}/{server!.Container.Name} (previous)", $"{pod.Metadata.Name}/{server.Container.Name}" }
                .Select(key => s.Logs.GetValueOrDefault(key)).OfType<string>().Select(log => OutdatedSchema().Match(log)).FirstOrDefault(m => m.Success);
            if (match is not null)
            {
                yield return Finding.Fail(area, "schema", $"{pod.Metadata.Name}: the database schema is at {match.Groups[1].Value}, the server's MLflow expects {match.Groups[2].Value}, so it refuses to start",
                    "migrate once: helm upgrade with migrations.enabled=true (the chart's hook Job runs mlflow db upgrade), or run `mlflow db upgrade <uri>` from one pod, after a backup");
            }
        }

        foreach (var job in s.Jobs.Where(j => j.Metadata.Name.Contains("migrat", StringComparison.Ordinal)))
        {
            var name = job.Metadata.Name;
            if ((job.Status?.Failed ?? 0) > 0 && (job.Status?.Succeeded ?? 0) == 0 && (job.Status?.Active ?? 0) == 0)
            {
                var line = LastLine(s, $"job/{name}", l => l.Contains("FAILED", StringComparison.Ordinal) || l.Contains("Error", StringComparison.Ordinal));
                yield return Finding.Fail(area, name, $"the migration Job failed{(line is null ? "" : $": {line}")}",
                    $"kubectl logs -n {s.Namespace} job/{name}; fix what it names (database URI, password, scheme), then helm upgrade again, which reruns it");
            }
            else if ((job.Status?.Active ?? 0) > 0)
            {
                var stuck = s.Pods.Where(p => p.Metadata.Labels.Get("job-name") == name)
                    .SelectMany(p => p.Status.ContainerStatuses ?? []).Select(c => c.State?.Waiting).FirstOrDefault(w => w is not null && w.Reason is not "ContainerCreating" and not "PodInitializing");
                if (stuck is not null)
                {
                    yield return Finding.Fail(area, name, $"the migration Job cannot start: {stuck.Reason}: {stuck.Message}", WaitingFix(stuck.Reason));
                }
            }
            else if ((job.Status?.Succeeded ?? 0) > 0)
            {
                yield return Finding.Ok(area, name, "the last migration succeeded");
            }
        }
    }

    private static IEnumerable<Finding> Secrets(Snapshot s)
    {
        const string area = "secrets";
        var ok = 0;
        foreach (var (owner, secret, key, optional) in SecretReferences(s))
        {
            if (!s.SecretKeys.TryGetValue(secret, out var keys) || keys is null)
            {
                yield return new Finding(area, secret, optional ? Verdict.Warn : Verdict.Fail, $"{owner} names Secret {secret}, which does not exist",
                    $"create it in namespace {s.Namespace} (kubectl create secret generic {secret} ...), or fix the name in the values");
            }
            else if (key is not null && !keys.Contains(key))
            {
                yield return new Finding(area, $"{secret}/{key}", optional ? Verdict.Warn : Verdict.Fail,
                    $"{owner} reads key {key} of Secret {secret}, which holds only: {(keys.Count == 0 ? "no keys" : string.Join(", ", keys.Order()))}",
                    $"add the key {key} to the Secret, or point secretKeyRef.key at one it has");
            }
            else
            {
                ok++;
            }
        }

        if (ok > 0)
        {
            yield return Finding.Ok(area, "references", $"{ok} Secret reference(s) of the release resolve (names and keys only were read)");
        }
    }

    /// <summary>Every Secret reference of the release's workloads: owner, Secret, key (null: the whole Secret), optional.</summary>
    public static IEnumerable<(string Owner, string Secret, string? Key, bool Optional)> SecretReferences(Snapshot s)
    {
        var seen = new HashSet<(string, string?)>();
        var templates = s.Deployments.Select(d => ($"Deployment/{d.Metadata.Name}", d.Spec.Template.Spec))
            .Concat(s.CronJobs.Select(c => ($"CronJob/{c.Metadata.Name}", c.Spec.JobTemplate.Spec.Template.Spec)))
            .Concat(s.Jobs.Where(j => j.Status?.Succeeded is null or 0).Select(j => ($"Job/{j.Metadata.Name}", j.Spec.Template.Spec)));
        foreach (var (owner, spec) in templates)
        {
            foreach (var container in (spec.InitContainers ?? []).Concat(spec.Containers))
            {
                foreach (var env in container.Env ?? [])
                {
                    if (env.ValueFrom?.SecretKeyRef is { } r && seen.Add((r.Name, r.Key)))
                    {
                        yield return ($"{owner} (env {env.Name})", r.Name, r.Key, r.Optional == true);
                    }
                }

                foreach (var from in container.EnvFrom ?? [])
                {
                    if (from.SecretRef is { } r && seen.Add((r.Name, null)))
                    {
                        yield return ($"{owner} (envFrom)", r.Name, null, r.Optional == true);
                    }
                }
            }

            foreach (var volume in spec.Volumes ?? [])
            {
                if (volume.Secret is { } v)
                {
                    var items = v.Items?.Select(i => i.Key).ToList() ?? [];
                    if (items.Count == 0 && seen.Add((v.SecretName, null)))
                    {
                        yield return ($"{owner} (volume {volume.Name})", v.SecretName, null, v.Optional == true);
                    }

                    foreach (var item in items.Where(i => seen.Add((v.SecretName, i))))
                    {
                        yield return ($"{owner} (volume {volume.Name})", v.SecretName, item, v.Optional == true);
                    }
                }
            }
        }
    }

    private static IEnumerable<Finding> Auth(Snapshot s, ServerSettings server)
    {
        const string area = "auth";
        if (!server.BasicAuth)
        {
            yield break;
        }

        var env = (server.Container.Env ?? []).Select(e => e.Name).ToHashSet();
        if (!env.Contains("MLFLOW_FLASK_SERVER_SECRET_KEY") && !(server.Container.EnvFrom?.Count > 0))
        {
            yield return Finding.Fail(area, "secret key", "basic auth is on but MLFLOW_FLASK_SERVER_SECRET_KEY is not set: the server refuses to start",
                "create one (kubectl create secret generic mlflow-auth-secret --from-literal=secret-key=\"$(openssl rand -hex 32)\") and set auth.secretKey.existingSecret, or pass it through env");
        }

        var readOnlyRoot = server.Container.SecurityContext?.ReadOnlyRootFilesystem == true;
        if (!env.Contains("MLFLOW_AUTH_CONFIG_PATH"))
        {
            var evidence = "basic auth reads MLflow's own basic_auth.ini: its users database is sqlite:///basic_auth.db, relative to the working directory";
            yield return readOnlyRoot
                ? Finding.Fail(area, "users database", $"{evidence}, on a read-only root filesystem: the server retries forever and never becomes healthy",
                    "point MLFLOW_AUTH_CONFIG_PATH at an INI whose database_uri is a database or a file on a volume; this chart writes one (auth.databaseUriFrom, or the backend database by default)")
                : Finding.Warn(area, "users database", $"{evidence}, inside the container: users and passwords are lost with every restart",
                    "point MLFLOW_AUTH_CONFIG_PATH at an INI whose database_uri is a database or a file on a volume");
        }
        else
        {
            var init = server.Deployment.Spec.Template.Spec.InitContainers?.SelectMany(c => c.Env ?? []).FirstOrDefault(e => e.Name == "AUTH_DATABASE_URI");
            var where = init?.ValueFrom?.SecretKeyRef is { } r ? $"the database of Secret {r.Name}/{r.Key}" : "the database named in the INI of MLFLOW_AUTH_CONFIG_PATH";
            yield return Finding.Ok(area, "users database", $"users live in {where}");
        }

        if (s.Answers is { } answers)
        {
            if (answers.HealthStatus is { } health)
            {
                yield return health == 200
                    ? Finding.Ok(area, "/health", "answers 200 without credentials, so the probes work")
                    : Finding.Fail(area, "/health", $"answered {health} without credentials: the probes fail", "probe /health (MLflow leaves it open under basic auth), not the API or /version");
            }

            if (answers.AnonymousApiStatus is { } api)
            {
                yield return api == 401
                    ? Finding.Ok(area, "API", "answers 401 without credentials")
                    : Finding.Fail(area, "API", $"answered {api} to a request without credentials", "check that --app-name basic-auth reaches the server and that nothing in front of it answers instead");
            }
        }
    }

    /// <summary>
    /// Single sign-on (the mlflow-oidc-auth plugin): the plugin in the image, the provider's
    /// discovery document, the client's credentials and the redirect URI, as a server pod sees them.
    /// </summary>
    private static IEnumerable<Finding> Sso(Snapshot s, ServerSettings server, IReadOnlyList<V1Pod> pods)
    {
        const string area = "sso";
        if (!server.Oidc)
        {
            yield break;
        }

        var noPlugin = s.Logs.Where(l => pods.Any(p => l.Key.StartsWith(p.Metadata.Name + "/", StringComparison.Ordinal)) || l.Key.StartsWith("job/", StringComparison.Ordinal))
            .Any(l => l.Value.Contains("'oidc-auth' is not one of", StringComparison.Ordinal) || l.Value.Contains("has no mlflow-oidc-auth plugin", StringComparison.Ordinal)
                || l.Value.Contains("No module named 'mlflow_oidc_auth'", StringComparison.Ordinal));
        if (noPlugin || s.Sso?.Plugin == false)
        {
            yield return Finding.Fail(area, "plugin", $"the image {server.Container.Image} has no oidc-auth app (the mlflow-oidc-auth plugin): the server and its migration step cannot start",
                "run an image with the plugin: the official ghcr.io/mlflow/mlflow images do not contain it; build one from them with the plugin version that supports their MLflow (README, SSO), and set image.repository and image.tag");
            yield break;
        }

        if (s.Sso is not { } probe)
        {
            yield break;
        }

        var discovery = server.EnvSource("OIDC_DISCOVERY_URL");
        if (probe.Status == "error")
        {
            yield return Finding.Fail(area, "provider", $"a server pod cannot reach the provider ({probe.Code}) at {discovery}: {probe.Message}; nobody can log in",
                "auth.oidc.discoveryUrl must resolve and answer from inside the cluster: check the URL, the cluster's DNS, an egress NetworkPolicy or proxy, and the provider's certificate (a private CA must be trusted in the image)");
            yield break;
        }

        if (probe.Status != "ok")
        {
            yield return Finding.Warn(area, "provider", $"not checked: {probe.Message}", "check the login by hand in a browser");
            yield break;
        }

        yield return Finding.Ok(area, "provider", $"a server pod reads the discovery document at {discovery}");
        var client = server.EnvSource("OIDC_CLIENT_ID");
        yield return probe.Client == "invalid_client"
            ? Finding.Fail(area, "client", $"the provider refuses the credentials of client {client} (invalid_client): every login fails when the provider sends the user back",
                $"put client {client}'s secret, as the provider has it, in {server.EnvSource("OIDC_CLIENT_SECRET")} (auth.oidc.clientSecret), then restart the pods (kubectl rollout restart deployment/{server.Deployment.Metadata.Name} -n {s.Namespace})")
            : Finding.Ok(area, "client", $"the provider accepts the credentials of client {client} (it answered {probe.Client} to a request with no real code)");
        if (string.IsNullOrEmpty(probe.RedirectUri))
        {
            yield return Finding.Warn(area, "redirect URI", "not checked: the plugin derives it from each request's Host header, which a proxy may change",
                "set auth.oidc.redirectUri to the address registered at the provider (the chart derives it from an Ingress, HTTPRoute or Route host)");
        }
        else if (probe.Redirect is 301 or 302 or 303 or 307 or 308)
        {
            yield return Finding.Ok(area, "redirect URI", $"the provider accepts {probe.RedirectUri} for client {client}");
        }
        else
        {
            yield return Finding.Fail(area, "redirect URI", $"the provider refuses {probe.RedirectUri} for client {client} (HTTP {probe.Redirect}: {probe.RedirectError}): every login stops at the provider's error page",
                $"register {probe.RedirectUri} as a redirect URI of client {client} at the provider, or set auth.oidc.redirectUri to the one registered there");
        }
    }

    private static IEnumerable<Finding> Operations(Snapshot s, ServerSettings server)
    {
        const string area = "operations";
        foreach (var cronJob in s.CronJobs)
        {
            var name = cronJob.Metadata.Name;
            var last = s.Jobs.Where(j => j.Metadata.OwnerReferences?.Any(o => o.Kind == "CronJob" && o.Name == name) == true)
                .OrderBy(j => j.Metadata.CreationTimestamp).LastOrDefault();
            if (last is null)
            {
                yield return Finding.Ok(area, name, $"no run yet (schedule {cronJob.Spec.Schedule})");
                continue;
            }

            var line = LastLine(s, $"job/{last.Metadata.Name}");
            if ((last.Status?.Failed ?? 0) > 0 && (last.Status?.Succeeded ?? 0) == 0 && (last.Status?.Active ?? 0) == 0)
            {
                yield return Finding.Fail(area, name, $"the last run, Job {last.Metadata.Name}, failed{(line is null ? "" : $": {line}")}",
                    $"kubectl logs -n {s.Namespace} job/{last.Metadata.Name}; a 403 means the host it calls is not allowed, a 401 that its credentials (auth.admin.existingSecret) are not the server's");
            }
            else if ((last.Status?.Succeeded ?? 0) > 0)
            {
                yield return Finding.Ok(area, name, $"the last run, Job {last.Metadata.Name}, succeeded{(line is null ? "" : $": {line}")}");
            }
        }

        if (server.Metrics && s.Answers?.MetricsStatus is { } metrics)
        {
            yield return metrics switch
            {
                200 => Finding.Ok(area, "metrics", "the metrics path answers 200"),
                401 when server.BasicAuth => Finding.Ok(area, "metrics", "the metrics path answers 401 without credentials (basic auth): the scrape must log in"),
                403 => Finding.Fail(area, "metrics", "the metrics path answered 403 to a pod-IP Host", "keep private networks in the allowed hosts so Prometheus can scrape pods"),
                _ => Finding.Fail(area, "metrics", $"the metrics path answered {metrics}", "check metrics.path and that --expose-prometheus points at a writable directory"),
            };
        }

        foreach (var monitor in s.ServiceMonitors)
        {
            var service = s.Services.FirstOrDefault(v => monitor.MatchLabels.All(kv => v.Metadata.Labels.Get(kv.Key) == kv.Value));
            if (service is null)
            {
                yield return Finding.Fail(area, monitor.Name, $"ServiceMonitor {monitor.Name} selects no Service of the release ({string.Join(", ", monitor.MatchLabels.Select(kv => $"{kv.Key}={kv.Value}"))})",
                    "make its selector match the Service's labels");
            }
            else if (monitor.Ports.FirstOrDefault(p => service.Spec.Ports?.All(sp => sp.Name != p) ?? true) is { } missing)
            {
                yield return Finding.Fail(area, monitor.Name, $"ServiceMonitor {monitor.Name} scrapes port \"{missing}\", which Service {service.Metadata.Name} does not name",
                    $"use one of: {string.Join(", ", (service.Spec.Ports ?? []).Select(p => p.Name))}");
            }
            else
            {
                yield return Finding.Ok(area, monitor.Name, $"ServiceMonitor {monitor.Name} selects Service {service.Metadata.Name}");
            }
        }

        foreach (var (secret, expiry) in s.CertificateExpiry)
        {
            var left = expiry - s.Now;
            var when = expiry.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            yield return left <= TimeSpan.Zero
                ? Finding.Fail(area, "certificate", $"the certificate of Secret {secret} expired on {when}", "renew it (cert-manager renews by itself; a certificate made by hand must be replaced) and restart the pods")
                : left < TimeSpan.FromDays(14)
                    ? Finding.Warn(area, "certificate", $"the certificate of Secret {secret} expires on {when}, in {left.TotalDays:0} days", "renew it before then")
                    : Finding.Ok(area, "certificate", $"the certificate of Secret {secret} is valid until {when}");
        }
    }

    private static IEnumerable<Finding> Artifacts(Snapshot s, Options options)
    {
        const string area = "artifacts";
        foreach (var ingress in s.Ingresses)
        {
            var annotations = ingress.Metadata.Annotations ?? new Dictionary<string, string>();
            var controller = ingress.Spec.IngressClassName ?? annotations.Get("kubernetes.io/ingress.class") ?? "";
            if (!controller.Contains("nginx", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var annotation = annotations.Get("nginx.ingress.kubernetes.io/proxy-body-size");
            var limit = annotation is null ? 1024 * 1024 : ParseNginxSize(annotation);
            var want = $"{options.UploadBytes / (1024.0 * 1024):0} MiB";
            if (limit is null)
            {
                yield return Finding.Warn(area, ingress.Metadata.Name, $"proxy-body-size \"{annotation}\" is not a size ingress-nginx reads", "give it as e.g. 0 (no limit), 500m or 2g");
            }
            else if (limit != 0 && limit < options.UploadBytes)
            {
                var shown = annotation is null ? "ingress-nginx's default 1m (no proxy-body-size annotation)" : $"proxy-body-size {annotation}";
                yield return Finding.Fail(area, ingress.Metadata.Name, $"{shown}: an artifact upload above it gets HTTP 413 Request Entity Too Large (checked against {want})",
                    "annotate the Ingress with nginx.ingress.kubernetes.io/proxy-body-size: \"0\" (no limit) or a size above your largest artifact, e.g. with ingress.annotations");
            }
            else
            {
                yield return Finding.Ok(area, ingress.Metadata.Name, $"proxy-body-size {(limit == 0 ? "0 (no limit)" : annotation)} admits uploads of {want}");
            }
        }
    }

    /// <summary>An nginx size (500, 10k, 8m, 1g) in bytes; 0 means no limit; null when unreadable.</summary>
    public static long? ParseNginxSize(string text)
    {
        var match = NginxSize().Match(text.Trim());
        if (!match.Success)
        {
            return null;
        }

        var number = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value.ToLowerInvariant() switch
        {
            "k" => number * 1024,
            "m" => number * 1024 * 1024,
            "g" => number * 1024 * 1024 * 1024,
            _ => number,
        };
    }

    private static IEnumerable<string> Claims(V1Pod pod) =>
        (pod.Spec.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null).Select(v => v.PersistentVolumeClaim.ClaimName);

    private static int Count(Snapshot s, string pod, Func<Corev1Event, bool> what) =>
        s.Events.Where(e => e.InvolvedObject.Kind == "Pod" && e.InvolvedObject.Name == pod && what(e)).Sum(e => e.Count ?? 1);

    /// <summary>
    /// The line of a log that says why: the one preferred, else the last exception message
    /// (`sqlalchemy.exc.OperationalError: ... password authentication failed ...`), else the last line.
    /// A traceback ends with a pointer such as "(Background on this error at: ...)", which says nothing.
    /// </summary>
    private static string? LastLine(Snapshot s, string log, Func<string, bool>? prefer = null)
    {
        var lines = s.Logs.GetValueOrDefault(log)?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var line = (prefer is null ? null : lines.LastOrDefault(prefer))
            ?? lines.LastOrDefault(l => ExceptionLine().IsMatch(l) && !l.StartsWith("(Background on this error", StringComparison.Ordinal))
            ?? lines.LastOrDefault();
        return line is null ? null : line.Length > 300 ? line[..300] + "..." : line;
    }

    [GeneratedRegex(@"^([A-Za-z_][\w.]*(Error|Exception|Exit)\b.*:|.*\bFATAL:)")]
    private static partial Regex ExceptionLine();

    [GeneratedRegex(@"out-of-date database schema \(found version (\S+), but expected (\S+)\)")]
    private static partial Regex OutdatedSchema();

    [GeneratedRegex(@"^(\d+)([kKmMgG]?)$")]
    private static partial Regex NginxSize();
}
