// The Prometheus alert rules the component creates in the workspace, as plain data: the collector's own
// health (by default) and Microsoft's recommended alert rules for AKS (`alerts.recommended`), shipped as
// data (data/recommended-alerts.json) from Azure/prometheus-collector
// GeneratedMonitoringArtifacts/Default/recommendedMetricAlerts.json at 39583fd (last changed in 917abcce,
// 2025-07-31), rule for rule. No Pulumi here: the tests feed these rules to promtool.

import type { Collector } from "../core/args";
import data from "./data/recommended-alerts.json";

/** A rule of a `Microsoft.AlertsManagement/prometheusRuleGroups` resource that alerts. */
export interface AlertRule {
    readonly alert: string;
    readonly expression: string;
    /** ISO 8601: how long the condition must hold. */
    readonly for: string;
    /** 0 (critical) to 4 (verbose). */
    readonly severity: number;
    readonly enabled: boolean;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly resolveConfiguration: { readonly autoResolved: boolean; readonly timeToResolve: string };
}

export interface AlertRuleGroup {
    /** The Pulumi name's suffix: `<component>-alerts-<key>`. */
    readonly key: string;
    /** The group's name is this prefix, the cluster's name, then `nameSuffix`. */
    readonly namePrefix: string;
    readonly nameSuffix?: string;
    readonly description: string;
    /** ISO 8601 evaluation interval. */
    readonly interval: string;
    readonly rules: readonly AlertRule[];
}

/** The jobs both collectors run by default, by the add-on's names. */
const defaultJobs = ["kubelet", "cadvisor", "node", "kube-state-metrics"];

/** The command every description points to: the verify command with the stack's own arguments. */
const verifyCommand = "npx ama-metrics-istio-verify $(pulumi stack output verifyArgs --json | jq -r '.[]')";

/** Microsoft's recommended rules resolve themselves 10 minutes after the condition clears; these do too. */
const resolve = { autoResolved: true, timeToResolve: "PT10M" };

/** A PromQL string literal. */
const quoted = (value: string) => JSON.stringify(value);

/**
 * Remote write: the prometheus collector's own `prometheus_remote_storage_*` series (storage/remote in
 * prometheus/prometheus: `samples_failed_total` counts samples dropped after a non-recoverable error,
 * `highest_timestamp_in_seconds` is the newest sample appended, `queue_highest_sent_timestamp_seconds` the
 * newest one sent). Selected by name, not by job: only the collector's shards expose them.
 */
function remoteWriteRules(clusterName: string, shards: number): AlertRule[] {
    const appended = "prometheus_remote_storage_highest_timestamp_in_seconds";
    const sent = "prometheus_remote_storage_queue_highest_sent_timestamp_seconds";
    return [
        {
            alert: "CollectorRemoteWriteFailing",
            expression: "sum by (cluster, instance) (rate(prometheus_remote_storage_samples_failed_total[5m])) > 0",
            for: "PT10M",
            severity: 2,
            enabled: true,
            annotations: {
                description:
                    "Shard {{ $labels.instance }} of cluster {{ $labels.cluster }} fails to write samples to Azure Monitor and drops them. " +
                    `Run ${verifyCommand} and read the check remote-write.healthy; then the shard's log: kubectl logs <pod> -c prometheus | grep -i remote. ` +
                    "HTTP 403 right after a new role assignment clears within about 30 minutes (Azure applies role assignments late).",
            },
            resolveConfiguration: resolve,
        },
        {
            alert: "CollectorRemoteWriteBehind",
            expression: `max by (cluster, instance) (${appended}) - max by (cluster, instance) (${sent}) > 120`,
            for: "PT15M",
            severity: 2,
            enabled: true,
            annotations: {
                description:
                    "Shard {{ $labels.instance }} of cluster {{ $labels.cluster }} is {{ $value }} seconds behind in sending to Azure Monitor: " +
                    "it is throttled (HTTP 429) or cannot keep up. " +
                    `Run ${verifyCommand} and read the check remote-write.healthy; compare the workspace's ingestion against its limits (Azure portal, the workspace's metrics).`,
            },
            resolveConfiguration: resolve,
        },
        {
            alert: "CollectorShardDown",
            // Each shard reports its own remote write series; fewer reporting shards than configured is a
            // shard down (or not scraped), none at all the whole collector.
            expression: `count by (cluster) (max by (cluster, instance) (${appended})) < ${shards} or absent(${appended}{cluster=${quoted(clusterName)}})`,
            for: "PT10M",
            severity: 1,
            enabled: true,
            annotations: {
                description:
                    `Fewer than ${shards} of the collector's shards of cluster {{ $labels.cluster }} report their health: a shard is down, or nothing arrives from the collector at all. ` +
                    `Run ${verifyCommand} and read the checks workloads.rolled-out and azure.data-arriving.`,
            },
            resolveConfiguration: resolve,
        },
    ];
}

/** The default jobs' targets: any down, and kube-state-metrics missing altogether. */
function defaultJobRules(clusterName: string): AlertRule[] {
    return [
        {
            alert: "CollectorTargetsDown",
            expression: `count by (cluster, job) (up{job=~${quoted(defaultJobs.join("|"))}} == 0) > 0`,
            for: "PT15M",
            severity: 3,
            enabled: true,
            annotations: {
                description:
                    "{{ $value }} targets of the job {{ $labels.job }} in cluster {{ $labels.cluster }} cannot be scraped: their series are missing in the workspace. " +
                    `Run ${verifyCommand} and read the checks pods.sidecars and mesh.peer-authentication (a scrape refused by mTLS), then the collector's targets.`,
            },
            resolveConfiguration: resolve,
        },
        {
            alert: "CollectorKubeStateMetricsDown",
            expression: `absent(up{job="kube-state-metrics", cluster=${quoted(clusterName)}}) or min by (cluster) (up{job="kube-state-metrics"}) == 0`,
            for: "PT15M",
            severity: 2,
            enabled: true,
            annotations: {
                description:
                    "kube-state-metrics of cluster {{ $labels.cluster }} is not scraped: every kube_* series, and Microsoft's recording rules and alerts built on them, are missing. " +
                    `Run ${verifyCommand} and read the check workloads.rolled-out.`,
            },
            resolveConfiguration: resolve,
        },
    ];
}

/** The collector's health group, but for its rules, which name the cluster (collectorHealthRules). */
export const collectorHealth = {
    key: "collector-health",
    namePrefix: "CollectorHealthAlerts-",
    description: "Health of the ama-metrics-istio collector: remote write, shards and default scrape targets",
    interval: "PT1M",
} as const;

/** The collector's health: remote write and shards (prometheus collector), the default jobs' targets (both). */
export function collectorHealthRules(collector: Collector, clusterName: string, shards: number): AlertRule[] {
    return [...(collector === "prometheus" ? remoteWriteRules(clusterName, shards) : []), ...defaultJobRules(clusterName)];
}

/** The collector's health group for one cluster. */
export function collectorHealthGroup(collector: Collector, clusterName: string, shards: number): AlertRuleGroup {
    return { ...collectorHealth, rules: collectorHealthRules(collector, clusterName, shards) };
}

/** Microsoft's recommended groups: cluster, node and pod level. */
export const recommendedAlertGroups: readonly AlertRuleGroup[] = data.groups.map((group) => ({
    ...group,
    key: `recommended-${group.key}`,
}));
