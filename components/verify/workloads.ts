// The workloads each collector runs in its namespace, how to find their pods, and which of them carry a
// sidecar and mount the certificates. Names, labels and the mesh's choices are the package's own:
// prometheus/facts, amaMetrics/facts and core/facts/workloads.

import type { Collector, MeshMode } from "../core/args";
import { chartWorkloads } from "../amaMetrics/facts";
import { certificateReaders } from "../amaMetrics/relocate";
import { labelsMatch } from "../core/kubernetes";
import { collectorWorkloads, WorkloadRole, workloadsWithCertificates, workloadsWithSidecar } from "../core/facts/workloads";
import { kubeStateMetricsInstanceIds, prometheusNames, shardName } from "../prometheus/facts";
import { hasSidecar, livePods, Pod } from "./kubeObjects";
import type { VerifyConfiguration, VerifyOptions } from "./types";

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet";

export interface ExpectedWorkload {
    kind: WorkloadKind;
    name: string;
    /** The role it plays in the collector. */
    role: WorkloadRole;
    /** Labels every pod of the workload carries. */
    podLabels: Record<string, string>;
    /** Its containers that read the mTLS scrape job's certificate files (certificates mode). */
    certificateReaders: readonly string[];
}

/**
 * The pod labels that tell the prometheus collector's workloads apart: `app.kubernetes.io/name` of the
 * package's objects (prometheus/pods `objectLabels`) and each shard's index, as the StatefulSets select them.
 */
const nameLabel = (name: string) => ({ "app.kubernetes.io/name": name });

/** Whether `name` is a shard's StatefulSet. */
export function isShardName(name: string): boolean {
    const index = name.slice(name.lastIndexOf("-") + 1);
    return /^\d+$/.test(index) && shardName(Number(index)) === name;
}

/** What decides the workloads a collector runs: its shards and whether kube-state-metrics is sharded with them. */
export type WorkloadOptions = Pick<VerifyConfiguration, "collector" | "shardedKubeStateMetrics"> & { shards: number };

function prometheusWorkloads(role: WorkloadRole, shards: number, shardedKubeStateMetrics: boolean): ExpectedWorkload[] {
    if (role === "collector") {
        return Array.from({ length: shards }, (_, i) => ({
            kind: "StatefulSet" as const,
            name: shardName(i),
            role,
            podLabels: { ...nameLabel(prometheusNames.agent), [prometheusNames.shardLabel]: String(i) },
            certificateReaders: [prometheusNames.container],
        }));
    }
    // One Deployment, or one per shard, each selecting its shard's index (prometheus/kubeStateMetrics).
    const instances = kubeStateMetricsInstanceIds(shards, shardedKubeStateMetrics).map(({ name, shard }) => ({
        name,
        shard: shard === undefined ? {} : { [prometheusNames.shardLabel]: String(shard) },
    }));
    return instances.map(({ name, shard }) => ({
        kind: "Deployment" as const,
        name,
        role,
        podLabels: { ...nameLabel(prometheusNames.kubeStateMetrics), ...shard },
        certificateReaders: [],
    }));
}

/** The workloads the collector runs, in the order the report lists them. */
export function expectedWorkloads({ collector, shards, shardedKubeStateMetrics = false }: WorkloadOptions): ExpectedWorkload[] {
    return collectorWorkloads[collector].flatMap((role) =>
        collector === "prometheus"
            ? prometheusWorkloads(role, shards, shardedKubeStateMetrics)
            : [{ ...chartWorkloads[role], role, certificateReaders: certificateReaders[role] ?? [] }],
    );
}

/** The shards' workloads. */
export function shardWorkloads(shards: number): ExpectedWorkload[] {
    return expectedWorkloads({ collector: "prometheus", shards }).filter((w) => w.role === "collector");
}

/** The live pods (kubeObjects `livePods`) of any of `workloads`, in the list's order. */
export function livePodsOf(workloads: readonly ExpectedWorkload[], pods: readonly Pod[]): Pod[] {
    return livePods(pods).filter((p) => workloads.some((w) => labelsMatch(w.podLabels, p.metadata?.labels)));
}

/**
 * The running pods of any of `workloads`: those a port-forward read reaches (snapshot.ts) and the checks
 * judge. A terminating pod (deletionTimestamp set, phase still Running) is not among them.
 */
export function runningPodsOf(workloads: readonly ExpectedWorkload[], pods: readonly Pod[]): Pod[] {
    return livePodsOf(workloads, pods).filter((p) => p.status?.phase === "Running");
}

interface MeshExpectation {
    /** The workload's pods carry an `istio-proxy` sidecar. */
    sidecar: boolean;
    /** The workload's pods mount the sidecar's certificates (the in-memory `istio-certs` volume). */
    certificates: boolean;
}

export type MeshExpectations = Partial<Record<WorkloadRole, MeshExpectation>>;

/** Whether each of the collector's workloads carries a sidecar and mounts the certificates. */
export function meshExpectations(collector: Collector, mode: MeshMode, meshNode: boolean): MeshExpectations {
    const sidecar: readonly WorkloadRole[] = workloadsWithSidecar(collector, mode, meshNode);
    const certificates: readonly WorkloadRole[] = workloadsWithCertificates(collector, mode);
    return Object.fromEntries(
        collectorWorkloads[collector].map((w) => [w, { sidecar: sidecar.includes(w), certificates: certificates.includes(w) }]),
    );
}

/** The live pods that carry a sidecar, of the workloads meant to carry one, each with its workload. */
export function meshedPods(pods: readonly Pod[], options: VerifyOptions): { pod: Pod; workload: ExpectedWorkload }[] {
    const expectations = meshExpectations(options.collector, options.meshMode, options.meshNode);
    const live = livePods(pods);
    return expectedWorkloads(options)
        .filter((w) => expectations[w.role]?.sidecar)
        .flatMap((workload) =>
            live.filter((p) => hasSidecar(p) && labelsMatch(workload.podLabels, p.metadata?.labels)).map((pod) => ({ pod, workload })),
        );
}
