// One measured run of `npm run bench`: evaluates a stack offline with one of three programs, then reports
// the process's CPU time and peak memory.
// - `as-run`: the TypeScript program, loaded through ts-node registered exactly as Pulumi's Node host
//   registers it (@pulumi/pulumi cmd/run/run.js: the tsconfig Pulumi.yaml names, transpile-only when its
//   compilerOptions.noCheck says so, the same compiler options);
// - `component`: the program compiled to JavaScript;
// - `baseline`: a compiled program that registers the same resources directly, with no component.

import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateStack } from "./offline";

const projectDir = process.cwd();

/** Registers ts-node as the Node host does for a CommonJS TypeScript project. */
function registerAsPulumiDoes(tsconfig: string): void {
    // Pulumi's own helpers, the same the host calls.
    const tsutils = require(require.resolve("@pulumi/pulumi/tsutils", { paths: [projectDir] }));
    const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsconfig);
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    require(require.resolve(tsnodeRequire, { paths: [projectDir] })).register({
        compiler: typescriptRequire,
        transpileOnly: compilerOptions.noCheck,
        project: tsconfig,
        skipProject: !fs.existsSync(tsconfig),
        compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
    });
}

async function main() {
    const [stack, program, recording] = process.argv.slice(2);
    let resources: number;
    if (program === "as-run") {
        const tsconfig =
            /^\s+tsconfig:\s*(\S+)/m.exec(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"))?.[1] ?? "tsconfig.json";
        registerAsPulumiDoes(tsconfig);
        resources = (await evaluateStack(stack, path.join(projectDir, "index.ts"))).length;
    } else if (program === "component") {
        const registrations = await evaluateStack(stack);
        if (recording) {
            fs.writeFileSync(recording, JSON.stringify(registrations));
        }
        resources = registrations.length;
    } else {
        process.env.AMA_METRICS_ISTIO_BENCH_RECORDING = recording;
        resources = (await evaluateStack(stack, path.join(__dirname, "baseline"))).length;
    }
    const usage = process.resourceUsage();
    process.stdout.write(
        JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKiB: usage.maxRSS, resources }) + "\n",
    );
}

main().catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
});
