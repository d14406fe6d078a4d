// Pod-level Istio settings of each mesh mode (Istio's injection labels and annotations, istio.io
// "Resource Annotations" and "Resource Labels"). A pass first removes every key this package manages,
// then sets the mode's keys: the result depends only on the pod and the options, so passes are
// idempotent and switching modes over already relocated manifests is safe.

import type { Collector, ProxyResources } from "../core/args";
import { proxyResourceAnnotations, proxyResourceFields } from "../core/facts/istio";
import { Container, containersOf, PodTemplate } from "../core/kubernetes";
import type { PodMeshSettings } from "../core/settings";
import { certsVolume, collectorCertsPath, sidecarCertsPath } from "./certificates";
import { WorkloadRole, workloadsWithSidecar } from "../core/facts/workloads";

/** What the pod settings depend on. */
export type PodMeshOptions = PodMeshSettings & { collector: Collector };

export const injectLabel = "sidecar.istio.io/inject";
export const revisionLabel = "istio.io/rev";
/** The namespace label of a default-revision install's injection. */
export const namespaceInjectionLabel = "istio-injection";
/** The namespace and pod label of Istio's ambient data plane. */
export const dataplaneModeLabel = "istio.io/dataplane-mode";
/**
 * The pod annotation that carries the Istio revision the sidecar mode meshes a pod with: the revision is
 * otherwise only on the namespace label, so a revision change (`az aks mesh upgrade`) would not roll the
 * pod template, and its proxy would keep the old revision (issue 19.5). The injector's own `istio.io/rev`
 * annotation says which revision did inject; this one says which was asked for.
 */
const meshRevisionAnnotation = "ama-metrics-istio/istio-revision";
export const podAnnotations = {
    /** Deprecated in favour of the label (IST0135); this package never sets it and removes it. */
    inject: "sidecar.istio.io/inject",
    includeOutboundIPRanges: "traffic.sidecar.istio.io/includeOutboundIPRanges",
    excludeOutboundIPRanges: "traffic.sidecar.istio.io/excludeOutboundIPRanges",
    excludeOutboundPorts: "traffic.sidecar.istio.io/excludeOutboundPorts",
    includeInboundPorts: "traffic.sidecar.istio.io/includeInboundPorts",
    proxyConfig: "proxy.istio.io/config",
    userVolumeMount: "sidecar.istio.io/userVolumeMount",
    meshRevision: meshRevisionAnnotation,
};

/** Every pod label and annotation this package manages. */
const managedLabels: readonly string[] = [injectLabel, revisionLabel, dataplaneModeLabel];
const managedAnnotations: readonly string[] = [...Object.values(podAnnotations), ...Object.values(proxyResourceAnnotations)];

/** The labels, annotations and certificate mounts a mode gives a pod. */
interface PodMeshChanges {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    /** certificates mode: mount the sidecar's certificate into these containers. */
    certificateReaders: string[];
}

/**
 * What the mode adds to a pod of `workload` (undefined: a pod the package does not know, which only
 * follows the namespace). `certificateReaders` are the containers of the workload that read the mTLS
 * scrape job. Annotations come sorted by key.
 */
function podMeshChanges(
    workload: WorkloadRole | undefined,
    options: PodMeshOptions,
    certificateReaders: readonly string[] = [],
): PodMeshChanges {
    // Out of the mesh, sidecar and ambient alike: `sidecar.istio.io/inject=false` keeps the injector away,
    // `istio.io/dataplane-mode=none` keeps ztunnel away in a namespace labelled for ambient (istio/istio
    // cni/README.md, "Selection API": ambient needs the pod label not to be "none"), where STRICT would
    // otherwise make ztunnel refuse the collector's plaintext scrape.
    const optOut: PodMeshChanges = {
        labels: { [injectLabel]: "false", [dataplaneModeLabel]: "none" },
        annotations: {},
        certificateReaders: [],
    };
    const meshed = workloadsWithSidecar(options.collector, options.mode, options.meshNodeDaemonSet) as WorkloadRole[];
    if (options.mode === "off" || (workload !== undefined && !meshed.includes(workload))) {
        return optOut;
    }
    const resources =
        workload === undefined || workload === "windowsNode" ? {} : proxyResourceAnnotationsOf(options.proxyResources[workload]);
    if (options.mode === "certificates") {
        if (workload === undefined) {
            return optOut;
        }
        // Istio's "scrape with Istio certs" pattern: the sidecar intercepts nothing (inbound, outbound, and
        // DNS, which is captured independently of the IP ranges) and writes its workload certificate to the
        // shared volume. The namespace carries no injection label in this mode: the pod opts in itself.
        const proxyConfig = {
            holdApplicationUntilProxyStarts: true,
            proxyMetadata: { ISTIO_META_DNS_CAPTURE: "false", OUTPUT_CERTS: sidecarCertsPath },
        };
        return {
            labels: options.revision ? { [revisionLabel]: options.revision } : { [injectLabel]: "true" },
            annotations: sortedKeys({
                [podAnnotations.includeInboundPorts]: "",
                [podAnnotations.includeOutboundIPRanges]: "",
                [podAnnotations.proxyConfig]: JSON.stringify(proxyConfig),
                [podAnnotations.userVolumeMount]: JSON.stringify([{ name: certsVolume, mountPath: sidecarCertsPath }]),
                ...resources,
            }),
            certificateReaders: [...certificateReaders],
        };
    }
    // sidecar: the proxy captures only calls to the cluster's services, which the mesh knows. Nodes, pods
    // outside the mesh (scraped by address), Azure and IMDS bypass it, so an outbound policy of
    // REGISTRY_ONLY blackholes none of the collector's targets. The collector needs the network as soon
    // as it starts: the proxy starts first. DNS capture is off, whatever the mesh says: with it, a
    // ServiceEntry for a host the collector calls (the token or ingestion endpoint) would answer DNS with
    // an auto-allocated 240.240.0.0/16 address (PILOT_ENABLE_IP_AUTOALLOCATE, default true, and its prefix in
    // pilot/pkg/features/pilot.go; pilot/pkg/networking/serviceentry/ip_autoallocation.go;
    // pkg/dns/server/name_table.go), outside the captured range, so the connection would go nowhere.
    // A revisioned pod template carries the revision, so that a revision change rolls it.
    const added: Record<string, string> = {
        [podAnnotations.proxyConfig]: JSON.stringify({
            holdApplicationUntilProxyStarts: true,
            proxyMetadata: { ISTIO_META_DNS_CAPTURE: "false" },
        }),
        [podAnnotations.includeOutboundIPRanges]: options.serviceCidr,
        ...(options.revision ? { [podAnnotations.meshRevision]: options.revision } : {}),
        ...resources,
    };
    if (options.extraExcludeOutboundIPRanges.length > 0) {
        added[podAnnotations.excludeOutboundIPRanges] = options.extraExcludeOutboundIPRanges.join(",");
    }
    if (options.extraExcludeOutboundPorts.length > 0) {
        added[podAnnotations.excludeOutboundPorts] = options.extraExcludeOutboundPorts.join(",");
    }
    return { labels: {}, annotations: sortedKeys(added), certificateReaders: [] };
}

/** The `sidecar.istio.io/proxy*` annotations for the given resources. */
function proxyResourceAnnotationsOf(resources: ProxyResources | undefined): Record<string, string> {
    const result: Record<string, string> = {};
    for (const field of proxyResourceFields) {
        const value = resources?.[field];
        if (value !== undefined) result[proxyResourceAnnotations[field]] = value;
    }
    return result;
}

/**
 * The pod with the mode's labels, annotations, volumes and mounts; the input is not modified. Throws for
 * a pod on the host's network that the mode would mesh: Istio never injects such pods.
 */
export function applyPodMesh(
    workload: WorkloadRole | undefined,
    pod: PodTemplate,
    options: PodMeshOptions,
    certificateReaders: readonly string[] = [],
): PodTemplate {
    const settings = podMeshChanges(workload, options, certificateReaders);
    if (pod.spec?.hostNetwork === true && settings.labels[injectLabel] !== "false") {
        throw new Error(
            `The ${workload ?? "unknown"} pod runs on the host's network, where Istio never injects a sidecar; ` +
                `mesh mode "${options.mode}" would mesh it. Keep it out of the mesh.`,
        );
    }
    const result = removeManagedSettings(pod);
    const metadata = { ...result.metadata };
    if (Object.keys(settings.labels).length > 0) {
        metadata.labels = { ...metadata.labels, ...settings.labels };
    }
    if (Object.keys(settings.annotations).length > 0) {
        metadata.annotations = { ...metadata.annotations, ...settings.annotations };
    }
    if (Object.keys(metadata).length > 0) {
        result.metadata = metadata;
    }
    if (settings.certificateReaders.length > 0) {
        mountCertificates(result, settings.certificateReaders);
    }
    return result;
}

/** Adds the certificate volume and its read-only mount in each reader container. */
function mountCertificates(pod: PodTemplate, readers: readonly string[]): void {
    const spec = { ...pod.spec };
    const names = containersOf(pod).map((c) => c.name);
    const missing = readers.filter((reader) => !names.includes(reader));
    if (missing.length > 0) {
        throw new Error(
            `Mesh mode "certificates" mounts the Istio certificates into the container(s) ${missing.join(", ")}, ` +
                `but the pod has only ${names.join(", ")}; use mesh mode "sidecar" with this chart.`,
        );
    }
    spec.volumes = [...(spec.volumes ?? []), { name: certsVolume, emptyDir: { medium: "Memory" } }];
    const mount = (c: Container): Container =>
        readers.includes(c.name)
            ? { ...c, volumeMounts: [...(c.volumeMounts ?? []), { name: certsVolume, mountPath: collectorCertsPath, readOnly: true }] }
            : c;
    spec.containers = spec.containers?.map(mount);
    if (spec.initContainers) {
        spec.initContainers = spec.initContainers.map(mount);
    }
    pod.spec = spec;
}

/** A copy of the pod without any label, annotation, volume or mount this package manages. */
function removeManagedSettings(pod: PodTemplate): PodTemplate {
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
                spec[field] = spec[field].map((container) => {
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

/**
 * `value` when it still has entries; otherwise the field is dropped if this pass emptied it (so a mode
 * switch leaves no empty map behind) and kept as it was if it came empty.
 */
function setOrDrop<T extends object>(target: T, field: keyof T, value: { result: object; removed: boolean } | undefined): void {
    if (value === undefined) {
        return;
    }
    if (Object.keys(value.result).length === 0 && value.removed) {
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

function withoutNamed<T extends { name: string }>(items: T[] | undefined, name: string): { result: T[]; removed: boolean } | undefined {
    if (items === undefined) {
        return undefined;
    }
    const result = items.filter((item) => item.name !== name);
    return { result, removed: result.length !== items.length };
}

function sortedKeys(map: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
