// Facts about the published ama-metrics chart and agent that the package relies on. Source: the chart
// under otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/ in Azure/prometheus-collector
// (commit 39583fd, the test data's), and Microsoft's managed Prometheus documentation.

import type { WorkloadRole } from "../core/facts/workloads";

/** The published chart and the version this package is tested with. Its version equals the agent's release tag. */
export const defaultChart = {
    chart: "oci://mcr.microsoft.com/azuremonitor/containerinsights/ciprod/ama-metrics",
    version: "7.1.0-main-07-07-2026-548e23dc",
};

/** The token secret AKS writes for the agent while the managed add-on is (or was) enabled. */
export const defaultTokenSecret = { name: "aad-msi-auth-token", namespace: "kube-system" };

/** The namespace the chart hard-codes in every template. */
export const chartNamespace = "kube-system";

/** The TLS secrets of the allocator's app-level HTTPS, which its config reader writes to kube-system. */
const operatorTargetsTlsSecrets = ["ama-metrics-operator-targets-client-tls-secret", "ama-metrics-operator-targets-server-tls-secret"];

export const chartFacts = {
    /** The service account of the collector, node DaemonSets and target allocator. */
    serviceAccount: "ama-metrics-serviceaccount",
    /** The target allocator's Service; the agent images hard-code `<this>.kube-system.svc.<domain>`. */
    targetAllocatorService: "ama-metrics-operator-targets",
    /** The target allocator's HTTP port (container and Service target). */
    targetAllocatorPort: 8080,
    /** The target allocator Service's plain-HTTP port, which the agent images dial with app-level TLS off. */
    targetAllocatorServicePort: 80,
    /** The collector's main container. */
    collectorContainer: "prometheus-collector",
    /** The target allocator's container that validates and merges the custom scrape configuration. */
    configReaderContainer: "config-reader",
    /** The target allocator's main container. */
    targetAllocatorContainer: "targetallocator",
    /** The Linux and Windows token adapters: they serve IMDS inside the pod from the token secret. */
    tokenAdapterContainers: ["addon-token-adapter", "addon-token-adapter-win"],
    /**
     * What the agent reads from its own namespace, as optional pod volumes: its settings, its custom scrape
     * configurations (for the collector, the Linux and the Windows node agents; data key `prometheus-config`),
     * and the Secret of credentials custom jobs may name.
     */
    configMaps: {
        settings: "ama-metrics-settings-configmap",
        collectorConfig: "ama-metrics-prometheus-config",
        nodeConfig: "ama-metrics-prometheus-config-node",
        windowsNodeConfig: "ama-metrics-prometheus-config-node-windows",
    },
    mtlsSecret: "ama-metrics-mtls-secret",
    scrapeConfigKey: "prometheus-config",
    /** Env variables the chart sets to the literal `kube-system` (target allocator, config reader). */
    namespaceEnvVars: ["OTELCOL_NAMESPACE", "POD_NAMESPACE"],
    /** The allocator serves unredacted secrets over plain HTTP only with this set (otel-allocator config.go). */
    allowInsecureAuthSecretsEnv: "ALLOW_INSECURE_AUTH_SECRETS",
    /**
     * The app-level TLS between collector and target allocator (value `AzureMonitorMetrics.OperatorTargetsHttpsEnabled`)
     * and every place the chart's output depends on it (PROVENANCE.md of test/fixtures/ama-metrics-chart, "Where the
     * output depends on OperatorTargetsHttpsEnabled"): the env the collector and the config reader read (on when
     * "true" in any case: tomlparser's `strings.ToLower(v) == "true"`); the secrets the config reader writes to
     * kube-system, which the pods mount; the Service's HTTPS port; the two ports of the allocator's container
     * (`targetAllocatorContainer`); and the ClusterRole's two rules on those secrets.
     */
    operatorTargetsHttps: {
        value: "AzureMonitorMetrics.OperatorTargetsHttpsEnabled",
        env: "OPERATOR_TARGETS_HTTPS_ENABLED",
        secrets: operatorTargetsTlsSecrets,
        servicePort: "targetallocation-https",
        allocatorPorts: ["http", "https"],
        clusterRoleRules: [
            {
                apiGroups: [""],
                resources: ["secrets"],
                resourceNames: operatorTargetsTlsSecrets,
                verbs: ["get", "update"],
            },
            { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
        ],
    },
    /**
     * The collector's autoscaler (`templates/ama-metrics-collector-hpa.yaml`, rendered when
     * `AzureMonitorMetrics.CollectorHPAEnabled`): the chart keeps a user's bounds only by looking the HPA up
     * in kube-system (`templates/_ama-metrics-helpers.tpl` at 548e23dc: a minimum kept when at least 2, a
     * maximum when at most 30), which finds nothing once relocated. Microsoft's documented tuning patches
     * this HPA by name (learn.microsoft.com, azure-monitor/containers/prometheus-metrics-scrape-autoscaling).
     */
    collectorAutoscaler: { name: "ama-metrics-hpa", minReplicas: 2, maxReplicas: 30 },
    /** Container ports of the node DaemonSet's OTLP receivers (hostPorts 28333/28334). */
    nodeOtlpPorts: [56681, 56680],
};

/** The chart's workloads: kind, name and the pod labels their selectors use. */
export const chartWorkloads: Record<WorkloadRole, { kind: "Deployment" | "DaemonSet"; name: string; podLabels: Record<string, string> }> = {
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
