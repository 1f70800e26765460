namespace MlflowChart.Tests.Cluster;

/// <summary>
/// The tests that install releases on the real cluster. They run one at a time, apart from the
/// render tests, so that a measurement (time to Ready, memory, latency under load) is not taken
/// while another release starts on the same two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealClusterCollection
{
    public const string Name = "real cluster";
}
