#!/usr/bin/env node
// The Helm post-renderer that relocates the ama-metrics chart: rendered manifests on stdin, relocated
// manifests on stdout. `kubernetes.helm.v4.Chart` runs it through `postRenderer`, the Helm CLI through
// `--post-renderer` (the package's bin `ama-metrics-istio-relocate`).

import * as fs from "node:fs";
import * as path from "node:path";
import { problem, UsageError } from "../core/errors";
import { nodeVersionProblem } from "../core/nodeVersion";
import { parsePostRendererArgs, postRendererArgs, usage } from "./flags";
import { RelocationSettings, relocateText } from "./relocate";

/**
 * The compiled post-renderer: this file when it runs compiled (an installed package), or its compiled twin
 * in `dist/` when the repository's program runs from source. Helm then runs plain JavaScript: no
 * TypeScript compiler and no dev dependency at deploy time.
 */
export function compiledScript(): string {
    if (path.extname(__filename) === ".js") {
        return __filename;
    }
    const compiled = path.resolve(__dirname, "..", "..", "dist", "amaMetrics", "postRenderer.js");
    if (!fs.existsSync(compiled)) {
        throw new Error(`The post-renderer's compiled JavaScript ${compiled} is missing: run \`npm run build\` (\`npm ci\` runs it).`);
    }
    return compiled;
}

/**
 * The command for `kubernetes.helm.v4.Chart`'s `postRenderer`: `node` (from PATH) running the compiled
 * script, given relative to `cwd` with forward slashes, so that no machine path reaches the Chart's inputs.
 * Pulumi runs the program and the Kubernetes provider, and Helm the post-renderer, in the directory of
 * Pulumi.yaml's `main`.
 */
export function postRendererCommand(options: RelocationSettings, cwd: string = process.cwd()): { command: string; args: string[] } {
    const script = path.relative(cwd, compiledScript()).split(path.sep).join("/");
    return { command: "node", args: [script, ...postRendererArgs(options)] };
}

async function readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
}

/** The command: 0 on success, 1 when the manifests cannot be relocated, 2 on bad flags. */
export async function main(argv: string[]): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
        process.stdout.write(usage);
        return 0;
    }
    try {
        const options = parsePostRendererArgs(argv);
        if (process.stdin.isTTY) {
            throw new UsageError([
                problem(
                    "stdin",
                    "a terminal",
                    "the command reads the rendered manifests from stdin and would wait for them forever",
                    "pipe `helm template …` into it, or let Helm run it with --post-renderer",
                ),
            ]);
        }
        process.stdout.write(relocateText(await readStdin(), options));
        return 0;
    } catch (error) {
        // Helm shows this to the user: the message only, no stack trace.
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(
            message
                .split("\n")
                .map((line) => `ama-metrics-istio-relocate: ${line}\n`)
                .join(""),
        );
        return error instanceof UsageError ? 2 : 1;
    }
}

if (require.main === module) {
    // First: on an older Node the failure would come from deep inside a dependency, saying nothing of why.
    const tooOld = nodeVersionProblem("ama-metrics-istio-relocate", process.versions.node);
    if (tooOld) {
        process.stderr.write(`${tooOld}\n`);
        process.exit(2);
    }
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
