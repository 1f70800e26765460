using k8s;

namespace MlflowChart.Tests.Infrastructure.Crds;

/// <summary>
/// gateway.networking.k8s.io/v1 HTTPRoute, only the fields the chart may render: any other
/// field fails strict loading, and the API-server layer validates the object against the real CRD.
/// </summary>
public sealed class HttpRoute : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "gateway.networking.k8s.io/v1";

    public string Kind { get; set; } = "HTTPRoute";

    public V1ObjectMeta Metadata { get; set; } = new();

    public HttpRouteSpec Spec { get; set; } = new();
}

public sealed class HttpRouteSpec
{
    public List<ParentReference> ParentRefs { get; set; } = [];

    public List<string>? Hostnames { get; set; }

    public List<HttpRouteRule> Rules { get; set; } = [];
}

public sealed class ParentReference
{
    public string? Group { get; set; }

    public string? Kind { get; set; }

    public string Name { get; set; } = "";

    public string? Namespace { get; set; }

    public string? SectionName { get; set; }

    public int? Port { get; set; }
}

public sealed class HttpRouteRule
{
    public List<HttpRouteMatch> Matches { get; set; } = [];

    public List<HttpBackendRef> BackendRefs { get; set; } = [];
}

public sealed class HttpRouteMatch
{
    public HttpPathMatch Path { get; set; } = new();
}

public sealed class HttpPathMatch
{
    public string Type { get; set; } = "";

    public string Value { get; set; } = "";
}

public sealed class HttpBackendRef
{
    public string Name { get; set; } = "";

    public int Port { get; set; }
}
