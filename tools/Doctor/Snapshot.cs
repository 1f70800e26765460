using k8s.Models;

namespace MlflowChart.Doctor;

/// <summary>
/// Everything `doctor` looked at in one release: the API objects that carry its labels (or that
/// its pods name), and what the server answered when asked. The checks read only this, so they can
/// be run on recorded objects as well as on a live cluster.
/// </summary>
public sealed record Snapshot
{
    public required string Release { get; init; }

    public required string Namespace { get; init; }

    /// <summary>The chart that installed the release, e.g. "mlflow-0.2.0", when a label or Helm's release record says so.</summary>
    public string? Chart { get; init; }

    /// <summary>The newest revision in Helm's release records, when there are any.</summary>
    public int? HelmRevision { get; init; }

    public IReadOnlyList<V1Deployment> Deployments { get; init; } = [];

    public IReadOnlyList<V1Pod> Pods { get; init; } = [];

    /// <summary>The ReplicaSets of the release's Deployments (their FailedCreate events say why a pod was never made).</summary>
    public IReadOnlyList<V1ReplicaSet> ReplicaSets { get; init; } = [];

    /// <summary>The EndpointSlices of the release's Services.</summary>
    public IReadOnlyList<V1EndpointSlice> EndpointSlices { get; init; } = [];

    /// <summary>Status of GET &lt;health path&gt; through each Service (the API server's service proxy, which goes by its endpoints); 0: no answer.</summary>
    public IReadOnlyDictionary<string, int> ServiceAnswers { get; init; } = new Dictionary<string, int>();

    /// <summary>The artifact store as the server sees it: listed from a server pod with its own credentials; null when not probed.</summary>
    public ArtifactProbe? ArtifactStore { get; init; }

    /// <summary>The backend store as the server sees it: a read-only query from a server pod with its own URI; null when not probed.</summary>
    public DatabaseProbe? BackendStore { get; init; }

    /// <summary>The single sign-on provider as a server pod reaches it (discovery, client authentication, redirect URI); null when not probed.</summary>
    public SsoProbe? Sso { get; init; }

    /// <summary>Names of the namespace's NetworkPolicies.</summary>
    public IReadOnlyList<string> NetworkPolicies { get; init; } = [];

    public IReadOnlyList<Corev1Event> Events { get; init; } = [];

    public IReadOnlyList<V1Service> Services { get; init; } = [];

    public IReadOnlyList<V1Ingress> Ingresses { get; init; } = [];

    /// <summary>Hostnames of the release's Gateway API HTTPRoutes, by route name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Routes { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public IReadOnlyList<V1PersistentVolumeClaim> Claims { get; init; } = [];

    /// <summary>Names of the cluster's StorageClasses, and which one is the default (null: none).</summary>
    public IReadOnlyList<string> StorageClasses { get; init; } = [];

    public string? DefaultStorageClass { get; init; }

    /// <summary>Every Secret the release's pods name: its keys, or null when it does not exist. Never values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>?> SecretKeys { get; init; } = new Dictionary<string, IReadOnlyList<string>?>();

    public IReadOnlyList<V1Job> Jobs { get; init; } = [];

    public IReadOnlyList<V1CronJob> CronJobs { get; init; } = [];

    public IReadOnlyList<ServiceMonitorInfo> ServiceMonitors { get; init; } = [];

    /// <summary>Expiry of the serving certificate, by TLS Secret name.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> CertificateExpiry { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>Log tails: "pod/container" for the current container, "pod/container (previous)" for the one before a restart, "job/name" for Jobs.</summary>
    public IReadOnlyDictionary<string, string> Logs { get; init; } = new Dictionary<string, string>();

    /// <summary>What the server answered, asked through a port-forward to one of its pods; null when no pod could be asked.</summary>
    public Answers? Answers { get; init; }

    /// <summary>When the snapshot was taken (certificate expiry is judged against it).</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>
/// What listing the artifact destination from a server pod gave: Status ok, error (Code and
/// Message say which), unchecked (a store doctor cannot list) or none (no destination).
/// </summary>
public sealed record ArtifactProbe(string Destination, string Status, string? Code = null, string? Message = null);

/// <summary>
/// What a read-only query of the backend store from a server pod gave: Status ok (Version: its
/// alembic revision; Head: the newest revision the pod's MLflow knows; Known: whether that MLflow
/// knows Version at all), error (Code, Message) or unchecked.
/// </summary>
public sealed record DatabaseProbe(string Status, string? Version = null, string? Code = null, string? Message = null, string? Head = null, bool? Known = null);

/// <summary>A ServiceMonitor of the namespace: what it selects and which port it scrapes.</summary>
public sealed record ServiceMonitorInfo(string Name, IReadOnlyDictionary<string, string> MatchLabels, IReadOnlyList<string> Ports);

/// <summary>The server's answers to the doctor's own requests.</summary>
public sealed record Answers
{
    /// <summary>The pod that was asked.</summary>
    public required string Pod { get; init; }

    /// <summary>Status of GET /api/2.0/mlflow/experiments/search per Host header (0: no answer).</summary>
    public IReadOnlyDictionary<string, int> HostStatus { get; init; } = new Dictionary<string, int>();

    /// <summary>Seconds /health took, and its status.</summary>
    public double? HealthSeconds { get; init; }

    public int? HealthStatus { get; init; }

    /// <summary>Status of the API without credentials, with a Host the server admits.</summary>
    public int? AnonymousApiStatus { get; init; }

    /// <summary>Status of the metrics path, when the server exposes metrics.</summary>
    public int? MetricsStatus { get; init; }
}

/// <summary>
/// What a server pod found of its OpenID provider: Status ok or error (Code: DiscoveryUnreachable,
/// TokenEndpointUnreachable; Message); Plugin: whether the image has the oidc-auth app; Client: the
/// provider's answer to the client's credentials on a token request with a code that is no code
/// (invalid_grant: the credentials passed; invalid_client: they did not); Redirect: the status of an
/// authorization request with the configured redirect URI (a redirect: accepted), RedirectError
/// the text of a refusal.
/// </summary>
public sealed record SsoProbe(string Status, string? Code = null, string? Message = null, bool? Plugin = null, string? Client = null, int? Redirect = null, string? RedirectError = null, string? RedirectUri = null);
