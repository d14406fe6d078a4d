// The add-on's `kube-state-metrics` job (default-prom-configs/kubestateDefault.yml): the collector's own
// kube-state-metrics by Service DNS name (through the mesh in the sidecar mode).

import { kubeStateMetricsFacts, kubeStateMetricsInstanceIds } from "../facts";
import { limits, targetOn } from "./common";
import type { ScrapeJob } from "./types";

/** PC kubestateRegex_minimal_mac, name for name and in order. */
const keepList = [
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
].join("|");

export const kubeStateMetrics: ScrapeJob = {
    name: "kube-state-metrics",
    target: "kubestate",
    addOnDefault: true,
    upstream: { file: "kubestateDefault.yml", keepListVariable: "kubestateRegex" },
    keepList,
    // One target for the whole cluster: what fails past the limit is every kube-state-metrics series at once.
    sampleLimit: 500_000,
    sizing: "one target for the cluster, ~50 per pod: 5,000 pods is 250k; ×2",
    sharded: true,
    // With one kube-state-metrics per shard (prometheus.shardKubeStateMetrics), each shard scrapes its own.
    targetPerShard: (settings) => settings.prometheus.shardKubeStateMetrics,
    enabled: targetOn("kubestate"),
    build: (settings, shard) => {
        const instances = kubeStateMetricsInstanceIds(settings.prometheus.shards, settings.prometheus.shardKubeStateMetrics);
        // The shard's own instance, or the one for every shard.
        const service = (instances.find((instance) => instance.shard === shard) ?? instances[0]).name;
        return {
            ...limits(kubeStateMetrics.sampleLimit),
            static_configs: [
                {
                    targets: [
                        `${service}.${settings.namespace}.svc.${settings.cluster.clusterDomain}:${kubeStateMetricsFacts.metricsPort}`,
                    ],
                },
            ],
        };
    },
};
