// The add-on's `node` job (default-prom-configs/nodeexporterDefaultDs.yml): AKS's own node-exporter on every
// Linux node's InternalIP (facts.ts: the collector deploys none).

import { scrapeFacts } from "../facts";
import { instanceIsNodeName, limits, linuxNodesOnly, metricsPathLabel, nodeTarget, targetOn } from "./common";
import type { ScrapeJob } from "./types";

/** PC nodeexporterRegex_minimal_mac, name for name and in order. */
const keepList = [
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
].join("|");

export const node: ScrapeJob = {
    name: "node",
    target: "nodeexporter",
    addOnDefault: true,
    upstream: { file: "nodeexporterDefaultDs.yml", keepListVariable: "nodeexporterRegex" },
    keepList,
    sampleLimit: 5_000,
    sizing: "~300–400 per node (CPU modes × cores, filesystems, disks, interfaces); ×12 for large nodes",
    sharded: true,
    enabled: targetOn("nodeexporter"),
    build: () => ({
        scheme: "http",
        ...limits(node.sampleLimit),
        kubernetes_sd_configs: [{ role: "node" }],
        relabel_configs: [linuxNodesOnly, ...nodeTarget(scrapeFacts.nodeExporterPort), metricsPathLabel, instanceIsNodeName],
    }),
};
