// One Prometheus rule group in the workspace, scoped to the cluster: how the recording rule groups
// (recordingRules.ts) and the alert rule groups (alerts.ts) are registered, stated once.

import * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
import * as pulumi from "@pulumi/pulumi";
import { ruleGroupName } from "./names";

/** Where a rule group goes and what it is scoped to. */
export interface RuleGroupInput {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    workspaceId: pulumi.Input<string>;
    clusterId: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** What names and describes a group: its name is `namePrefix`, the cluster's name, then `nameSuffix`. */
interface RuleGroupHeader {
    namePrefix: string;
    nameSuffix?: string;
    description: string;
    /** ISO 8601 evaluation interval. */
    interval: string;
}

export function createRuleGroup(
    pulumiName: string,
    input: RuleGroupInput,
    group: RuleGroupHeader,
    rules: alertsmanagement.PrometheusRuleGroupArgs["rules"],
    opts: pulumi.CustomResourceOptions,
): alertsmanagement.PrometheusRuleGroup {
    return new alertsmanagement.PrometheusRuleGroup(
        pulumiName,
        {
            ruleGroupName: pulumi.output(input.clusterName).apply((cluster) => ruleGroupName(group, cluster)),
            resourceGroupName: input.resourceGroupName,
            location: input.location,
            scopes: [input.workspaceId, input.clusterId],
            clusterName: input.clusterName,
            interval: group.interval,
            description: group.description,
            rules,
            // Explicit, as Microsoft's Terraform template and azure-cli set it: drift is then repaired.
            enabled: true,
            tags: input.tags,
        },
        // A group keeps its name when the workspace moves: delete it before creating it elsewhere.
        { ...opts, replaceOnChanges: ["location"], deleteBeforeReplace: true },
    );
}
