// Microsoft's Prometheus recording rule groups for managed Prometheus on AKS, shipped as data
// (data/recording-rules.json): the prometheusRuleGroups of Microsoft's ARM template
// AddonArmTemplate/FullAzureMonitorMetricsProfile.json in Azure/prometheus-collector, rule for rule.
// Dashboards and Grafana's Kubernetes views query the series these rules record.

import data from "./data/recording-rules.json";

export type RecordingRuleGroupKey =
    | "node"
    | "kubernetes"
    | "ux"
    | "nodeWindows"
    | "nodeAndKubernetesWindows"
    | "uxWindows";

export interface RecordingRule {
    /** Name of the series the rule records. */
    readonly record: string;
    /** The PromQL expression. */
    readonly expression: string;
    /** Labels added to the recorded series. */
    readonly labels?: Readonly<Record<string, string>>;
}

export interface RecordingRuleGroup {
    readonly key: RecordingRuleGroupKey;
    /** Only for clusters with Windows node pools. */
    readonly windows: boolean;
    /** The group's name is this prefix followed by the cluster name. */
    readonly namePrefix: string;
    /** The description the template gives the group, e.g. "Node Recording Rules RuleGroup - 0.1". */
    readonly description: string;
    /** ISO 8601 evaluation interval. */
    readonly interval: string;
    readonly rules: readonly RecordingRule[];
}

const groups = data.groups as RecordingRuleGroup[];

/** The Linux groups (node, kubernetes, ux), then, when `windows`, the three Windows groups. */
export function recordingRuleGroups(windows: boolean): RecordingRuleGroup[] {
    return groups.filter((group) => windows || !group.windows);
}

/** One group by key. */
export function recordingRuleGroup(key: RecordingRuleGroupKey): RecordingRuleGroup {
    const group = groups.find((g) => g.key === key);
    if (group === undefined) {
        throw new Error(`Unknown recording rule group "${key}".`);
    }
    return group;
}
