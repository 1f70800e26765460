namespace MlflowChart.Tests.Infrastructure;

/// <summary>The Helm major versions every rendering test runs under.</summary>
public enum HelmVersion
{
    Helm3,
    Helm4,
}
