using k8s;
using k8s.Models;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>Every pod template a render holds, whatever workload carries it.</summary>
public static class Workloads
{
    public sealed record PodTemplate(string Owner, V1ObjectMeta Metadata, V1PodSpec Spec);

    public static IEnumerable<PodTemplate> PodTemplates(this Render render)
    {
        foreach (var obj in render.Objects)
        {
            switch (obj)
            {
                case V1Deployment d:
                    yield return new($"Deployment/{d.Metadata.Name}", d.Spec.Template.Metadata, d.Spec.Template.Spec);
                    break;
                case V1Job j:
                    yield return new($"Job/{j.Metadata.Name}", j.Spec.Template.Metadata, j.Spec.Template.Spec);
                    break;
                case V1CronJob cj:
                    yield return new($"CronJob/{cj.Metadata.Name}", cj.Spec.JobTemplate.Spec.Template.Metadata, cj.Spec.JobTemplate.Spec.Template.Spec);
                    break;
                case V1Pod p:
                    yield return new($"Pod/{p.Metadata.Name}", p.Metadata, p.Spec);
                    break;
            }
        }
    }

    /// <summary>The MLflow server's Deployment (component server).</summary>
    public static V1Deployment Server(this Render render) =>
        render.All<V1Deployment>().Single(d => d.Spec.Template.Metadata.Labels["app.kubernetes.io/component"] == "server");

    public static V1Container ServerContainer(this Render render) =>
        render.Server().Spec.Template.Spec.Containers.Single(c => c.Name == "mlflow");

    /// <summary>The env var of that name, or null.</summary>
    public static V1EnvVar? Env(this V1Container container, string name) =>
        container.Env?.SingleOrDefault(e => e.Name == name);

    public static string Kind(this IKubernetesObject obj) => obj.Kind;

    public static V1ObjectMeta Meta(this IKubernetesObject obj) => ((IMetadata<V1ObjectMeta>)obj).Metadata;
}
