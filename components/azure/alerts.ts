// Alerts in Azure: the Prometheus alert rule groups of alertRules.ts, scoped to the cluster as the
// recording rules are (ruleGroups.ts), and Azure Monitor metric alerts on the workspace's ingestion limits.

import * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import type { Collector } from "../core/args";
import { AlertRule, collectorHealth, collectorHealthRules, recommendedAlertGroups } from "./alertRules";
import { createRuleGroup, RuleGroupInput } from "./ruleGroups";

export interface AlertsInput extends RuleGroupInput {
    collector: Collector;
    /** prometheus: the number of shards the health rules expect. */
    shards: number;
    recommended: boolean;
    actionGroupIds: pulumi.Input<string>[];
}

/** A rule as registered: with the action groups, when there are any. */
function withActions(rule: AlertRule, actionGroupIds: pulumi.Input<string>[]) {
    return actionGroupIds.length === 0 ? { ...rule } : { ...rule, actions: actionGroupIds.map((actionGroupId) => ({ actionGroupId })) };
}

/** The alert rule groups, keyed by group key: the collector's health, then Microsoft's recommended ones when asked. */
export function createAlertRules(
    name: string,
    input: AlertsInput,
    opts: pulumi.CustomResourceOptions,
): Record<string, alertsmanagement.PrometheusRuleGroup> {
    const registered = (rules: readonly AlertRule[]) => rules.map((rule) => withActions(rule, input.actionGroupIds));
    // Only the health rules name the cluster.
    const healthRules = pulumi
        .output(input.clusterName)
        .apply((cluster) => registered(collectorHealthRules(input.collector, cluster, input.shards)));
    const created: Record<string, alertsmanagement.PrometheusRuleGroup> = {
        [collectorHealth.key]: createRuleGroup(`${name}-alerts-${collectorHealth.key}`, input, collectorHealth, healthRules, opts),
    };
    for (const group of input.recommended ? recommendedAlertGroups : []) {
        created[group.key] = createRuleGroup(`${name}-alerts-${group.key}`, input, group, registered(group.rules), opts);
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
