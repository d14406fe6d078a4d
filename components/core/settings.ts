// The settings: the component's arguments after validation, defaults filled in, ids parsed (filled in by
// components/arguments/settings.ts), and the defaults several features share. Builders take settings and
// trust them; nothing downstream checks an argument again.

import * as pulumi from "@pulumi/pulumi";
import { AksResourceId, WorkspaceResourceId } from "./facts/resourceIds";
import { workloadsWithSidecar } from "./facts/workloads";
import {
    AmaMetricsIstioArgs,
    AuthorizationPolicyTarget,
    ChartArgs,
    ChartDefaultedKey,
    CloudEnvironment,
    Collector,
    IstioArgs,
    MeshableWorkloadRole,
    MeshMode,
    PodMeshKey,
    PrometheusArgs,
    PrometheusDefaultedKey,
    PrometheusTarget,
    ProxyResources,
    ResourceQuantities,
    ScrapeConfig,
} from "./args";

export const defaults = {
    collector: "prometheus" as Collector,
    namespace: "monitoring",
    meshMode: "sidecar" as MeshMode,
    rootNamespace: "istio-system",
    trustDomain: "cluster.local",
    clusterDomain: "cluster.local",
    cloudEnvironment: "azurepubliccloud" as CloudEnvironment,
    // AKS's default service CIDR (az aks create --service-cidr).
    serviceCidr: "10.0.0.0/16",
    // The collector and the node agent carry the scrape traffic: their proxies get more room.
    proxyResources: {
        collector: { cpu: "100m", memory: "128Mi" },
        node: { cpu: "200m", memory: "256Mi" },
    } as Partial<Record<MeshableWorkloadRole, ProxyResources>>,
};

/** The mesh settings, defaults filled in. */
export interface MeshSettings {
    mode: MeshMode;
    revision?: string;
    rootNamespace: string;
    trustDomain: string;
    meshNodeDaemonSet: boolean;
    /** ama-metrics: the node agent receives OTLP from applications (`chart.openTelemetryMetrics`). */
    otlpIngestion: boolean;
    /** Proxy resources of the workloads that carry a sidecar in this mode. */
    proxyResources: Partial<Record<MeshableWorkloadRole, ProxyResources>>;
    /** The ranges the sidecar mode's proxies capture: the cluster's services. */
    serviceCidr: string;
    extraExcludeOutboundIPRanges: string[];
    extraExcludeOutboundPorts: number[];
    authorizationPolicies: AuthorizationPolicyTarget[];
    scrapeNamespaces: string[];
}

/** The defaults of `T`'s keys `K`: each one given, none undefined. */
export type Defaults<T, K extends keyof T> = { [P in K]-?: Exclude<T[P], undefined> };

/**
 * Arguments with their defaults filled in (`withDefaults`): the keys `K` that have a default are required and
 * never undefined, the others stay as the arguments type them (optional: a builder that reads one must handle
 * its absence).
 */
export type WithDefaults<T, K extends keyof T> = Omit<T, K> & Defaults<T, K>;

/** `given` with each of `defaults`' keys that `given` leaves undefined filled in. */
export function withDefaults<T extends object, K extends keyof T>(given: T, defaults: Defaults<T, K>): WithDefaults<T, K> {
    const result = { ...given } as Record<string, unknown>;
    for (const [key, value] of Object.entries(defaults)) {
        result[key] ??= value;
    }
    return result as WithDefaults<T, K>;
}

/**
 * The `prometheus` argument, defaults filled in: derived from `PrometheusArgs` and the keys that have a default
 * (`PrometheusDefaultedKey`; the values are next to the schema, in prometheus/arguments.ts), so a new field
 * needs no settings type of its own.
 */
type PrometheusSettings = Omit<WithDefaults<PrometheusArgs, PrometheusDefaultedKey>, "resources" | "targets"> & {
    resources: { requests: ResourceQuantities; limits: ResourceQuantities };
    /** Every target of the add-on, on or off (defaults filled in). */
    targets: Record<PrometheusTarget, boolean>;
};

/** The `chart` argument, defaults filled in: derived from `ChartArgs` as `PrometheusSettings` is. */
type ChartSettings = WithDefaults<ChartArgs, ChartDefaultedKey> & {
    /** Default: the chart version. */
    imageTag: string;
};

export interface CommonSettings {
    namespace: string;
    createNamespace: boolean;
    cluster: {
        /** The cluster's id, checked and parsed once known. */
        id: pulumi.Output<AksResourceId>;
        location: string;
        private: boolean;
        configurationAccessEndpointId?: pulumi.Input<string>;
        cloudEnvironment: CloudEnvironment;
        clusterDomain: string;
    };
    resourceGroupName: pulumi.Input<string>;
    workspace: {
        /** An existing workspace, checked and parsed once known; undefined when the component creates one. */
        existing?: pulumi.Output<WorkspaceResourceId>;
        name?: string;
        location: string;
        protect: boolean;
    };
    recordingRules: { enabled: boolean; windows: boolean };
    grafana?: { principalId: pulumi.Input<string> };
    alerts: { enabled: boolean; actionGroupIds: pulumi.Input<string>[]; recommended: boolean };
    privateLinkScopeId?: pulumi.Input<string>;
    scrapeConfigs: ScrapeConfig[];
    istio: MeshSettings;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface PrometheusCollectorSettings extends CommonSettings {
    collector: "prometheus";
    oidcIssuerUrl: pulumi.Input<string>;
    prometheus: PrometheusSettings;
}

export interface AmaMetricsCollectorSettings extends CommonSettings {
    collector: "ama-metrics";
    kubernetesVersion: pulumi.Input<string>;
    chart: ChartSettings;
    tokenSecret: { name: string; namespace: string };
    /** The prometheus collector's identity, created ahead of a switch (`prometheusIdentity`). */
    prometheusIdentity?: { oidcIssuerUrl: pulumi.Input<string> };
}

/** The component's settings, one shape per collector. */
export type ComponentSettings = PrometheusCollectorSettings | AmaMetricsCollectorSettings;

/** The pod mesh keys, each once: `Record` makes a key missing from `PodMeshKey` (or extra) fail to compile. */
const podMeshKeySet: Record<PodMeshKey, true> = {
    mode: true,
    revision: true,
    meshNodeDaemonSet: true,
    proxyResources: true,
    extraExcludeOutboundIPRanges: true,
    extraExcludeOutboundPorts: true,
};
const podMeshKeys = Object.keys(podMeshKeySet) as PodMeshKey[];

/** The pod-level mesh settings: the pod mesh keys, defaults filled in, and the range the proxies capture. */
export type PodMeshSettings = Pick<MeshSettings, PodMeshKey | "serviceCidr">;

/** Every key of `T` present, optional ones too (possibly undefined): an object literal that leaves one out does not compile. */
export type Complete<T> = T & Record<keyof T, unknown>;

/** The pod-level mesh settings out of the whole mesh settings. */
export function podMeshSettingsOf(mesh: MeshSettings): PodMeshSettings {
    const picked = Object.fromEntries(podMeshKeys.map((key) => [key, mesh[key]])) as Pick<MeshSettings, PodMeshKey>;
    return { ...picked, serviceCidr: mesh.serviceCidr };
}

/**
 * The pod-level mesh settings (what `PodMeshOptions` reads) from the `istio` argument, with their defaults.
 * Shared with `relocate` and the post-renderer, which builds `istio` from its flags.
 */
export function resolvePodMeshSettings(collector: Collector, istio: Pick<IstioArgs, PodMeshKey>, serviceCidr: string): PodMeshSettings {
    const mode = istio.mode ?? defaults.meshMode;
    const meshNodeDaemonSet = istio.meshNodeDaemonSet ?? false;
    return {
        mode,
        revision: istio.revision,
        meshNodeDaemonSet,
        proxyResources: proxyResourcesWithDefaults(workloadsWithSidecar(collector, mode, meshNodeDaemonSet), istio.proxyResources ?? {}),
        serviceCidr,
        extraExcludeOutboundIPRanges: istio.extraExcludeOutboundIPRanges ?? [],
        extraExcludeOutboundPorts: istio.extraExcludeOutboundPorts ?? [],
    } satisfies Complete<PodMeshSettings>;
}

/** Mesh settings from the `istio` argument. */
export function resolveMeshSettings(collector: Collector, args: AmaMetricsIstioArgs, serviceCidr: string): MeshSettings {
    const istio = args.istio ?? {};
    return {
        ...resolvePodMeshSettings(collector, istio, serviceCidr),
        rootNamespace: istio.rootNamespace ?? defaults.rootNamespace,
        trustDomain: istio.trustDomain ?? defaults.trustDomain,
        otlpIngestion: args.chart?.openTelemetryMetrics ?? false,
        authorizationPolicies: istio.authorizationPolicies ?? [],
        scrapeNamespaces: istio.scrapeNamespaces ?? [],
    };
}

/** The default proxy resources of each meshed workload, overridden field by field. */
function proxyResourcesWithDefaults(
    meshed: readonly MeshableWorkloadRole[],
    given: Partial<Record<MeshableWorkloadRole, ProxyResources>>,
): Partial<Record<MeshableWorkloadRole, ProxyResources>> {
    const result: Partial<Record<MeshableWorkloadRole, ProxyResources>> = {};
    for (const workload of meshed) {
        const merged = { ...defaults.proxyResources[workload], ...given[workload] };
        if (Object.keys(merged).length > 0) {
            result[workload] = merged;
        }
    }
    return result;
}

/** Parsed ids, from the deferred checks of the validation. */
export interface ParsedIds {
    cluster: pulumi.Output<AksResourceId>;
    workspace?: pulumi.Output<WorkspaceResourceId>;
}
