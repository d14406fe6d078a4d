// The add-on's `kube-dns` job (default-prom-configs/corednsDefault.yml), off by default: CoreDNS pods in
// kube-system by pod IP, which the sidecar mode's proxy does not capture.

import { limits, targetOn } from "./common";
import type { ScrapeJob } from "./types";

/** PC coreDNSRegex_minimal_mac, name for name and in order, duplicates included. */
const keepList = [
    "coredns_build_info",
    "coredns_panics_total",
    "coredns_dns_responses_total",
    "coredns_forward_responses_total",
    "coredns_dns_request_duration_seconds",
    "coredns_dns_request_duration_seconds_bucket",
    "coredns_dns_request_duration_seconds_sum",
    "coredns_dns_request_duration_seconds_count",
    "coredns_forward_request_duration_seconds",
    "coredns_forward_request_duration_seconds_bucket",
    "coredns_forward_request_duration_seconds_sum",
    "coredns_forward_request_duration_seconds_count",
    "coredns_dns_requests_total",
    "coredns_forward_requests_total",
    "coredns_cache_hits_total",
    "coredns_cache_misses_total",
    "coredns_cache_entries",
    "coredns_plugin_enabled",
    "coredns_dns_request_size_bytes",
    "coredns_dns_request_size_bytes_bucket",
    "coredns_dns_request_size_bytes_sum",
    "coredns_dns_request_size_bytes_count",
    "coredns_dns_response_size_bytes",
    "coredns_dns_response_size_bytes_bucket",
    "coredns_dns_response_size_bytes_sum",
    "coredns_dns_response_size_bytes_count",
    "coredns_dns_response_size_bytes_bucket",
    "coredns_dns_response_size_bytes_sum",
    "coredns_dns_response_size_bytes_count",
    "process_resident_memory_bytes",
    "process_cpu_seconds_total",
    "go_goroutines",
    "kubernetes_build_info",
].join("|");

export const coreDns: ScrapeJob = {
    name: "kube-dns",
    target: "coredns",
    addOnDefault: false,
    upstream: { file: "corednsDefault.yml", keepListVariable: "coreDNSRegex" },
    keepList,
    sampleLimit: 10_000,
    sizing: "~1–2k per CoreDNS pod (size and duration histograms by server, zone, type)",
    sharded: true,
    enabled: targetOn("coredns"),
    build: () => ({
        scheme: "http",
        metrics_path: "/metrics",
        ...limits(coreDns.sampleLimit),
        relabel_configs: [
            {
                action: "keep",
                source_labels: ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_name"],
                separator: "/",
                regex: "kube-system/coredns.+",
            },
            { source_labels: ["__meta_kubernetes_pod_container_port_name"], action: "keep", regex: "metrics" },
            { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        ],
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["kube-system"] } }],
    }),
};
