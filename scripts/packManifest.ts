// `npm pack` ships the manifest a consumer needs, without the development one's scripts and
// devDependencies: their lifecycle scripts (`prepare`) call scripts/node22, which the tarball does not
// hold, and npm lists them as install scripts to approve. `prepack` runs `strip` after the one build:
// package.json is rewritten for the tarball (npm reads it from disk when it packs, and runs no `prepare`
// then) and kept aside; `postpack` runs `restore` (npm takes it from the manifest it read before
// `prepack`). A pack interrupted between the two is healed by the next `strip`, which restores first.
// Publish the tarball (`npm publish ama-metrics-istio-<version>.tgz`): the registry then gets its manifest.

import * as fs from "node:fs";
import * as path from "node:path";

const manifest = path.join(process.cwd(), "package.json");
const aside = path.join(process.cwd(), ".package.json.prepack");

/** The manifest as published: no scripts, no devDependencies, the rest as written. */
function publishedManifest(development: Record<string, unknown>): Record<string, unknown> {
    const { scripts: _scripts, devDependencies: _devDependencies, ...published } = development;
    return published;
}

function restore(): void {
    if (fs.existsSync(aside)) {
        fs.copyFileSync(aside, manifest);
        fs.rmSync(aside);
    }
}

function strip(): void {
    restore();
    const text = fs.readFileSync(manifest, "utf8");
    fs.writeFileSync(aside, text);
    fs.writeFileSync(manifest, JSON.stringify(publishedManifest(JSON.parse(text)), null, 2) + "\n");
}

if (require.main === module) {
    const command = process.argv[2];
    if (command === "strip") {
        strip();
    } else if (command === "restore") {
        restore();
    } else {
        process.stderr.write("usage: packManifest.ts strip|restore (npm's prepack and postpack run it)\n");
        process.exit(2);
    }
}
