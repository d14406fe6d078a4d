// Pulumi runs the compiled program (Pulumi.yaml `main`), so that a preview loads neither ts-node nor the
// TypeScript compiler. The price is a build step; this check makes forgetting it loud instead of previewing
// yesterday's code. The program imports this module first: loading it runs the check.

import * as fs from "node:fs";
import * as path from "node:path";

const sourceFile = /\.(ts|json)$/;

/** Every file the build reads: the program's own, the library's and the compiler settings. */
function sources(projectDir: string): string[] {
    const own = fs
        .readdirSync(projectDir)
        .filter((file) => file.endsWith(".ts") || /^tsconfig.*\.json$/.test(file))
        .map((file) => path.join(projectDir, file));
    const library = path.join(projectDir, "components");
    const libraryFiles = fs
        .readdirSync(library, { recursive: true, encoding: "utf8" })
        .filter((file) => sourceFile.test(file))
        .map((file) => path.join(library, file));
    return [...own, ...libraryFiles];
}

/**
 * Refuses to run a compiled program older than any source it was built from. `compiledFile` is the calling
 * module's file: from source (the offline plan, the tests) there is nothing to compare.
 */
export function refuseStaleBuild(compiledFile: string): void {
    if (!compiledFile.endsWith(".js")) {
        return;
    }
    const projectDir = path.resolve(path.dirname(compiledFile), "..", "..");
    const builtAt = Math.min(
        ...[compiledFile, path.join(projectDir, "dist", "index.js")].map((file) => {
            if (!fs.existsSync(file)) {
                throw new Error(`${path.relative(projectDir, file)} is missing: run \`npm run build\` in ${projectDir}`);
            }
            return fs.statSync(file).mtimeMs;
        }),
    );
    const changed = sources(projectDir).filter((file) => fs.statSync(file).mtimeMs > builtAt);
    if (changed.length > 0) {
        const names = changed.map((file) => path.relative(projectDir, file));
        throw new Error(
            `the compiled program is older than ${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}: ` +
                "run `npm run build` (Pulumi runs build/program, compiled from index.ts and components/), then run Pulumi again",
        );
    }
}

// Compiled, this file sits beside the program's index.js, built in the same run.
refuseStaleBuild(__filename);
