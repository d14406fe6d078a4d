// `npm run plan -- <stack> [--json]`: what this stack's config will create, without a cloud login.
// Evaluates the compiled program (Pulumi.yaml's main) under Pulumi's mock runtime and prints every resource's type, name, parent,
// dependencies (explicit and through inputs) and inputs, secrets masked, in a stable order. Recording
// rule bodies are summarised, so plan diffs stay about topology. For the ama-metrics chart, which a
// preview renders only against a cluster, it lists the objects the pinned chart version renders, from the
// vendored rendering, relocated with the stack's own post-renderer flags.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { defaultChart } from "../components/amaMetrics/facts";
import { parsePostRendererArgs } from "../components/amaMetrics/flags";
import { relocate } from "../components/amaMetrics/relocate";
import { describeObject, KubernetesObject, podTemplatesOf } from "../components/core/kubernetes";
import { injectLabel, revisionLabel } from "../components/mesh/pod";
import { evaluateStack, Registration } from "./offline";

/** The vendored rendering of the pinned chart version, with the values the component sets (test data, with its provenance). */
export const vendoredRendering = path.join(__dirname, "..", "test", "fixtures", "ama-metrics-chart", "rendered-aks-component.yaml");

/** A recording rule group's rules as a count and a digest: a change shows, its text does not. */
function summariseRules(inputs: Record<string, unknown>): Record<string, unknown> {
    const rules = inputs.rules as unknown[];
    const digest = createHash("sha256").update(JSON.stringify(rules)).digest("hex").slice(0, 16);
    return { ...inputs, rules: { count: rules.length, sha256: digest } };
}

/** What the Chart would create: its objects relocated with the registration's own post-renderer flags. */
function chartObjects(chart: Registration): Record<string, unknown> {
    const inputs = chart.inputs as { version?: string; chart?: string; postRenderer?: { args?: string[] } };
    if (inputs.chart !== defaultChart.chart || inputs.version !== defaultChart.version) {
        return { note: `not shown: the vendored rendering is of ${defaultChart.chart} ${defaultChart.version}` };
    }
    const args = (inputs.postRenderer?.args ?? []).slice(1);
    const rendered = parseAllDocuments(fs.readFileSync(vendoredRendering, "utf8")).map((d) => d.toJS() as KubernetesObject);
    const objects = relocate(rendered, parsePostRendererArgs(args)).map((object) => {
        const pods = podTemplatesOf(object).map((slot) => slot.get().metadata ?? {});
        // Only the pod's mesh labels and annotations, each shown when there is one.
        const only = (map: Record<string, string> | undefined, keep: (key: string) => boolean) => {
            const kept = Object.entries(map ?? {}).filter(([key]) => keep(key));
            return kept.length > 0 ? Object.fromEntries(kept) : undefined;
        };
        const mesh = pods.map((meta) => {
            const labels = only(meta.labels, (key) => key === injectLabel || key === revisionLabel);
            const annotations = only(meta.annotations, (key) => /istio\.io\//.test(key));
            return { ...(labels && { labels }), ...(annotations && { annotations }) };
        });
        return mesh.length ? { object: describeObject(object), pod: mesh[0] } : describeObject(object);
    });
    return {
        source: `vendored rendering of ${inputs.version} with the component's values (test/fixtures/ama-metrics-chart), relocated with this registration's postRenderer flags`,
        objects,
    };
}

/** A prometheus shard's jobs at a glance (its ConfigMap's `prometheus.yml`): name, and `sample_limit` per target. */
function scrapeJobsOf(configMap: Registration): string[] | undefined {
    const text = (configMap.inputs as { data?: Record<string, unknown> }).data?.["prometheus.yml"];
    if (typeof text !== "string") return undefined;
    const config = parse(text) as { scrape_configs?: Array<{ job_name: string; sample_limit?: number }> };
    return (config.scrape_configs ?? []).map((job) => `${job.job_name} (sample_limit ${job.sample_limit ?? "none"})`);
}

/** The plan as YAML: resources sorted by type and name, keys sorted, so diffs show only real changes. */
export function formatPlan(stack: string, registrations: Registration[]): string {
    const resources = [...registrations]
        .sort((a, b) => `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`))
        .map((r) => ({
            resource: `${r.type}::${r.name}`,
            ...(r.parent ? { parent: r.parent } : {}),
            ...(r.provider ? { provider: r.provider } : {}),
            ...(r.protect ? { protect: true } : {}),
            ...(r.replaceOnChanges.length ? { replaceOnChanges: r.replaceOnChanges } : {}),
            ...(r.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
            ...(r.dependsOn.length ? { dependsOn: r.dependsOn } : {}),
            inputs: r.type === "azure-native:alertsmanagement:PrometheusRuleGroup" ? summariseRules(r.inputs) : r.inputs,
            ...(r.type === "kubernetes:helm.sh/v4:Chart" ? { renders: chartObjects(r) } : {}),
            ...(r.type === "kubernetes:core/v1:ConfigMap" && scrapeJobsOf(r) ? { scrapes: scrapeJobsOf(r) } : {}),
        }));
    const header = `# Offline plan of stack "${stack}": ${resources.length} resources. Regenerate: npm run --silent plan -- ${stack}\n`;
    return header + stringify(resources, { lineWidth: 0 });
}

async function main() {
    const args = process.argv.slice(2);
    const json = args.includes("--json");
    const stacks = args.filter((a) => a !== "--json");
    if (stacks.length !== 1 || stacks[0].startsWith("-")) {
        process.stderr.write("usage: npm run plan -- <stack> [--json]   (stacks: the files stacks/Pulumi.<stack>.yaml)\n");
        process.exit(2);
    }
    const registrations = await evaluateStack(stacks[0]);
    process.stdout.write(json ? JSON.stringify(registrations, null, 2) + "\n" : formatPlan(stacks[0], registrations));
}

if (require.main === module) {
    main().catch((err: Error) => {
        process.stderr.write(`plan failed: ${err.message}\n`);
        process.exit(1);
    });
}
