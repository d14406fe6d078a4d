// The Prometheus configuration of one shard: pure functions of the settings and the Azure values,
// returning plain objects (serialised with `yaml`). The default jobs are the managed add-on's, by name,
// target, authentication, labels and keep-list (facts.ts), so that Microsoft's recording rules, which filter
// on `job` and group by `instance` and `cluster`, read the same series.

import { createHash } from "node:crypto";
import * as YAML from "yaml";
import type { ScrapeConfig } from "../core/args";
import type { PrometheusCollectorSettings } from "../core/settings";
import { clouds } from "../azure/clouds";
import { mtlsScrapeJob } from "../mesh/scrapeJob";
import {
    kubeStateMetricsFacts,
    kubeStateMetricsShardName,
    minimalKeepLists,
    PrometheusJobName,
    prometheusNames,
    scrapeFacts,
} from "./facts";

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

const nodeLabel = (name: string) => `__meta_kubernetes_node_${name}`;
const internalIp = nodeLabel("address_InternalIP");

/** Keeps the targets of Linux nodes: the add-on's Linux DaemonSet scrapes only its own (Linux) node. */
const linuxNodesOnly: RelabelConfig = { source_labels: [nodeLabel("label_kubernetes_io_os")], regex: "linux", action: "keep" };

/**
 * The add-on scrapes `$$NODE_IP$$:<port>` (the node's IP, status.hostIP) and sets `instance` to `$$NODE_NAME$$`
 * from a per-node DaemonSet. Prometheus expands no variables in relabel rules, so one Prometheus discovers
 * the nodes (role `node`) and rewrites each target to the node's InternalIP on the job's port (IPv6 in
 * brackets), with `instance` = the node's name.
 */
function nodeTarget(port: number): RelabelConfig[] {
    return [
        { source_labels: [internalIp], regex: ".+", action: "keep" },
        { source_labels: [internalIp], regex: "([^:]+)", replacement: `$1:${port}`, target_label: "__address__", action: "replace" },
        { source_labels: [internalIp], regex: "(.+:.+)", replacement: `[$1]:${port}`, target_label: "__address__", action: "replace" },
    ];
}

const instanceIsNodeName: RelabelConfig = { source_labels: [nodeLabel("name")], target_label: "instance", action: "replace" };

// The add-on's own rule, as written in kubeletDefaultDs.yml and nodeexporterDefaultDs.yml.
const metricsPathLabel: RelabelConfig = { source_labels: ["__metrics_path__"], regex: "(.*)", target_label: "metrics_path" };

/** The add-on's keep rule (PC prometheus-config-merger.go AppendMetricRelabelConfig). */
function keepList(job: PrometheusJobName): RelabelConfig[] {
    return [{ source_labels: ["__name__"], action: "keep", regex: minimalKeepLists[job] }];
}

/** The kubelet's client settings of the add-on: the pod's token, the in-cluster CA, verification skipped. */
const kubeletClient = {
    scheme: "https",
    tls_config: { ca_file: scrapeFacts.serviceAccountCa, insecure_skip_verify: true },
    bearer_token_file: scrapeFacts.serviceAccountToken,
};

/** The Service DNS name of the collector's kube-state-metrics: through the mesh in the sidecar mode. */
function kubeStateMetricsTarget(
    settings: Pick<ConfigSettings, "namespace" | "cluster">,
    service = prometheusNames.kubeStateMetrics,
): string {
    return `${service}.${settings.namespace}.svc.${settings.cluster.clusterDomain}:${kubeStateMetricsFacts.metricsPort}`;
}

/** The add-on's four default jobs, unsharded. */
function defaultJobs(settings: Pick<ConfigSettings, "namespace" | "cluster">): ScrapeConfig[] {
    const node = [{ role: "node" }];
    return [
        {
            job_name: "kubelet",
            ...kubeletClient,
            metrics_path: "/metrics",
            ...scrapeFacts.limits,
            kubernetes_sd_configs: node,
            // Every node: the add-on's Windows DaemonSet scrapes the kubelet of Windows nodes as well, hence the
            // kubernetes_io_os label (the add-on's `$$OS_TYPE$$`; its RsSimple variant reads the node label).
            relabel_configs: [
                ...nodeTarget(scrapeFacts.kubeletPort),
                metricsPathLabel,
                instanceIsNodeName,
                { source_labels: [nodeLabel("label_kubernetes_io_os")], target_label: "kubernetes_io_os", action: "replace" },
            ],
            metric_relabel_configs: keepList("kubelet"),
        },
        {
            job_name: "cadvisor",
            ...kubeletClient,
            metrics_path: "/metrics/cadvisor",
            ...scrapeFacts.limits,
            kubernetes_sd_configs: node,
            relabel_configs: [linuxNodesOnly, ...nodeTarget(scrapeFacts.kubeletPort), instanceIsNodeName],
            metric_relabel_configs: keepList("cadvisor"),
        },
        {
            job_name: "node",
            scheme: "http",
            ...scrapeFacts.limits,
            kubernetes_sd_configs: node,
            relabel_configs: [linuxNodesOnly, ...nodeTarget(scrapeFacts.nodeExporterPort), metricsPathLabel, instanceIsNodeName],
            metric_relabel_configs: keepList("node"),
        },
        {
            job_name: "kube-state-metrics",
            ...scrapeFacts.limits,
            static_configs: [{ targets: [kubeStateMetricsTarget(settings)] }],
            metric_relabel_configs: keepList("kube-state-metrics"),
        },
    ];
}

/** Every job of the collector, unsharded: the defaults, the certificates mode's mTLS job, then the user's. */
export function collectorJobs(settings: ConfigSettings): ScrapeConfig[] {
    return [
        ...defaultJobs(settings),
        ...(settings.istio.mode === "certificates" ? [mtlsScrapeJob(settings.istio.scrapeNamespaces)] : []),
        ...settings.scrapeConfigs,
    ];
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
function remoteWrite(settings: Pick<ConfigSettings, "cluster">, values: CollectorValues): Record<string, unknown> {
    return {
        url: values.remoteWriteUrl,
        name: "azure-monitor",
        azuread: {
            cloud: clouds[settings.cluster.cloudEnvironment].prometheusCloud,
            workload_identity: { client_id: values.clientId, tenant_id: values.tenantId },
        },
        write_relabel_configs: [{ target_label: "cluster", replacement: values.clusterName, action: "replace" }],
    };
}

/** The configuration of shard `shard` (0-based) of `settings.prometheus.shards`. */
export function prometheusConfig(settings: ConfigSettings, shard: number, values: CollectorValues): PrometheusConfig {
    const shards = settings.prometheus.shards;
    return {
        global: { scrape_interval: settings.prometheus.scrapeInterval },
        scrape_configs: collectorJobs(settings).map((job) =>
            // With one kube-state-metrics per shard, each shard scrapes its own instead of a hash's share.
            settings.prometheus.shardKubeStateMetrics && job.job_name === "kube-state-metrics"
                ? { ...job, static_configs: [{ targets: [kubeStateMetricsTarget(settings, kubeStateMetricsShardName(shard))] }] }
                : sharded(job, shard, shards),
        ),
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
