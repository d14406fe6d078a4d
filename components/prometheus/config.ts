// The Prometheus configuration of one shard: pure functions of the settings and the Azure values,
// returning plain objects (serialised with `yaml`). The default jobs are the managed add-on's, by name,
// target, authentication, labels and keep-list (jobs/), so that Microsoft's recording rules, which filter
// on `job` and group by `instance` and `cluster`, read the same series.

import { createHash } from "node:crypto";
import * as YAML from "yaml";
import type { ScrapeConfig } from "../core/args";
import type { PrometheusCollectorSettings } from "../core/settings";
import { clouds } from "../core/facts/clouds";
import { mtlsScrapeJob } from "../mesh/scrapeJob";
import { buildJob, scrapeJobs, withSampleLimit } from "./jobs";

/** The Azure values a shard's configuration carries, once known. */
export interface CollectorValues {
    /** The `cluster` label of every series: the cluster's name, as the add-on sets it. */
    clusterName: string;
    /** The collector identity's client and tenant ids (Workload ID). */
    clientId: string;
    tenantId: string;
    remoteWriteUrl: string;
}

type RelabelConfig = Record<string, unknown>;

export interface PrometheusConfig {
    global: { scrape_interval: string };
    scrape_configs: ScrapeConfig[];
    remote_write: Array<Record<string, unknown>>;
}

/** The settings the configuration depends on. */
export type ConfigSettings = Pick<PrometheusCollectorSettings, "namespace" | "cluster" | "prometheus" | "istio" | "scrapeConfigs">;

/** The jobs of the registry the settings turn on, as shard `shard` runs them (before sharding). */
function registeredJobs(settings: ConfigSettings, shard: number): Array<{ job: ScrapeConfig; sharded: boolean }> {
    return scrapeJobs
        .filter((job) => job.enabled(settings))
        .map((job) => ({ job: buildJob(job, settings, shard), sharded: job.sharded && !job.targetPerShard?.(settings) }));
}

/** The certificates mode's mTLS job, then the user's: without a `sample_limit` of their own, they get the default one. */
function meshAndUserJobs(settings: ConfigSettings): ScrapeConfig[] {
    return [
        ...(settings.istio.mode === "certificates" ? [mtlsScrapeJob(settings.istio.scrapeNamespaces)] : []),
        ...settings.scrapeConfigs,
    ].map(withSampleLimit);
}

/** Every job of shard 0, unsharded: the registry's (jobs/), then the mTLS and the user's jobs. */
export function collectorJobs(settings: ConfigSettings): ScrapeConfig[] {
    return [...registeredJobs(settings, 0).map(({ job }) => job), ...meshAndUserJobs(settings)];
}

/** The label a shard's `hashmod` writes; `__tmp_` labels are Prometheus' documented scratch space. */
const shardHashLabel = "__tmp_ama_metrics_istio_shard";

/**
 * Prometheus' own sharding: every target's final address hashes into one of `shards` buckets and shard
 * `shard` keeps its bucket. Appended after the job's rules, so it hashes the address actually scraped.
 */
function shardRelabelConfigs(shard: number, shards: number): RelabelConfig[] {
    return [
        { source_labels: ["__address__"], modulus: shards, target_label: shardHashLabel, action: "hashmod" },
        { source_labels: [shardHashLabel], regex: String(shard), action: "keep" },
    ];
}

function sharded(job: ScrapeConfig, shard: number, shards: number): ScrapeConfig {
    if (shards === 1) {
        return job;
    }
    const existing = Array.isArray(job.relabel_configs) ? (job.relabel_configs as RelabelConfig[]) : [];
    return { ...job, relabel_configs: [...existing, ...shardRelabelConfigs(shard, shards)] };
}

/**
 * The one remote write: Workload ID through Prometheus' `azuread` (v3.14.0 storage/remote/azuread: the ids
 * must be in the file, the token file comes from `AZURE_FEDERATED_TOKEN_FILE`). `cluster` is set on the way
 * out: the add-on upserts it, external labels would yield to a scraped `cluster` (queue_manager.go: "the
 * value in b wins"), and Microsoft's recording rules filter and group on it.
 */
function remoteWrite(settings: Pick<ConfigSettings, "cluster" | "prometheus">, values: CollectorValues): Record<string, unknown> {
    return {
        url: values.remoteWriteUrl,
        name: "azure-monitor",
        azuread: {
            cloud: clouds[settings.cluster.cloudEnvironment].prometheusCloud,
            workload_identity: { client_id: values.clientId, tenant_id: values.tenantId },
        },
        queue_config: queueConfig(settings.prometheus.shards),
        write_relabel_configs: [{ target_label: "cluster", replacement: values.clusterName, action: "replace" }],
    };
}

/** What Azure Monitor accepts, which the remote-write queue is sized for. */
export const ingestionFacts = {
    /**
     * Learn, "Monitor metrics ingestion in Azure Monitor workspace" (Events dropped, reason OldData): "Only
     * events with timestamps no more than 20 minutes in the past or 20 minutes in the future (relative to
     * ingestion time) are accepted." Older samples are dropped here instead of being retried into a refusal.
     */
    sampleAgeLimit: "20m",
    /**
     * Learn, "Azure Monitor service limits", Prometheus metrics: "Ingestion requests per minute to a data
     * collection endpoint: 15,000. This limit can't be increased." Each collector writes through its own endpoint.
     */
    requestsPerMinutePerEndpoint: 15_000,
    /** Prometheus' default `max_shards` (v3.14.0 config.go DefaultQueueConfig). */
    defaultMaxShards: 50,
    /** Prometheus' default `batch_send_deadline` in seconds: a queue shard holding samples sends them at least every 5 s. */
    batchSendDeadlineSeconds: 5,
};

/**
 * Remote write's queue: 429s (Azure's throttling) are retried instead of dropped (v3.14.0 client.go retries
 * only 5xx otherwise), samples older than Azure accepts are dropped, and the queue shards of all Prometheus
 * shards together stay under the endpoint's request limit even when each sends a partial batch per deadline.
 */
function queueConfig(shards: number): Record<string, unknown> {
    const perQueueShard = 60 / ingestionFacts.batchSendDeadlineSeconds;
    return {
        retry_on_http_429: true,
        sample_age_limit: ingestionFacts.sampleAgeLimit,
        max_shards: Math.min(
            ingestionFacts.defaultMaxShards,
            Math.floor(ingestionFacts.requestsPerMinutePerEndpoint / (perQueueShard * shards)),
        ),
    };
}

/** The configuration of shard `shard` (0-based) of `settings.prometheus.shards`. */
export function prometheusConfig(settings: ConfigSettings, shard: number, values: CollectorValues): PrometheusConfig {
    const shards = settings.prometheus.shards;
    return {
        global: { scrape_interval: settings.prometheus.scrapeInterval },
        scrape_configs: [
            ...registeredJobs(settings, shard).map(({ job, sharded: split }) => (split ? sharded(job, shard, shards) : job)),
            ...meshAndUserJobs(settings).map((job) => sharded(job, shard, shards)),
        ],
        remote_write: [remoteWrite(settings, values)],
    };
}

/** The file Prometheus reads. Deterministic: the same configuration always gives the same text. */
export function configText(config: PrometheusConfig): string {
    return YAML.stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function configChecksum(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/** The Kubernetes discovery roles the jobs use, and the metadata they attach (what the RBAC must allow). */
export function discoveryUses(jobs: readonly ScrapeConfig[]): { roles: Set<string>; attach: Set<string> } {
    const roles = new Set<string>();
    const attach = new Set<string>();
    for (const job of jobs) {
        const configs = Array.isArray(job.kubernetes_sd_configs) ? job.kubernetes_sd_configs : [];
        for (const config of configs as Array<Record<string, unknown>>) {
            if (typeof config.role === "string") {
                roles.add(config.role);
            }
            const metadata = config.attach_metadata;
            if (typeof metadata === "object" && metadata !== null) {
                for (const [key, on] of Object.entries(metadata)) {
                    if (on === true) attach.add(key);
                }
            }
        }
    }
    return { roles, attach };
}
