// The alerts the component creates, over the objects it registers: the collector's health rules (checked
// by a real Prometheus rules parser, and seen to fire on a failing remote write with `promtool test
// rules`), Microsoft's recommended rules compared with Microsoft's template, and metric alerts on the
// workspace's ingestion limits by the REST names Learn lists.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { AmaMetricsIstio } from "../../components";
import type { Registration } from "../../scripts/offline";
import { formatPlan } from "../../scripts/plan";
import { componentName, evaluate as evaluateTemplate, recommendedAlertsTemplate, templateResources } from "../armTemplate";
import { baseArgs, byType, evaluate, Evaluation, mockStack, testProviders, testSubscription, valueOf } from "../harness";

const ruleGroupType = "azure-native:alertsmanagement:PrometheusRuleGroup";
const actionGroup = `/subscriptions/${testSubscription}/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/platform-oncall`;

const alertGroups = (e: Evaluation) =>
    byType(e.registrations, ruleGroupType).filter((g) => (g.inputs.rules as Array<Record<string, unknown>>).some((r) => "alert" in r));
const healthGroup = (e: Evaluation) => {
    const found = alertGroups(e).filter((g) => g.name === "metrics-alerts-collector-health");
    assert.equal(
        found.length,
        1,
        alertGroups(e)
            .map((g) => g.name)
            .join(),
    );
    return found[0];
};

/** An ISO 8601 duration of Azure's rules (`PT10M`, `PT05M`, `PT1H`) as a Prometheus duration. */
function promDuration(iso: string): string {
    const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
    assert.ok(match, `not an ISO 8601 time duration: ${iso}`);
    const [, h, m, s] = match.map((x) => (x === undefined ? 0 : Number(x)));
    return `${h * 3600 + m * 60 + s}s`;
}

/** Registered rule groups as a Prometheus rule file: what the workspace evaluates, in Prometheus' own syntax. */
function ruleFile(groups: Registration[]): string {
    return stringify({
        groups: groups.map((g) => ({
            name: String(g.inputs.ruleGroupName),
            interval: promDuration(String(g.inputs.interval)),
            rules: (g.inputs.rules as Array<Record<string, any>>).map((rule) => ({
                alert: rule.alert,
                expr: rule.expression,
                ...(rule.for ? { for: promDuration(rule.for) } : {}),
                ...(rule.labels ? { labels: rule.labels } : {}),
                ...(rule.annotations ? { annotations: rule.annotations } : {}),
            })),
        })),
    });
}

function promtool(...args: string[]) {
    return spawnSync("promtool", args, { encoding: "utf8" });
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "ama-alerts-"));
}

describe("the alerts", function () {
    this.timeout(60_000);

    describe("by default (prometheus, 3 shards)", () => {
        let e: Evaluation;
        before(async () => {
            e = await evaluate(baseArgs({ prometheus: { shards: 3 } }));
        });

        it("creates one collector health group in the workspace, scoped to the cluster like the recording rules, enabled, without actions", async () => {
            const group = healthGroup(e);
            const workspaceId = await valueOf(e.component.workspaceId);
            assert.equal(group.inputs.ruleGroupName, "amis-CollectorHealthAlerts-aks-one");
            assert.deepEqual(group.inputs.scopes, [
                workspaceId,
                "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-one",
            ]);
            assert.equal(group.inputs.clusterName, "aks-one");
            assert.equal(group.inputs.enabled, true);
            const rules = group.inputs.rules as Array<Record<string, unknown>>;
            assert.deepEqual(
                rules.map((r) => r.alert),
                [
                    "CollectorRemoteWriteFailing",
                    "CollectorRemoteWriteBehind",
                    "CollectorShardDown",
                    "CollectorTargetsDown",
                    "CollectorKubeStateMetricsDown",
                ],
            );
            for (const rule of rules) {
                assert.equal(rule.actions, undefined);
                // Runbook-style: every description names the verify command and the check to read.
                assert.match(
                    String((rule.annotations as Record<string, string>).description),
                    /ama-metrics-istio-verify .* read the checks? [a-z-]+\.[a-z-]+/,
                );
            }
            assert.equal(alertGroups(e).length, 1, "Microsoft's recommended groups only when asked");
        });

        it("puts metric alerts on the workspace's Active Time Series and Events Per Minute % Utilization", async () => {
            const alerts = byType(e.registrations, "azure-native:monitor:MetricAlert");
            const workspaceId = await valueOf(e.component.workspaceId);
            // Learn, "Supported metrics for Microsoft.Monitor/accounts": the REST names, unit Percent.
            assert.deepEqual(
                alerts.map((a) =>
                    (a.inputs.criteria as any).allOf.map((c: any) => [c.metricName, c.metricNamespace, c.operator, c.threshold]),
                ),
                [
                    [["ActiveTimeSeriesPercentUtilization", "Microsoft.Monitor/accounts", "GreaterThan", 80]],
                    [["EventsPerMinuteIngestedPercentUtilization", "Microsoft.Monitor/accounts", "GreaterThan", 80]],
                ],
            );
            for (const alert of alerts) {
                assert.deepEqual(alert.inputs.scopes, [workspaceId]);
                assert.equal(alert.inputs.location, "global");
                assert.deepEqual(alert.inputs.actions, []);
            }
        });

        it("has rules a real Prometheus parses (promtool check rules)", () => {
            const dir = tempDir();
            const file = path.join(dir, "health.yaml");
            fs.writeFileSync(file, ruleFile([healthGroup(e)]));
            const checked = promtool("check", "rules", file);
            assert.equal(checked.status, 0, checked.stdout + checked.stderr);
            assert.match(checked.stdout, /SUCCESS: 5 rules found/);
        });

        it("fires on a failing remote write, a shard behind, a missing shard and targets down, and stays quiet when all is well (promtool test rules)", () => {
            const dir = tempDir();
            fs.writeFileSync(path.join(dir, "health.yaml"), ruleFile([healthGroup(e)]));
            const queue =
                'remote_name="azure-monitor", url="https://dce.example/dataCollectionRules/dcr-1/streams/Microsoft-PrometheusMetrics/api/v1/write"';
            const shard = (i: number) => `cluster="aks-one", instance="10.244.0.${10 + i}:9090", job="prometheus-self"`;
            // The collector's own exposition as the self-scrape sends it, one sample a minute for 30 minutes.
            const failing = {
                interval: "1m",
                input_series: [
                    // Shard 0 drops 100 samples a minute; shards 1 and 2 are healthy.
                    { series: `prometheus_remote_storage_samples_failed_total{${shard(0)}, ${queue}}`, values: "0+100x30" },
                    { series: `prometheus_remote_storage_samples_failed_total{${shard(1)}, ${queue}}`, values: "0+0x30" },
                    { series: `prometheus_remote_storage_samples_failed_total{${shard(2)}, ${queue}}`, values: "0+0x30" },
                    // Shard 1 appends in step with time but has sent nothing for 10 minutes.
                    { series: `prometheus_remote_storage_highest_timestamp_in_seconds{${shard(0)}}`, values: "0+60x30" },
                    { series: `prometheus_remote_storage_highest_timestamp_in_seconds{${shard(1)}}`, values: "0+60x30" },
                    { series: `prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${shard(0)}, ${queue}}`, values: "0+60x30" },
                    {
                        series: `prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${shard(1)}, ${queue}}`,
                        values: "0+60x10 600x20",
                    },
                    // Shard 2 reports nothing at all: down.
                    { series: 'up{cluster="aks-one", job="kubelet", instance="node-1"}', values: "0x30" },
                    { series: 'up{cluster="aks-one", job="kube-state-metrics", instance="ksm"}', values: "1x30" },
                ],
                alert_rule_test: [
                    {
                        eval_time: "30m",
                        alertname: "CollectorRemoteWriteFailing",
                        exp_alerts: [
                            {
                                exp_labels: { cluster: "aks-one", instance: "10.244.0.10:9090" },
                                exp_annotations: annotationOf("CollectorRemoteWriteFailing", { instance: "10.244.0.10:9090" }),
                            },
                        ],
                    },
                    {
                        eval_time: "30m",
                        alertname: "CollectorRemoteWriteBehind",
                        exp_alerts: [
                            {
                                exp_labels: { cluster: "aks-one", instance: "10.244.0.11:9090" },
                                exp_annotations: annotationOf("CollectorRemoteWriteBehind", {
                                    instance: "10.244.0.11:9090",
                                    value: "1200",
                                }),
                            },
                        ],
                    },
                    {
                        eval_time: "30m",
                        alertname: "CollectorShardDown",
                        exp_alerts: [{ exp_labels: { cluster: "aks-one" }, exp_annotations: annotationOf("CollectorShardDown", {}) }],
                    },
                    {
                        eval_time: "30m",
                        alertname: "CollectorTargetsDown",
                        exp_alerts: [
                            {
                                exp_labels: { cluster: "aks-one", job: "kubelet" },
                                exp_annotations: annotationOf("CollectorTargetsDown", { job: "kubelet", value: "1" }),
                            },
                        ],
                    },
                    { eval_time: "30m", alertname: "CollectorKubeStateMetricsDown", exp_alerts: [] },
                ],
            };
            const healthy = {
                interval: "1m",
                input_series: [0, 1, 2].flatMap((i) => [
                    { series: `prometheus_remote_storage_samples_failed_total{${shard(i)}, ${queue}}`, values: "0+0x30" },
                    { series: `prometheus_remote_storage_highest_timestamp_in_seconds{${shard(i)}}`, values: "0+60x30" },
                    { series: `prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${shard(i)}, ${queue}}`, values: "0+60x30" },
                    { series: `up{cluster="aks-one", job="kubelet", instance="node-${i}"}`, values: "1x30" },
                    { series: `up{cluster="aks-one", job="kube-state-metrics", instance="ksm-${i}"}`, values: "1x30" },
                ]),
                alert_rule_test: [
                    "CollectorRemoteWriteFailing",
                    "CollectorRemoteWriteBehind",
                    "CollectorShardDown",
                    "CollectorTargetsDown",
                    "CollectorKubeStateMetricsDown",
                ].map((alertname) => ({ eval_time: "30m", alertname, exp_alerts: [] })),
            };
            // Nothing arrives from the cluster at all: the collector and kube-state-metrics are missing.
            const silent = {
                interval: "1m",
                input_series: [{ series: 'up{cluster="another-cluster", job="kube-state-metrics"}', values: "1x30" }],
                alert_rule_test: [
                    {
                        eval_time: "30m",
                        alertname: "CollectorShardDown",
                        exp_alerts: [{ exp_labels: { cluster: "aks-one" }, exp_annotations: annotationOf("CollectorShardDown", {}) }],
                    },
                    {
                        eval_time: "30m",
                        alertname: "CollectorKubeStateMetricsDown",
                        exp_alerts: [
                            {
                                exp_labels: { cluster: "aks-one", job: "kube-state-metrics" },
                                exp_annotations: annotationOf("CollectorKubeStateMetricsDown", {}),
                            },
                        ],
                    },
                ],
            };
            const tests = path.join(dir, "tests.yaml");
            fs.writeFileSync(
                tests,
                stringify({ rule_files: ["health.yaml"], evaluation_interval: "1m", tests: [failing, healthy, silent] }),
            );
            const run = promtool("test", "rules", tests);
            assert.equal(run.status, 0, run.stdout + run.stderr);
        });

        /** A rule's description as Prometheus renders it for these labels (cluster aks-one) and value. */
        function annotationOf(alert: string, labels: Record<string, string>): Record<string, string> {
            const rule = (healthGroup(e).inputs.rules as Array<Record<string, any>>).find((r) => r.alert === alert)!;
            const all: Record<string, string> = { cluster: "aks-one", ...labels };
            const description = String(rule.annotations.description)
                .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => all[name])
                .replace(/\{\{ \$value \}\}/g, labels.value ?? "");
            return { description };
        }
    });

    it("ama-metrics: only the default jobs' rules (its agent has no prometheus_remote_storage series), which Prometheus parses", async () => {
        const e = await evaluate(baseArgs({}, "ama-metrics"));
        const group = healthGroup(e);
        assert.equal(group.inputs.ruleGroupName, "amis-CollectorHealthAlerts-aks-one");
        assert.deepEqual(
            (group.inputs.rules as Array<Record<string, unknown>>).map((r) => r.alert),
            ["CollectorTargetsDown", "CollectorKubeStateMetricsDown"],
        );
        const file = path.join(tempDir(), "health.yaml");
        fs.writeFileSync(file, ruleFile([group]));
        const checked = promtool("check", "rules", file);
        assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    });

    it("recommended: Microsoft's three groups, rule for rule as Microsoft's template has them with the action groups given, which Prometheus parses", async () => {
        const e = await evaluate(baseArgs({ alerts: { recommended: true, actionGroupIds: [actionGroup] } }, "ama-metrics"));
        const workspaceId = await valueOf(e.component.workspaceId);
        const clusterResourceId =
            "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-one";
        const deployment = {
            parameters: {
                clusterResourceId,
                actionGroupResourceId: actionGroup,
                azureMonitorWorkspaceResourceId: workspaceId,
                location: "westeurope",
            },
            variables: recommendedAlertsTemplate.variables,
            subscriptionId: testSubscription,
            resourceGroup: "rg-monitoring",
        };
        const groups = templateResources(recommendedAlertsTemplate, "Microsoft.AlertsManagement/prometheusRuleGroups");
        assert.equal(groups.length, 3);
        for (const template of groups) {
            const expected = evaluateTemplate(template, deployment) as Record<string, any>;
            const found = alertGroups(e).find((g) => g.inputs.ruleGroupName === componentName(expected.name as string));
            assert.ok(found, `no group ${expected.name}`);
            assert.deepEqual(found.inputs, {
                ruleGroupName: componentName(expected.name as string),
                resourceGroupName: "rg-monitoring",
                location: expected.location,
                ...expected.properties,
                enabled: true,
            });
        }
        // Every alert rule, the health ones too, notifies the action groups.
        for (const group of alertGroups(e)) {
            for (const rule of group.inputs.rules as Array<Record<string, unknown>>) {
                assert.deepEqual(rule.actions, [{ actionGroupId: actionGroup }], `${group.inputs.ruleGroupName}: ${rule.alert}`);
            }
        }
        const file = path.join(tempDir(), "recommended.yaml");
        fs.writeFileSync(file, ruleFile(alertGroups(e)));
        const checked = promtool("check", "rules", file);
        assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    });

    it("the offline plan prints every alert rule in full, and still summarises the recording rules", async () => {
        const e = await evaluate(baseArgs());
        const plan = formatPlan("test", e.registrations);
        for (const rule of healthGroup(e).inputs.rules as Array<Record<string, unknown>>) {
            assert.ok(plan.includes(`alert: ${rule.alert}`), `the plan does not show ${rule.alert}`);
            assert.ok(plan.includes(String(rule.expression)), `the plan does not show ${rule.alert}'s expression`);
        }
        assert.match(plan, /rules:\n\s+count: \d+\n\s+sha256: [0-9a-f]{16}/);
    });

    it("refuses an action group id that is not one, and alert settings while alerts are off, before anything registers", () => {
        const registrations = mockStack();
        assert.throws(
            () =>
                new AmaMetricsIstio("metrics", baseArgs({ alerts: { actionGroupIds: ["platform-oncall"] } }), {
                    providers: testProviders(),
                }),
            /alerts\.actionGroupIds\[0\] = "platform-oncall": not an action group resource id; use \/subscriptions\/<subscription id>\/resourceGroups\/<group>\/providers\/Microsoft\.Insights\/actionGroups\/<action group name>/,
        );
        assert.throws(
            () =>
                new AmaMetricsIstio("metrics", baseArgs({ alerts: { enabled: false, recommended: true } }), {
                    providers: testProviders(),
                }),
            /alerts\.recommended = true: alerts\.enabled is false, so no alert is created; drop alerts\.recommended, or alerts\.enabled/,
        );
        assert.deepEqual(
            registrations.filter((r) => !r.type.startsWith("pulumi:providers:")),
            [],
        );
    });

    it("alerts.enabled: false creates no alert group and no metric alert", async () => {
        const e = await evaluate(baseArgs({ alerts: { enabled: false } }));
        assert.deepEqual(alertGroups(e), []);
        assert.deepEqual(byType(e.registrations, "azure-native:monitor:MetricAlert"), []);
    });

    it("an existing workspace gets the cluster's alert rules but no metric alerts: its limits are its owner's", async () => {
        const existing = `/subscriptions/${testSubscription}/resourceGroups/rg-shared/providers/Microsoft.Monitor/accounts/amw-shared`;
        const e = await evaluate(baseArgs({ workspace: { resourceId: existing } }));
        assert.equal(alertGroups(e).length, 1);
        assert.deepEqual(byType(e.registrations, "azure-native:monitor:MetricAlert"), []);
    });
});
