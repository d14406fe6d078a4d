// `npm run bench [-- --runs N] [stack …]`: for each stack, the time and peak memory to evaluate the
// program offline with the component, next to a baseline program that registers the same resources
// directly with the same SDK classes and no component, and the ratio of the two. Each run is a fresh
// process (module loading counts, as it does for `pulumi preview`); medians of N runs are reported.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repositoryRoot } from "./offline";

interface Sample {
    ms: number;
    maxRssMiB: number;
    resources: number;
}

const runner = path.join(__dirname, "benchRun.ts");

function run(stack: string, program: "component" | "baseline", recording: string): Sample {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ["--require", "ts-node/register/transpile-only", runner, stack, program, recording], {
        cwd: repositoryRoot,
        encoding: "utf8",
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (child.status !== 0) {
        throw new Error(`${program} run of stack ${stack} failed:\n${child.stderr}`);
    }
    const report = JSON.parse(child.stdout.trim().split("\n").pop()!);
    return { ms, maxRssMiB: report.maxRssKiB / 1024, resources: report.resources };
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main() {
    const args = process.argv.slice(2);
    const runsAt = args.indexOf("--runs");
    const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
    if (!Number.isInteger(runs) || runs < 1) {
        throw new Error("--runs takes a whole number of at least 1");
    }
    const stacks = args.length > 0 ? args : ["dev", "staging", "prod"];
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ama-metrics-istio-bench-"));
    const rows: string[] = [];
    try {
        for (const stack of stacks) {
            // One untimed component run records the registrations the baseline then replays.
            const recording = path.join(scratch, `${stack}.json`);
            run(stack, "component", recording);
            const component: Sample[] = [];
            const baseline: Sample[] = [];
            for (let i = 0; i < runs; i++) {
                // Interleaved, so drift on the machine hits both alike.
                component.push(run(stack, "component", ""));
                baseline.push(run(stack, "baseline", recording));
            }
            const c = { ms: median(component.map((s) => s.ms)), mib: median(component.map((s) => s.maxRssMiB)) };
            const b = { ms: median(baseline.map((s) => s.ms)), mib: median(baseline.map((s) => s.maxRssMiB)) };
            rows.push(
                [
                    stack.padEnd(8),
                    String(component[0].resources).padStart(9),
                    `${c.ms.toFixed(0)} ms`.padStart(10),
                    `${b.ms.toFixed(0)} ms`.padStart(10),
                    `${(c.ms / b.ms).toFixed(3)}`.padStart(7),
                    `${c.mib.toFixed(0)} MiB`.padStart(10),
                    `${b.mib.toFixed(0)} MiB`.padStart(10),
                    `${(c.mib / b.mib).toFixed(3)}`.padStart(7),
                ].join("  "),
            );
        }
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
    process.stdout.write(`median of ${runs} runs each (Node ${process.versions.node}, ${os.cpus().length} cores)\n`);
    process.stdout.write(
        ["stack   ", "resources", "component", "baseline", "  ratio", "component", "  baseline", "  ratio"].join("  ") + "\n",
    );
    process.stdout.write(rows.join("\n") + "\n");
    process.stdout.write("time ratio and memory ratio: component / baseline; the goal is at most 1.15\n");
}

main();
