using System.Diagnostics;
using k8s;
using System.Net;
using System.Security.Cryptography;
using MlflowChart.Doctor;
using PuppeteerSharp;

namespace MlflowChart.Tests.Cluster;

/// <summary>
/// Single sign-on as a person does it: a real OpenID provider in the namespace (oidc-provider, with
/// its own login form), MLflow with the mlflow-oidc-auth plugin installed by this chart, and
/// Debian's chromium, headless, clicking through the login. On SQLite (the default) and on
/// PostgreSQL + S3 with two replicas, under both Helms. Screenshots of the login page and of the
/// MLflow UI after login are saved to TestResults/sso/.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class SsoOnClusterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HelmVersion.Helm3, "sqlite")]
    [InlineData(HelmVersion.Helm4, "sqlite")]
    [InlineData(HelmVersion.Helm3, "production")]
    [InlineData(HelmVersion.Helm4, "production")]
    public async Task A_person_logs_in_with_the_provider_and_works_in_mlflow_and_scripts_use_a_token(HelmVersion helm, string backend)
    {
        var cluster = await RealCluster.RequireAsync();
        var chromium = Chromium.Require();
        var image = await SsoImage.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync($"sso-{backend[..4]}", helm);
        var mlflowPort = Loopback.FreePort();
        var redirect = $"http://localhost:{mlflowPort}/callback";
        await using var provider = await OidcProvider.StartAsync(ns, image, redirect);
        var botToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        await ns.CreateSecretAsync("mlflow-oidc", new Dictionary<string, string> { ["client-secret"] = provider.ClientSecret });
        await ns.CreateSecretAsync("mlflow-sso-bot", new Dictionary<string, string> { ["username"] = "ci-bot", ["token"] = botToken });
        string[] values = ["-f", TestNamespace.Values(SsoImage.Values(image)), "-f", TestNamespace.Values(SsoValues(provider, redirect))];
        var replicas = 1;
        if (backend == "production")
        {
            await Backends.StartAsync(ns); // also creates mlflow-auth-secret, the session key
            await Backends.SqlAsync(ns, "create database oidc_users");
            await ns.CreateSecretAsync("mlflow-oidc-db", new Dictionary<string, string> { ["uri"] = "postgresql://user:password@postgres:5432/oidc_users" });
            values = [.. values, "-f", TestNamespace.Values(Backends.SharedKeysProduction), "-f", TestNamespace.Values(ProductionValues)];
            replicas = 2;
        }
        else
        {
            await ns.CreateSecretAsync("mlflow-auth-secret", new Dictionary<string, string> { ["secret-key"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)) });
        }

        var release = new ClusterRelease(ns, helm);
        await release.InstallAsync(values);
        await release.ShouldBeReadyWithoutRestartsAsync(replicas);
        (await release.TestAsync()).Should().Contain("Succeeded", "helm test runs the client flow as the chart's service account");

        await using var forward = await PortForward.StartAsync(ns, $"svc/{ClusterRelease.Service}", 5000, mlflowPort);
        var mlflow = $"http://localhost:{mlflowPort}";
        await using var browser = await LaunchBrowserAsync(chromium, provider);
        var shots = Path.Combine(Repo.Root, "TestResults", "sso");
        Directory.CreateDirectory(shots);
        var tag = $"{helm}-{backend}".ToLowerInvariant();

        // alice (group mlflow) opens MLflow, is sent to the login page, and logs in at the provider.
        var alice = await LoginAsync(browser, mlflow, OidcProvider.Users["alice"], Path.Combine(shots, $"{tag}-login-page.png"));
        Figures.Record(helm, $"SSO on {backend}", "seconds from the click on the provider's login button to MLflow's page, loaded", $"{alice.Seconds:0.00}");
        // The plugin lands her on its own UI: her profile, as the provider described her.
        await alice.Page.WaitForFunctionAsync("() => document.body.innerText.includes('alice@example.com')", new WaitForFunctionOptions { Timeout = 60_000 });
        alice.Page.Url.Should().StartWith(mlflow + "/oidc/ui/", "after login MLflow shows the plugin's pages, not the login page");

        // With that session, through the API: an experiment, a run and an artifact.
        string experiment;
        using (var api = new MlflowRest(mlflow, cookie: await CookieAsync(alice.Page, mlflow)))
        {
            experiment = await api.CreateExperimentAsync($"alice-{tag}");
            var run = await api.LogRunAsync(experiment, "logged after single sign-on\n");
            (await api.DownloadArtifactAsync(run.ArtifactUri, "notes/hello.txt")).Should().Be("logged after single sign-on\n");
        }

        // The UI lists the experiment she created as hers (MANAGE). MLflow's own root page answers her session too;
        // the rig's image is built from source without MLflow's JavaScript UI, so the screenshot is the plugin's page.
        await alice.Page.GoToAsync(mlflow + "/oidc/ui/user/experiments", WaitUntilNavigation.Networkidle0);
        await alice.Page.WaitForFunctionAsync($"() => document.body.innerText.includes('alice-{tag}')", new WaitForFunctionOptions { Timeout = 60_000 });
        await alice.Page.ScreenshotAsync(Path.Combine(shots, $"{tag}-mlflow-ui.png"));
        var root = await alice.Page.GoToAsync(mlflow + "/");
        root.Status.Should().Be(HttpStatusCode.OK);
        alice.Page.Url.Should().Be(mlflow + "/", "with a session, MLflow's root is served, not the login page");

        // bob (group mlflow, not an admin) may read alice's experiment but not change it.
        var bob = await LoginAsync(browser, mlflow, OidcProvider.Users["bob"], null);
        using (var api = new MlflowRest(mlflow, cookie: await CookieAsync(bob.Page, mlflow)))
        {
            using var read = await api.GetAsync($"api/2.0/mlflow/experiments/get?experiment_id={experiment}");
            read.StatusCode.Should().Be(HttpStatusCode.OK, "the default permission is READ");
            using var rename = await api.PostAsync("experiments/update", new { experiment_id = experiment, new_name = "taken-by-bob" });
            rename.StatusCode.Should().Be(HttpStatusCode.Forbidden, "bob is not an admin and the experiment is alice's");
        }

        // bob logs out, which ends his browser's session: back at MLflow he gets the login page, and his next API call is refused.
        await bob.Page.GoToAsync(mlflow + "/logout");
        await bob.Page.GoToAsync(mlflow + "/", WaitUntilNavigation.Networkidle0);
        bob.Page.Url.Should().Contain("/oidc/ui/auth", "after logout MLflow sends the browser to its login page again");
        var after = await bob.Page.EvaluateFunctionAsync<int>(
            "async () => (await fetch('/api/2.0/mlflow/experiments/search?max_results=1', {credentials: 'include'})).status");
        after.Should().Be(401, "after logout the session is gone");

        // carol (in neither group) gets through the provider, and MLflow refuses her with the reason.
        var carol = await LoginAsync(browser, mlflow, OidcProvider.Users["carol"], null, expectRefusal: true);
        await carol.Page.ScreenshotAsync(Path.Combine(shots, $"{tag}-refused.png"));
        (await carol.Page.EvaluateExpressionAsync<string>("document.body.innerText")).Should().Contain("not allowed to login",
            "the page says why she is refused");
        using (var api = new MlflowRest(mlflow, cookie: await CookieAsync(carol.Page, mlflow)))
        {
            using var search = await api.GetAsync("api/2.0/mlflow/experiments/search?max_results=1");
            search.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        // A script with the service account's token logs a run; a wrong token is refused.
        using (var script = new MlflowRest(mlflow, ("ci-bot", botToken)))
        {
            var mine = await script.CreateExperimentAsync($"ci-{tag}");
            await script.LogRunAsync(mine, "logged by a script with a token\n");
        }

        using (var wrong = new MlflowRest(mlflow, ("ci-bot", "not-the-token")))
        {
            using var refused = await wrong.GetAsync("api/2.0/mlflow/experiments/search?max_results=1");
            refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        if (backend == "production")
        {
            // Through the Service's ClusterIP, which spreads requests over both replicas (a port-forward holds on to one pod).
            var inCluster = await ClusterUrlAsync(ns);
            var cookie = await CookieAsync(alice.Page, mlflow);
            var (perSecond, p95) = await ThroughputAsync(() => new MlflowRest(inCluster, cookie: cookie, timeout: TimeSpan.FromSeconds(30)));
            Figures.Record(helm, "SSO on production, 2 replicas", "requests/s of one client with a session (8 concurrent, experiments/search), p95 s", $"{perSecond:0.0}, {p95:0.00}");
            (perSecond, p95) = await ThroughputAsync(() => new MlflowRest(inCluster, ("ci-bot", botToken), timeout: TimeSpan.FromSeconds(30)));
            Figures.Record(helm, "SSO on production, 2 replicas", "requests/s of one client with a service account's token, p95 s", $"{perSecond:0.0}, {p95:0.00}");
            // GC calls the server as the service account; Prometheus scrapes /metrics without a user.
            using (var script = new MlflowRest(inCluster, ("ci-bot", botToken)))
            {
                var mine = await script.CreateExperimentAsync($"gc-{tag}");
                var doomed = await script.LogRunAsync(mine, "to be collected\n");
                await script.DeleteRunAsync(doomed.RunId);
                var gc = await ns.RunCronJobNowAsync($"{ClusterRelease.Service}-gc", TimeSpan.FromMinutes(4));
                gc.Succeeded.Should().BeTrue($"the GC job logs in as the service account:\n{gc.Logs}");
                (await script.GetRunAsync(doomed.RunId)).Should().BeNull("GC removed the deleted run");
            }

            using (var anonymous = new MlflowRest(inCluster))
            {
                using var metrics = await anonymous.GetAsync("metrics");
                metrics.StatusCode.Should().Be(HttpStatusCode.OK, "the plugin leaves /metrics open for Prometheus");
                (await metrics.Content.ReadAsStringAsync(Ct)).Should().Contain("mlflow_http_request_total");
            }

            await SessionSurvivesRollingUpgradeAsync(release, values, inCluster, cookie, helm);
        }
    }

    /// <summary>
    /// The comparison for the SSO figures: the docs' production release with MLflow's basic auth
    /// (two replicas, the chart's 30 s credential cache), and one authenticated client.
    /// </summary>
    [Fact]
    public async Task Basic_auth_on_the_same_rig_sustains_this_many_requests_per_second()
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("sso-base", HelmVersion.Helm4);
        var (release, _) = await ProductionOnClusterTests.InstallWithAuthAsync(ns, HelmVersion.Helm4);
        await release.ShouldBeReadyWithoutRestartsAsync(2);
        var inCluster = await ClusterUrlAsync(ns);

        var (perSecond, p95) = await ThroughputAsync(() => new MlflowRest(inCluster, ClusterRelease.Admin, timeout: TimeSpan.FromSeconds(30)));

        Figures.Record(HelmVersion.Helm4, "basic auth on production, 2 replicas", "requests/s of one client with a user and password (8 concurrent, experiments/search), p95 s", $"{perSecond:0.0}, {p95:0.00}");
        perSecond.Should().BeGreaterThan(1, "an authenticated client is served");
    }

    /// <summary>8 concurrent loops of experiments/search for 20 seconds: successful answers per second, and the 95th percentile of their time.</summary>
    private static async Task<(double PerSecond, double P95)> ThroughputAsync(Func<MlflowRest> client)
    {
        var times = new System.Collections.Concurrent.ConcurrentBag<double>();
        var failures = 0;
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(20);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            using var api = client();
            while (clock.Elapsed < until)
            {
                var one = Stopwatch.StartNew();
                try
                {
                    using var answer = await api.GetAsync("api/2.0/mlflow/experiments/search?max_results=10");
                    if (answer.IsSuccessStatusCode)
                    {
                        times.Add(one.Elapsed.TotalSeconds);
                    }
                    else
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }, Ct)));
        var sorted = times.Order().ToList();
        failures.Should().Be(0, "every authenticated request is answered");
        return (sorted.Count / clock.Elapsed.TotalSeconds, sorted.Count == 0 ? 0 : sorted[(int)(sorted.Count * 0.95)]);
    }

    /// <summary>
    /// What breaks a login, made on purpose and confirmed in the browser, then named by doctor with
    /// its fix: an image without the plugin, a wrong client secret, a redirect URI the provider does
    /// not know, a discovery URL the pods cannot reach.
    /// </summary>
    [Theory, BothHelms]
    public async Task Doctor_names_what_breaks_single_sign_on(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        var chromium = Chromium.Require();
        var image = await SsoImage.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("sso-dr", helm);
        var mlflowPort = Loopback.FreePort();
        var redirect = $"http://localhost:{mlflowPort}/callback";
        await using var provider = await OidcProvider.StartAsync(ns, image, redirect);
        await ns.CreateSecretAsync("mlflow-oidc", new Dictionary<string, string> { ["client-secret"] = provider.ClientSecret });
        await ns.CreateSecretAsync("mlflow-sso-bot", new Dictionary<string, string> { ["username"] = "ci-bot", ["token"] = "a-token-for-the-bot" });
        await ns.CreateSecretAsync("mlflow-auth-secret", new Dictionary<string, string> { ["secret-key"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)) });
        var values = TestNamespace.Values(SsoValues(provider, redirect));

        // 1. The official image's kind, without the plugin: the rig's plain MLflow image.
        await ns.MustHelmAsync(helm, "install", ClusterRelease.Name, Repo.Chart, "-f", TestNamespace.Values(cluster.ImageValues), "-f", values);
        await WaitForLogAsync(ns, "has no mlflow-oidc-auth plugin");
        (await DoctorRun.RunAsync(ns, "sso-no-plugin")).ShouldFail("sso", ["has no oidc-auth app"], ["official ghcr.io/mlflow/mlflow images do not contain it", "image.repository"]);

        // The plugin's image: healthy.
        var release = new ClusterRelease(ns, helm);
        await release.UpgradeAsync("-f", TestNamespace.Values(SsoImage.Values(image)), "-f", values);
        await release.ShouldBeReadyWithoutRestartsAsync(1);
        var healthy = await DoctorRun.RunAsync(ns, "sso-healthy");
        healthy.Failures.Should().BeEmpty("the SSO release is healthy:\n" + healthy.Text);
        healthy.Report.Findings.Should().Contain(f => f.Area == "sso" && f.Check == "redirect URI" && f.Verdict == Verdict.Ok);

        await using var browser = await LaunchBrowserAsync(chromium, provider);

        // 2. A wrong client secret in the Secret, pods restarted: the login fails when the provider sends the user back.
        await ns.KubectlAsync("patch", "secret", "mlflow-oidc", "--type=merge", "-p", "{\"stringData\":{\"client-secret\":\"not-the-secret\"}}");
        await ns.KubectlAsync("rollout", "restart", $"deployment/{ClusterRelease.Service}");
        await ns.KubectlAsync("rollout", "status", $"deployment/{ClusterRelease.Service}", "--timeout=5m");
        (await LoginEndsAsync(browser, ns, mlflowPort, provider)).Should().NotBe("ui", "the breakage really happened: the login does not reach MLflow");
        (await DoctorRun.RunAsync(ns, "sso-wrong-client-secret")).ShouldFail("sso", ["refuses the credentials of client mlflow", "invalid_client"], ["Secret mlflow-oidc/client-secret"]);
        await ns.KubectlAsync("patch", "secret", "mlflow-oidc", "--type=merge", "-p", $"{{\"stringData\":{{\"client-secret\":\"{provider.ClientSecret}\"}}}}");

        // 3. A redirect URI the provider does not know: it stops the login on its error page.
        var unknown = $"http://localhost:{mlflowPort}/mlflow/callback";
        await release.UpgradeAsync("-f", TestNamespace.Values(SsoImage.Values(image)), "-f", values, "--set", $"auth.oidc.redirectUri={unknown}");
        (await LoginEndsAsync(browser, ns, mlflowPort, provider)).Should().Be("provider error", "the breakage really happened: the provider refuses the redirect URI");
        (await DoctorRun.RunAsync(ns, "sso-unknown-redirect-uri")).ShouldFail("sso", ["refuses", unknown], ["register", "auth.oidc.redirectUri"]);

        // 4. A discovery URL the pods cannot reach: the login button answers an error.
        var gone = $"http://oidc-old.{ns.Name}.svc.cluster.local:{provider.Port}/.well-known/openid-configuration";
        await release.UpgradeAsync("-f", TestNamespace.Values(SsoImage.Values(image)), "-f", values, "--set", $"auth.oidc.discoveryUrl={gone}");
        (await LoginEndsAsync(browser, ns, mlflowPort, provider)).Should().Be("mlflow error", "the breakage really happened: MLflow cannot start the login");
        (await DoctorRun.RunAsync(ns, "sso-discovery-unreachable")).ShouldFail("sso", ["cannot reach the provider", "DiscoveryUnreachable", "oidc-old"], ["auth.oidc.discoveryUrl"]);
    }

    /// <summary>Where a login by alice ends: "ui" (back in MLflow, logged in), "provider error" (stopped at the provider), "mlflow error" (an error from MLflow).</summary>
    private static async Task<string> LoginEndsAsync(IBrowser browser, TestNamespace ns, int port, OidcProvider provider)
    {
        // A fresh port-forward: the one before went to a pod the breakage replaced.
        await using var forward = await PortForward.StartAsync(ns, $"svc/{ClusterRelease.Service}", 5000, port);
        var mlflow = $"http://localhost:{port}";
        var context = await browser.CreateBrowserContextAsync();
        try
        {
            var page = await context.NewPageAsync();
            await page.GoToAsync(mlflow + "/", WaitUntilNavigation.Networkidle0);
            await page.WaitForSelectorAsync("a[href$='/login']", new WaitForSelectorOptions { Timeout = 30_000 });
            var start = await page.GoToAsync(mlflow + "/login");
            if (!page.Url.StartsWith(provider.Issuer, StringComparison.Ordinal))
            {
                return start is { Status: >= HttpStatusCode.BadRequest } ? "mlflow error" : "elsewhere: " + page.Url;
            }

            if (await page.QuerySelectorAsync("#username") is null)
            {
                return "provider error";
            }

            var alice = OidcProvider.Users["alice"];
            await page.TypeAsync("#username", alice.Name);
            await page.TypeAsync("#password", alice.Password);
            await Task.WhenAll(page.WaitForNavigationAsync(new NavigationOptions { WaitUntil = [WaitUntilNavigation.Networkidle0], Timeout = 60_000 }), page.ClickAsync("#submit"));
            await Task.Delay(2000, Ct);
            var text = await page.EvaluateExpressionAsync<string>("document.body.innerText");
            return page.Url.StartsWith(mlflow, StringComparison.Ordinal) && !page.Url.Contains("error", StringComparison.Ordinal) && !text.Contains("Internal Server Error", StringComparison.Ordinal)
                ? "ui"
                : "mlflow error";
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static async Task WaitForLogAsync(TestNamespace ns, string text)
    {
        for (var i = 0; i < 60; i++)
        {
            foreach (var pod in await ns.PodsAsync("server"))
            {
                // Once the failure is on record: the container restarted after logging it.
                if (pod.Status.InitContainerStatuses?.Any(c => c.Name == "migrate" && c.RestartCount > 0) != true)
                {
                    continue;
                }

                var log = await ns.Cluster.KubectlAsync("logs", "-n", ns.Name, pod.Metadata.Name, "-c", "migrate", "--previous");
                if (log.Stdout.Contains(text, StringComparison.Ordinal))
                {
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        }

        Assert.Fail($"no server pod's migrate container failed with '{text}' within 3 minutes");
    }

    /// <summary>
    /// A rolling restart of the two replicas (helm upgrade with a new pod annotation) while alice's
    /// session calls the API twice a second: every call answers 200, on old pods and new ones,
    /// since every pod signs sessions with the same key.
    /// </summary>
    private static async Task SessionSurvivesRollingUpgradeAsync(ClusterRelease release, string[] values, string mlflow, string cookie, HelmVersion helm)
    {
        using var api = new MlflowRest(mlflow, cookie: cookie, timeout: TimeSpan.FromSeconds(20));
        var statuses = new List<int>();
        using var stop = new CancellationTokenSource();
        var poll = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var answer = await api.GetAsync("api/2.0/mlflow/experiments/search?max_results=1");
                    lock (statuses)
                    {
                        statuses.Add((int)answer.StatusCode);
                    }
                }
                catch (HttpRequestException)
                {
                    lock (statuses)
                    {
                        statuses.Add(0);
                    }
                }

                await Task.Delay(500, CancellationToken.None);
            }
        }, CancellationToken.None);
        await release.UpgradeAsync([.. values, "--set-string", $"podAnnotations.rolled={DateTime.UtcNow:HHmmss}"]);
        await release.ShouldBeReadyWithoutRestartsAsync(2);
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        await stop.CancelAsync();
        await poll;
        Figures.Record(helm, "SSO on production", "API calls with one session during the rolling upgrade (all / not 200)",
            $"{statuses.Count} / {statuses.Count(s => s != 200)}");
        statuses.Should().NotBeEmpty().And.OnlyContain(s => s == 200, "the session keeps working on the new pods");
    }

    /// <summary>
    /// Headless chromium that resolves the provider's in-cluster name to this machine, where the
    /// port-forward listens. PuppeteerSharp joins the arguments into one command line, so the rule,
    /// which holds spaces, is quoted.
    /// </summary>
    private static Task<IBrowser> LaunchBrowserAsync(string chromium, OidcProvider provider) => Puppeteer.LaunchAsync(new LaunchOptions
    {
        ExecutablePath = chromium,
        Headless = true,
        Args = ["--no-sandbox", "--disable-dev-shm-usage", $"--host-resolver-rules=\"MAP {provider.Host} 127.0.0.1\""],
    });

    /// <summary>The server's Service by its ClusterIP, which this machine (the rig's node) reaches directly.</summary>
    private static async Task<string> ClusterUrlAsync(TestNamespace ns)
    {
        var service = await ns.Cluster.Client.CoreV1.ReadNamespacedServiceAsync(ClusterRelease.Service, ns.Name, cancellationToken: Ct);
        return $"http://{service.Spec.ClusterIP}:5000";
    }

    private sealed record Login(IPage Page, double Seconds);

    /// <summary>
    /// In a fresh browser context: open MLflow, land on the plugin's login page, click its button,
    /// fill the provider's form, and wait to be back at MLflow. Seconds: from the form's submit to
    /// the page MLflow lands the user on.
    /// </summary>
    private static async Task<Login> LoginAsync(IBrowser browser, string mlflow, SsoUser user, string? screenshot, bool expectRefusal = false)
    {
        var context = await browser.CreateBrowserContextAsync();
        var page = await context.NewPageAsync();
        await page.GoToAsync(mlflow + "/", WaitUntilNavigation.Networkidle0);
        await page.WaitForSelectorAsync("a[href$='/login']", new WaitForSelectorOptions { Timeout = 30_000 });
        page.Url.Should().Contain("/oidc/ui/auth", "MLflow sends a person without a session to its login page");
        if (screenshot is not null)
        {
            await page.ScreenshotAsync(screenshot);
        }

        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("a[href$='/login']"));
        await page.WaitForSelectorAsync("#username", new WaitForSelectorOptions { Timeout = 30_000 });
        if (screenshot is not null)
        {
            await page.ScreenshotAsync(screenshot.Replace("login-page", "provider-login", StringComparison.Ordinal));
        }

        await page.TypeAsync("#username", user.Name);
        await page.TypeAsync("#password", user.Password);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(page.WaitForNavigationAsync(new NavigationOptions { WaitUntil = [WaitUntilNavigation.Networkidle0], Timeout = 60_000 }), page.ClickAsync("#submit"));
        for (var i = 0; i < 60 && !page.Url.StartsWith(mlflow, StringComparison.Ordinal); i++)
        {
            await Task.Delay(500, Ct);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        page.Url.Should().StartWith(mlflow, $"the provider sends {user.Name} back to MLflow");
        if (expectRefusal)
        {
            await page.WaitForFunctionAsync("() => document.body.innerText.includes('not allowed')", new WaitForFunctionOptions { Timeout = 30_000 });
        }
        else
        {
            page.Url.Should().NotContain("error=", $"{user.Name} may log in");
        }

        return new Login(page, seconds);
    }

    private static async Task<string> CookieAsync(IPage page, string mlflow) =>
        string.Join("; ", (await page.GetCookiesAsync(mlflow)).Select(c => $"{c.Name}={c.Value}"));

    private static string SsoValues(OidcProvider provider, string redirect) => $$"""
        auth:
          secretKey: {existingSecret: mlflow-auth-secret}
          oidc:
            enabled: true
            discoveryUrl: {{provider.DiscoveryUrl}}
            clientId: {{OidcProvider.ClientId}}
            clientSecret: {existingSecret: mlflow-oidc}
            scopes: [openid, email, profile, groups]
            providerDisplayName: Log in with the test provider
            redirectUri: {{redirect}}
            serviceAccount: {existingSecret: mlflow-sso-bot}

        """;

    /// <summary>Beside Backends.SharedKeysProduction (PostgreSQL, S3, two replicas): no claim, the plugin's users in a database of their own.</summary>
    private const string ProductionValues = """
        storage:
          enabled: false
        garbageCollection:
          enabled: true
          olderThan: 1s
        metrics:
          enabled: true
        auth:
          oidc:
            databaseUriFrom:
              secretKeyRef: {name: mlflow-oidc-db, key: uri}

        """;
}
