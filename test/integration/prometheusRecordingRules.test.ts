// Microsoft's UX recording rules (the ARM template, test/fixtures/azure-templates) run by Debian's promtool
// on series as the prometheus collector remote-writes them: they group by `microsoft_resourceid`, which Azure
// stamps only on data the Azure Monitor agent ingests, so for this collector they record without it.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { fixture } from "../harness";

const node = "aks-nodepool1-12345678-vmss000000";

describe("prometheus collector: Microsoft's recording rules on what it writes", function () {
    let dir: string;
    const write = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    };
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ama-metrics-istio-ux-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    describe("Microsoft's UX recording rules on what the collector writes (no microsoft_resourceid)", () => {
        const template = JSON.parse(fs.readFileSync(fixture("azure-templates", "FullAzureMonitorMetricsProfile.json"), "utf8"));
        const uxRules = (template.resources as any[])
            .filter((r) => r.type === "Microsoft.AlertsManagement/prometheusRuleGroups")
            .flatMap((r) => r.properties.rules as Array<{ record: string; expression: string }>)
            .filter((rule) => rule.record.startsWith("ux:") && !rule.record.includes("windows"));

        it("every Linux UX rule groups by microsoft_resourceid, which remote-written series lack", () => {
            assert.ok(uxRules.length > 0);
            for (const rule of uxRules) assert.match(rule.expression, /microsoft_resourceid/, rule.record);
        });

        it("still record, without the label: what resource-scoped views of the cluster filter on is missing", () => {
            const rule = uxRules.find((r) => r.record === "ux:pod_cpu_usage:sum_irate")!;
            const rules = write(
                "ux-rules.yml",
                YAML.stringify({ groups: [{ name: "ux", rules: [{ record: rule.record, expr: rule.expression }] }] }),
            );
            // The series as the collector writes them: job, instance and cluster as the add-on sets them, nothing else.
            const pod = 'pod="cart-1",namespace="shop",cluster="aks-one"';
            const test = {
                rule_files: [rules],
                evaluation_interval: "1m",
                tests: [
                    {
                        interval: "1m",
                        input_series: [
                            {
                                series: `container_cpu_usage_seconds_total{job="cadvisor",instance="${node}",container="app",${pod}}`,
                                values: "0+60x10",
                            },
                            {
                                series: `kube_pod_info{job="kube-state-metrics",node="${node}",created_by_kind="ReplicaSet",created_by_name="cart-5d8",${pod}}`,
                                values: "1x10",
                            },
                        ],
                        promql_expr_test: [
                            {
                                expr: rule.record,
                                eval_time: "10m",
                                exp_samples: [
                                    {
                                        labels: `${rule.record}{node="${node}",created_by_kind="ReplicaSet",created_by_name="cart-5d8",${pod}}`,
                                        value: 1,
                                    },
                                ],
                            },
                        ],
                    },
                ],
            };
            const result = spawnSync("promtool", ["test", "rules", write("ux-test.yml", YAML.stringify(test))], { encoding: "utf8" });
            assert.equal(result.status, 0, result.stdout + result.stderr);
        });
    });
});
