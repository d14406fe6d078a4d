// Helm 3's exec post-renderer (pkg/postrender/exec.go), as the tests run the package's: the command looked
// up as Go's exec.LookPath does, run with argv and no shell, in the caller's working directory (Helm sets
// none), the rendered manifests on stdin; a non-zero exit or empty output is Helm's error.

import * as assert from "node:assert/strict";
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface PostRenderer {
    command: string;
    args: string[];
}

/** Where Go's exec.LookPath finds a command: as a path when it holds a separator, else the first executable on PATH. */
export function lookPath(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): string {
    if (command.includes("/")) return path.resolve(cwd, command);
    for (const directory of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
        const candidate = path.join(directory, command);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            if (fs.statSync(candidate).isFile()) return candidate;
        } catch {
            // not here
        }
    }
    throw new Error(`unable to find binary at ${command}`);
}

/** Runs a post-renderer as Helm 3 does; Helm's own failures come back as `helmError`. */
export function runLikeHelm(
    postRenderer: PostRenderer,
    manifests: string,
    cwd: string,
    env: NodeJS.ProcessEnv = process.env,
): SpawnSyncReturns<string> & { helmError?: string } {
    const result = spawnSync(lookPath(postRenderer.command, cwd, env), postRenderer.args, { cwd, env, input: manifests, encoding: "utf8" });
    assert.equal(result.error, undefined);
    const helmError =
        result.status !== 0
            ? `error while running command ${postRenderer.command}. error output:\n${result.stderr}`
            : result.stdout.trim() === ""
              ? `post-renderer "${postRenderer.command}" produced empty output`
              : undefined;
    return { ...result, helmError };
}
