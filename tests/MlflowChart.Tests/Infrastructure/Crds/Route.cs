using k8s;

namespace MlflowChart.Tests.Infrastructure.Crds;

/// <summary>
/// route.openshift.io/v1 Route, only the fields the chart may render: any other field fails
/// strict loading. Where the openshift/microshift mirror is on the machine, the API-server layer
/// also validates the object against the real CRD.
/// </summary>
public sealed class Route : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "route.openshift.io/v1";

    public string Kind { get; set; } = "Route";

    public V1ObjectMeta Metadata { get; set; } = new();

    public RouteSpec Spec { get; set; } = new();
}

public sealed class RouteSpec
{
    public string Host { get; set; } = "";

    public string? Path { get; set; }

    public RouteTarget To { get; set; } = new();

    public RoutePort? Port { get; set; }

    public RouteTls? Tls { get; set; }

    public string? WildcardPolicy { get; set; }
}

public sealed class RouteTarget
{
    public string Kind { get; set; } = "";

    public string Name { get; set; } = "";

    public int? Weight { get; set; }
}

public sealed class RoutePort
{
    public string TargetPort { get; set; } = "";
}

public sealed class RouteTls
{
    public string Termination { get; set; } = "";

    public string? InsecureEdgeTerminationPolicy { get; set; }

    public string? DestinationCACertificate { get; set; }
}
