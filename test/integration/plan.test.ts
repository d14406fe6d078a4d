// `npm run plan`: the text plan opens with a one-line-per-resource summary, `--json` carries the objects
// each Chart renders (as the text plan shows them), and stand-ins for another cluster stack are refused.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import type { Registration } from "../../scripts/offline";
import { expectedSize, formatPlan } from "../../scripts/plan";

const root = path.resolve(__dirname, "..", "..");

/** `npm run plan -- <args>` as the script runs it, in `cwd`. */
function plan(args: string[], cwd = root) {
    return spawnSync(
        process.execPath,
        ["--require", require.resolve("ts-node/register/transpile-only"), path.join(root, "scripts", "plan.ts"), ...args],
        { cwd, encoding: "utf8", env: { ...process.env, TS_NODE_PROJECT: path.join(root, "tsconfig.json") } },
    );
}

type Planned = Registration & { renders?: { objects: unknown[] } };

describe("the offline plan's output", function () {
    this.timeout(120000);
    // dev runs the ama-metrics chart, the one resource whose objects the plan renders itself.
    let planned: Planned[];
    let text: string;
    before(() => {
        const child = plan(["dev", "--json"]);
        assert.equal(child.status, 0, child.stderr);
        planned = JSON.parse(child.stdout);
        text = formatPlan("dev", planned);
    });

    it("gives, with --json, each Chart's rendered objects, the ones the text plan shows", () => {
        const charts = planned.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
        assert.equal(charts.length, 1);
        const shown = (parse(text) as Array<{ resource: string; renders?: unknown }>).find((r) =>
            r.resource.startsWith(`${charts[0].type}::`),
        );
        assert.ok(charts[0].renders && charts[0].renders.objects.length > 0, "the JSON plan renders the chart");
        assert.deepEqual(charts[0].renders, shown?.renders);
    });

    it("opens the text plan with one summary line per resource, and one per object a Chart renders", () => {
        const lines = text.split("\n");
        // The summary is YAML comments: the plan still parses as the list of resources.
        const resources = parse(text) as Array<{ resource: string; renders?: { objects: unknown[] } }>;
        const start = lines.findIndex((line) => /^# Summary/.test(line));
        assert.ok(start > 0, "a summary");
        const summary = lines.slice(
            start + 1,
            lines.findIndex((line) => !line.startsWith("#")),
        );
        const resourceLines = summary.filter((line) => /^# {3}\S/.test(line));
        assert.deepEqual(
            resourceLines.map((line) =>
                line
                    .slice(4)
                    .replace(/\s+\(protected\)$/, "")
                    .split(/\s+/)
                    .join("::"),
            ),
            resources.map((r) => r.resource),
        );
        const rendered = summary.filter((line) => line.startsWith("#       renders "));
        assert.equal(rendered.length, resources.flatMap((r) => r.renders?.objects ?? []).length);
    });

    describe("refuses stand-ins for another cluster stack", () => {
        let project: string;
        beforeEach(() => {
            project = fs.mkdtempSync(path.join(os.tmpdir(), "plan-standins-"));
            fs.cpSync(path.join(root, "stacks"), path.join(project, "stacks"), { recursive: true });
        });
        afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

        const edit = (file: string, change: (text: string) => string) => {
            const full = path.join(project, "stacks", file);
            fs.writeFileSync(full, change(fs.readFileSync(full, "utf8")));
        };

        it("when dev's cluster.stack names another stack than its stand-ins do", () => {
            edit("Pulumi.dev.yaml", (t) => t.replace("stack: acme/aks-cluster/dev", "stack: acme/aks-cluster/staging"));
            const child = plan(["dev"], project);
            assert.equal(child.status, 1);
            assert.equal(child.stdout, "");
            assert.match(
                child.stderr,
                /stacks\/offline\/dev\.cluster\.yaml stands in for the stack acme\/aks-cluster\/dev, and stack "dev" reads its cluster from acme\/aks-cluster\/staging/,
            );
        });

        it("when the stand-ins name no stack", () => {
            edit("offline/dev.cluster.yaml", (t) => t.replace(/^standInFor: .*\n/m, ""));
            const child = plan(["dev"], project);
            assert.equal(child.status, 1);
            assert.match(
                child.stderr,
                /stacks\/offline\/dev\.cluster\.yaml names no stack it stands in for: add `standInFor: acme\/aks-cluster\/dev`/,
            );
        });

        it("each stack's stand-ins name the cluster stack its config reads", () => {
            for (const stack of ["dev", "staging", "prod"]) {
                const config = parse(fs.readFileSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config;
                const standIns = parse(fs.readFileSync(path.join(root, "stacks", "offline", `${stack}.cluster.yaml`), "utf8"));
                assert.equal(standIns.standInFor, config["ama-metrics-istio:environment"].cluster.stack, stack);
            }
        });
    });
});

describe("the offline plan's estimate of active series", function () {
    this.timeout(120000);

    it("states the default jobs' series for the stack's expected size, and their share of a workspace's limit", () => {
        const child = plan(["prod"]);
        assert.equal(child.status, 0, child.stderr);
        const prod = parse(fs.readFileSync(path.join(root, "stacks", "Pulumi.prod.yaml"), "utf8")).config["ama-metrics-istio:expectedSize"];
        assert.deepEqual(prod, { nodes: 100, pods: 5000 });
        // 100 × (700 kubelet + 350 node-exporter) + 5,000 × (30 cAdvisor + 50 kube-state-metrics), the README's
        // per-node and per-pod estimates ("Cost and limits"), written out here.
        assert.equal(
            child.stdout.split("\n")[1],
            "# Active series of the default node and pod jobs for 100 nodes and 5000 pods (ama-metrics-istio:expectedSize): " +
                'about 505,000, 51% of a workspace\'s default limit of 1,000,000 (README "Cost and limits"; other jobs and your scrapeConfigs come on top)',
        );
    });

    it("says how to get one when the stack gives no size", () => {
        assert.match(formatPlan("x", []).split("\n")[1], /^# Active series: no estimate \(set ama-metrics-istio:expectedSize/);
    });

    it("refuses a size that is not whole positive nodes and pods, naming the stack file and key", () => {
        assert.deepEqual(expectedSize("qa", { "ama-metrics-istio:expectedSize": { nodes: 10, pods: 300 } }), { nodes: 10, pods: 300 });
        assert.throws(
            () => expectedSize("qa", { "ama-metrics-istio:expectedSize": { nodes: 0, pods: "many", node: 1 } }),
            (error: Error) =>
                error.message ===
                [
                    "stacks/Pulumi.qa.yaml: ama-metrics-istio:expectedSize.node: unknown key; give only nodes and pods",
                    "stacks/Pulumi.qa.yaml: ama-metrics-istio:expectedSize.nodes = 0: not a positive whole number; give the cluster's expected nodes",
                    'stacks/Pulumi.qa.yaml: ama-metrics-istio:expectedSize.pods = "many": not a positive whole number; give the cluster\'s expected pods',
                ].join("\n"),
        );
        assert.throws(() => expectedSize("qa", { "ama-metrics-istio:expectedSize": [100] }), /expectedSize = \[100\]: not a map/);
    });
});
