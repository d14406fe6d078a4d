// Facts about the published ama-metrics chart and agent that the component relies on.
// Source: the chart under otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/ in
// Azure/prometheus-collector, and Microsoft's managed Prometheus documentation.

import { Workload } from "./types";

/** The published chart. Its version equals the agent's image release tag. */
export const publishedChart = "oci://mcr.microsoft.com/azuremonitor/containerinsights/ciprod/ama-metrics";
export const defaultChartVersion = "7.1.0-main-07-07-2026-548e23dc";

/** The service account of the collector, node DaemonSets and target allocator. */
export const agentServiceAccount = "ama-metrics-serviceaccount";

/** The target allocator's Service; the agent images hard-code `<this>.kube-system.svc.<domain>`. */
export const targetAllocatorService = "ama-metrics-operator-targets";

/** The token secret AKS writes for the agent while the managed add-on is (or was) enabled. */
export const defaultTokenSecret = { name: "aad-msi-auth-token", namespace: "kube-system" };

/** The chart's workloads: kind, name and the pod labels their selectors use. */
export const workloads: Record<Workload, { kind: "Deployment" | "DaemonSet"; name: string; podLabels: Record<string, string> }> = {
    collector: { kind: "Deployment", name: "ama-metrics", podLabels: { rsName: "ama-metrics" } },
    targetAllocator: {
        kind: "Deployment",
        name: "ama-metrics-operator-targets",
        podLabels: { rsName: "ama-metrics-operator-targets" },
    },
    kubeStateMetrics: {
        kind: "Deployment",
        name: "ama-metrics-ksm",
        podLabels: { "app.kubernetes.io/name": "ama-metrics-ksm" },
    },
    node: { kind: "DaemonSet", name: "ama-metrics-node", podLabels: { dsName: "ama-metrics-node" } },
    windowsNode: { kind: "DaemonSet", name: "ama-metrics-win-node", podLabels: { dsName: "ama-metrics-win-node" } },
};

/** The collector's main container. */
export const collectorContainer = "prometheus-collector";

/** The Linux token adapter container: it serves IMDS inside the pod from the token secret. */
export const tokenAdapterContainer = "addon-token-adapter";

/**
 * Hosts the agent reaches on TCP 443. `*.monitor.azure.com` covers the global and regional
 * control handlers and the (metrics) ingestion hosts.
 */
export const egressHosts = [
    "*.monitor.azure.com",
    "*.monitoring.azure.com",
    "login.microsoftonline.com",
    "dc.services.visualstudio.com",
    "*.ods.opinsights.azure.com",
    "*.oms.opinsights.azure.com",
];

/** Azure Instance Metadata Service, served inside the pod by the token adapter. */
export const imdsRange = "169.254.169.254/32";

/** Scrape targets outside the mesh: kubelet, kube-proxy, node-exporter, CoreDNS. */
export const nonMeshScrapePorts = [10250, 10249, 19100, 9153];

/**
 * Istio's merged metrics port on meshed pods (`/stats/prometheus`): served in plaintext outside mTLS,
 * and dialled by pod address, which no service of the mesh registry covers.
 */
export const mergedMetricsPort = 15020;

/** Container ports of the node DaemonSet's OTLP receivers (hostPorts 28333/28334). */
export const nodeOtlpPorts = [56681, 56680];
