// The add-on's `kubelet` job (default-prom-configs/kubeletDefaultDs.yml): every node's kubelet on its
// InternalIP, https with the pod's token. Windows nodes only with `prometheus.windowsKubelet`, as the add-on
// scrapes them only where its Windows DaemonSet runs.

import { scrapeFacts } from "../facts";
import { inClusterClient, instanceIsNodeName, limits, linuxNodesOnly, metricsPathLabel, nodeLabel, nodeTarget, targetOn } from "./common";
import type { ScrapeJob } from "./types";

/** PC kubeletRegex_minimal_mac, name for name and in order, duplicates included. */
const keepList = [
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
].join("|");

export const kubelet: ScrapeJob = {
    name: "kubelet",
    target: "kubelet",
    addOnDefault: true,
    upstream: { file: "kubeletDefaultDs.yml", keepListVariable: "kubeletRegex" },
    keepList,
    // ~0.7k per node: the runtime-operation and storage histograms, plus 7 volume series per mounted PVC.
    sampleLimit: 10_000,
    sizing: "~700 per node (histograms by operation, volume stats per PVC); ×14 for PVC-heavy nodes",
    sharded: true,
    enabled: targetOn("kubelet"),
    build: (settings) => ({
        ...inClusterClient,
        metrics_path: "/metrics",
        ...limits(kubelet.sampleLimit),
        kubernetes_sd_configs: [{ role: "node" }],
        relabel_configs: [
            ...(settings.prometheus.windowsKubelet ? [] : [linuxNodesOnly]),
            ...nodeTarget(scrapeFacts.kubeletPort),
            metricsPathLabel,
            instanceIsNodeName,
            // The add-on's `$$OS_TYPE$$`; its RsSimple variant reads the node label.
            { source_labels: [nodeLabel("label_kubernetes_io_os")], target_label: "kubernetes_io_os", action: "replace" },
        ],
    }),
};
