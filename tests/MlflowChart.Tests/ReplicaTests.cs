namespace MlflowChart.Tests;

/// <summary>Replicas and the rollout strategy: what may run more than once, and how pods are replaced.</summary>
public sealed class ReplicaTests
{
    [Theory, BothHelms]
    public async Task External_stores_roll_one_pod_at_a_time_without_dropping_capacity(HelmVersion helm)
    {
        var deployment = (await Helm.TemplateAsync(helm, Fragments.PostgresAndS3 + "\nreplicaCount: 3")).Server();

        deployment.Spec.Replicas.Should().Be(3);
        deployment.Spec.Strategy.Type.Should().Be("RollingUpdate");
        deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value.Should().Be("0");
        deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value.Should().Be("1");
    }

    [Theory, BothHelms]
    public async Task A_shared_volume_allows_replicas_with_rolling_updates(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/shared-volume-values.yaml"));

        render.Server().Spec.Replicas.Should().Be(2);
        render.Server().Spec.Strategy.Type.Should().Be("RollingUpdate");
        render.Single<V1PersistentVolumeClaim>().Spec.AccessModes.Should().Equal("ReadWriteMany");
    }

    [Theory, BothHelms]
    public async Task A_ReadWriteOnce_volume_forces_Recreate_even_with_an_external_database(HelmVersion helm)
    {
        var deployment = (await Helm.TemplateAsync(helm, """
            mlflow:
              backendStoreUriFrom: {secretKeyRef: {name: db, key: uri}}
            storage: {enabled: true}
            """)).Server();

        deployment.Spec.Strategy.Type.Should().Be("Recreate");
    }

    [Theory, BothHelms]
    public async Task An_explicit_strategy_is_kept_where_it_is_safe(HelmVersion helm)
    {
        var deployment = (await Helm.TemplateAsync(helm, Fragments.PostgresAndS3 + """

            deploymentStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 2, maxUnavailable: 1}}
            """)).Server();

        deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value.Should().Be("2");
        deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value.Should().Be("1");
    }

    [Theory, BothHelms]
    public async Task Zero_replicas_scales_the_server_down_and_keeps_the_data(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, "replicaCount: 0");

        render.Server().Spec.Replicas.Should().Be(0);
        render.All<V1PersistentVolumeClaim>().Should().ContainSingle();
    }
}
