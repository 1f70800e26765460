namespace MlflowChart.Tests;

/// <summary>
/// The suite's own checks must be able to fail: a misspelt field, a root pod and a missing
/// seccomp profile are each caught. Without these, a green run could mean a blind checker.
/// </summary>
public sealed class HarnessTests
{
    private const string DeploymentWithTypo = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: typo
        spec:
          replicass: 2
          selector:
            matchLabels: {app: typo}
          template:
            metadata:
              labels: {app: typo}
            spec:
              containers:
                - name: c
                  image: busybox:1.36
        """;

    [Fact]
    public void Strict_loading_refuses_a_misspelt_field()
    {
        var render = new Render(HelmVersion.Helm4, ["template"], new ProcessResult(0, DeploymentWithTypo, ""));

        var load = () => render.Objects;

        load.Should().Throw<Exception>().WithMessage("*replicass*");
    }

    [Fact]
    public void Strict_loading_reads_a_correct_document_into_typed_models()
    {
        var render = new Render(HelmVersion.Helm4, ["template"],
            new ProcessResult(0, "---\n# Source: x\n" + DeploymentWithTypo.Replace("replicass", "replicas"), ""));

        render.Single<V1Deployment>().Spec.Replicas.Should().Be(2);
    }

    [Fact]
    public void Comment_only_documents_are_dropped()
    {
        Render.Documents("---\n# Source: a.yaml\n---\n# only a comment\n\n---\nkind: ConfigMap\n").Should().ContainSingle();
    }

    [Fact]
    public void Restricted_check_names_every_missing_setting_of_a_plain_pod()
    {
        var spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "plain", Image = "busybox:1.36" }],
            Volumes = [new V1Volume { Name = "host", HostPath = new V1HostPathVolumeSource { Path = "/" } }],
        };

        var violations = PodSecurity.RestrictedViolations(spec);

        violations.Should().Contain(v => v.Contains("allowPrivilegeEscalation"))
            .And.Contain(v => v.Contains("runAsNonRoot"))
            .And.Contain(v => v.Contains("seccompProfile"))
            .And.Contain(v => v.Contains("drop ALL"))
            .And.Contain(v => v.Contains("hostPath"));
    }

    [Fact]
    public void Restricted_check_refuses_root_even_with_everything_else_set()
    {
        var spec = new V1PodSpec
        {
            SecurityContext = new V1PodSecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = 0,
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            Containers =
            [
                new V1Container
                {
                    Name = "c",
                    Image = "busybox:1.36",
                    SecurityContext = new V1SecurityContext
                    {
                        AllowPrivilegeEscalation = false,
                        Capabilities = new V1Capabilities { Drop = ["ALL"] },
                    },
                },
            ],
        };

        PodSecurity.RestrictedViolations(spec).Should().ContainSingle().Which.Should().Contain("runAsUser is 0");
    }
}
