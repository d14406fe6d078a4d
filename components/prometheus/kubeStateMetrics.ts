// kube-state-metrics as the managed add-on runs it (image, collectors, RBAC: facts.ts) but without Secrets,
// in the collector's namespace, locked down as upstream's example (examples/standard/deployment.yaml) and not
// the add-on's looser pod. The agent scrapes it through its Service.

import type * as k8s from "@pulumi/kubernetes";
import type { KubernetesObject } from "../core/kubernetes";
import type { PrometheusCollectorSettings } from "../core/settings";
import { clusterRoleAndBinding, listWatchRules } from "./agent";
import { kubeStateMetricsFacts, prometheusDefaults, prometheusNames } from "./facts";
import { containerSecurityContext, linuxOnly, meshPod, objectLabels, podSecurityContext } from "./pods";

const name = prometheusNames.kubeStateMetrics;
const ksm = kubeStateMetricsFacts;
/** The add-on's collectors less the withheld ones, each with its API group. */
const collectors = Object.entries(ksm.collectors).filter(([resource]) => !ksm.withheld.includes(resource));

export const kubeStateMetricsPodLabels = objectLabels(name);
const selector = { "app.kubernetes.io/name": name };

export function kubeStateMetricsServiceAccount(settings: Pick<PrometheusCollectorSettings, "namespace">): KubernetesObject {
    return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: settings.namespace, labels: objectLabels(name) } };
}

export function kubeStateMetricsDeployment(settings: PrometheusCollectorSettings): KubernetesObject {
    const ports = [
        { name: "http-metrics", containerPort: ksm.metricsPort, protocol: "TCP" },
        { name: "http-telemetry", containerPort: ksm.telemetryPort, protocol: "TCP" },
    ];
    const pod = meshPod(
        "kubeStateMetrics",
        {
            metadata: { labels: kubeStateMetricsPodLabels },
            spec: {
                serviceAccountName: name,
                securityContext: podSecurityContext,
                nodeSelector: linuxOnly,
                containers: [
                    {
                        name,
                        image: prometheusDefaults.kubeStateMetricsImage,
                        args: [
                            `--port=${ksm.metricsPort}`,
                            `--resources=${collectors.map(([resource]) => resource).join(",")}`,
                            `--telemetry-port=${ksm.telemetryPort}`,
                        ],
                        ports,
                        // As the add-on's and upstream's: liveness on the metrics port, readiness on telemetry.
                        livenessProbe: { httpGet: { path: "/livez", port: "http-metrics" } },
                        readinessProbe: { httpGet: { path: "/readyz", port: "http-telemetry" } },
                        resources: { requests: { ...ksm.resources.requests }, limits: { ...ksm.resources.limits } },
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
        metadata: { name, namespace: settings.namespace, labels: objectLabels(name) },
        spec: {
            replicas: 1,
            selector: { matchLabels: selector },
            template: pod as k8s.types.input.core.v1.PodTemplateSpec,
        } satisfies k8s.types.input.apps.v1.DeploymentSpec,
    };
}

export function kubeStateMetricsService(settings: Pick<PrometheusCollectorSettings, "namespace">): KubernetesObject {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: settings.namespace, labels: objectLabels(name) },
        spec: {
            selector,
            ports: [{ name: "http-metrics", port: ksm.metricsPort, targetPort: "http-metrics", protocol: "TCP" }],
        } satisfies k8s.types.input.core.v1.ServiceSpec,
    };
}

/** `list` and `watch` on exactly the resources of the enabled collectors, as the add-on's ClusterRole less the withheld. */
export function kubeStateMetricsRbac(settings: Pick<PrometheusCollectorSettings, "namespace">): [KubernetesObject, KubernetesObject] {
    const resources = collectors.map(([resource, group]) => [group, resource] as [string, string]);
    return clusterRoleAndBinding(settings.namespace, name, name, listWatchRules(resources));
}
