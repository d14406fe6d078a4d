// Facts the prometheus collector relies on, with their sources.

import type { Collector } from "../core/args";

/**
 * Prometheus: `remote_write.azuread.workload_identity` first shipped in v3.7.0 (prometheus/prometheus
 * #16788), and only v3.14.0 (2026-08-17) reads the token from `AZURE_FEDERATED_TOKEN_FILE` (#18973), where
 * the workload-identity webhook v1.6.0 now mounts it; older releases read a fixed path.
 * kube-state-metrics: the release the managed add-on runs (its MCR build), as Microsoft's recording rules
 * expect it: v2.20.0 emits `kube_pod_status_reason` only for the reason that is set (#3089).
 */
export const prometheusDefaults = {
    image: "quay.io/prometheus/prometheus:v3.14.0",
    kubeStateMetricsImage: "mcr.microsoft.com/oss/v2/kubernetes/kube-state-metrics:v2.19.0-4",
    shards: 1,
    // The add-on's default interval (Azure/prometheus-collector tomlparser-scrape-interval.go).
    scrapeInterval: "30s",
    resources: {
        requests: { cpu: "200m", memory: "512Mi" },
        limits: { memory: "2Gi" },
    },
};

/** The prometheus collector's default jobs: the managed add-on's default-on jobs, by the same names. */
export const prometheusJobNames = ["kubelet", "cadvisor", "node", "kube-state-metrics"] as const;

/**
 * Every job the ama-metrics agent may run by default (otelcollector/configmapparser/default-prom-configs in
 * Azure/prometheus-collector at 39583fd): a custom job may not reuse one of these names.
 */
export const amaMetricsJobNames = [
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

/** The names of the collector's objects in its namespace. */
export const prometheusNames = {
    serviceAccount: "prometheus-agent",
    /** Shard `<i>` is the StatefulSet `<shardPrefix><i>`, counted from 0. */
    shardPrefix: "prometheus-shard-",
    /** The labels of every shard's pods, and the label that carries a pod's shard index. */
    podLabels: { "app.kubernetes.io/name": "prometheus-agent" },
    shardLabel: "ama-metrics-istio/shard",
    /** Each shard's Prometheus container. */
    container: "prometheus",
    /** kube-state-metrics' Deployment, and the labels of its pods. */
    kubeStateMetrics: "kube-state-metrics",
    kubeStateMetricsPodLabels: { "app.kubernetes.io/name": "kube-state-metrics" },
};
