// Facts the prometheus collector relies on, with their sources. "The add-on" is AKS's managed Prometheus
// (ama-metrics), whose default jobs this collector reproduces so that Microsoft's recording rules, dashboards
// and alerts work unchanged. Its sources: Azure/prometheus-collector at 39583fd50b2f828f83cc18fc0cece9e3074f56db
// ("PC" below).

import type { Collector } from "../core/args";

/**
 * Prometheus: `remote_write.azuread.workload_identity` first shipped in v3.7.0 (prometheus/prometheus
 * #16788), and only v3.14.0 (2026-08-17) reads the token from `AZURE_FEDERATED_TOKEN_FILE` (#18973), where
 * the workload-identity webhook v1.6.0 now mounts it; older releases read a fixed path.
 * kube-state-metrics: the release the managed add-on runs (its MCR build), as Microsoft's recording rules
 * expect it: v2.20.0 emits `kube_pod_status_reason` only for the reason that is set (#3089).
 */
/** The oldest Prometheus whose Workload ID remote write works with today's webhook (above). */
export const minimumPrometheusVersion = "3.14.0";

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

/** The prometheus collector's default jobs: the managed add-on's default-on jobs, by the same names. */
const prometheusJobNames = ["kubelet", "cadvisor", "node", "kube-state-metrics"] as const;

export type PrometheusJobName = (typeof prometheusJobNames)[number];

/**
 * Every job the ama-metrics agent may run by default (otelcollector/configmapparser/default-prom-configs in
 * Azure/prometheus-collector at 39583fd): a custom job may not reuse one of these names.
 */
const amaMetricsJobNames = [
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
] as const;

export function defaultJobNames(collector: Collector): readonly string[] {
    return collector === "prometheus" ? prometheusJobNames : amaMetricsJobNames;
}

/**
 * The add-on's minimal ingestion profile (on by default): the metric names each default job keeps, as the
 * `*_minimal_mac` strings of PC otelcollector/shared/configmap/mp/tomlparser-default-targets-metrics-keep-list.go
 * (L26-47), name for name and in order, duplicates included. The agent applies `"<user list>|<this>"`, i.e.
 * with a leading `|` that only matches an empty name (Prometheus anchors the regex): this is the same set.
 */
export const minimalKeepLists: Record<PrometheusJobName, string> = {
    kubelet: [
        "kubelet_volume_stats_capacity_bytes",
        "kubelet_volume_stats_used_bytes",
        "kubelet_node_name",
        "kubelet_running_pods",
        "kubelet_running_pod_count",
        "kubelet_running_sum_containers",
        "kubelet_running_containers",
        "kubelet_running_container_count",
        "volume_manager_total_volumes",
        "kubelet_node_config_error",
        "kubelet_runtime_operations_total",
        "kubelet_runtime_operations_errors_total",
        "kubelet_runtime_operations_duration_seconds_bucket",
        "kubelet_runtime_operations_duration_seconds_sum",
        "kubelet_runtime_operations_duration_seconds_count",
        "kubelet_pod_start_duration_seconds_bucket",
        "kubelet_pod_start_duration_seconds_sum",
        "kubelet_pod_start_duration_seconds_count",
        "kubelet_pod_worker_duration_seconds_bucket",
        "kubelet_pod_worker_duration_seconds_sum",
        "kubelet_pod_worker_duration_seconds_count",
        "storage_operation_duration_seconds_bucket",
        "storage_operation_duration_seconds_sum",
        "storage_operation_duration_seconds_count",
        "storage_operation_errors_total",
        "kubelet_cgroup_manager_duration_seconds_bucket",
        "kubelet_cgroup_manager_duration_seconds_sum",
        "kubelet_cgroup_manager_duration_seconds_count",
        "kubelet_pleg_relist_interval_seconds_bucket",
        "kubelet_pleg_relist_interval_seconds_count",
        "kubelet_pleg_relist_interval_seconds_sum",
        "kubelet_pleg_relist_duration_seconds_bucket",
        "kubelet_pleg_relist_duration_seconds_count",
        "kubelet_pleg_relist_duration_seconds_sum",
        "rest_client_requests_total",
        "rest_client_request_duration_seconds_bucket",
        "rest_client_request_duration_seconds_sum",
        "rest_client_request_duration_seconds_count",
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "go_goroutines",
        "kubernetes_build_info",
        "kubelet_certificate_manager_client_ttl_seconds",
        "kubelet_certificate_manager_client_expiration_renew_errors",
        "kubelet_server_expiration_renew_errors",
        "kubelet_certificate_manager_server_ttl_seconds",
        "kubelet_volume_stats_available_bytes",
        "kubelet_volume_stats_capacity_bytes",
        "kubelet_volume_stats_inodes_free",
        "kubelet_volume_stats_inodes_used",
        "kubelet_volume_stats_inodes",
        "kube_persistentvolumeclaim_access_mode",
        "kube_persistentvolumeclaim_labels",
        "kube_persistentvolume_status_phase",
    ].join("|"),
    cadvisor: [
        "container_spec_cpu_quota",
        "container_spec_cpu_period",
        "container_memory_rss",
        "container_network_receive_bytes_total",
        "container_network_transmit_bytes_total",
        "container_network_receive_packets_total",
        "container_network_transmit_packets_total",
        "container_network_receive_packets_dropped_total",
        "container_network_transmit_packets_dropped_total",
        "container_fs_reads_total",
        "container_fs_writes_total",
        "container_fs_reads_bytes_total",
        "container_fs_writes_bytes_total",
        "container_cpu_usage_seconds_total",
        "container_memory_working_set_bytes",
        "container_memory_cache",
        "container_memory_swap",
        "container_cpu_cfs_throttled_periods_total",
        "container_cpu_cfs_periods_total",
        "container_memory_rss",
        "kubernetes_build_info",
        "container_start_time_seconds",
    ].join("|"),
    node: [
        "node_filesystem_readonly",
        "node_memory_MemTotal_bytes",
        "node_cpu_seconds_total",
        "node_memory_MemAvailable_bytes",
        "node_memory_Buffers_bytes",
        "node_memory_Cached_bytes",
        "node_memory_MemFree_bytes",
        "node_memory_Slab_bytes",
        "node_filesystem_avail_bytes",
        "node_filesystem_size_bytes",
        "node_time_seconds",
        "node_exporter_build_info",
        "node_load1",
        "node_vmstat_pgmajfault",
        "node_network_receive_bytes_total",
        "node_network_transmit_bytes_total",
        "node_network_receive_drop_total",
        "node_network_transmit_drop_total",
        "node_disk_io_time_seconds_total",
        "node_disk_io_time_weighted_seconds_total",
        "node_load5",
        "node_load15",
        "node_disk_read_bytes_total",
        "node_disk_written_bytes_total",
        "node_uname_info",
        "kubernetes_build_info",
        "node_boot_time_seconds",
    ].join("|"),
    "kube-state-metrics": [
        "kube_job_status_succeeded",
        "kube_job_spec_completions",
        "kube_daemonset_status_desired_number_scheduled",
        "kube_daemonset_status_current_number_scheduled",
        "kube_daemonset_status_number_misscheduled",
        "kube_daemonset_status_number_ready",
        "kube_deployment_status_replicas_ready",
        "kube_pod_container_status_last_terminated_reason",
        "kube_pod_container_status_waiting_reason",
        "kube_pod_container_status_restarts_total",
        "kube_node_status_allocatable",
        "kube_pod_owner",
        "kube_pod_container_resource_requests",
        "kube_pod_status_phase",
        "kube_pod_container_resource_limits",
        "kube_replicaset_owner",
        "kube_resourcequota",
        "kube_namespace_status_phase",
        "kube_node_status_capacity",
        "kube_node_info",
        "kube_pod_info",
        "kube_deployment_spec_replicas",
        "kube_deployment_status_replicas_available",
        "kube_deployment_status_replicas_updated",
        "kube_statefulset_status_replicas_ready",
        "kube_statefulset_status_replicas",
        "kube_statefulset_status_replicas_updated",
        "kube_job_status_start_time",
        "kube_job_status_active",
        "kube_job_failed",
        "kube_horizontalpodautoscaler_status_desired_replicas",
        "kube_horizontalpodautoscaler_status_current_replicas",
        "kube_horizontalpodautoscaler_spec_min_replicas",
        "kube_horizontalpodautoscaler_spec_max_replicas",
        "kubernetes_build_info",
        "kube_node_status_condition",
        "kube_node_spec_taint",
        "kube_pod_container_info",
        "kube_.*_labels",
        "kube_.*_annotations",
        "kube_service_info",
        "kube_pod_container_status_running",
        "kube_pod_container_status_waiting",
        "kube_pod_container_status_terminated",
        "kube_pod_container_state_started",
        "kube_pod_created",
        "kube_pod_start_time",
        "kube_pod_init_container_info",
        "kube_pod_init_container_status_terminated",
        "kube_pod_init_container_status_terminated_reason",
        "kube_pod_init_container_status_ready",
        "kube_pod_init_container_resource_limits",
        "kube_pod_init_container_status_running",
        "kube_pod_init_container_status_waiting",
        "kube_pod_init_container_status_restarts_total",
        "kube_pod_container_status_ready",
        // A regex upstream (`_*`: underscores), kept as written; the names it was meant for are listed anyway.
        "kube_pod_init_container_*",
        "kube_pod_deletion_timestamp",
        "kube_pod_status_reason",
        "kube_pod_init_container_resource_requests",
    ].join("|"),
};

/**
 * Where the add-on's default jobs find their targets (PC otelcollector/configmapparser/default-prom-configs:
 * kubeletDefaultDs.yml, cadvisorDefaultDs.yml, nodeexporterDefaultDs.yml, kubestateDefault.yml), and the
 * per-job limits all four set.
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
    limits: { label_limit: 63, label_name_length_limit: 511, label_value_length_limit: 1023 },
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
    resources: { requests: { cpu: "5m", memory: "50Mi" }, limits: { cpu: "1", memory: "5Gi" } },
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
export function kubeStateMetricsShardName(shard: number): string {
    return `${prometheusNames.kubeStateMetrics}-${shard}`;
}
