// The workloads each collector runs in its namespace, and how to find their pods.

import type { WorkloadRole } from "./expectations";
import type { Collector } from "./types";

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet";

export interface ExpectedWorkload {
    kind: WorkloadKind;
    name: string;
    role: WorkloadRole;
    /** Labels every pod of the workload carries. */
    podLabels: Record<string, string>;
    /** The workload's main container: it mounts the certificates and gets the identity's environment. */
    container: string;
}

/** The prometheus collector's pod label and shard label. */
export const prometheusAgentLabels = { name: "prometheus-agent", shard: "ama-metrics-istio/shard" };
export const prometheusContainer = "prometheus";
/** The Prometheus agent's web port, which serves `/metrics`. */
export const prometheusPort = 9090;
export const prometheusServiceAccount = "prometheus-agent";

/** The ama-metrics agent's service account (it reads the borrowed token). */
export const amaMetricsServiceAccount = "ama-metrics-serviceaccount";
export const targetAllocatorService = "ama-metrics-operator-targets";
export const tokenSecret = { namespace: "kube-system", name: "aad-msi-auth-token" };

/** The StatefulSet of shard `index`. */
export function shardName(index: number): string {
    return `prometheus-shard-${index}`;
}

/** The workloads `collector` runs, in the order the report lists them. */
export function expectedWorkloads(collector: Collector, shards: number): ExpectedWorkload[] {
    if (collector === "prometheus") {
        const result: ExpectedWorkload[] = [];
        for (let i = 0; i < shards; i++) {
            result.push({
                kind: "StatefulSet",
                name: shardName(i),
                role: "collector",
                podLabels: {
                    "app.kubernetes.io/name": prometheusAgentLabels.name,
                    [prometheusAgentLabels.shard]: String(i),
                },
                container: prometheusContainer,
            });
        }
        result.push({
            kind: "Deployment",
            name: "kube-state-metrics",
            role: "kubeStateMetrics",
            podLabels: { "app.kubernetes.io/name": "kube-state-metrics" },
            container: "kube-state-metrics",
        });
        return result;
    }
    return [
        {
            kind: "Deployment",
            name: "ama-metrics",
            role: "collector",
            podLabels: { rsName: "ama-metrics" },
            container: "prometheus-collector",
        },
        {
            kind: "Deployment",
            name: "ama-metrics-operator-targets",
            role: "targetAllocator",
            podLabels: { rsName: "ama-metrics-operator-targets" },
            container: "targetallocator",
        },
        {
            kind: "Deployment",
            name: "ama-metrics-ksm",
            role: "kubeStateMetrics",
            podLabels: { "app.kubernetes.io/name": "ama-metrics-ksm" },
            container: "ama-metrics-ksm",
        },
        {
            kind: "DaemonSet",
            name: "ama-metrics-node",
            role: "node",
            podLabels: { dsName: "ama-metrics-node" },
            container: "prometheus-collector",
        },
        {
            kind: "DaemonSet",
            name: "ama-metrics-win-node",
            role: "windowsNode",
            podLabels: { dsName: "ama-metrics-win-node" },
            container: "prometheus-collector",
        },
    ];
}

/** Pod labels by which an ama-metrics workload is recognised, wherever it runs (the add-on uses the same). */
export const amaMetricsPodLabels: readonly Record<string, string>[] = expectedWorkloads("ama-metrics", 1).map((w) => w.podLabels);
