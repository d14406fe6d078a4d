// The collector's own health (issue 20): each shard scrapes its own Prometheus on the pod's loopback, so
// every shard is scraped once and `instance` names its pod. Loopback traffic never meets Istio: its outbound
// capture returns early for 127.0.0.1 ("Skip redirection for Envoy-aware applications and
// container-to-container traffic both of which explicitly use localhost", istio/istio
// tools/istio-iptables/pkg/capture/run.go), the sidecar mode's proxies capture only the service CIDR anyway,
// and the inbound redirect hangs off PREROUTING, which locally generated packets never pass: STRICT mTLS
// needs no plaintext exception for it. Scraping the shards by pod IP would arrive in plaintext at a STRICT
// port (pod IPs bypass the collector's proxy) and fail. The add-on's equivalent is its `prometheus_collector_health` job (a different exporter,
// so a different name here).

import { prometheusNames, shardName } from "../facts";
import { limits } from "./common";
import type { ScrapeJob } from "./types";

/** Remote write, the write-ahead log, the agent, scrape guardrails, and the process's memory and CPU. `up` is always kept. */
const keepList = [
    "prometheus_remote_storage_.*",
    "prometheus_wal_.*",
    "prometheus_tsdb_wal_.*",
    "prometheus_agent_.*",
    "prometheus_target_scrapes_exceeded_sample_limit_total",
    "prometheus_target_scrapes_exceeded_label_limits_total",
    "prometheus_sd_discovered_targets",
    "prometheus_build_info",
    "prometheus_ready",
    "process_resident_memory_bytes",
    "process_cpu_seconds_total",
    "process_start_time_seconds",
].join("|");

export const agentHealth: ScrapeJob = {
    name: "prometheus-agent",
    keepList,
    sampleLimit: 5_000,
    sizing: "~40 remote-storage names (a few histograms) for one queue, WAL and agent counters, discovered targets per job",
    sharded: false,
    enabled: () => true,
    build: (_settings, shard) => ({
        ...limits(agentHealth.sampleLimit),
        static_configs: [{ targets: [`127.0.0.1:${prometheusNames.webPort}`] }],
        // The shard's pod: its StatefulSet's only replica.
        relabel_configs: [{ target_label: "instance", replacement: `${shardName(shard)}-0`, action: "replace" }],
    }),
};
