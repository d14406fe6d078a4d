// Microsoft's Prometheus recording rule groups for AKS, shipped as data (data/recording-rules.json):
// the prometheusRuleGroups of Microsoft's ARM template AddonArmTemplate/FullAzureMonitorMetricsProfile.json
// (Azure/prometheus-collector at 39583fd; contentVersion 1.0.0.0, descriptions " - 0.1", last changed in
// 36a3549f, 2025-05-20), rule for rule. A snapshot: azure-cli now fetches the rules from the workspace's
// alertRuleRecommendations API instead. Dashboards and Grafana's Kubernetes views query what they record.

import * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
import * as pulumi from "@pulumi/pulumi";
import data from "./data/recording-rules.json";
import { createRuleGroup, RuleGroupInput } from "./ruleGroups";

type RecordingRuleGroupKey = "node" | "kubernetes" | "ux" | "nodeWindows" | "nodeAndKubernetesWindows" | "uxWindows";

interface RecordingRule {
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
function recordingRuleGroups(windows: boolean): RecordingRuleGroup[] {
    return groups.filter((group) => windows || !group.windows);
}

/** Pulumi name suffix of a group: its key in kebab case, e.g. `node-and-kubernetes-windows`. */
function ruleGroupSuffix(group: Pick<RecordingRuleGroup, "key">): string {
    return group.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The recording rule groups, keyed by group key. */
export function createRecordingRules(
    name: string,
    input: RuleGroupInput & { windows: boolean },
    opts: pulumi.CustomResourceOptions,
): Record<string, alertsmanagement.PrometheusRuleGroup> {
    const created: Record<string, alertsmanagement.PrometheusRuleGroup> = {};
    for (const group of recordingRuleGroups(input.windows)) {
        created[group.key] = createRuleGroup(`${name}-rules-${ruleGroupSuffix(group)}`, input, group, [...group.rules], opts);
    }
    return created;
}
