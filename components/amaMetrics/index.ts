import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { agentServiceAccount, targetAllocatorService } from "./agent";
import { postRendererCommand } from "./postRenderer";
import { RelocationOptions } from "./relocate";
import { Settings } from "./settings";

/** Chart values are plain nested maps; Helm merges maps key by key and replaces everything else. */
export type Values = { [key: string]: unknown };

function isMap(value: unknown): value is Values {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Merges `override` into `base` the way Helm merges values files: maps recursively, lists and
 * scalars replaced whole (a generic deep merge would splice lists index by index).
 */
export function mergeValues(base: Values, override: Values): Values {
    const merged: Values = { ...base };
    for (const [key, value] of Object.entries(override)) {
        merged[key] = isMap(value) && isMap(merged[key]) ? mergeValues(merged[key] as Values, value) : value;
    }
    return merged;
}

/**
 * The values the component sets on the published chart. Its packaged values carry Arc defaults,
 * so each of these must be explicit (reference: the chart's values-template.yaml).
 */
export function componentValues(input: {
    clusterResourceId: string;
    location: string;
    cloudEnvironment: string;
    kubernetesVersion: string;
    imageTag: string;
    openTelemetryMetrics: boolean;
}): Values {
    return {
        ...(input.openTelemetryMetrics ? { AppmonitoringAgent: { isOpenTelemetryMetricsEnabled: true } } : {}),
        global: {
            commonGlobals: {
                CloudEnvironment: input.cloudEnvironment,
                // The chart renders AKS mode only when this is an AKS id (else Arc mode).
                Customer: { AzureResourceID: input.clusterResourceId },
                Region: input.location,
                Versions: { Kubernetes: input.kubernetesVersion },
            },
        },
        AzureMonitorMetrics: {
            ImageRegistry: "mcr.microsoft.com",
            ImageRepository: "/azuremonitor/containerinsights/ciprod/prometheus-collector/images",
            ImageTag: input.imageTag,
            ImageTagWin: `${input.imageTag}-win`,
            ImageTagTargetAllocator: `${input.imageTag}-targetallocator`,
            ImageTagCfgReader: `${input.imageTag}-cfg`,
            // AKS ships node-exporter itself (port 19100).
            IncludeDependentCharts: false,
            // The agent's app-level TLS to the target allocator is bound to a kube-system name and
            // secrets it cannot find elsewhere; the mesh protects that hop instead.
            OperatorTargetsHttpsEnabled: false,
        },
    };
}

/** The relocation the post-renderer applies, from the component's settings. */
export function relocationOptions(settings: Settings): RelocationOptions {
    return {
        namespace: settings.namespace,
        tokenSecret: settings.tokenSecret,
        mesh: {
            mode: settings.istio.mode,
            revision: settings.istio.revision,
            meshNodeDaemonSet: settings.istio.meshNodeDaemonSet,
            proxyResources: settings.istio.proxyResources,
        },
    };
}

/** The kube-system objects that stand in for what cannot move: plain manifests, tested directly. */
export function shimManifests(settings: Settings) {
    const namespace = settings.namespace;
    const tokenReader = `ama-metrics-token-reader-${namespace}`;
    return {
        // The agent images dial `ama-metrics-operator-targets.kube-system.svc`: alias that name to the
        // relocated target allocator (Istio treats ExternalName Services as aliases too).
        targetAllocatorAlias: {
            apiVersion: "v1" as const,
            kind: "Service" as const,
            metadata: { name: targetAllocatorService, namespace: "kube-system" },
            spec: {
                type: "ExternalName",
                externalName: `${targetAllocatorService}.${namespace}.svc.${settings.cluster.clusterDomain}`,
                ports: [
                    { name: "targetallocation", port: 80, protocol: "TCP", targetPort: 8080 },
                    { name: "targetallocation-https", port: 443, protocol: "TCP", targetPort: 8443 },
                ],
            },
        },
        // The token adapter reads the secret AKS keeps in kube-system: that one secret, nothing else.
        tokenReaderRole: {
            apiVersion: "rbac.authorization.k8s.io/v1" as const,
            kind: "Role" as const,
            metadata: { name: tokenReader, namespace: settings.tokenSecret.namespace },
            rules: [
                {
                    apiGroups: [""],
                    resources: ["secrets"],
                    resourceNames: [settings.tokenSecret.name],
                    verbs: ["get", "watch"],
                },
            ],
        },
        tokenReaderBinding: {
            apiVersion: "rbac.authorization.k8s.io/v1" as const,
            kind: "RoleBinding" as const,
            metadata: { name: tokenReader, namespace: settings.tokenSecret.namespace },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: tokenReader },
            subjects: [{ kind: "ServiceAccount", name: agentServiceAccount, namespace }],
        },
    };
}

/** Registers the kube-system shims. */
export function createShims(name: string, settings: Settings, opts: pulumi.CustomResourceOptions): pulumi.CustomResource[] {
    const shims = shimManifests(settings);
    const alias = new k8s.core.v1.Service(`${name}-operator-targets-alias`, shims.targetAllocatorAlias, opts);
    // A RoleBinding names its Role; Kubernetes does not need the Role to exist first.
    const role = new k8s.rbac.v1.Role(`${name}-token-reader`, shims.tokenReaderRole, opts);
    const binding = new k8s.rbac.v1.RoleBinding(`${name}-token-reader`, shims.tokenReaderBinding, opts);
    return [alias, role, binding];
}

/** Registers the published chart, relocated by the package's post-renderer. */
export function createChart(
    name: string,
    settings: Settings,
    values: pulumi.Input<Values>,
    opts: pulumi.ComponentResourceOptions,
): k8s.helm.v4.Chart {
    return new k8s.helm.v4.Chart(
        `${name}-chart`,
        {
            chart: settings.chart.chart,
            version: settings.chart.version,
            name: "ama-metrics",
            // Fills in namespaces the chart leaves out; the post-renderer moves the rest.
            namespace: settings.namespace,
            values,
            postRenderer: postRendererCommand(relocationOptions(settings)),
            skipAwait: settings.chart.skipAwait,
        },
        opts,
    );
}
