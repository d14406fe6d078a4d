// `npm run plan -- <stack> [--json]`: what this stack's config will create, without a cloud login.
// Evaluates the compiled program (Pulumi.yaml's main) under Pulumi's mock runtime and prints every resource's type, name, parent,
// dependencies (explicit and through inputs) and inputs, secrets masked, in a stable order. Recording
// rule bodies are summarised, so plan diffs stay about topology. For the ama-metrics chart, which a
// preview renders only against a cluster, it lists the objects the pinned chart version renders: a
// rendering made by hand from the chart's source at a commit (test/fixtures/ama-metrics-chart/PROVENANCE.md),
// relocated with the stack's own post-renderer flags. The text plan opens with a one-line-per-resource
// summary; `--json` gives the registrations, each Chart with the same rendered objects.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { defaultChart } from "../components/amaMetrics/facts";
import { parsePostRendererArgs } from "../components/amaMetrics/flags";
import { relocateObjects } from "../components/amaMetrics/relocate";
import { describeObject, KubernetesObject, podTemplatesOf } from "../components/core/kubernetes";
import { injectLabel, revisionLabel } from "../components/mesh/pod";
import { evaluateStack, readStackFiles, Registration } from "./offline";
import { defaultJobSeries, workspaceSeriesLimit } from "./seriesEstimate";

/** The plan-only stack key giving the cluster's expected size, for the estimate of active series. */
const expectedSizeKey = "ama-metrics-istio:expectedSize";

interface ExpectedSize {
    nodes: number;
    pods: number;
}

/** The stack's `ama-metrics-istio:expectedSize`, checked; undefined when the stack gives none. */
export function expectedSize(stack: string, config: Record<string, unknown>): ExpectedSize | undefined {
    const size = config[expectedSizeKey];
    if (size === undefined) return undefined;
    const where = `stacks/Pulumi.${stack}.yaml: ${expectedSizeKey}`;
    if (typeof size !== "object" || size === null || Array.isArray(size)) {
        throw new Error(`${where} = ${JSON.stringify(size)}: not a map; give { nodes: <count>, pods: <count> }`);
    }
    const unknown = Object.keys(size).filter((key) => key !== "nodes" && key !== "pods");
    const problems = unknown.map((key) => `${where}.${key}: unknown key; give only nodes and pods`);
    for (const key of ["nodes", "pods"] as const) {
        const value = (size as Record<string, unknown>)[key];
        if (!Number.isSafeInteger(value) || (value as number) < 1) {
            problems.push(`${where}.${key} = ${JSON.stringify(value)}: not a positive whole number; give the cluster's expected ${key}`);
        }
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
    return size as ExpectedSize;
}

/** The plan's estimate of the default jobs' active series for the stack's expected size, as comment lines. */
function seriesEstimateLines(size: ExpectedSize | undefined): string[] {
    if (size === undefined) {
        return [`# Active series: no estimate (set ${expectedSizeKey}: { nodes, pods } in the stack file for one)`];
    }
    const series = defaultJobSeries(size);
    const share = Math.round((series / workspaceSeriesLimit) * 100);
    return [
        `# Active series of the default node and pod jobs for ${size.nodes} nodes and ${size.pods} pods (${expectedSizeKey}): ` +
            `about ${series.toLocaleString("en-US")}, ${share}% of a workspace's default limit of ${workspaceSeriesLimit.toLocaleString("en-US")} ` +
            `(README "Cost and limits"; other jobs and your scrapeConfigs come on top)`,
    ];
}

/** The vendored rendering of the pinned chart version, with the values the component sets (test data, with its provenance). */
export const vendoredRendering = path.join(__dirname, "..", "test", "fixtures", "ama-metrics-chart", "rendered-aks-component.yaml");

/**
 * A recording rule group's rules as a count and a digest: a change shows, its text does not. Alert rules are
 * printed whole: what alerts, when, and whom it notifies is what a reviewer reads.
 */
function summariseRules(inputs: Record<string, unknown>): Record<string, unknown> {
    const rules = inputs.rules as Array<Record<string, unknown>>;
    if (rules.some((rule) => "alert" in rule)) {
        return inputs;
    }
    const digest = createHash("sha256").update(JSON.stringify(rules)).digest("hex").slice(0, 16);
    return { ...inputs, rules: { count: rules.length, sha256: digest } };
}

/** What the Chart would create: its objects relocated with the registration's own post-renderer flags. */
interface ChartRendering {
    source?: string;
    /** Each object as `Kind namespace/name`, with its pod's mesh labels and annotations for workloads. */
    objects?: Array<string | { object: string; pod: Record<string, unknown> }>;
    /** Why no objects are shown. */
    note?: string;
}

function chartObjects(chart: Registration): ChartRendering {
    const inputs = chart.inputs as { version?: string; chart?: string; postRenderer?: { args?: string[] } };
    if (inputs.chart !== defaultChart.chart || inputs.version !== defaultChart.version) {
        return { note: `not shown: the vendored rendering is of ${defaultChart.chart} ${defaultChart.version}` };
    }
    const args = (inputs.postRenderer?.args ?? []).slice(1);
    const rendered = parseAllDocuments(fs.readFileSync(vendoredRendering, "utf8")).map((d) => d.toJS() as KubernetesObject);
    const objects = relocateObjects(rendered, parsePostRendererArgs(args)).map((object) => {
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
        source:
            `chart ${inputs.version} rendered by hand (no helm binary) from its source in Azure/prometheus-collector at a pinned commit, ` +
            `with the component's values: test/fixtures/ama-metrics-chart/rendered-aks-component.yaml (provenance in its PROVENANCE.md), ` +
            `relocated with this registration's postRenderer flags`,
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

const byTypeAndName = (registrations: Registration[]) =>
    [...registrations].sort((a, b) => `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`));

const isChart = (r: Registration) => r.type === "kubernetes:helm.sh/v4:Chart";

/** Each Chart's rendering, made once: the summary and the resource list both show it. */
const chartRenderings = (registrations: Registration[]) => new Map(registrations.filter(isChart).map((r) => [r, chartObjects(r)] as const));

/**
 * The plan's opening summary, as YAML comments: one line per resource (type, name, protected or not), and
 * under each Chart one line per object it renders, so that a 1,000-line plan can be read in one screen.
 */
function summary(registrations: Registration[], renderings: Map<Registration, ChartRendering>): string[] {
    const sorted = byTypeAndName(registrations);
    const width = Math.max(...sorted.map((r) => r.type.length));
    return sorted.flatMap((r) => {
        const line = `#   ${r.type.padEnd(width)}  ${r.name}${r.protect ? "  (protected)" : ""}`;
        const renders = renderings.get(r);
        const objects = renders?.objects?.map((o) => `#       renders ${typeof o === "string" ? o : o.object}`) ?? [];
        return [line, ...(renders?.note ? [`#       ${renders.note}`] : []), ...objects];
    });
}

/** The plan as YAML: a summary, then resources sorted by type and name, keys sorted, so diffs show only real changes. */
export function formatPlan(stack: string, registrations: Registration[], size?: ExpectedSize): string {
    const renderings = chartRenderings(registrations);
    const resources = byTypeAndName(registrations).map((r) => {
        const jobs = r.type === "kubernetes:core/v1:ConfigMap" ? scrapeJobsOf(r) : undefined;
        return {
            resource: `${r.type}::${r.name}`,
            ...(r.parent ? { parent: r.parent } : {}),
            ...(r.provider ? { provider: r.provider } : {}),
            ...(r.protect ? { protect: true } : {}),
            ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
            ...(r.replaceOnChanges.length ? { replaceOnChanges: r.replaceOnChanges } : {}),
            ...(r.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
            ...(r.dependsOn.length ? { dependsOn: r.dependsOn } : {}),
            inputs: r.type === "azure-native:alertsmanagement:PrometheusRuleGroup" ? summariseRules(r.inputs) : r.inputs,
            ...(renderings.has(r) ? { renders: renderings.get(r) } : {}),
            ...(jobs ? { scrapes: jobs } : {}),
        };
    });
    const header = [
        `# Offline plan of stack "${stack}": ${resources.length} resources. Regenerate: npm run --silent plan -- ${stack}`,
        ...seriesEstimateLines(size),
        "# Summary (type, name; the objects each Chart renders below it):",
        ...summary(registrations, renderings),
    ];
    return header.join("\n") + "\n" + stringify(resources, { lineWidth: 0 });
}

/** The plan as JSON: the registrations as the engine receives them, each Chart with the objects it renders. */
export function formatJsonPlan(registrations: Registration[]): string {
    const renderings = chartRenderings(registrations);
    const planned = registrations.map((r) => (renderings.has(r) ? { ...r, renders: renderings.get(r) } : r));
    return JSON.stringify(planned, null, 2) + "\n";
}

async function main() {
    const args = process.argv.slice(2);
    const json = args.includes("--json");
    const stacks = args.filter((a) => a !== "--json");
    if (stacks.length !== 1 || stacks[0].startsWith("-")) {
        process.stderr.write("usage: npm run plan -- <stack> [--json]   (stacks: the files stacks/Pulumi.<stack>.yaml)\n");
        process.exit(2);
    }
    const files = readStackFiles(stacks[0]);
    const size = expectedSize(stacks[0], files.config);
    const registrations = await evaluateStack(stacks[0], { files });
    process.stdout.write(json ? formatJsonPlan(registrations) : formatPlan(stacks[0], registrations, size));
}

if (require.main === module) {
    main().catch((err: Error) => {
        process.stderr.write(`plan failed: ${err.message}\n`);
        process.exit(1);
    });
}
