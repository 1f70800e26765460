using k8s.Models;
using MlflowChart.Tests.Infrastructure.Crds;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// apiVersion/kind to model type, for strict loading. Built-in kinds come from KubernetesClient;
/// CRD kinds the chart renders are added here as they appear.
/// </summary>
public static class Models
{
    public static Dictionary<string, Type> TypeMap { get; } = Build();

    private static Dictionary<string, Type> Build()
    {
        var map = new Dictionary<string, Type>
        {
            ["v1/ServiceAccount"] = typeof(V1ServiceAccount),
            ["v1/Service"] = typeof(V1Service),
            ["v1/PersistentVolumeClaim"] = typeof(V1PersistentVolumeClaim),
            ["v1/ConfigMap"] = typeof(V1ConfigMap),
            ["v1/Secret"] = typeof(V1Secret),
            ["v1/Pod"] = typeof(V1Pod),
            ["apps/v1/Deployment"] = typeof(V1Deployment),
            ["batch/v1/Job"] = typeof(V1Job),
            ["batch/v1/CronJob"] = typeof(V1CronJob),
            ["networking.k8s.io/v1/Ingress"] = typeof(V1Ingress),
            ["networking.k8s.io/v1/NetworkPolicy"] = typeof(V1NetworkPolicy),
            ["policy/v1/PodDisruptionBudget"] = typeof(V1PodDisruptionBudget),
            ["autoscaling/v2/HorizontalPodAutoscaler"] = typeof(V2HorizontalPodAutoscaler),
            ["rbac.authorization.k8s.io/v1/Role"] = typeof(V1Role),
            ["rbac.authorization.k8s.io/v1/RoleBinding"] = typeof(V1RoleBinding),
            ["rbac.authorization.k8s.io/v1/ClusterRole"] = typeof(V1ClusterRole),
            ["rbac.authorization.k8s.io/v1/ClusterRoleBinding"] = typeof(V1ClusterRoleBinding),
            ["gateway.networking.k8s.io/v1/HTTPRoute"] = typeof(HttpRoute),
            ["monitoring.coreos.com/v1/ServiceMonitor"] = typeof(ServiceMonitor),
            ["monitoring.coreos.com/v1/PrometheusRule"] = typeof(PrometheusRule),
            ["external-secrets.io/v1/ExternalSecret"] = typeof(ExternalSecret),
            ["route.openshift.io/v1/Route"] = typeof(Route),
        };
        return map;
    }
}
