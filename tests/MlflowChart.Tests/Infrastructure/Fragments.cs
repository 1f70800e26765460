namespace MlflowChart.Tests.Infrastructure;

/// <summary>Values fragments several test classes build on.</summary>
public static class Fragments
{
    /// <summary>The production stores: PostgreSQL from a Secret, artifacts proxied to S3.</summary>
    public const string PostgresAndS3 = """
        mlflow:
          backendStoreUriFrom: {secretKeyRef: {name: mlflow-db-secret, key: uri}}
          artifactsDestination: s3://my-bucket/mlflow
        """;
}
