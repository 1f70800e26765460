namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// PostgreSQL and an S3 server in a test namespace (cluster-backends.yaml), and the Secrets the
/// docs' production section creates for them, with the docs' own names and keys.
/// </summary>
public static class Backends
{
    public const string Bucket = "my-bucket";

    /// <summary>The objects cluster-backends.yaml creates, as kind/name.</summary>
    public static readonly IReadOnlySet<string> Objects = new HashSet<string> { "Pod/postgres", "Service/postgres", "Pod/s3", "Service/s3" };

    /// <summary>The docs' database URI, with the docs' user and password: the PostgreSQL pod is set up to match it.</summary>
    public const string DatabaseUri = "postgresql://user:password@postgres:5432/mlflow";

    /// <summary>
    /// Starts PostgreSQL and S3, creates the bucket, and creates the docs' Secrets. By default the
    /// S3 server takes any key; with <paramref name="checkedKeys"/> it checks them as AWS does
    /// (moto's IAM: a user with an s3:* policy and its generated key, which s3-credentials holds),
    /// so a wrong secret key gets SignatureDoesNotMatch.
    /// </summary>
    public static async Task StartAsync(TestNamespace ns, bool checkedKeys = false)
    {
        var manifest = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "cluster-backends.yaml")).Replace("IMAGE", ns.Cluster.Image);
        if (checkedKeys)
        {
            // moto answers this many requests unauthenticated, then checks every one: the three IAM calls below.
            manifest = manifest.Replace("- {name: HOME, value: /tmp}", "- {name: HOME, value: /tmp}\n        - {name: INITIAL_NO_AUTH_ACTION_COUNT, value: \"3\"}", StringComparison.Ordinal);
        }

        var file = Path.Combine(Scratch.Folder("mlflow-backends-"), "backends.yaml");
        await File.WriteAllTextAsync(file, manifest);
        await ns.KubectlAsync("apply", "-f", file);
        await ns.KubectlAsync("wait", "--for=condition=Ready", "pod/postgres", "pod/s3", "--timeout=180s");
        var (keyId, secretKey) = ("testing", "testing");
        if (checkedKeys)
        {
            var key = await S3Async(ns, """
                import json
                iam = boto3.client('iam', endpoint_url='http://127.0.0.1:9000', aws_access_key_id='setup', aws_secret_access_key='setup', region_name='eu-west-1')
                iam.create_user(UserName='mlflow')
                iam.put_user_policy(UserName='mlflow', PolicyName='s3', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:*', 'Resource': '*'}]}))
                key = iam.create_access_key(UserName='mlflow')['AccessKey']
                print(key['AccessKeyId'], key['SecretAccessKey'])
                """);
            (keyId, secretKey) = (key.Split(' ')[0], key.Split(' ')[1].Trim());
        }

        await S3Async(ns, $"s3.create_bucket(Bucket='{Bucket}', CreateBucketConfiguration={{'LocationConstraint': 'eu-west-1'}})", keyId, secretKey);

        // As the docs create them: kubectl create secret generic ... --from-literal=...
        await ns.KubectlAsync("create", "secret", "generic", "mlflow-db-secret", $"--from-literal=uri={DatabaseUri}");
        await ns.KubectlAsync("create", "secret", "generic", "s3-credentials", $"--from-literal=access-key-id={keyId}", $"--from-literal=secret-access-key={secretKey}");
        await ns.KubectlAsync("create", "secret", "generic", "mlflow-auth-secret", $"--from-literal=secret-key={Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}");
    }

    /// <summary>Keys of the objects in the bucket under a prefix.</summary>
    public static async Task<IReadOnlyList<string>> ObjectsAsync(TestNamespace ns, string prefix)
    {
        var output = await S3Async(ns, $"print('\\n'.join(o['Key'] for o in s3.list_objects_v2(Bucket='{Bucket}', Prefix='{prefix}').get('Contents', [])))");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Runs SQL in the PostgreSQL pod and returns psql's unaligned output.</summary>
    public static Task<string> SqlAsync(TestNamespace ns, string sql) =>
        ns.ExecAsync("postgres", "/usr/lib/postgresql/17/bin/psql", "-h", "/var/run/postgresql", "-U", "user", "-d", "mlflow", "-At", "-c", sql);

    private static Task<string> S3Async(TestNamespace ns, string statement, string keyId = "testing", string secretKey = "testing") =>
        ns.ExecAsync("s3", "python3", "-c",
            $"import boto3\ns3 = boto3.client('s3', endpoint_url='http://127.0.0.1:9000', aws_access_key_id='{keyId}', aws_secret_access_key='{secretKey}', region_name='eu-west-1')\n{statement}");

    /// <summary>The production example as shipped: charts/example-mlflow-charts.yaml (two replicas, PostgreSQL from mlflow-db-secret, s3://my-bucket/mlflow).</summary>
    public static string ExampleFile => Path.Combine(Repo.Chart, "example-mlflow-charts.yaml");

    /// <summary>
    /// PostgreSQL from mlflow-db-secret, artifacts in the bucket with the keys of s3-credentials, two
    /// replicas: in the keys the upstream chart and this one share (mlflow.*, env, replicaCount).
    /// </summary>
    public const string SharedKeysProduction = """
        replicaCount: 2
        mlflow:
          backendStoreUriFrom:
            secretKeyRef: {name: mlflow-db-secret, key: uri}
          artifactsDestination: s3://my-bucket/mlflow
        env:
          - name: AWS_ACCESS_KEY_ID
            valueFrom: {secretKeyRef: {name: s3-credentials, key: access-key-id}}
          - name: AWS_SECRET_ACCESS_KEY
            valueFrom: {secretKeyRef: {name: s3-credentials, key: secret-access-key}}
          - {name: AWS_DEFAULT_REGION, value: eu-west-1}
          - {name: MLFLOW_S3_ENDPOINT_URL, value: "http://s3:9000"}

        """;

    /// <summary>
    /// What a user adds to the example for this namespace and for the docs' basic-auth section,
    /// exactly as written: app_name basic-auth and the Flask key from mlflow-auth-secret. The
    /// `env` list is the example's with the S3 endpoint and the docs' auth entry added, as one list
    /// (Helm replaces a list given in two files, so the S3 keys would otherwise vanish).
    /// </summary>
    public static string ProductionOverrides(string extra = "") => $$"""
        server:
          value_options:
            app_name: "basic-auth"
        env:
          - name: AWS_ACCESS_KEY_ID
            valueFrom:
              secretKeyRef:
                name: s3-credentials
                key: access-key-id
          - name: AWS_SECRET_ACCESS_KEY
            valueFrom:
              secretKeyRef:
                name: s3-credentials
                key: secret-access-key
          - name: AWS_DEFAULT_REGION
            value: eu-west-1
          - name: MLFLOW_S3_ENDPOINT_URL
            value: http://s3:9000
          - name: MLFLOW_FLASK_SERVER_SECRET_KEY
            valueFrom:
              secretKeyRef:
                name: mlflow-auth-secret
                key: secret-key
        {{extra}}
        """;
}
