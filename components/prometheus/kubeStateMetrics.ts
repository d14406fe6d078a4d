// kube-state-metrics as the managed add-on runs it (image, collectors, RBAC: facts.ts) but without Secrets,
// in the collector's namespace, locked down as upstream's example (examples/standard/deployment.yaml) and not
// the add-on's looser pod. The agent scrapes it through its Service.

import type * as k8s from "@pulumi/kubernetes";
import type { KubernetesObject } from "../core/kubernetes";
import type { PrometheusCollectorSettings } from "../core/settings";
import { clusterRoleAndBinding, listWatchRules } from "./agent";
import { kubeStateMetricsFacts, kubeStateMetricsInstanceIds, prometheusDefaults, prometheusNames } from "./facts";
import { containerSecurityContext, linuxOnly, meshPod, objectLabels, podSecurityContext, priorityClassNameOf } from "./pods";

const name = prometheusNames.kubeStateMetrics;
const ksm = kubeStateMetricsFacts;
/** The add-on's collectors less the withheld ones, each with its API group. */
const collectors = Object.entries(ksm.collectors).filter(([resource]) => !ksm.withheld.includes(resource));

export const kubeStateMetricsPodLabels = objectLabels(name);
const selector = { "app.kubernetes.io/name": name };

export function kubeStateMetricsServiceAccount(settings: Pick<PrometheusCollectorSettings, "namespace">): KubernetesObject {
    return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: settings.namespace, labels: objectLabels(name) } };
}

/**
 * Requests: upstream's recommendation ("As a general rule, you should allocate: 250MiB memory, 0.1 cores",
 * kube-state-metrics README "Resource recommendation" at v2.19.0, 2ef24549), not the add-on's 5m/50Mi, which
 * lets the scheduler place it on a node that cannot hold it. Limits: the add-on's.
 */
const kubeStateMetricsResources = {
    requests: { cpu: "100m", memory: "250Mi" },
    limits: { ...ksm.limits },
};

/** The add-on's probe timings for kube-state-metrics (PC chart templates/ama-metrics-ksm-deployment.yaml). */
const kubeStateMetricsProbeTimings = { initialDelaySeconds: 5, timeoutSeconds: 5 };

function instanceSelector(shard: number | undefined): Record<string, string> {
    return shard === undefined ? selector : { ...selector, [prometheusNames.shardLabel]: String(shard) };
}

function kubeStateMetricsDeployment(settings: PrometheusCollectorSettings, instance: { name: string; shard?: number }): KubernetesObject {
    const ports = [
        { name: "http-metrics", containerPort: ksm.metricsPort, protocol: "TCP" },
        { name: "http-telemetry", containerPort: ksm.telemetryPort, protocol: "TCP" },
    ];
    const sharding = instance.shard === undefined ? [] : [`--shard=${instance.shard}`, `--total-shards=${settings.prometheus.shards}`];
    const pod = meshPod(
        "kubeStateMetrics",
        {
            metadata: { labels: { ...kubeStateMetricsPodLabels, ...instanceSelector(instance.shard) } },
            spec: {
                serviceAccountName: name,
                priorityClassName: priorityClassNameOf(settings),
                securityContext: podSecurityContext,
                nodeSelector: linuxOnly,
                containers: [
                    {
                        name,
                        image: prometheusDefaults.kubeStateMetricsImage,
                        args: [
                            `--port=${ksm.metricsPort}`,
                            `--resources=${collectors.map(([resource]) => resource).join(",")}`,
                            ...sharding,
                            `--telemetry-port=${ksm.telemetryPort}`,
                        ],
                        ports,
                        // As the add-on's and upstream's: liveness on the metrics port, readiness on telemetry.
                        livenessProbe: { httpGet: { path: "/livez", port: "http-metrics" }, ...kubeStateMetricsProbeTimings },
                        readinessProbe: { httpGet: { path: "/readyz", port: "http-telemetry" }, ...kubeStateMetricsProbeTimings },
                        resources: {
                            requests: { ...kubeStateMetricsResources.requests },
                            limits: { ...kubeStateMetricsResources.limits },
                        },
                        securityContext: containerSecurityContext,
                    },
                ],
            },
        } satisfies k8s.types.input.core.v1.PodTemplateSpec,
        settings,
    );
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: instance.name, namespace: settings.namespace, labels: objectLabels(name) },
        spec: {
            replicas: 1,
            selector: { matchLabels: instanceSelector(instance.shard) },
            template: pod as k8s.types.input.core.v1.PodTemplateSpec,
        } satisfies k8s.types.input.apps.v1.DeploymentSpec,
    };
}

function kubeStateMetricsService(settings: Pick<PrometheusCollectorSettings, "namespace">, instance: { name: string; shard?: number }) {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: instance.name, namespace: settings.namespace, labels: objectLabels(name) },
        spec: {
            selector: instanceSelector(instance.shard),
            ports: [{ name: "http-metrics", port: ksm.metricsPort, targetPort: "http-metrics", protocol: "TCP" }],
        } satisfies k8s.types.input.core.v1.ServiceSpec,
    } satisfies KubernetesObject;
}

/** Each instance's Service (the scrape target) and Deployment. */
export function kubeStateMetricsInstances(
    settings: PrometheusCollectorSettings,
): Array<{ service: KubernetesObject; deployment: KubernetesObject }> {
    return kubeStateMetricsInstanceIds(settings.prometheus.shards, settings.prometheus.shardKubeStateMetrics).map((instance) => ({
        service: kubeStateMetricsService(settings, instance),
        deployment: kubeStateMetricsDeployment(settings, instance),
    }));
}

/** `list` and `watch` on exactly the resources of the enabled collectors, as the add-on's ClusterRole less the withheld. */
export function kubeStateMetricsRbac(settings: Pick<PrometheusCollectorSettings, "namespace">): [KubernetesObject, KubernetesObject] {
    const resources = collectors.map(([resource, group]) => [group, resource] as [string, string]);
    return clusterRoleAndBinding(settings.namespace, name, name, listWatchRules(resources));
}
