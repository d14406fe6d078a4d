// What describes one scrape job of the prometheus collector: its name, the add-on target that switches it,
// the upstream file and keep-list it reproduces, its volume guardrail and its builder. One file per job
// (this folder), listed once in index.ts.

import type { PrometheusTarget } from "../../core/args";
import type { PrometheusCollectorSettings } from "../../core/settings";

/** The settings a job's builder reads. */
export type JobSettings = Pick<PrometheusCollectorSettings, "namespace" | "cluster" | "prometheus" | "istio">;

/** Where a job comes from in Azure/prometheus-collector (facts.ts names the commit). */
interface Upstream {
    /** The job file under otelcollector/configmapparser/default-prom-configs. */
    file: string;
    /** The `*_minimal_mac` variable of tomlparser-default-targets-metrics-keep-list.go, when the job has one. */
    keepListVariable?: string;
}

export interface ScrapeJob {
    /** `job_name`, the add-on's where it has one (Microsoft's rules filter on it). */
    name: string;
    /** The add-on setting that switches the job (`prometheus.targets`); none for the collector's own jobs. */
    target?: PrometheusTarget;
    /** On in the add-on unless its settings say otherwise (tomlparser-default-scrape-settings.go). */
    addOnDefault?: boolean;
    upstream?: Upstream;
    /** The metric names kept (a Prometheus regex), or none: every series is kept. */
    keepList?: string;
    /** The `sample_limit` per target, and how it was sized (the README's table). */
    sampleLimit: number;
    sizing: string;
    /** Hashed over the shards (the default); a job that scrapes each shard itself is not. */
    sharded: boolean;
    /** Whether, with these settings, each shard builds a target of its own, which hashing would then drop. */
    targetPerShard?(settings: JobSettings): boolean;
    /** Whether the settings turn the job on. */
    enabled(settings: JobSettings): boolean;
    /** The job of shard `shard`, unsharded, but for its `job_name` and keep rule, which buildJob (index.ts) adds. */
    build(settings: JobSettings, shard: number): Record<string, unknown>;
}

/** An add-on target this collector cannot scrape: `prometheus.targets` refuses it with the reason. */
export interface RefusedTarget {
    target: PrometheusTarget;
    name: string;
    addOnDefault: boolean;
    upstream: Upstream;
    reason: string;
    fix: string;
}
