// `npm run bench [-- --runs N] [stack …]`: for each stack, what evaluating the program costs on the path
// users run, against a baseline program that registers the same resources directly with the same SDK
// classes and no component (compiled, the cheapest a hand-written program can be). "As run" is the program
// as `pulumi preview` loads it: Pulumi.yaml's compiled `main`, importing the component from `dist/`.
// Goals: wall time at most 1.3 × the baseline's; CPU time at most 1.10 × the baseline's. For a stack with
// the ama-metrics chart it also times the chart's post-renderer as Helm runs it.
// Each run is a fresh process (module loading counts, as it does for a preview); runs are interleaved so
// drift on the machine hits both alike; medians of N runs are reported. Run `npm run build` first: the
// program refuses to run older than its sources. Then (unless `--no-sizing`) it measures one prometheus
// shard's memory and CPU per 100k active series (scripts/sizing.ts).

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { pulumiMain, Registration } from "./offline";
import { vendoredRendering } from "./plan";
import { formatMarginal, formatSizing, measureShard } from "./sizing";

const projectDir = path.resolve(__dirname, "..");
const programs = ["as-run", "baseline"] as const;
type Program = (typeof programs)[number];

interface Sample {
    wallMs: number;
    cpuMs: number;
    maxRssMiB: number;
    resources: number;
}

/** Compiles the benchmark's runner and baseline into `outDir`. */
function compile(outDir: string): string {
    const tsconfig = path.join(outDir, "tsconfig.bench.json");
    fs.writeFileSync(
        tsconfig,
        JSON.stringify({
            extends: path.join(projectDir, "tsconfig.json"),
            compilerOptions: {
                outDir,
                rootDir: projectDir,
                noEmit: false,
                sourceMap: false,
                types: ["node"],
                typeRoots: [path.join(projectDir, "node_modules", "@types")],
            },
            files: [path.join(__dirname, "benchRun.ts"), path.join(__dirname, "baseline.ts")],
            include: [],
        }),
    );
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", tsconfig], { stdio: "inherit" });
    return path.join(outDir, "scripts", "benchRun.js");
}

function run(runner: string, stack: string, program: Program, recording: string): Sample {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, [runner, stack, program, recording], { cwd: projectDir, encoding: "utf8" });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (child.status !== 0) {
        throw new Error(`${program} run of stack ${stack} failed:\n${child.stderr}`);
    }
    const report = JSON.parse(child.stdout.trim().split("\n").pop()!);
    return { wallMs, cpuMs: report.cpuMs, maxRssMiB: report.maxRssKiB / 1024, resources: report.resources };
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The chart's post-renderer as Helm runs it: the command and arguments of the stack's Chart registration,
 * from the program's directory (where the provider runs), the pinned chart's rendering on stdin. Returns
 * the median wall time and the number of objects out, or undefined for a stack without the chart.
 */
function postRendererRuns(recording: string, runs: number): { wallMs: number; objects: number } | undefined {
    const registrations: Registration[] = JSON.parse(fs.readFileSync(recording, "utf8"));
    const chart = registrations.find((r) => r.type === "kubernetes:helm.sh/v4:Chart");
    if (chart === undefined) {
        return undefined;
    }
    const { command, args } = (chart.inputs as { postRenderer: { command: string; args: string[] } }).postRenderer;
    const cwd = path.dirname(pulumiMain());
    const rendering = fs.readFileSync(vendoredRendering, "utf8");
    const times: number[] = [];
    let output = "";
    for (let i = 0; i < runs; i++) {
        const started = process.hrtime.bigint();
        const child = spawnSync(command, args, { cwd, input: rendering, encoding: "utf8" });
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (child.status !== 0) {
            throw new Error(`the post-renderer failed:\n${child.stderr}`);
        }
        output = child.stdout;
    }
    return { wallMs: median(times), objects: parseAllDocuments(output).filter((d) => d.contents !== null).length };
}

async function main() {
    const args = process.argv.slice(2);
    const noSizing = args.indexOf("--no-sizing");
    if (noSizing >= 0) args.splice(noSizing, 1);
    const runsAt = args.indexOf("--runs");
    const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
    if (!Number.isInteger(runs) || runs < 1) {
        throw new Error("--runs takes a whole number of at least 1");
    }
    const stacks = args.length > 0 ? args : ["dev", "staging", "prod"];
    // Inside the project (git ignores .tools/), so the compiled code resolves the project's packages.
    fs.mkdirSync(path.join(projectDir, ".tools"), { recursive: true });
    const scratch = fs.mkdtempSync(path.join(projectDir, ".tools", "bench-"));
    const rows: string[] = [];
    const postRenderers: string[] = [];
    try {
        const runner = compile(scratch);
        for (const stack of stacks) {
            // One untimed run records the registrations the baseline then replays.
            const recording = path.join(scratch, `${stack}.json`);
            run(runner, stack, "as-run", recording);
            const samples: Record<Program, Sample[]> = { "as-run": [], baseline: [] };
            for (let i = 0; i < runs; i++) {
                for (const program of programs) {
                    samples[program].push(run(runner, stack, program, program === "baseline" ? recording : ""));
                }
            }
            const m = (program: Program, field: keyof Sample) => median(samples[program].map((s) => s[field]));
            const renderer = postRendererRuns(recording, runs);
            if (renderer !== undefined) {
                postRenderers.push(
                    `${stack}: post-renderer as Helm runs it, ${renderer.objects} objects: ${renderer.wallMs.toFixed(0)} ms (median)`,
                );
            }
            rows.push(
                [
                    stack.padEnd(8),
                    String(samples["as-run"][0].resources).padStart(9),
                    `${m("as-run", "wallMs").toFixed(0)} ms`.padStart(12),
                    `${m("baseline", "wallMs").toFixed(0)} ms`.padStart(11),
                    (m("as-run", "wallMs") / m("baseline", "wallMs")).toFixed(2).padStart(6),
                    `${m("as-run", "cpuMs").toFixed(0)} ms`.padStart(12),
                    `${m("baseline", "cpuMs").toFixed(0)} ms`.padStart(11),
                    (m("as-run", "cpuMs") / m("baseline", "cpuMs")).toFixed(2).padStart(6),
                    `${m("as-run", "maxRssMiB").toFixed(0)}/${m("baseline", "maxRssMiB").toFixed(0)} MiB`.padStart(13),
                ].join("  "),
            );
        }
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
    process.stdout.write(`median of ${runs} runs each (Node ${process.versions.node}, ${os.cpus().length} cores)\n`);
    process.stdout.write(
        ["stack   ", "resources", " wall as run", "  wall base", " ratio", "  cpu as run", "   cpu base", " ratio", "  peak memory"].join(
            "  ",
        ) + "\n",
    );
    process.stdout.write(rows.join("\n") + "\n");
    process.stdout.write(postRenderers.map((line) => line + "\n").join(""));
    process.stdout.write("goals: as run / baseline ≤ 1.30 (wall), ≤ 1.10 (CPU)\n");
    if (noSizing < 0) {
        // About 100k and 200k active series with the README's per-node and per-pod estimates (scripts/sizing.ts).
        const small = await measureShard(20, 1000, 120);
        process.stdout.write(formatSizing(small).join("\n") + "\n");
        const large = await measureShard(40, 2000, 120);
        process.stdout.write(formatSizing(large).join("\n") + "\n" + formatMarginal(small, large) + "\n");
    }
}

main().catch((error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
});
