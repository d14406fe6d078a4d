// core/ is the base layer: the feature folders (azure, mesh, prometheus, amaMetrics, verify) import it,
// and it imports none of them, so a feature's facts and rules live in the feature (or, when core needs a
// fact, under core/facts/) and the component composes the features' pieces (components/arguments/).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const components = path.resolve(__dirname, "..", "..", "components");
const core = path.join(components, "core");
const features = ["azure", "mesh", "prometheus", "amaMetrics", "verify"].map((folder) => path.join(components, folder));

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        return entry.isDirectory() ? sources(file) : entry.name.endsWith(".ts") ? [file] : [];
    });
}

/** Every module a source names: `import … from`, `export … from`, `import type`, `import("…")`, `require("…")`. */
function specifiers(text: string): string[] {
    const pattern = /\b(?:from|import|require)\s*\(?\s*["']([^"']+)["']/g;
    return [...text.matchAll(pattern)].map((match) => match[1]);
}

/** The relative imports of core's files that land outside core/, as "file: specifier". */
function coreImportsOutsideCore(): string[] {
    return sources(core).flatMap((file) =>
        specifiers(fs.readFileSync(file, "utf8"))
            .filter((specifier) => specifier.startsWith("."))
            .filter((specifier) => {
                const target = path.resolve(path.dirname(file), specifier);
                return features.some((feature) => target === feature || target.startsWith(feature + path.sep));
            })
            .map((specifier) => `${path.relative(components, file)}: ${specifier}`),
    );
}

describe("layers", () => {
    it("finds the imports it looks for (a file of core that names a feature folder is caught)", () => {
        const names = specifiers(
            'import { a } from "../mesh/x";\nimport type { B } from "../azure/y";\nexport { c } from "./z";\nconst d = await import("../verify/w");',
        );
        assert.deepEqual(names, ["../mesh/x", "../azure/y", "./z", "../verify/w"]);
    });

    it("no file under components/core/ imports from a feature folder", () => {
        assert.ok(sources(core).length > 10, "core's sources are found");
        assert.deepEqual(coreImportsOutsideCore(), []);
    });
});
