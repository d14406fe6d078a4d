// The add-on's `kube-proxy` job (default-prom-configs/kubeproxyDefault.yml), off by default: kube-proxy pods
// (host network: the node's IP) on port 10249.

import { limits, targetOn } from "./common";
import type { ScrapeJob } from "./types";

/** PC kubeproxyRegex_minimal_mac, name for name and in order. */
const keepList = [
    "kubeproxy_sync_proxy_rules_duration_seconds",
    "kubeproxy_sync_proxy_rules_duration_seconds_bucket",
    "kubeproxy_sync_proxy_rules_duration_seconds_sum",
    "kubeproxy_sync_proxy_rules_duration_seconds_count",
    "kubeproxy_network_programming_duration_seconds",
    "kubeproxy_network_programming_duration_seconds_bucket",
    "kubeproxy_network_programming_duration_seconds_sum",
    "kubeproxy_network_programming_duration_seconds_count",
    "rest_client_requests_total",
    "rest_client_request_duration_seconds",
    "rest_client_request_duration_seconds_bucket",
    "rest_client_request_duration_seconds_sum",
    "rest_client_request_duration_seconds_count",
    "process_resident_memory_bytes",
    "process_cpu_seconds_total",
    "go_goroutines",
    "kubernetes_build_info",
].join("|");

export const kubeProxy: ScrapeJob = {
    name: "kube-proxy",
    target: "kubeproxy",
    addOnDefault: false,
    upstream: { file: "kubeproxyDefault.yml", keepListVariable: "kubeproxyRegex" },
    keepList,
    sampleLimit: 5_000,
    sizing: "~200 per node (two histograms, REST client series)",
    sharded: true,
    enabled: targetOn("kubeproxy"),
    build: () => ({
        ...limits(kubeProxy.sampleLimit),
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["kube-system"] } }],
        relabel_configs: [
            {
                action: "keep",
                source_labels: ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_name"],
                separator: "/",
                regex: "kube-system/kube-proxy.+",
            },
            // Upstream writes `$$1`: the add-on's Prometheus configuration goes through the OpenTelemetry
            // collector's, where "you must escape them using `$$`" (opentelemetry-collector-contrib
            // receiver/prometheusreceiver README); Prometheus itself reads `$1`.
            {
                source_labels: ["__address__"],
                action: "replace",
                target_label: "__address__",
                regex: "(.+?)(\\:\\d+)?",
                replacement: "$1:10249",
            },
        ],
    }),
};
