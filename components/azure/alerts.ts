// Alerts in Azure: the Prometheus alert rule groups of alertRules.ts, scoped to the cluster as the
// recording rules are, and Azure Monitor metric alerts on the workspace's ingestion limits.

import * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import type { Collector } from "../core/args";
import { AlertRule, AlertRuleGroup, collectorHealthGroup, recommendedAlertGroups } from "./alertRules";
import { ruleGroupName } from "./names";

export interface AlertsInput {
    collector: Collector;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    workspaceId: pulumi.Input<string>;
    clusterId: pulumi.Input<string>;
    clusterName: pulumi.Output<string>;
    /** prometheus: the number of shards the health rules expect. */
    shards: number;
    recommended: boolean;
    actionGroupIds: pulumi.Input<string>[];
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A rule as registered: with the action groups, when there are any. */
function withActions(rule: AlertRule, actionGroupIds: pulumi.Input<string>[]) {
    return actionGroupIds.length === 0 ? { ...rule } : { ...rule, actions: actionGroupIds.map((actionGroupId) => ({ actionGroupId })) };
}

function createGroup(
    name: string,
    input: AlertsInput,
    group: (clusterName: string) => AlertRuleGroup,
    key: string,
    opts: pulumi.CustomResourceOptions,
): alertsmanagement.PrometheusRuleGroup {
    const known = input.clusterName.apply(group);
    return new alertsmanagement.PrometheusRuleGroup(
        `${name}-alerts-${key}`,
        {
            ruleGroupName: pulumi.all([input.clusterName, known]).apply(([cluster, g]) => ruleGroupName(g, cluster)),
            resourceGroupName: input.resourceGroupName,
            location: input.location,
            scopes: [input.workspaceId, input.clusterId],
            clusterName: input.clusterName,
            interval: known.interval,
            description: known.description,
            rules: known.apply((g) => g.rules.map((rule) => withActions(rule, input.actionGroupIds))),
            enabled: true,
            tags: input.tags,
        },
        // As the recording rule groups: a group keeps its name when the workspace moves.
        { ...opts, replaceOnChanges: ["location"], deleteBeforeReplace: true },
    );
}

/** The alert rule groups, keyed by group key: the collector's health, then Microsoft's recommended ones when asked. */
export function createAlertRules(
    name: string,
    input: AlertsInput,
    opts: pulumi.CustomResourceOptions,
): Record<string, alertsmanagement.PrometheusRuleGroup> {
    const created: Record<string, alertsmanagement.PrometheusRuleGroup> = {};
    const health = (cluster: string) => collectorHealthGroup(input.collector, cluster, input.shards);
    created["collector-health"] = createGroup(name, input, health, "collector-health", opts);
    for (const group of input.recommended ? recommendedAlertGroups : []) {
        created[group.key] = createGroup(name, input, () => group, group.key, opts);
    }
    return created;
}

/**
 * The workspace's ingestion-limit metrics (Learn, "Supported metrics for Microsoft.Monitor/accounts": REST
 * names, unit Percent, aggregation Average, grain PT1M). Above 100% Azure throttles and samples are lost.
 */
const ingestionLimitMetrics = [
    { key: "active-series", metricName: "ActiveTimeSeriesPercentUtilization", what: "active time series" },
    { key: "events-per-minute", metricName: "EventsPerMinuteIngestedPercentUtilization", what: "events ingested per minute" },
] as const;

/** Percent of a limit at which the metric alerts fire: time to ask for more before Azure throttles. */
const ingestionAlertThreshold = 80;

/** Metric alerts on the workspace's utilisation of its ingestion limits. */
export function createIngestionLimitAlerts(
    name: string,
    input: {
        resourceGroupName: pulumi.Input<string>;
        workspaceId: pulumi.Input<string>;
        workspaceName: pulumi.Input<string>;
        actionGroupIds: pulumi.Input<string>[];
        tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    },
    opts: pulumi.CustomResourceOptions,
): monitor.MetricAlert[] {
    return ingestionLimitMetrics.map(
        (metric) =>
            new monitor.MetricAlert(
                `${name}-limit-${metric.key}`,
                {
                    ruleName: pulumi.interpolate`${input.workspaceName}-${metric.metricName}`,
                    resourceGroupName: input.resourceGroupName,
                    // Metric alert rules are global resources.
                    location: "global",
                    description: pulumi.interpolate`The workspace ${input.workspaceName} uses more than ${ingestionAlertThreshold}% of its limit of ${metric.what}; above 100% Azure throttles ingestion and samples are lost. Request a higher limit (see the README, "Cost and limits") or reduce the series collected.`,
                    severity: 2,
                    enabled: true,
                    scopes: [input.workspaceId],
                    evaluationFrequency: "PT5M",
                    windowSize: "PT15M",
                    criteria: {
                        odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                        allOf: [
                            {
                                criterionType: "StaticThresholdCriterion",
                                name: metric.metricName,
                                metricName: metric.metricName,
                                metricNamespace: "Microsoft.Monitor/accounts",
                                operator: "GreaterThan",
                                threshold: ingestionAlertThreshold,
                                timeAggregation: "Average",
                            },
                        ],
                    },
                    autoMitigate: true,
                    actions: input.actionGroupIds.map((actionGroupId) => ({ actionGroupId })),
                    tags: input.tags,
                },
                opts,
            ),
    );
}
