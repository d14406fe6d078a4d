import * as pulumi from "@pulumi/pulumi";
import { defaultChartVersion, defaultTokenSecret, publishedChart } from "./agent";
import {
    AmaMetricsIstioArgs,
    AuthorizationPolicyTarget,
    MeshMode,
    ProxyResources,
    Workload,
} from "./types";

/** Workloads that can carry an Istio sidecar (Istio does not inject Windows pods). */
export type MeshedWorkload = Exclude<Workload, "windowsNode">;

/** The mesh settings, defaults filled in. */
export interface MeshSettings {
    mode: MeshMode;
    revision?: string;
    rootNamespace: string;
    trustDomain: string;
    meshNodeDaemonSet: boolean;
    /** The node agent receives OTLP from applications (`chart.openTelemetryMetrics`). */
    otlpIngestion: boolean;
    proxyResources: Partial<Record<MeshedWorkload, ProxyResources>>;
    egressServiceEntry: boolean;
    meshWideIstioMutual: boolean;
    authorizationPolicies: AuthorizationPolicyTarget[];
    scrapeNamespaces: string[];
}

/** The component's arguments after validation, defaults filled in. */
export interface Settings {
    namespace: string;
    createNamespace: boolean;
    cluster: {
        resourceId: pulumi.Input<string>;
        location: string;
        kubernetesVersion: pulumi.Input<string>;
        private: boolean;
        cloudEnvironment: string;
        clusterDomain: string;
    };
    resourceGroupName: pulumi.Input<string>;
    workspace: {
        resourceId?: pulumi.Input<string>;
        name?: string;
        location: string;
        protect: boolean;
    };
    recordingRules: { enabled: boolean; windows: boolean };
    grafana?: { principalId: pulumi.Input<string> };
    chart: {
        chart: string;
        version: string;
        imageTag: string;
        values?: pulumi.Input<Record<string, unknown>>;
        skipAwait: boolean;
        openTelemetryMetrics: boolean;
    };
    tokenSecret: { name: string; namespace: string };
    istio: MeshSettings;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export const defaults = {
    namespace: "monitoring",
    meshMode: "sidecar" as MeshMode,
    rootNamespace: "istio-system",
    trustDomain: "cluster.local",
    clusterDomain: "cluster.local",
    cloudEnvironment: "azurepubliccloud",
    // The collector and the node agent carry all the scrape traffic: their proxies get more room.
    proxyResources: {
        collector: { cpu: "100m", memory: "128Mi" },
        node: { cpu: "200m", memory: "256Mi" },
    } as Partial<Record<MeshedWorkload, ProxyResources>>,
};

/** The workloads that carry a sidecar in a mesh mode. */
export function workloadsWithSidecar(mode: MeshMode, meshNodeDaemonSet: boolean): MeshedWorkload[] {
    switch (mode) {
        case "sidecar":
            return ["collector", "targetAllocator", "kubeStateMetrics", ...(meshNodeDaemonSet ? ["node" as const] : [])];
        case "certificates":
            return ["collector"];
        case "off":
            return [];
    }
}

/** Fills in defaults. Expects arguments that `validateArgs` accepted. */
export function resolveSettings(args: AmaMetricsIstioArgs): Settings {
    const istio = args.istio ?? {};
    const mode = istio.mode ?? defaults.meshMode;
    const meshNodeDaemonSet = istio.meshNodeDaemonSet ?? true;
    const proxyResources: Partial<Record<MeshedWorkload, ProxyResources>> = {};
    for (const workload of workloadsWithSidecar(mode, meshNodeDaemonSet)) {
        const merged = { ...defaults.proxyResources[workload], ...istio.proxyResources?.[workload] };
        if (Object.keys(merged).length > 0) {
            proxyResources[workload] = merged;
        }
    }
    const version = args.chart?.version ?? defaultChartVersion;
    return {
        namespace: args.namespace ?? defaults.namespace,
        createNamespace: args.createNamespace ?? true,
        cluster: {
            resourceId: args.cluster.resourceId,
            location: args.cluster.location,
            kubernetesVersion: args.cluster.kubernetesVersion,
            private: args.cluster.private ?? false,
            cloudEnvironment: args.cluster.cloudEnvironment ?? defaults.cloudEnvironment,
            clusterDomain: args.cluster.clusterDomain ?? defaults.clusterDomain,
        },
        resourceGroupName: args.resourceGroupName,
        workspace: {
            resourceId: args.workspace?.resourceId,
            name: args.workspace?.name,
            location: args.workspace?.location ?? args.cluster.location,
            protect: args.workspace?.protect ?? false,
        },
        recordingRules: {
            enabled: args.recordingRules?.enabled ?? true,
            windows: args.recordingRules?.windows ?? false,
        },
        grafana: args.grafana ? { principalId: args.grafana.principalId } : undefined,
        chart: {
            chart: args.chart?.chart ?? publishedChart,
            version,
            imageTag: args.chart?.imageTag ?? version,
            values: args.chart?.values,
            skipAwait: args.chart?.skipAwait ?? false,
            openTelemetryMetrics: args.chart?.openTelemetryMetrics ?? false,
        },
        tokenSecret: {
            name: args.tokenSecret?.name ?? defaultTokenSecret.name,
            namespace: args.tokenSecret?.namespace ?? defaultTokenSecret.namespace,
        },
        istio: {
            mode,
            revision: istio.revision,
            rootNamespace: istio.rootNamespace ?? defaults.rootNamespace,
            trustDomain: istio.trustDomain ?? defaults.trustDomain,
            meshNodeDaemonSet,
            otlpIngestion: args.chart?.openTelemetryMetrics ?? false,
            proxyResources,
            egressServiceEntry: istio.egressServiceEntry ?? true,
            meshWideIstioMutual: istio.meshWideIstioMutual ?? false,
            authorizationPolicies: istio.authorizationPolicies ?? [],
            scrapeNamespaces: istio.scrapeNamespaces ?? [],
        },
        tags: args.tags,
    };
}

/** The collector's mesh identity (SPIFFE path without the scheme), as AuthorizationPolicies name it. */
export function collectorPrincipal(trustDomain: string, namespace: string, serviceAccount: string): string {
    return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}
