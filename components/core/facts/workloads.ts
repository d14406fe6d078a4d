// Which of a collector's workloads carries an Istio sidecar in which mesh mode: the one place that
// knows it. Validation, the pod settings, the mesh objects and the verify command all ask here.

import type { Collector, MeshableWorkloadRole, MeshMode } from "../args";

/**
 * The role a workload plays in a collector, by the name the package uses for it: `collector` is the
 * workload that scrapes and writes (the prometheus shards, ama-metrics' replica set), not the `Collector`
 * choice between prometheus and ama-metrics.
 */
export type WorkloadRole = MeshableWorkloadRole | "windowsNode";

/** The workloads each collector runs. */
export const collectorWorkloads: Record<Collector, readonly WorkloadRole[]> = {
    prometheus: ["collector", "kubeStateMetrics"],
    "ama-metrics": ["collector", "targetAllocator", "kubeStateMetrics", "node", "windowsNode"],
};

/** The workloads that can carry a sidecar at all (Istio does not inject Windows pods). */
export const meshableWorkloads: readonly MeshableWorkloadRole[] = ["collector", "targetAllocator", "kubeStateMetrics", "node"];

/**
 * The workloads that carry a sidecar.
 * - sidecar: every Linux workload that calls or serves others in the namespace. ama-metrics' node
 *   DaemonSet only when asked: its one in-mesh peer is the API server, and it costs a proxy per node.
 * - certificates: the collector, whose sidecar only hands it a certificate; for ama-metrics also the
 *   target allocator, whose config reader validates the certificate files of the mTLS scrape job and
 *   drops the whole custom configuration when they are missing in its own pod.
 * - off: none.
 */
export function workloadsWithSidecar(collector: Collector, mode: MeshMode, meshNodeDaemonSet: boolean): MeshableWorkloadRole[] {
    switch (mode) {
        case "sidecar":
            return collector === "prometheus"
                ? ["collector", "kubeStateMetrics"]
                : ["collector", "targetAllocator", "kubeStateMetrics", ...(meshNodeDaemonSet ? ["node" as const] : [])];
        case "certificates":
            return collector === "prometheus" ? ["collector"] : ["collector", "targetAllocator"];
        case "off":
            return [];
    }
}

/** The workloads whose sidecar writes the workload certificate for the collector (certificates mode). */
export function workloadsWithCertificates(collector: Collector, mode: MeshMode): MeshableWorkloadRole[] {
    return mode === "certificates" ? workloadsWithSidecar(collector, mode, false) : [];
}
