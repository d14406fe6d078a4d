// The add-on's `acstor-metrics-exporter` job (default-prom-configs/acstorMetricsExporterDefaultFile.yml): Azure
// Container Storage's metrics exporter and node agents, found by pod discovery in `acstor` and `kube-system`.

import { limits, targetOn } from "./common";
import type { ScrapeJob } from "./types";

/** PC acstorMetricsExporter_minimal_mac. */
const keepList = [
    "disk_read_operations_completed_total",
    "disk_write_operations_completed_total",
    "disk_read_operations_time_seconds_total",
    "disk_write_operations_time_seconds_total",
    "disk_read_bytes_total",
    "disk_written_bytes_total",
    "disk_reads_merged_total",
    "disk_writes_merged_total",
    "disk_io_now",
    "disk_io_time_seconds_total",
    "disk_io_time_weighted_seconds_total",
    "disk_discard_operations_completed_total",
    "disk_discards_merged_total",
    "disk_discarded_sectors_total",
    "disk_discard_operations_time_seconds_total",
    "disk_flush_requests_total",
    "disk_flush_requests_time_seconds_total",
    "disk_errors_total",
    "disk_readonly_errors_gauge",
    "disk_readonly_status_gauge",
].join("|");

export const acstorMetricsExporter: ScrapeJob = {
    name: "acstor-metrics-exporter",
    target: "acstor-metrics-exporter",
    addOnDefault: true,
    upstream: { file: "acstorMetricsExporterDefaultFile.yml", keepListVariable: "acstorMetricsExporter" },
    keepList,
    sampleLimit: 5_000,
    sizing: "20 names per disk, tens of disks per node agent",
    sharded: true,
    enabled: targetOn("acstor-metrics-exporter"),
    build: () => ({
        honor_labels: true,
        scheme: "http",
        ...limits(acstorMetricsExporter.sampleLimit),
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["acstor", "kube-system"] } }],
        relabel_configs: [
            { source_labels: ["__meta_kubernetes_namespace"], action: "keep", regex: "acstor|kube-system" },
            {
                source_labels: [
                    "__meta_kubernetes_pod_label_app_kubernetes_io_name",
                    "__meta_kubernetes_pod_label_app_kubernetes_io_component",
                ],
                action: "keep",
                regex: "(metrics-exporter;monitor)|(storage-operator;node-agent)|(node-agent;node-agent)",
            },
            { source_labels: ["__meta_kubernetes_pod_container_port_name"], action: "keep", regex: "metrics" },
        ],
    }),
};
