using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MlflowChart.Tests.Cluster;

/// <summary>
/// The docs' TLS section on the real cluster: a certificate made with openssl-like defaults for the
/// Service's names, stored with `kubectl create secret tls`, and `tls.enabled` with nothing more.
/// The server answers HTTPS (its probes too), clients that trust the certificate work, GC works.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class TlsOnClusterTests
{
    [Theory, BothHelms]
    public async Task The_docs_tls_secret_serves_https_to_probes_clients_gc_and_helm_test(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("tls", helm);
        using var certificate = SelfSigned(ClusterRelease.Service, ns.Name);
        var dir = Scratch.Folder("mlflow-tls-");
        await File.WriteAllTextAsync(Path.Combine(dir, "tls.crt"), certificate.ExportCertificatePem(), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "tls.key"), certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem(), TestContext.Current.CancellationToken);
        // As the docs create it:
        await ns.KubectlAsync("create", "secret", "tls", "mlflow-tls", $"--cert={Path.Combine(dir, "tls.crt")}", $"--key={Path.Combine(dir, "tls.key")}");

        var release = new ClusterRelease(ns, helm);
        await release.InstallAsync([.. QuickStartTests.DocsFlags,
            "--set", "tls.enabled=true", "--set", "tls.secretName=mlflow-tls",
            "--set", "garbageCollection.enabled=true", "--set", "garbageCollection.olderThan=1s"]);
        var pod = (await release.ShouldBeReadyWithoutRestartsAsync(1)).Single();
        Figures.Record(helm, "TLS", "seconds from pod creation to Ready (HTTPS probes)", $"{ClusterRelease.SecondsToReady(pod):0.0}");

        await using (var forward = await release.ForwardAsync())
        {
            using (var untrusting = new MlflowRest(forward.Url("https")))
            {
                await FluentActions.Awaiting(() => untrusting.HealthAsync()).Should().ThrowAsync<HttpRequestException>(
                    "the server really speaks TLS, with a certificate no public CA signed");
            }

            using var api = new MlflowRest(forward.Url("https"), trust: X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert)));
            (await api.HealthAsync()).Should().Be("OK");
            var experiment = await api.CreateExperimentAsync("tls");
            var kept = await api.LogRunAsync(experiment, "kept\n");
            (await api.DownloadArtifactAsync(kept.ArtifactUri, "notes/hello.txt")).Should().Be("kept\n");
            var doomed = await api.LogRunAsync(experiment, "collected\n");
            await api.DeleteRunAsync(doomed.RunId);

            var gc = await ns.RunCronJobNowAsync("mlflow-mlflow-gc", TimeSpan.FromMinutes(4));
            gc.Succeeded.Should().BeTrue($"GC verifies the server against the certificate of the TLS Secret:\n{gc.Logs}");
            (await api.GetRunAsync(doomed.RunId)).Should().BeNull("GC removed the deleted run over HTTPS");
            (await api.GetRunAsync(kept.RunId)).Should().NotBeNull();
        }

        (await release.TestAsync()).Should().MatchRegex(@"Phase:\s+Succeeded", "helm test runs the Python client flow over HTTPS, trusting the same certificate");
    }

    /// <summary>A self-signed certificate for the Service's names and for port-forward, as `openssl req -x509` makes one.</summary>
    private static X509Certificate2 SelfSigned(string service, string ns)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={service}.{ns}.svc", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in new[] { service, $"{service}.{ns}", $"{service}.{ns}.svc", $"{service}.{ns}.svc.cluster.local", "localhost" })
        {
            names.AddDnsName(name);
        }

        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
    }
}
