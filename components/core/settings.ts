// The settings: the component's arguments after validation, defaults filled in, ids parsed (filled in by
// components/arguments/settings.ts, the mesh's by mesh/settings.ts), and the defaults several features share. Builders take settings and
// trust them; nothing downstream checks an argument again.

import * as pulumi from "@pulumi/pulumi";
import { AksResourceId, WorkspaceResourceId } from "./facts/resourceIds";
import {
    AlertsArgs,
    AlertsDefaultedKey,
    AmaMetricsIstioArgs,
    ArgumentGroupKey,
    ChartArgs,
    ChartDefaultedKey,
    CloudEnvironment,
    ClusterArgs,
    ClusterDefaultedKey,
    Collector,
    IstioArgs,
    IstioDefaultedKey,
    MeshableWorkloadRole,
    MeshMode,
    PodMeshKey,
    PrometheusArgs,
    PrometheusDefaultedKey,
    PrometheusTarget,
    ProxyResources,
    RecordingRulesArgs,
    RecordingRulesDefaultedKey,
    ResourceQuantities,
    TokenSecretArgs,
    TokenSecretDefaultedKey,
    TopLevelDefaultedKey,
    WorkspaceArgs,
    WorkspaceDefaultedKey,
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

/** The defaults of `T`'s keys `K`: each one given, none undefined. */
export type Defaults<T, K extends keyof T> = { [P in K]-?: Exclude<T[P], undefined> };

/**
 * Arguments with their defaults filled in (`withDefaults`): the keys `K` that have a default are required and
 * never undefined, the others stay as the arguments type them (optional: a builder that reads one must handle
 * its absence).
 */
export type WithDefaults<T, K extends keyof T> = Omit<T, K> & Defaults<T, K>;

/**
 * `given` with each of `defaults`' keys that `given` leaves undefined filled in; a default list is copied, so
 * that two components' settings never share one.
 */
export function withDefaults<T extends object, K extends keyof T>(given: T, defaults: Defaults<T, K>): WithDefaults<T, K> {
    const result = { ...given } as Record<string, unknown>;
    for (const [key, value] of Object.entries(defaults)) {
        result[key] ??= Array.isArray(value) ? [...value] : value;
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

/**
 * The `istio` argument, defaults filled in (`istioArgumentDefaults`, mesh/arguments.ts), each meshed workload's
 * proxy resources merged with its defaults, and what the mesh reads from other arguments.
 */
export type MeshSettings = Omit<WithDefaults<IstioArgs, IstioDefaultedKey>, "proxyResources"> & {
    /** Proxy resources of the workloads that carry a sidecar in this mode. */
    proxyResources: Partial<Record<MeshableWorkloadRole, ProxyResources>>;
    /** The ranges the sidecar mode's proxies capture: the cluster's services (`cluster.serviceCidr`). */
    serviceCidr: string;
    /** ama-metrics: the node agent receives OTLP from applications (`chart.openTelemetryMetrics`). */
    otlpIngestion: boolean;
};

/**
 * The `cluster` argument, defaults filled in, its id checked and parsed once known. The fields read elsewhere
 * are left out: the collector's required `oidcIssuerUrl` or `kubernetesVersion`, and `istio.serviceCidr`.
 */
type ClusterSettings = Omit<
    WithDefaults<ClusterArgs, ClusterDefaultedKey>,
    "resourceId" | "oidcIssuerUrl" | "kubernetesVersion" | "serviceCidr"
> & {
    id: pulumi.Output<AksResourceId>;
};

/** The `workspace` argument, defaults filled in. */
type WorkspaceSettings = Omit<WithDefaults<WorkspaceArgs, WorkspaceDefaultedKey>, "resourceId" | "location"> & {
    /** An existing workspace, checked and parsed once known; undefined when the component creates one. */
    existing?: pulumi.Output<WorkspaceResourceId>;
    /** Default: the cluster's region. */
    location: string;
};

/**
 * The settings both collectors read: the top-level fields as given or with their defaults (a new top-level
 * argument arrives here by itself), each group with its own settings type.
 */
export type CommonSettings = WithDefaults<
    Omit<AmaMetricsIstioArgs, ArgumentGroupKey | "collector" | "prometheusIdentity">,
    Exclude<TopLevelDefaultedKey, "collector">
> & {
    cluster: ClusterSettings;
    workspace: WorkspaceSettings;
    recordingRules: WithDefaults<RecordingRulesArgs, RecordingRulesDefaultedKey>;
    alerts: WithDefaults<AlertsArgs, AlertsDefaultedKey>;
    istio: MeshSettings;
};

export interface PrometheusCollectorSettings extends CommonSettings {
    collector: "prometheus";
    oidcIssuerUrl: pulumi.Input<string>;
    prometheus: PrometheusSettings;
}

export interface AmaMetricsCollectorSettings extends CommonSettings {
    collector: "ama-metrics";
    kubernetesVersion: pulumi.Input<string>;
    chart: ChartSettings;
    tokenSecret: WithDefaults<TokenSecretArgs, TokenSecretDefaultedKey>;
    /** The prometheus collector's identity, created ahead of a switch (`prometheusIdentity`). */
    prometheusIdentity?: { oidcIssuerUrl: pulumi.Input<string> };
}

/** The component's settings, one shape per collector. */
export type ComponentSettings = PrometheusCollectorSettings | AmaMetricsCollectorSettings;

/** The argument groups, each once: `Record` makes a group missing from `ArgumentGroupKey` (or extra) fail to compile. */
const argumentGroupKeySet: Record<ArgumentGroupKey, true> = {
    cluster: true,
    workspace: true,
    recordingRules: true,
    alerts: true,
    prometheus: true,
    chart: true,
    tokenSecret: true,
    istio: true,
};

/** The top-level fields of the arguments: everything but the groups, which have settings types of their own. */
export function topLevelArguments(args: AmaMetricsIstioArgs): Omit<AmaMetricsIstioArgs, ArgumentGroupKey> {
    return Object.fromEntries(Object.entries(args).filter(([key]) => !(key in argumentGroupKeySet))) as Omit<
        AmaMetricsIstioArgs,
        ArgumentGroupKey
    >;
}

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
export function podMeshSettingsOf(mesh: PodMeshSettings): PodMeshSettings {
    const picked = Object.fromEntries(podMeshKeys.map((key) => [key, mesh[key]])) as Pick<MeshSettings, PodMeshKey>;
    return { ...picked, serviceCidr: mesh.serviceCidr };
}

/** Parsed ids, from the deferred checks of the validation. */
export interface ParsedIds {
    cluster: pulumi.Output<AksResourceId>;
    workspace?: pulumi.Output<WorkspaceResourceId>;
}
