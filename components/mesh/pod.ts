// Pod-level Istio settings of each mesh mode (Istio's injection labels and annotations, istio.io).
// A pass first removes every key this package manages, then sets the mode's keys: the result
// depends only on the chart's pod and the options, so passes are idempotent and switching modes
// over already relocated manifests is safe.

import { collectorContainer, imdsRange, mergedMetricsPort, nonMeshScrapePorts, tokenAdapterContainer, workloads } from "./agent";
import { certsVolume, collectorCertsPath, sidecarCertsPath } from "./istioCerts";
import type { MeshedWorkload } from "./settings";
import type { MeshMode, ProxyResources, Workload } from "./types";

export interface PodMeshOptions {
    mode: MeshMode;
    /** Istio revision; absent for a default-revision install. */
    revision?: string;
    /** sidecar mode: mesh the Linux node DaemonSet. */
    meshNodeDaemonSet: boolean;
    /** Proxy resources per meshed workload. */
    proxyResources: Partial<Record<MeshedWorkload, ProxyResources>>;
}

export interface VolumeMount {
    name: string;
    mountPath: string;
    readOnly?: boolean;
    [key: string]: unknown;
}

export interface Container {
    name: string;
    volumeMounts?: VolumeMount[];
    [key: string]: unknown;
}

export interface Volume {
    name: string;
    [key: string]: unknown;
}

/** A pod template (`spec.template` of a workload), or a Pod. */
export interface PodTemplate {
    metadata?: {
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        [key: string]: unknown;
    };
    spec?: {
        containers?: Container[];
        initContainers?: Container[];
        volumes?: Volume[];
        [key: string]: unknown;
    };
    [key: string]: unknown;
}

/** The workloads that can carry a sidecar, in the order options list them. */
export const meshedWorkloads: readonly MeshedWorkload[] = ["collector", "targetAllocator", "kubeStateMetrics", "node"];

/** The fields of `ProxyResources`, in the order options list them. */
export const proxyResourceFields: readonly (keyof ProxyResources)[] = ["cpu", "memory", "cpuLimit", "memoryLimit"];

// Istio's pod labels and annotations (istio.io, "Resource Annotations" and "Resource Labels").
export const injectLabel = "sidecar.istio.io/inject";
export const revisionLabel = "istio.io/rev";
export const annotations = {
    /** Deprecated in favour of the label; this package never sets it and removes it. */
    inject: "sidecar.istio.io/inject",
    excludeOutboundIPRanges: "traffic.sidecar.istio.io/excludeOutboundIPRanges",
    excludeOutboundPorts: "traffic.sidecar.istio.io/excludeOutboundPorts",
    includeInboundPorts: "traffic.sidecar.istio.io/includeInboundPorts",
    includeOutboundIPRanges: "traffic.sidecar.istio.io/includeOutboundIPRanges",
    proxyConfig: "proxy.istio.io/config",
    userVolumeMount: "sidecar.istio.io/userVolumeMount",
    proxyCPU: "sidecar.istio.io/proxyCPU",
    proxyMemory: "sidecar.istio.io/proxyMemory",
    proxyCPULimit: "sidecar.istio.io/proxyCPULimit",
    proxyMemoryLimit: "sidecar.istio.io/proxyMemoryLimit",
};

/** Every pod label this package manages. */
export const managedLabels: readonly string[] = [injectLabel, revisionLabel];

/** Every pod annotation this package manages. */
export const managedAnnotations: readonly string[] = Object.values(annotations);

/** Which of the chart's workloads a pod belongs to, by the labels its selector uses; undefined for any other pod. */
export function workloadOfPod(pod: PodTemplate): Workload | undefined {
    const labels = pod.metadata?.labels ?? {};
    for (const [workload, facts] of Object.entries(workloads) as [Workload, (typeof workloads)[Workload]][]) {
        if (Object.entries(facts.podLabels).every(([key, value]) => labels[key] === value)) {
            return workload;
        }
    }
    return undefined;
}

/** The pod's labels, annotations and volumes as the mode wants them; the input is not modified. */
export function applyPodMesh(workload: Workload | undefined, pod: PodTemplate, options: PodMeshOptions): PodTemplate {
    const result = removeManagedSettings(pod);
    const settings = podMeshSettings(workload, result, options);
    if (Object.keys(settings.labels).length > 0 || Object.keys(settings.annotations).length > 0) {
        const metadata = { ...result.metadata };
        if (Object.keys(settings.labels).length > 0) {
            metadata.labels = { ...metadata.labels, ...settings.labels };
        }
        if (Object.keys(settings.annotations).length > 0) {
            metadata.annotations = { ...metadata.annotations, ...settings.annotations };
        }
        result.metadata = metadata;
    }
    if (settings.certificates) {
        mountIstioCertificates(result);
    }
    return result;
}

export interface PodMeshSettings {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    /** Share the sidecar's certificates with the collector through an in-memory volume. */
    certificates: boolean;
}

/** What the mode adds to a pod whose managed keys were removed. Annotations come sorted by key. */
export function podMeshSettings(
    workload: Workload | undefined,
    pod: PodTemplate,
    options: PodMeshOptions,
): PodMeshSettings {
    const optOut: PodMeshSettings = { labels: { [injectLabel]: "false" }, annotations: {}, certificates: false };
    switch (options.mode) {
        case "off":
            return optOut;
        case "certificates": {
            if (workload !== "collector") {
                return optOut;
            }
            // The namespace carries no injection label in this mode: the collector opts in itself.
            const labels: Record<string, string> = options.revision
                ? { [revisionLabel]: options.revision }
                : { [injectLabel]: "true" };
            // Istio's "scrape with Istio certs" pattern: the sidecar intercepts nothing and writes its
            // workload certificate to the shared volume.
            const proxyConfig = {
                holdApplicationUntilProxyStarts: true,
                proxyMetadata: { OUTPUT_CERTS: sidecarCertsPath },
            };
            return {
                labels,
                annotations: sortedKeys({
                    [annotations.includeInboundPorts]: "",
                    [annotations.includeOutboundIPRanges]: "",
                    [annotations.proxyConfig]: JSON.stringify(proxyConfig),
                    [annotations.userVolumeMount]: JSON.stringify([{ name: certsVolume, mountPath: sidecarCertsPath }]),
                    ...proxyResourceAnnotations(options.proxyResources.collector),
                }),
                certificates: true,
            };
        }
        case "sidecar": {
            // Istio cannot run on Windows pods; the Linux node DaemonSet stays out when the user says so.
            if (workload === "windowsNode" || (workload === "node" && !options.meshNodeDaemonSet)) {
                return optOut;
            }
            const added: Record<string, string> = {
                // The agent needs the network as soon as it starts.
                [annotations.proxyConfig]: JSON.stringify({ holdApplicationUntilProxyStarts: true }),
            };
            if (workload !== undefined) {
                Object.assign(added, proxyResourceAnnotations(options.proxyResources[workload]));
            }
            if (runsTokenAdapter(pod)) {
                // IMDS is served inside the pod by the token adapter: keep Envoy out of its path.
                added[annotations.excludeOutboundIPRanges] = imdsRange;
            }
            if (workload === "collector" || workload === "node") {
                // kubelet, kube-proxy, node-exporter and CoreDNS have no sidecar, and meshed pods serve
                // their merged metrics on 15020 by pod address: scrape them directly, so that an
                // outbound policy of REGISTRY_ONLY does not blackhole the scrapes.
                added[annotations.excludeOutboundPorts] = [...nonMeshScrapePorts, mergedMetricsPort].join(",");
            }
            return { labels: {}, annotations: sortedKeys(added), certificates: false };
        }
        default:
            throw new Error(`Unknown mesh mode "${options.mode as string}": use one of sidecar, certificates, off.`);
    }
}

/** The `sidecar.istio.io/proxy*` annotations for the given resources. */
export function proxyResourceAnnotations(resources: ProxyResources | undefined): Record<string, string> {
    const result: Record<string, string> = {};
    if (resources?.cpu !== undefined) result[annotations.proxyCPU] = resources.cpu;
    if (resources?.memory !== undefined) result[annotations.proxyMemory] = resources.memory;
    if (resources?.cpuLimit !== undefined) result[annotations.proxyCPULimit] = resources.cpuLimit;
    if (resources?.memoryLimit !== undefined) result[annotations.proxyMemoryLimit] = resources.memoryLimit;
    return result;
}

function runsTokenAdapter(pod: PodTemplate): boolean {
    return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some(
        c => c.name === tokenAdapterContainer,
    );
}

/** A copy of the pod without any label, annotation, volume or mount this package manages. */
export function removeManagedSettings(pod: PodTemplate): PodTemplate {
    const result: PodTemplate = { ...pod };
    if (pod.metadata) {
        const metadata = { ...pod.metadata };
        setOrDrop(metadata, "labels", withoutKeys(metadata.labels, managedLabels));
        setOrDrop(metadata, "annotations", withoutKeys(metadata.annotations, managedAnnotations));
        result.metadata = metadata;
    }
    if (pod.spec) {
        const spec = { ...pod.spec };
        setOrDrop(spec, "volumes", withoutNamed(spec.volumes, certsVolume));
        for (const field of ["containers", "initContainers"] as const) {
            if (spec[field]) {
                spec[field] = spec[field].map(container => {
                    const copy = { ...container };
                    setOrDrop(copy, "volumeMounts", withoutNamed(copy.volumeMounts, certsVolume));
                    return copy;
                });
            }
        }
        result.spec = spec;
    }
    return result;
}

/** Adds the certificate volume and its read-only mount in the collector container. */
function mountIstioCertificates(pod: PodTemplate): void {
    const spec = { ...pod.spec };
    const containers = spec.containers ?? [];
    if (!containers.some(c => c.name === collectorContainer)) {
        throw new Error(
            `Mesh mode "certificates" mounts the Istio certificates into the collector's "${collectorContainer}" ` +
                `container, but the collector pod has no such container; use mesh mode "sidecar" with this chart.`,
        );
    }
    spec.volumes = [...(spec.volumes ?? []), { name: certsVolume, emptyDir: { medium: "Memory" } }];
    spec.containers = containers.map(c =>
        c.name === collectorContainer
            ? {
                  ...c,
                  volumeMounts: [
                      ...(c.volumeMounts ?? []),
                      { name: certsVolume, mountPath: collectorCertsPath, readOnly: true },
                  ],
              }
            : c,
    );
    pod.spec = spec;
}

/**
 * `value` when it still has entries; otherwise the field is dropped if this pass emptied it
 * (so a mode switch leaves no empty map behind) and kept as it was if it came empty.
 */
function setOrDrop<T extends object>(
    target: T,
    field: keyof T,
    value: { result: object; removed: boolean } | undefined,
): void {
    if (value === undefined) {
        return;
    }
    const empty = Object.keys(value.result).length === 0;
    if (empty && value.removed) {
        delete target[field];
    } else {
        (target as Record<keyof T, unknown>)[field] = value.result;
    }
}

function withoutKeys(
    map: Record<string, string> | undefined,
    keys: readonly string[],
): { result: Record<string, string>; removed: boolean } | undefined {
    if (map === undefined) {
        return undefined;
    }
    const result = Object.fromEntries(Object.entries(map).filter(([key]) => !keys.includes(key)));
    return { result, removed: Object.keys(result).length !== Object.keys(map).length };
}

function withoutNamed<T extends { name: string }>(
    items: T[] | undefined,
    name: string,
): { result: T[]; removed: boolean } | undefined {
    if (items === undefined) {
        return undefined;
    }
    const result = items.filter(item => item.name !== name);
    return { result, removed: result.length !== items.length };
}

function sortedKeys(map: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
