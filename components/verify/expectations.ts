// Which workloads carry an Istio sidecar, per collector and mesh mode: the one table the checks
// read. A pure function of (collector, mode, meshNode), so that it can later be replaced by the
// library's mesh module.

import type { Collector, MeshMode } from "./types";

/** The collectors' workloads by role (the names the library's `Workload` type uses). */
export type WorkloadRole = "collector" | "targetAllocator" | "kubeStateMetrics" | "node" | "windowsNode";

export interface MeshExpectation {
    /** The role's pods carry an `istio-proxy` sidecar. */
    sidecar: boolean;
    /** The role's pods mount the sidecar's certificates (the in-memory `istio-certs` volume). */
    certificates: boolean;
}

/** The roles each collector deploys. */
export const collectorRoles: Record<Collector, readonly WorkloadRole[]> = {
    prometheus: ["collector", "kubeStateMetrics"],
    "ama-metrics": ["collector", "targetAllocator", "kubeStateMetrics", "node", "windowsNode"],
};

/** Whether each of the collector's roles carries a sidecar and mounts the certificates. */
export function meshExpectations(collector: Collector, mode: MeshMode, meshNode: boolean): Partial<Record<WorkloadRole, MeshExpectation>> {
    const meshed = meshedRoles(collector, mode, meshNode);
    const result: Partial<Record<WorkloadRole, MeshExpectation>> = {};
    for (const role of collectorRoles[collector]) {
        result[role] = {
            sidecar: meshed.includes(role),
            // Only the collector scrapes with the sidecar's certificate.
            certificates: mode === "certificates" && role === "collector",
        };
    }
    return result;
}

function meshedRoles(collector: Collector, mode: MeshMode, meshNode: boolean): readonly WorkloadRole[] {
    switch (mode) {
        case "off":
            return [];
        case "certificates":
            return collector === "prometheus" ? ["collector"] : ["collector", "targetAllocator"];
        case "sidecar":
            if (collector === "prometheus") {
                return ["collector", "kubeStateMetrics"];
            }
            // Istio cannot run on Windows nodes; the Linux node DaemonSet only when asked.
            return meshNode
                ? ["collector", "targetAllocator", "kubeStateMetrics", "node"]
                : ["collector", "targetAllocator", "kubeStateMetrics"];
    }
}
