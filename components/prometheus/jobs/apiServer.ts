// The add-on's `kube-apiserver` job (default-prom-configs/apiserverDefault.yml), off by default: the API
// server's endpoints behind `default/kubernetes`, https with the pod's token. The endpoint's address is
// outside the service CIDR, so the sidecar mode's proxy does not capture it.

import { inClusterClient, limits, targetOn } from "./common";
import type { ScrapeJob } from "./types";

/** PC apiserverRegex_minimal_mac, name for name and in order. */
const keepList = [
    "apiserver_request_duration_seconds",
    "apiserver_request_duration_seconds_bucket",
    "apiserver_request_duration_seconds_sum",
    "apiserver_request_duration_seconds_count",
    "apiserver_request_total",
    "workqueue_adds_total",
    "workqueue_depth",
    "workqueue_queue_duration_seconds",
    "workqueue_queue_duration_seconds_bucket",
    "workqueue_queue_duration_seconds_sum",
    "workqueue_queue_duration_seconds_count",
    "process_resident_memory_bytes",
    "process_cpu_seconds_total",
    "go_goroutines",
    "kubernetes_build_info",
    "apiserver_request_slo_duration_seconds_bucket",
    "apiserver_request_slo_duration_seconds_sum",
    "apiserver_request_slo_duration_seconds_count",
].join("|");

export const apiServer: ScrapeJob = {
    name: "kube-apiserver",
    target: "apiserver",
    addOnDefault: false,
    upstream: { file: "apiserverDefault.yml", keepListVariable: "apiserverRegex" },
    keepList,
    sampleLimit: 100_000,
    sizing: "request-duration histograms by verb × resource × scope: tens of thousands per API server",
    sharded: true,
    enabled: targetOn("apiserver"),
    build: () => ({
        ...limits(apiServer.sampleLimit),
        kubernetes_sd_configs: [{ role: "endpoints", namespaces: { names: ["default"] } }],
        ...inClusterClient,
        relabel_configs: [
            {
                source_labels: ["__meta_kubernetes_namespace", "__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"],
                action: "keep",
                regex: "default;kubernetes;https",
            },
        ],
    }),
};
