namespace MlflowChart.Tests;

/// <summary>
/// The previous chart version (from git) and this one render the same release with the same
/// immutable fields, so `helm upgrade` between them cannot fail on them. The API-server layer
/// performs that upgrade for real.
/// </summary>
public sealed class UpgradeCompatibilityTests
{
    public static TheoryData<string, HelmVersion> Cases
    {
        get
        {
            var data = new TheoryData<string, HelmVersion>();
            foreach (var values in new[] { "defaults", "example" })
            {
                data.Add(values, HelmVersion.Helm3);
                data.Add(values, HelmVersion.Helm4);
            }

            return data;
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task Immutable_fields_match_the_previous_chart_version(string values, HelmVersion helm)
    {
        var previous = await PreviousChart.GetAsync();
        if (previous.Dir is null)
        {
            Assert.Skip(previous.Reason!);
        }

        var yaml = values == "example" ? ScenarioFiles.Read("charts/example-mlflow-charts.yaml") : "{}";
        var before = (await Helm.TemplateChartAsync(helm, previous.Dir, yaml, [])).ShouldSucceed();
        var after = (await Helm.TemplateAsync(helm, yaml)).ShouldSucceed();

        after.Server().Spec.Selector.MatchLabels.Should().BeEquivalentTo(before.Server().Spec.Selector.MatchLabels);
        after.Single<V1Service>().Spec.Selector.Should().BeEquivalentTo(before.Single<V1Service>().Spec.Selector);
        foreach (var claim in before.All<V1PersistentVolumeClaim>())
        {
            var now = after.Named<V1PersistentVolumeClaim>(claim.Metadata.Name);
            now.Spec.AccessModes.Should().Equal(claim.Spec.AccessModes);
            now.Spec.StorageClassName.Should().Be(claim.Spec.StorageClassName);
            now.Spec.Resources.Requests["storage"].Should().Be(claim.Spec.Resources.Requests["storage"]);
        }
    }
}
