// `npm run bench [-- --runs N] [stack …]`: for each stack, the time and peak memory to evaluate the
// program offline with the component, next to a baseline program that registers the same resources
// directly with the same SDK classes and no component, and the ratio of the two. Both are compiled
// to JavaScript first (as the npm package ships the component), so TypeScript's own start-up cost
// is left out of both. Each run is a fresh process (module loading counts, as it does for
// `pulumi preview`); medians of N runs are reported.

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const projectDir = path.resolve(__dirname, "..");

interface Sample {
    ms: number;
    maxRssMiB: number;
    resources: number;
}

/** Compiles the program, the component and the benchmark's runner into `outDir`. */
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
            files: [path.join(projectDir, "index.ts"), path.join(__dirname, "benchRun.ts"), path.join(__dirname, "baseline.ts")],
            include: [],
        }),
    );
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", tsconfig], { stdio: "inherit" });
    return path.join(outDir, "scripts", "benchRun.js");
}

function run(runner: string, stack: string, program: "component" | "baseline", recording: string): Sample {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, [runner, stack, program, recording], { cwd: projectDir, encoding: "utf8" });
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
    // Inside the project (git ignores .tools/), so the compiled code resolves the project's packages.
    fs.mkdirSync(path.join(projectDir, ".tools"), { recursive: true });
    const scratch = fs.mkdtempSync(path.join(projectDir, ".tools", "bench-"));
    const rows: string[] = [];
    try {
        const runner = compile(scratch);
        for (const stack of stacks) {
            // One untimed component run records the registrations the baseline then replays.
            const recording = path.join(scratch, `${stack}.json`);
            run(runner, stack, "component", recording);
            const component: Sample[] = [];
            const baseline: Sample[] = [];
            for (let i = 0; i < runs; i++) {
                // Interleaved, so drift on the machine hits both alike.
                component.push(run(runner, stack, "component", ""));
                baseline.push(run(runner, stack, "baseline", recording));
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
