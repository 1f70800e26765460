using System.Diagnostics;

namespace MlflowChart.Tests;

/// <summary>
/// scripts/release.sh against a real OCI registry on loopback, with throwaway GPG keys, under each
/// Helm: it publishes a version once and refuses it the second time; users pull it with
/// `--verify`, render the same manifests as from ./charts, and install it from the classic
/// repository its index.yaml describes; a tampered package or one signed by another key is refused.
/// </summary>
public sealed class ReleaseTests
{
    [Theory, BothHelms]
    public async Task A_release_is_published_once_verified_and_installed_from_both_kinds_of_repository(HelmVersion helm)
    {
        var rig = await ReleaseRig.RequireAsync();
        var tree = await ReleaseRig.CommittedCopyAsync();
        var out_ = Path.Combine(tree, "dist");
        var site = StaticSite.Serve(out_);
        var registry = $"oci://{rig.Registry}/{helm.ToString().ToLowerInvariant()}/charts";
        var version = Repo.ChartField("version");
        string[] release = ["--registry", registry, "--out", out_, "--repo-url", site.Url, "--plain-http", "--skip-suite"];

        var timer = Stopwatch.StartNew();
        var first = await rig.ReleaseAsync(tree, helm, release);
        timer.Stop();
        var second = await rig.ReleaseAsync(tree, helm, release);

        first.Succeeded.Should().BeTrue($"the first release must publish:\n{first.Stdout}\n{first.Stderr}");
        first.Stdout.Should().Contain($"released mlflow {version}: {registry}/mlflow:{version}");
        TestContext.Current.TestOutputHelper?.WriteLine($"{helm}: release command {timer.Elapsed.TotalSeconds:F1} s");
        second.Succeeded.Should().BeFalse("a released version never changes");
        second.Stderr.Trim().Split('\n').Should().ContainSingle("the refusal is one line")
            .Which.Should().Contain($"mlflow {version} is already in {registry}").And.Contain("raise version");

        // A user pins the version from the registry and verifies where it came from.
        var pulled = Scratch.Folder("pulled-");
        var pull = await Helm.RunAsync(helm, ["pull", $"{registry}/mlflow", "--version", version, "--verify", "--keyring", rig.Key.PublicRing, "--plain-http", "-d", pulled]);
        pull.Succeeded.Should().BeTrue($"helm pull --verify:\n{pull.Stdout}{pull.Stderr}");
        var package = Path.Combine(pulled, $"mlflow-{version}.tgz");
        var verify = await Helm.RunAsync(helm, ["verify", package, "--keyring", rig.Key.PublicRing]);
        verify.Succeeded.Should().BeTrue(verify.Stderr);
        verify.Stdout.Should().Contain($"Signed by: {rig.Key.Uid}").And.ContainEquivalentOf(rig.Key.Fingerprint);
        ReleaseFileTests.TarEntries(package).Should().Contain("templates/deployment.yaml").And.NotContain(f => f.StartsWith("ci/"));

        // The registry's chart renders exactly what ./charts renders.
        var values = Helm.WriteValues(ScenarioFiles.Read("charts/ci/everything-values.yaml"));
        var fromRegistry = await Helm.RunAsync(helm, ["template", "mlflow", $"{registry}/mlflow", "--version", version, "--plain-http", "-n", Helm.Namespace, "--kube-version", Helm.KubeVersion, "-f", values]);
        var fromTree = await Helm.RunAsync(helm, ["template", "mlflow", Path.Combine(tree, "charts"), "-n", Helm.Namespace, "--kube-version", Helm.KubeVersion, "-f", values]);
        fromRegistry.Succeeded.Should().BeTrue(fromRegistry.Stderr);
        fromRegistry.Stdout.Should().Be(fromTree.Stdout);

        // One byte changed, or another key's signature: refused.
        var tampered = Path.Combine(Scratch.Folder("tampered-"), $"mlflow-{version}.tgz");
        var bytes = await File.ReadAllBytesAsync(package, TestContext.Current.CancellationToken);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(tampered, bytes, TestContext.Current.CancellationToken);
        File.Copy($"{package}.prov", $"{tampered}.prov");
        var tamperedVerify = await Helm.RunAsync(helm, ["verify", tampered, "--keyring", rig.Key.PublicRing]);
        tamperedVerify.Succeeded.Should().BeFalse("a package with one byte changed must not verify");
        tamperedVerify.Stderr.Should().Contain("sha256");

        var foreign = Scratch.Folder("foreign-");
        var foreignPackage = await Helm.RunAsync(helm, ["package", Path.Combine(tree, "charts"), "-d", foreign, "--sign", "--key", rig.Other.Uid, "--keyring", rig.Other.SecretRing, "--passphrase-file", await PassphraseFileAsync()]);
        foreignPackage.Succeeded.Should().BeTrue(foreignPackage.Stderr);
        var foreignVerify = await Helm.RunAsync(helm, ["verify", Path.Combine(foreign, $"mlflow-{version}.tgz"), "--keyring", rig.Key.PublicRing]);
        foreignVerify.Succeeded.Should().BeFalse("a package signed by another key must not verify against the project's key");

        // helm repo add against the generated index.yaml, over loopback HTTP.
        var repoName = $"mlflow-release-{helm.ToString().ToLowerInvariant()}";
        (await Helm.RunAsync(helm, ["repo", "add", repoName, site.Url, "--force-update"])).Succeeded.Should().BeTrue();
        var fromIndex = await Helm.RunAsync(helm, ["template", "mlflow", $"{repoName}/mlflow", "--version", version, "--verify", "--keyring", rig.Key.PublicRing, "-n", Helm.Namespace, "--kube-version", Helm.KubeVersion, "-f", values]);
        fromIndex.Succeeded.Should().BeTrue(fromIndex.Stderr);
        fromIndex.Stdout.Should().Be(fromTree.Stdout);
        if (ApiServer.MissingReason is null)
        {
            var api = await ApiServer.RequireAsync();
            var ns = await api.NamespaceAsync($"release-{helm}".ToLowerInvariant());
            var install = await api.HelmAsync(helm, "install", "mlflow", $"{repoName}/mlflow", "--version", version, "--verify", "--keyring", rig.Key.PublicRing, "--namespace", ns, "--no-hooks");
            install.Succeeded.Should().BeTrue($"helm install from the repository:\n{install.Stderr}");
        }
    }

    [Fact]
    public async Task The_project_key_made_by_release_key_is_the_only_key_that_may_sign()
    {
        var rig = await ReleaseRig.RequireAsync();
        var tree = await ReleaseRig.CommittedCopyAsync();
        var home = Scratch.Folder("maintainer-gnupg-");
        var keyring = Path.Combine(home, "secring.gpg");
        const string uid = "mlflow-helm releases <maintainer@example.invalid>";
        var env = new Dictionary<string, string>
        {
            ["GNUPGHOME"] = home, ["MLFLOW_SIGN_PASSPHRASE"] = ReleaseRig.Passphrase, ["MLFLOW_SIGN_KEYRING"] = keyring,
        };

        var made = await ProcessRunner.RunAsync("bash", [Path.Combine(tree, "scripts", "release-key.sh"), uid, "--url", "https://example.invalid/signing/mlflow-helm.asc"], TimeSpan.FromMinutes(2), env, tree);

        made.Succeeded.Should().BeTrue(made.Stderr);
        var fingerprint = made.Stdout.Split(' ')[2];
        File.ReadAllText(Path.Combine(tree, "signing", "mlflow-helm.asc")).Should().StartWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
        File.ReadAllText(Path.Combine(tree, "charts", "Chart.yaml")).Should().Contain($"artifacthub.io/signKey: |\n    fingerprint: {fingerprint}\n    url: https://example.invalid/signing/mlflow-helm.asc");
        await ReleaseRig.Git(tree, "add", "-A");
        await ReleaseRig.Git(tree, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "the project's signing key");
        var registry = $"oci://{rig.Registry}/keyed/charts";

        var withOtherKey = await rig.ReleaseAsync(tree, HelmVersion.Helm4, "--registry", registry, "--plain-http", "--skip-suite");
        var withProjectKey = await ReleaseRig.ReleaseAsync(tree, HelmVersion.Helm4, uid, keyring, "--registry", registry, "--plain-http", "--skip-suite");

        withOtherKey.Succeeded.Should().BeFalse();
        withOtherKey.Stderr.Trim().Should().Contain($"is key {rig.Key.Fingerprint}, but the project's published key is {fingerprint}");
        withProjectKey.Succeeded.Should().BeTrue(withProjectKey.Stderr);
        var pull = await Helm.RunAsync(HelmVersion.Helm4, ["pull", $"{registry}/mlflow", "--version", Repo.ChartField("version"), "--verify", "--keyring", Path.Combine(tree, "signing", "mlflow-helm.gpg"), "--plain-http", "-d", Scratch.Folder("pulled-")]);
        pull.Succeeded.Should().BeTrue($"users verify with the committed key:\n{pull.Stderr}");
    }

    [Fact]
    public async Task A_tree_with_uncommitted_changes_is_refused_in_one_line()
    {
        var rig = await ReleaseRig.RequireAsync();
        var tree = await ReleaseRig.CommittedCopyAsync();
        await File.AppendAllTextAsync(Path.Combine(tree, "charts", "values.yaml"), "\n# an edit nobody committed\n", TestContext.Current.CancellationToken);

        var release = await rig.ReleaseAsync(tree, HelmVersion.Helm4, "--registry", $"oci://{rig.Registry}/dirty/charts", "--plain-http", "--skip-suite");

        release.Succeeded.Should().BeFalse();
        release.Stderr.Trim().Should().Be("release: the tree has uncommitted changes (charts/values.yaml and maybe more); commit or stash them, then release");
    }

    [Fact]
    public async Task A_version_that_is_not_the_newest_changelog_section_is_refused_in_one_line()
    {
        var rig = await ReleaseRig.RequireAsync();
        var tree = await ReleaseRig.CommittedCopyAsync();
        var chart = Path.Combine(tree, "charts", "Chart.yaml");
        var version = Repo.ChartField("version");
        await File.WriteAllTextAsync(chart, (await File.ReadAllTextAsync(chart, TestContext.Current.CancellationToken)).Replace($"version: {version}", "version: 99.0.0"), TestContext.Current.CancellationToken);
        await ReleaseRig.Git(tree, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qam", "version without a changelog section");

        var release = await rig.ReleaseAsync(tree, HelmVersion.Helm4, "--registry", $"oci://{rig.Registry}/changelog/charts", "--plain-http", "--skip-suite");

        release.Succeeded.Should().BeFalse();
        release.Stderr.Trim().Should().Be($"release: charts/Chart.yaml says version 99.0.0, but the newest section of CHANGELOG.md is ## {version}; add a ## 99.0.0 section saying what changed, or raise the version");
    }

    [Fact]
    public async Task A_release_without_a_signing_key_is_refused_with_what_to_set()
    {
        var rig = await ReleaseRig.RequireAsync();
        var tree = await ReleaseRig.CommittedCopyAsync();
        var env = new Dictionary<string, string>(Helm.Environment) { ["HELM"] = Helm.Binary(HelmVersion.Helm4), ["MLFLOW_SIGN_KEY"] = "" };

        var release = await ProcessRunner.RunAsync("bash", [Path.Combine(tree, "scripts", "release.sh"), "--registry", $"oci://{rig.Registry}/unsigned/charts", "--plain-http", "--skip-suite"], TimeSpan.FromMinutes(2), env, tree);

        release.Succeeded.Should().BeFalse();
        release.Stderr.Trim().Should().StartWith("release: MLFLOW_SIGN_KEY is not set");
    }

    private static async Task<string> PassphraseFileAsync()
    {
        var file = Path.Combine(Scratch.Folder("passphrase-"), "passphrase");
        await File.WriteAllTextAsync(file, ReleaseRig.Passphrase, TestContext.Current.CancellationToken);
        return file;
    }
}
