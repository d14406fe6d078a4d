// The chart values the component sets. The published chart's packaged values carry Arc defaults, so
// each of these must be explicit (reference: the chart's values-template.yaml).

import type { CloudEnvironment } from "../core/args";
import { isRecord } from "../core/kubernetes";

/** Chart values are plain nested maps; Helm merges maps key by key and replaces everything else. */
export type Values = { [key: string]: unknown };

/**
 * Merges `override` into `base` the way Helm merges values files: maps recursively, lists and scalars
 * replaced whole (a generic deep merge would splice lists index by index).
 */
export function mergeValues(base: Values, override: Values): Values {
    const merged: Values = { ...base };
    for (const [key, value] of Object.entries(override)) {
        merged[key] = isRecord(value) && isRecord(merged[key]) ? mergeValues(merged[key] as Values, value) : value;
    }
    return merged;
}

export interface ValuesInput {
    clusterResourceId: string;
    location: string;
    cloudEnvironment: CloudEnvironment;
    kubernetesVersion: string;
    imageTag: string;
    openTelemetryMetrics: boolean;
}

export function componentValues(input: ValuesInput): Values {
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
            // The agent's app-level TLS to the target allocator is bound to a kube-system name and secrets it
            // cannot find elsewhere (configuration-reader-builder writes them to kube-system).
            OperatorTargetsHttpsEnabled: false,
        },
    };
}
