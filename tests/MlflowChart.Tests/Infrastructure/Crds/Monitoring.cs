using k8s;

namespace MlflowChart.Tests.Infrastructure.Crds;

/// <summary>monitoring.coreos.com/v1 ServiceMonitor: the fields the chart may render.</summary>
public sealed class ServiceMonitor : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "monitoring.coreos.com/v1";

    public string Kind { get; set; } = "ServiceMonitor";

    public V1ObjectMeta Metadata { get; set; } = new();

    public ServiceMonitorSpec Spec { get; set; } = new();
}

public sealed class ServiceMonitorSpec
{
    public V1LabelSelector Selector { get; set; } = new();

    public NamespaceSelector? NamespaceSelector { get; set; }

    public List<Endpoint> Endpoints { get; set; } = [];
}

public sealed class NamespaceSelector
{
    public List<string>? MatchNames { get; set; }

    public bool? Any { get; set; }
}

public sealed class Endpoint
{
    public string Port { get; set; } = "";

    public string? Path { get; set; }

    public string? Interval { get; set; }

    public string? ScrapeTimeout { get; set; }

    public string? Scheme { get; set; }

    public Dictionary<string, object>? TlsConfig { get; set; }

    public BasicAuth? BasicAuth { get; set; }
}

public sealed class BasicAuth
{
    public V1SecretKeySelector Username { get; set; } = new();

    public V1SecretKeySelector Password { get; set; } = new();
}

/// <summary>monitoring.coreos.com/v1 PrometheusRule.</summary>
public sealed class PrometheusRule : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "monitoring.coreos.com/v1";

    public string Kind { get; set; } = "PrometheusRule";

    public V1ObjectMeta Metadata { get; set; } = new();

    public PrometheusRuleSpec Spec { get; set; } = new();
}

public sealed class PrometheusRuleSpec
{
    public List<RuleGroup> Groups { get; set; } = [];
}

public sealed class RuleGroup
{
    public string Name { get; set; } = "";

    public List<Rule> Rules { get; set; } = [];
}

public sealed class Rule
{
    public string? Alert { get; set; }

    public string? Record { get; set; }

    public string Expr { get; set; } = "";

    public string? For { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }
}
