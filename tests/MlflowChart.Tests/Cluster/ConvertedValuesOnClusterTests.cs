using MlflowChart.Migrate;

namespace MlflowChart.Tests.Cluster;

/// <summary>
/// A production values file of community-charts/mlflow (the converter corpus' postgres-s3.yaml:
/// PostgreSQL and S3, two replicas, every credential a plain value), pointed at the namespace's
/// PostgreSQL and S3 pods, converted by tools/ChartMigrate, its Secret applied as the report says,
/// and installed: both pods serve the MLflow client and the artifact lands in the bucket.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class ConvertedValuesOnClusterTests
{
    [Theory, BothHelms]
    public async Task A_converted_community_production_file_installs_and_serves_the_client(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("conv", helm);
        await Backends.StartAsync(ns);

        var source = CommunityProductionFile();
        source.Should().Contain("MLFLOW_S3_ENDPOINT_URL").And.Contain("password: \"password\"");

        var migration = Converter.Run(source, "community", "mlflow", Path.Combine(Repo.Chart, "values.schema.json"));
        var values = Output.Values(migration);
        values.Should().NotContain("password\"").And.NotContain("testing", "the credentials went to the Secret manifest");
        await ns.KubectlAsync("apply", "-f", TestNamespace.Values(Common.SecretManifest(migration)));

        var release = new ClusterRelease(ns, helm);
        await release.InstallAsync("-f", TestNamespace.Values(values));
        await release.ShouldBeReadyWithoutRestartsAsync(2);

        await using var forward = await release.ForwardAsync();
        var flow = await ClientFlow.RunAsync(forward.Url(), "converted");
        (await Backends.ObjectsAsync(ns, $"tracking/{flow.ExperimentId}/{flow.RunId}/")).Should().Contain(
            k => k.EndsWith("/artifacts/hello.txt", StringComparison.Ordinal), "the server proxied the artifact to s3://my-bucket/tracking, as the old chart did");
        (await Backends.SqlAsync(ns, "select count(*) from runs")).Trim().Should().Be("1", "the run is in PostgreSQL, reached with the password from the generated Secret");
        await release.ShouldBeReadyWithoutRestartsAsync(2);
    }
    /// <summary>The corpus file as a user of that chart would have it for a test namespace's PostgreSQL and S3.</summary>
    public static string CommunityProductionFile() =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "MigrationSources", "community", "postgres-s3.yaml"))
            .Replace("mlflow-db.abc123.eu-west-1.rds.amazonaws.com", "postgres")
            .Replace("user: mlflow", "user: user")
            .Replace("Pg-s3cret-passw0rd", "password")
            .Replace("company-mlflow", Backends.Bucket)
            .Replace("AKIAEXAMPLEKEY01", "testing")
            .Replace("s3-secret-access-key-example", "testing")
            .Replace("  MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{\"ServerSideEncryption\": \"aws:kms\"}'", "  MLFLOW_S3_ENDPOINT_URL: http://s3:9000");
}
