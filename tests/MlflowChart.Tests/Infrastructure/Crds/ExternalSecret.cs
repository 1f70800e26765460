using k8s;

namespace MlflowChart.Tests.Infrastructure.Crds;

/// <summary>external-secrets.io/v1 ExternalSecret: the fields the chart may render.</summary>
public sealed class ExternalSecret : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "external-secrets.io/v1";

    public string Kind { get; set; } = "ExternalSecret";

    public V1ObjectMeta Metadata { get; set; } = new();

    public ExternalSecretSpec Spec { get; set; } = new();
}

public sealed class ExternalSecretSpec
{
    public string? RefreshInterval { get; set; }

    public StoreRef SecretStoreRef { get; set; } = new();

    public ExternalSecretTarget Target { get; set; } = new();

    public List<ExternalSecretData> Data { get; set; } = [];
}

public sealed class StoreRef
{
    public string Name { get; set; } = "";

    public string? Kind { get; set; }
}

public sealed class ExternalSecretTarget
{
    public string Name { get; set; } = "";

    public string? CreationPolicy { get; set; }

    public Dictionary<string, object>? Template { get; set; }
}

public sealed class ExternalSecretData
{
    public string SecretKey { get; set; } = "";

    public RemoteRef RemoteRef { get; set; } = new();
}

public sealed class RemoteRef
{
    public string Key { get; set; } = "";

    public string? Property { get; set; }

    public string? Version { get; set; }
}
