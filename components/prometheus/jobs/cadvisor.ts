// The add-on's `cadvisor` job (default-prom-configs/cadvisorDefaultDs.yml): the kubelet's /metrics/cadvisor of
// every Linux node.

import { scrapeFacts } from "../facts";
import { inClusterClient, instanceIsNodeName, limits, linuxNodesOnly, nodeTarget, targetOn } from "./common";
import type { ScrapeJob } from "./types";

/** PC cadvisorRegex_minimal_mac, name for name and in order, duplicates included. */
const keepList = [
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
].join("|");

export const cadvisor: ScrapeJob = {
    name: "cadvisor",
    target: "cadvisor",
    addOnDefault: true,
    upstream: { file: "cadvisorDefaultDs.yml", keepListVariable: "cadvisorRegex" },
    keepList,
    sampleLimit: 25_000,
    sizing: "~1.5k per node; ~40 per container: 250 pods (AKS's maximum) of 2 containers is 20k",
    sharded: true,
    enabled: targetOn("cadvisor"),
    build: () => ({
        ...inClusterClient,
        metrics_path: "/metrics/cadvisor",
        ...limits(cadvisor.sampleLimit),
        kubernetes_sd_configs: [{ role: "node" }],
        relabel_configs: [linuxNodesOnly, ...nodeTarget(scrapeFacts.kubeletPort), instanceIsNodeName],
    }),
};
