namespace MlflowChart.Tests;

/// <summary>Resource names and labels: `<release>-mlflow`, the overrides, and what selectors hold.</summary>
public sealed class NamingTests
{
    [Theory, BothHelms]
    public async Task Every_object_is_named_release_dash_mlflow(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm);

        render.Objects.Select(o => o.Meta().Name).Should().OnlyContain(n => n.StartsWith("mlflow-mlflow"));
        render.Single<V1ServiceAccount>().Metadata.Name.Should().Be("mlflow-mlflow");
        render.Server().Spec.Template.Spec.ServiceAccountName.Should().Be("mlflow-mlflow");
    }

    [Theory, BothHelms]
    public async Task Fullname_override_renames_everything(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, "fullnameOverride: tracking");

        render.Server().Metadata.Name.Should().Be("tracking");
        render.Single<V1Service>().Metadata.Name.Should().Be("tracking");
        render.Single<V1PersistentVolumeClaim>().Metadata.Name.Should().Be("tracking", "the claim has the full name, as in the upstream chart");
    }

    [Theory, BothHelms]
    public async Task Name_override_changes_the_suffix_and_the_name_label(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, "nameOverride: tracker");

        render.Server().Metadata.Name.Should().Be("mlflow-tracker");
        render.Server().Spec.Selector.MatchLabels["app.kubernetes.io/name"].Should().Be("tracker");
    }

    [Theory, BothHelms]
    public async Task Pod_labels_and_versions_stay_out_of_selectors(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, "podLabels: {team: ml-platform}");
        var deployment = render.Server();

        deployment.Spec.Template.Metadata.Labels.Should().Contain("team", "ml-platform");
        deployment.Spec.Selector.MatchLabels.Should().NotContainKey("team")
            .And.NotContainKey("helm.sh/chart").And.NotContainKey("app.kubernetes.io/version");
        render.Single<V1Service>().Spec.Selector.Should().NotContainKey("team");
    }

    [Theory, BothHelms]
    public async Task An_existing_service_account_is_used_and_none_is_created(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, "serviceAccount: {create: false, name: mlflow-runner}");

        render.All<V1ServiceAccount>().Should().BeEmpty();
        render.Server().Spec.Template.Spec.ServiceAccountName.Should().Be("mlflow-runner");
    }

    [Theory, BothHelms]
    public async Task The_token_is_not_mounted_unless_asked_for(HelmVersion helm)
    {
        (await Helm.TemplateAsync(helm)).Server().Spec.Template.Spec.AutomountServiceAccountToken.Should().BeFalse();
        (await Helm.TemplateAsync(helm, "serviceAccount: {automountServiceAccountToken: true}"))
            .Server().Spec.Template.Spec.AutomountServiceAccountToken.Should().BeTrue();
    }

    [Theory, BothHelms]
    public async Task A_digest_pins_the_image(HelmVersion helm)
    {
        const string digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        var container = (await Helm.TemplateAsync(helm, $"image: {{digest: \"{digest}\", tag: v3.15.2}}")).ServerContainer();

        container.Image.Should().Be($"ghcr.io/mlflow/mlflow@{digest}");
    }
}
