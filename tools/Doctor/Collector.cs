using System.IO.Compression;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MlflowChart.Doctor;

/// <summary>
/// Reads a release from the cluster into a <see cref="Snapshot"/>: only GET, LIST and port-forward
/// calls, nothing is created or changed. Secrets are read for their key names (and the expiry of
/// a TLS certificate); no value leaves this class.
/// </summary>
public sealed class Collector(IKubernetes client)
{
    public sealed class NotFoundException(string message) : Exception(message);

    public async Task<Snapshot> CollectAsync(string release, string ns, CancellationToken cancel = default)
    {
        var selector = $"app.kubernetes.io/instance={release}";
        var deployments = (await client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: selector, cancellationToken: cancel)).Items.ToList();
        var labelledJobs = (await client.BatchV1.ListNamespacedJobAsync(ns, labelSelector: selector, cancellationToken: cancel)).Items;
        if (deployments.Count == 0 && labelledJobs.Count == 0)
        {
            throw new NotFoundException($"nothing labelled {selector} in namespace {ns}: is the release name right (helm list -n {ns})?");
        }

        var pods = (await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: cancel)).Items
            .Where(p => p.Metadata.Labels.Get("app.kubernetes.io/instance") == release
                || deployments.Any(d => Selects(d.Spec.Selector.MatchLabels, p.Metadata.Labels))).ToList();
        var cronJobs = (await client.BatchV1.ListNamespacedCronJobAsync(ns, labelSelector: selector, cancellationToken: cancel)).Items.ToList();
        var jobs = (await client.BatchV1.ListNamespacedJobAsync(ns, cancellationToken: cancel)).Items
            .Where(j => j.Metadata.Labels.Get("app.kubernetes.io/instance") == release
                || j.Metadata.OwnerReferences?.Any(o => cronJobs.Any(c => c.Metadata.Uid == o.Uid)) == true).ToList();
        var jobPods = pods.Concat((await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: cancel)).Items
            .Where(p => jobs.Any(j => p.Metadata.Labels.Get("job-name") == j.Metadata.Name))).DistinctBy(p => p.Metadata.Uid).ToList();
        var services = (await client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: cancel)).Items.ToList();
        var ingresses = (await client.NetworkingV1.ListNamespacedIngressAsync(ns, labelSelector: selector, cancellationToken: cancel)).Items.ToList();
        var claimNames = pods.SelectMany(p => p.Spec.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null).Select(v => v.PersistentVolumeClaim.ClaimName).ToHashSet();
        var claims = (await client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, cancellationToken: cancel)).Items
            .Where(c => claimNames.Contains(c.Metadata.Name) || c.Metadata.Labels.Get("app.kubernetes.io/instance") == release).ToList();
        var classes = (await client.StorageV1.ListStorageClassAsync(cancellationToken: cancel)).Items;
        var replicaSets = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: cancel)).Items
            .Where(r => r.Metadata.OwnerReferences?.Any(o => deployments.Any(d => d.Metadata.Uid == o.Uid)) == true).ToList();
        var serviceNames = services.Select(x => x.Metadata.Name).ToHashSet();
        var slices = (await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, cancellationToken: cancel)).Items
            .Where(e => serviceNames.Contains(e.Metadata.Labels.Get("kubernetes.io/service-name") ?? "")).ToList();
        var policies = (await client.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, cancellationToken: cancel)).Items.Select(p => p.Metadata.Name).ToList();
        var involved = pods.Select(p => p.Metadata.Name).Concat(jobPods.Select(p => p.Metadata.Name)).Concat(claims.Select(c => c.Metadata.Name))
            .Concat(jobs.Select(j => j.Metadata.Name)).Concat(replicaSets.Select(r => r.Metadata.Name)).ToHashSet();
        var events = (await client.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: cancel)).Items
            .Where(e => involved.Contains(e.InvolvedObject.Name)).ToList();

        var snapshot = new Snapshot
        {
            Release = release,
            Namespace = ns,
            Chart = deployments.Select(d => d.Metadata.Labels.Get("helm.sh/chart")).FirstOrDefault(c => c is not null) ?? await HelmChartAsync(release, ns, cancel),
            HelmRevision = await HelmRevisionAsync(release, ns, cancel),
            Deployments = deployments,
            Pods = jobPods,
            ReplicaSets = replicaSets,
            EndpointSlices = slices,
            NetworkPolicies = policies,
            Events = events,
            Services = services,
            Ingresses = ingresses,
            Routes = await RoutesAsync(ns, selector, cancel),
            Claims = claims,
            StorageClasses = classes.Select(c => c.Metadata.Name).Order().ToList(),
            DefaultStorageClass = classes.FirstOrDefault(c => c.Metadata.Annotations.Get("storageclass.kubernetes.io/is-default-class") == "true")?.Metadata.Name,
            Jobs = jobs,
            CronJobs = cronJobs,
            ServiceMonitors = await ServiceMonitorsAsync(ns, selector, cancel),
        };

        var (keys, expiry) = await SecretsAsync(snapshot, cancel);
        snapshot = snapshot with { SecretKeys = keys, CertificateExpiry = expiry, Logs = await LogsAsync(snapshot, cancel) };
        return snapshot with
        {
            Answers = await AskAsync(snapshot, cancel),
            ServiceAnswers = await ThroughServicesAsync(snapshot, cancel),
            ArtifactStore = await ProbeArtifactsAsync(snapshot, cancel),
            BackendStore = await ProbeDatabaseAsync(snapshot, cancel),
            Sso = await ProbeSsoAsync(snapshot, cancel),
        };
    }

    private static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(kv => labels.Get(kv.Key) == kv.Value);

    private async Task<int?> HelmRevisionAsync(string release, string ns, CancellationToken cancel) =>
        (await client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: $"owner=helm,name={release}", cancellationToken: cancel)).Items
            .Select(r => int.TryParse(r.Metadata.Labels.Get("version"), out var v) ? v : (int?)null).Max();

    /// <summary>The chart name and version from Helm's newest release record (a gzipped JSON in a Secret), for releases whose objects carry no helm.sh/chart label.</summary>
    private async Task<string?> HelmChartAsync(string release, string ns, CancellationToken cancel)
    {
        var records = (await client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: $"owner=helm,name={release}", cancellationToken: cancel)).Items;
        var newest = records.OrderBy(r => int.TryParse(r.Metadata.Labels.Get("version"), out var v) ? v : 0).LastOrDefault();
        if (newest?.Data.Get("release") is not { } data)
        {
            return null;
        }

        try
        {
            var gzipped = Convert.FromBase64String(Encoding.ASCII.GetString(data));
            using var gzip = new GZipStream(new MemoryStream(gzipped), CompressionMode.Decompress);
            using var json = await JsonDocument.ParseAsync(gzip, cancellationToken: cancel);
            var metadata = json.RootElement.GetProperty("chart").GetProperty("metadata");
            return $"{metadata.GetProperty("name").GetString()}-{metadata.GetProperty("version").GetString()}";
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidDataException or KeyNotFoundException)
        {
            return null;
        }
    }

    private async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> RoutesAsync(string ns, string selector, CancellationToken cancel)
    {
        var routes = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var item in await CustomAsync("gateway.networking.k8s.io", "v1", ns, "httproutes", selector, cancel))
        {
            var hostnames = item.TryGetProperty("spec", out var spec) && spec.TryGetProperty("hostnames", out var h)
                ? h.EnumerateArray().Select(x => x.GetString()!).ToList()
                : [];
            routes[item.GetProperty("metadata").GetProperty("name").GetString()!] = hostnames;
        }

        return routes;
    }

    private async Task<IReadOnlyList<ServiceMonitorInfo>> ServiceMonitorsAsync(string ns, string selector, CancellationToken cancel)
    {
        var monitors = new List<ServiceMonitorInfo>();
        foreach (var item in await CustomAsync("monitoring.coreos.com", "v1", ns, "servicemonitors", selector, cancel))
        {
            var spec = item.GetProperty("spec");
            var labels = spec.TryGetProperty("selector", out var sel) && sel.TryGetProperty("matchLabels", out var ml)
                ? ml.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
                : [];
            var ports = spec.TryGetProperty("endpoints", out var eps)
                ? eps.EnumerateArray().Where(e => e.TryGetProperty("port", out _)).Select(e => e.GetProperty("port").GetString()!).ToList()
                : [];
            monitors.Add(new ServiceMonitorInfo(item.GetProperty("metadata").GetProperty("name").GetString()!, labels, ports));
        }

        return monitors;
    }

    /// <summary>Items of a custom resource, or none when the cluster does not serve it.</summary>
    private async Task<IReadOnlyList<JsonElement>> CustomAsync(string group, string version, string ns, string plural, string selector, CancellationToken cancel)
    {
        try
        {
            var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(group, version, ns, plural, labelSelector: selector, cancellationToken: cancel);
            return list.TryGetProperty("items", out var items) ? items.EnumerateArray().ToList() : [];
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Forbidden)
        {
            return [];
        }
    }

    private async Task<(IReadOnlyDictionary<string, IReadOnlyList<string>?>, IReadOnlyDictionary<string, DateTimeOffset>)> SecretsAsync(Snapshot s, CancellationToken cancel)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>?>();
        var expiry = new Dictionary<string, DateTimeOffset>();
        foreach (var name in Checks.SecretReferences(s).Select(r => r.Secret).Distinct())
        {
            try
            {
                var secret = await client.CoreV1.ReadNamespacedSecretAsync(name, s.Namespace, cancellationToken: cancel);
                keys[name] = (secret.Data?.Keys ?? []).Concat(secret.StringData?.Keys ?? []).Distinct().Order().ToList();
                if (secret.Type == "kubernetes.io/tls" && secret.Data.Get("tls.crt") is { } pem)
                {
                    using var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(pem));
                    expiry[name] = certificate.NotAfter.ToUniversalTime();
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                keys[name] = null;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // Not a readable certificate: the TLS checks of the server itself will say more.
            }
        }

        return (keys, expiry);
    }

    private async Task<IReadOnlyDictionary<string, string>> LogsAsync(Snapshot s, CancellationToken cancel)
    {
        var logs = new Dictionary<string, string>();
        var server = ServerSettings.Find(s.Deployments);
        foreach (var pod in server is null ? [] : Checks.ServerPods(s, server))
        {
            var status = pod.Status.ContainerStatuses?.FirstOrDefault(c => c.Name == server!.Container.Name);
            if (status?.State?.Running is not null || status?.State?.Terminated is not null)
            {
                logs[$"{pod.Metadata.Name}/{status.Name}"] = await LogAsync(s.Namespace, pod.Metadata.Name, status.Name, false, 60, cancel);
            }

            if (status?.RestartCount > 0)
            {
                logs[$"{pod.Metadata.Name}/{status.Name} (previous)"] = await LogAsync(s.Namespace, pod.Metadata.Name, status.Name, true, 60, cancel);
            }

            // An init container that failed (this chart's migrate on SQLite, the basic-auth INI writer) holds the pod back.
            foreach (var init in pod.Status.InitContainerStatuses ?? [])
            {
                if (init.LastState?.Terminated is { ExitCode: not 0 } || init.State?.Terminated is { ExitCode: not 0 })
                {
                    logs[$"{pod.Metadata.Name}/{init.Name}"] = await LogAsync(s.Namespace, pod.Metadata.Name, init.Name, init.State?.Terminated is null, 40, cancel);
                }
            }
        }

        foreach (var job in s.Jobs)
        {
            var pod = s.Pods.Where(p => p.Metadata.Labels.Get("job-name") == job.Metadata.Name)
                .OrderBy(p => p.Metadata.CreationTimestamp).LastOrDefault(p => p.Status.ContainerStatuses?.Any(c => c.State?.Terminated is not null || c.State?.Running is not null) == true);
            if (pod is not null)
            {
                logs[$"job/{job.Metadata.Name}"] = await LogAsync(s.Namespace, pod.Metadata.Name, pod.Spec.Containers[0].Name, false, 20, cancel);
            }
        }

        return logs;
    }

    private async Task<string> LogAsync(string ns, string pod, string container, bool previous, int lines, CancellationToken cancel)
    {
        try
        {
            using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, container: container, previous: previous, tailLines: lines, cancellationToken: cancel);
            using var reader = new StreamReader(stream);
            return await reader.ReadToEndAsync(cancel);
        }
        catch (HttpOperationException)
        {
            return "";
        }
    }

    /// <summary>Asks a Ready (else running) server pod: every Host form, /health, the API without credentials, the metrics path.</summary>
    /// <summary>GET of the health path through each Service of the release, by the API server's service proxy (which picks a ready endpoint).</summary>
    private async Task<IReadOnlyDictionary<string, int>> ThroughServicesAsync(Snapshot s, CancellationToken cancel)
    {
        var answers = new Dictionary<string, int>();
        if (ServerSettings.Find(s.Deployments) is not { } server)
        {
            return answers;
        }

        foreach (var service in s.Services.Where(x => x.Spec.Selector is { Count: > 0 } && x.Spec.Ports is { Count: > 0 }))
        {
            var port = service.Spec.Ports[0];
            var name = $"{(server.Tls ? "https:" : "")}{service.Metadata.Name}:{port.Name ?? port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                using var response = await client.CoreV1.ConnectGetNamespacedServiceProxyWithPathWithHttpMessagesAsync(
                    name, s.Namespace, $"{server.StaticPrefix.TrimStart('/')}/health".TrimStart('/'), cancellationToken: timeout.Token);
                answers[service.Metadata.Name] = (int)response.Response.StatusCode;
            }
            catch (HttpOperationException e)
            {
                answers[service.Metadata.Name] = (int)e.Response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                answers[service.Metadata.Name] = 0;
            }
        }

        return answers;
    }

    /// <summary>
    /// Lists the artifact destination from a Ready server pod, in its container, with its environment
    /// (so with the server's own credentials): one read-only list call, or a writability test of a
    /// local path. Nothing is written.
    /// </summary>
    private async Task<ArtifactProbe?> ProbeArtifactsAsync(Snapshot s, CancellationToken cancel)
    {
        if (ServerSettings.Find(s.Deployments) is not { } server || server.ArtifactsDestination is not { Length: > 0 } destination)
        {
            return null;
        }

        var fields = await RunInServerAsync(s, server, ArtifactScript, destination, cancel);
        return fields is null ? null : new ArtifactProbe(destination, fields.GetValueOrDefault("status") ?? "unchecked", fields.GetValueOrDefault("code"), fields.GetValueOrDefault("message"));
    }

    /// <summary>
    /// One read-only query of the backend store from a Ready server pod, with the URI the server
    /// itself got (its environment, or its --backend-store-uri): `select version_num from
    /// alembic_version`. SQLite files are left alone (the pod's own volume).
    /// </summary>
    private async Task<DatabaseProbe?> ProbeDatabaseAsync(Snapshot s, CancellationToken cancel)
    {
        if (ServerSettings.Find(s.Deployments) is not { } server || server.BackendIsSqlite)
        {
            return null;
        }

        var argv = ServerSettings.OptionValue(ServerSettings.Argv(server.Container), "--backend-store-uri") ?? "";
        var fields = await RunInServerAsync(s, server, DatabaseScript, argv, cancel);
        return fields is null ? null : new DatabaseProbe(fields.GetValueOrDefault("status") ?? "unchecked", fields.GetValueOrDefault("version"), fields.GetValueOrDefault("code"), fields.GetValueOrDefault("message"),
            fields.GetValueOrDefault("head"), fields.GetValueOrDefault("known") is { } known ? known == "True" || known == "true" : null);
    }

    /// <summary>
    /// Runs a read-only Python script in the server container of a Ready server pod (so with the
    /// server's own environment and credentials), with one argument, and returns the fields of the
    /// JSON line it prints last; null when no pod is Ready; status "unchecked" when it could not run.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string?>?> RunInServerAsync(Snapshot s, ServerSettings server, string script, string argument, CancellationToken cancel)
    {
        var pod = Checks.ServerPods(s, server).FirstOrDefault(p => p.Status.ContainerStatuses?.Any(c => c.Name == server.Container.Name && c.Ready) == true);
        if (pod is null)
        {
            return null;
        }

        var output = "";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            await client.NamespacedPodExecAsync(pod.Metadata.Name, s.Namespace, server.Container.Name, ["python", "-c", script, argument], false,
                async (_, stdout, _) =>
                {
                    using var reader = new StreamReader(stdout);
                    output = await reader.ReadToEndAsync(timeout.Token);
                }, timeout.Token);
            using var json = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "");
            return json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.ToString());
        }
        catch (Exception e) when (e is JsonException or OperationCanceledException or HttpOperationException or IOException or System.Net.WebSockets.WebSocketException)
        {
            return new Dictionary<string, string?> { ["status"] = "unchecked", ["message"] = $"could not run the check in pod {pod.Metadata.Name}: {e.Message}" };
        }
    }

    /// <summary>
    /// Under single sign-on: from a Ready server pod, with its own environment, fetch the provider's
    /// discovery document, present the client's credentials on a token request whose code is no
    /// code (the provider checks the client first: invalid_client or invalid_grant), and send an
    /// authorization request with the configured redirect URI without following it. Nothing is
    /// created at the provider.
    /// </summary>
    private async Task<SsoProbe?> ProbeSsoAsync(Snapshot s, CancellationToken cancel)
    {
        if (ServerSettings.Find(s.Deployments) is not { Oidc: true } server)
        {
            return null;
        }

        var fields = await RunInServerAsync(s, server, SsoScript, "", cancel);
        if (fields is null)
        {
            return null;
        }

        return new SsoProbe(fields.GetValueOrDefault("status") ?? "unchecked", fields.GetValueOrDefault("code"), fields.GetValueOrDefault("message"),
            fields.GetValueOrDefault("plugin") is { } plugin ? plugin is "True" or "true" : null, fields.GetValueOrDefault("client"),
            int.TryParse(fields.GetValueOrDefault("redirect"), out var r) ? r : null, fields.GetValueOrDefault("redirect_error"), fields.GetValueOrDefault("redirect_uri"));
    }

    private const string SsoScript = """
        import base64, json, os, sys, urllib.error, urllib.parse, urllib.request
        def out(**kw):
            print(json.dumps(kw)); sys.exit(0)
        try:
            from importlib.metadata import entry_points
            plugin = "oidc-auth" in entry_points(group="mlflow.app").names
        except Exception:
            plugin = False
        url = os.environ.get("OIDC_DISCOVERY_URL")
        if not url:
            out(status="unchecked", message="the server has no OIDC_DISCOVERY_URL", plugin=plugin)
        try:
            meta = json.load(urllib.request.urlopen(url, timeout=10))
        except Exception as e:
            out(status="error", code="DiscoveryUnreachable", message=" ".join(f"{type(e).__name__}: {e}".split())[:300], plugin=plugin)
        client_id, secret = os.environ.get("OIDC_CLIENT_ID", ""), os.environ.get("OIDC_CLIENT_SECRET", "")
        redirect = os.environ.get("OIDC_REDIRECT_URI") or ""
        basic = base64.b64encode(f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(secret, safe='')}".encode()).decode()
        form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": "doctor-probe-not-a-code", "redirect_uri": redirect or "http://localhost/callback"}).encode()
        request = urllib.request.Request(meta.get("token_endpoint", ""), data=form, headers={"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
        try:
            urllib.request.urlopen(request, timeout=10)
            client = "accepted"
        except urllib.error.HTTPError as e:
            body = e.read().decode(errors="replace")
            try:
                client = json.loads(body).get("error") or f"HTTP {e.code}"
            except ValueError:
                client = f"HTTP {e.code}"
        except Exception as e:
            out(status="error", code="TokenEndpointUnreachable", message=" ".join(f"{type(e).__name__}: {e}".split())[:300], plugin=plugin)
        status, refusal = None, None
        if redirect:
            class Stay(urllib.request.HTTPRedirectHandler):
                def redirect_request(self, *args, **kwargs):
                    return None
            query = urllib.parse.urlencode({"client_id": client_id, "redirect_uri": redirect, "response_type": "code", "scope": "openid", "state": "doctor-probe"})
            try:
                answer = urllib.request.build_opener(Stay).open(meta.get("authorization_endpoint", "") + "?" + query, timeout=10)
                status, text = answer.status, answer.read(4000).decode(errors="replace")
            except urllib.error.HTTPError as e:
                status, text = e.code, e.read(4000).decode(errors="replace")
            except Exception as e:
                status, text = 0, f"{type(e).__name__}: {e}"
            if status not in (301, 302, 303, 307, 308):
                words = " ".join(text.replace("<", " <").split())
                at = words.lower().find("redirect")
                refusal = words[max(0, at - 80):at + 160] if at >= 0 else words[:200]
        out(status="ok", plugin=plugin, client=client, redirect=status, redirect_error=refusal, redirect_uri=redirect)
        """;

    private const string DatabaseScript = """
        import json, os, sys
        def out(**kw):
            print(json.dumps(kw)); sys.exit(0)
        uri = sys.argv[1] or os.environ.get("MLFLOW_BACKEND_STORE_URI") or ""
        if "://" not in uri or uri.startswith(("sqlite", "file")):
            out(status="unchecked", message="no database server URI")
        try:
            import sqlalchemy
            engine = sqlalchemy.create_engine(uri, pool_pre_ping=False)
            with engine.connect() as c:
                version = c.execute(sqlalchemy.text("select version_num from alembic_version")).scalar()
        except Exception as e:
            cause = getattr(e, "orig", None) or e
            text = " ".join(str(cause).split())
            out(status="error", code=type(cause).__name__, message=text[:300])
        try:
            # The newest revision this image's MLflow knows: the one it will demand at its next start.
            import mlflow.store.db_migrations as migrations
            from alembic.script import ScriptDirectory
            scripts = ScriptDirectory(os.path.dirname(migrations.__file__))
            head = scripts.get_current_head()
            known = any(r.revision == version for r in scripts.walk_revisions())
        except Exception:
            head, known = None, None
        out(status="ok", version=str(version), head=head, known=known)
        """;

    /// <summary>The probe run in the server container: python, the destination as its one argument, one JSON line out.</summary>
    private const string ArtifactScript = """
        import json, os, sys
        dest = sys.argv[1]
        def out(**kw):
            print(json.dumps(kw)); sys.exit(0)
        if dest.startswith("s3://"):
            bucket, _, prefix = dest[5:].partition("/")
            try:
                import boto3
                s3 = boto3.client("s3", endpoint_url=os.environ.get("MLFLOW_S3_ENDPOINT_URL") or None)
                s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1)
                out(status="ok")
            except Exception as e:
                code = getattr(e, "response", {}).get("Error", {}).get("Code") or type(e).__name__
                out(status="error", code=str(code), message=str(e)[:300])
        if dest.startswith("gs://"):
            bucket, _, prefix = dest[5:].partition("/")
            try:
                from google.cloud import storage
            except ImportError:
                out(status="error", code="MissingLibrary", message="the image has no google-cloud-storage, which MLflow needs for gs://")
            try:
                list(storage.Client().list_blobs(bucket, prefix=prefix, max_results=1))
                out(status="ok")
            except Exception as e:
                out(status="error", code=type(e).__name__, message=" ".join(str(e).split())[:300])
        if dest.startswith(("wasbs://", "abfss://")):
            scheme, _, rest = dest.partition("://")
            location, _, prefix = rest.partition("/")
            container, _, account = location.partition("@")
            try:
                from azure.storage.blob import BlobServiceClient
            except ImportError:
                out(status="error", code="MissingLibrary", message="the image has no azure-storage-blob, which MLflow needs for " + scheme + "://")
            try:
                if os.environ.get("AZURE_STORAGE_CONNECTION_STRING"):
                    service = BlobServiceClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"])
                elif os.environ.get("AZURE_STORAGE_ACCESS_KEY"):
                    service = BlobServiceClient("https://" + account.replace(".dfs.", ".blob."), credential=os.environ["AZURE_STORAGE_ACCESS_KEY"])
                else:
                    from azure.identity import DefaultAzureCredential
                    service = BlobServiceClient("https://" + account.replace(".dfs.", ".blob."), credential=DefaultAzureCredential())
                next(iter(service.get_container_client(container).list_blobs(name_starts_with=prefix or None, results_per_page=1).by_page()), None)
                out(status="ok")
            except Exception as e:
                out(status="error", code=str(getattr(e, "error_code", None) or type(e).__name__), message=" ".join(str(e).split())[:300])
        path = dest[7:] if dest.startswith("file://") else dest if dest.startswith("/") else None
        if path is None:
            out(status="unchecked", message=dest.split(":", 1)[0] + " stores are not listed by doctor")
        probe = path
        while probe and not os.path.isdir(probe):
            probe = os.path.dirname(probe)
        if os.access(probe or "/", os.W_OK):
            out(status="ok")
        out(status="error", code="NotWritable", message=f"{probe} is not writable by UID {os.getuid()}")
        """;

    private async Task<Answers?> AskAsync(Snapshot s, CancellationToken cancel)
    {
        var server = ServerSettings.Find(s.Deployments);
        if (server is null)
        {
            return null;
        }

        var pods = Checks.ServerPods(s, server);
        var pod = pods.FirstOrDefault(p => p.Status.ContainerStatuses?.Any(c => c.Ready) == true)
            ?? pods.FirstOrDefault(p => p.Status.Phase == "Running");
        if (pod is null)
        {
            return null;
        }

        var http = new PodHttp(client, s.Namespace, pod.Metadata.Name, server.Port, server.Tls);
        var api = $"{server.StaticPrefix}/api/2.0/mlflow/experiments/search?max_results=1";
        var hosts = Checks.CandidateHosts(s, server, [pod]).Select(h => h.Host).Distinct().ToList();
        var status = new Dictionary<string, int>();
        foreach (var host in hosts)
        {
            status[host] = (await http.GetAsync(api, host, cancel)).Status;
        }

        var local = $"localhost:{server.Port}";
        var health = await http.GetAsync($"{server.StaticPrefix}/health", local, cancel);
        var anonymous = await http.GetAsync(api, local, cancel);
        int? metrics = server.Metrics ? (await http.GetAsync("/metrics", $"{pod.Status.PodIP}:{server.Port}", cancel)).Status : null;
        return new Answers
        {
            Pod = pod.Metadata.Name,
            HostStatus = status,
            HealthSeconds = health.Status == 0 ? null : health.Seconds,
            HealthStatus = health.Status == 0 ? null : health.Status,
            AnonymousApiStatus = anonymous.Status == 0 ? null : anonymous.Status,
            MetricsStatus = metrics is 0 ? null : metrics,
        };
    }

}
