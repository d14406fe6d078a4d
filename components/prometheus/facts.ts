// Facts the prometheus collector relies on, with their sources. "The add-on" is AKS's managed Prometheus
// (ama-metrics), whose default jobs this collector reproduces so that Microsoft's recording rules, dashboards
// and alerts work unchanged. Its sources: Azure/prometheus-collector at 39583fd50b2f828f83cc18fc0cece9e3074f56db
// ("PC" below).

/**
 * The oldest Prometheus whose Workload ID remote write works with today's webhook:
 * `remote_write.azuread.workload_identity` first shipped in v3.7.0 (prometheus/prometheus #16788), and only
 * v3.14.0 (2026-08-17) reads the token from `AZURE_FEDERATED_TOKEN_FILE` (#18973), where the
 * workload-identity webhook v1.6.0 now mounts it; older releases read a fixed path.
 */
export const minimumPrometheusVersion = "3.14.0";

/**
 * The images and sizes the collector runs by default. kube-state-metrics: the release the managed add-on runs
 * (its MCR build), as Microsoft's recording rules expect it: v2.20.0 emits `kube_pod_status_reason` only for
 * the reason that is set (#3089).
 */
export const prometheusDefaults = {
    image: "quay.io/prometheus/prometheus:v3.14.0",
    kubeStateMetricsImage: "mcr.microsoft.com/oss/v2/kubernetes/kube-state-metrics:v2.19.0-4",
    shards: 1,
    // The add-on's default interval (PC tomlparser-scrape-interval.go).
    scrapeInterval: "30s",
    // Each shard holds about 250,000 active series (README "Workloads", sizing: measured about 380 MiB per
    // 100,000 series in agent mode); the limit leaves room for series churn and a WAL replay after a restart.
    resources: {
        requests: { cpu: "200m", memory: "1Gi" },
        limits: { memory: "3Gi" },
    },
};

/**
 * Every job the ama-metrics agent may run by default (otelcollector/configmapparser/default-prom-configs in
 * Azure/prometheus-collector at 39583fd): a custom job may not reuse one of these names.
 */
export const amaMetricsJobNames: readonly string[] = [
    "kubelet",
    "cadvisor",
    "node",
    "kube-state-metrics",
    "kube-dns",
    "kube-proxy",
    "kube-apiserver",
    "kube-proxy-windows",
    "windows-exporter",
    "kappie-basic",
    "networkobservability-retina",
    "networkobservability-hubble",
    "networkobservability-cilium",
    "kubernetes-pods",
    "prometheus_collector_health",
    "acstor-capacity-provisioner",
    "acstor-metrics-exporter",
    "local-csi-driver",
    "dcgm-exporter",
    "ztunnel",
    "istio-cni",
    "controlplane-istio",
    "controlplane-apiserver",
    "controlplane-cluster-autoscaler",
    "controlplane-etcd",
    "controlplane-kube-controller-manager",
    "controlplane-kube-scheduler",
    "controlplane-node-auto-provisioning",
];

/**
 * Where the add-on's node jobs find their targets (PC otelcollector/configmapparser/default-prom-configs:
 * kubeletDefaultDs.yml, cadvisorDefaultDs.yml, nodeexporterDefaultDs.yml). The jobs themselves: jobs/.
 */
export const scrapeFacts = {
    /** The kubelet's port on the node's InternalIP (`$$NODE_IP$$:10250`), for kubelet and cadvisor. */
    kubeletPort: 10250,
    /**
     * AKS's own node-exporter on the node's InternalIP (`NODE_EXPORTER_TARGETPORT: "19100"`). AKS installs it on
     * every Linux node whether or not the add-on is enabled (AKS FAQ "AKS Linux Extension"; Azure/AKS#3954),
     * listening on the node IP only: the collector must not deploy another one.
     */
    nodeExporterPort: 19100,
    /** The in-cluster CA and token the add-on authenticates to the kubelet with (it skips verification). */
    serviceAccountCa: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
    serviceAccountToken: "/var/run/secrets/kubernetes.io/serviceaccount/token",
};

/**
 * kube-state-metrics as the add-on runs it (PC chart templates/ama-metrics-ksm-deployment.yaml and
 * ama-metrics-ksm-role.yaml, rendered in test/fixtures/ama-metrics-chart): the collectors it enables, each
 * with the API group its ClusterRole grants `list` and `watch` on, and those this package withholds.
 */
export const kubeStateMetricsFacts = {
    collectors: {
        certificatesigningrequests: "certificates.k8s.io",
        configmaps: "",
        cronjobs: "batch",
        daemonsets: "apps",
        deployments: "apps",
        endpoints: "",
        horizontalpodautoscalers: "autoscaling",
        ingresses: "networking.k8s.io",
        jobs: "batch",
        leases: "coordination.k8s.io",
        limitranges: "",
        mutatingwebhookconfigurations: "admissionregistration.k8s.io",
        namespaces: "",
        networkpolicies: "networking.k8s.io",
        nodes: "",
        persistentvolumeclaims: "",
        persistentvolumes: "",
        poddisruptionbudgets: "policy",
        pods: "",
        replicasets: "apps",
        replicationcontrollers: "",
        resourcequotas: "",
        secrets: "",
        services: "",
        statefulsets: "apps",
        storageclasses: "storage.k8s.io",
        validatingwebhookconfigurations: "admissionregistration.k8s.io",
        volumeattachments: "storage.k8s.io",
    } as Record<string, string>,
    /**
     * Collectors this package does not run although the add-on does. `secrets`: its informer caches every
     * Secret of the cluster, data included, in kube-state-metrics' memory, and its ClusterRole must read them
     * all; it yields only kube_secret_* series, which no recording rule or dashboard of Microsoft's reads.
     */
    withheld: ["secrets"],
    metricsPort: 8080,
    telemetryPort: 8081,
    /** The add-on's limits (its requests, 5m/50Mi, are not taken: kubeStateMetrics.ts). */
    limits: { cpu: "1", memory: "5Gi" },
};

/** The names, ports and labels of the collector's objects. */
export const prometheusNames = {
    serviceAccount: "prometheus-agent",
    /** The shards' pod label value and PodDisruptionBudget. */
    agent: "prometheus-agent",
    /** The shards' headless Service (each StatefulSet's `serviceName`). */
    service: "prometheus",
    container: "prometheus",
    webPort: 9090,
    /** Istio picks the protocol from the port name's prefix. */
    webPortName: "http-web",
    configKey: "prometheus.yml",
    kubeStateMetrics: "kube-state-metrics",
    /** The pod-template annotation that rolls a shard when its configuration changes. */
    configChecksumAnnotation: "ama-metrics-istio/config-sha256",
    shardLabel: "ama-metrics-istio/shard",
    partOf: "ama-metrics-istio",
    /** Workload ID's webhook mutates only pods with this label (azure-workload-identity deploy/azure-wi-webhook.yaml). */
    workloadIdentityLabel: "azure.workload.identity/use",
    clientIdAnnotation: "azure.workload.identity/client-id",
    tenantIdAnnotation: "azure.workload.identity/tenant-id",
};

/** The audience Entra ID expects in a federated token (Workload ID's documented value). */
export const tokenExchangeAudience = "api://AzureADTokenExchange";

/** The shards' StatefulSet, ConfigMap and pod-label names. */
export function shardName(shard: number): string {
    return `prometheus-shard-${shard}`;
}

/** kube-state-metrics' Deployment and Service of shard `shard` when it runs one per shard (`prometheus.shardKubeStateMetrics`). */
function kubeStateMetricsShardName(shard: number): string {
    return `${prometheusNames.kubeStateMetrics}-${shard}`;
}

/**
 * The kube-state-metrics instances, by name and shard index: one, or one per shard with
 * `shardKubeStateMetrics` (kube-state-metrics' "Deployment sharding": `--shard=<k>` and `--total-shards=<n>`,
 * each Deployment with its own index, each object counted by exactly one instance). Each instance still lists
 * and watches every object; only its series are divided.
 */
export function kubeStateMetricsInstanceIds(shards: number, shardKubeStateMetrics: boolean): Array<{ name: string; shard?: number }> {
    if (!shardKubeStateMetrics) {
        return [{ name: prometheusNames.kubeStateMetrics }];
    }
    return Array.from({ length: shards }, (_, shard) => ({ name: kubeStateMetricsShardName(shard), shard }));
}
