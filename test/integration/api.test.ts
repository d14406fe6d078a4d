// The package's public surface as a consumer's compiler sees it: the declarations the build emits for its
// two entries, `ama-metrics-istio` (dist/index.d.ts) and `ama-metrics-istio/testing` (dist/testing.d.ts).
// api-extractor (Microsoft's checker of a package's API, run over those .d.ts) finds no type reachable from
// an entry that the entry does not export (its "ae-forgotten-export"), except the known ones listed below,
// and the declarations compile without skipLibCheck: nothing stripInternal removed is still referenced.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Extractor, ExtractorConfig, ExtractorLogLevel, ExtractorMessage, ExtractorMessageCategory } from "@microsoft/api-extractor";

const root = path.resolve(__dirname, "..", "..");

/**
 * Internal types the public API still reaches, each with the change that removes it. When one no longer
 * leaks, the test fails until it is removed from this list.
 */
const knownLeaks: Record<string, string> = {};

/** api-extractor's messages for one entry's declarations. */
function extract(entry: string): ExtractorMessage[] {
    const declarations = path.join(root, "dist", `${entry}.d.ts`);
    const config = ExtractorConfig.prepare({
        configObject: {
            projectFolder: root,
            mainEntryPointFilePath: declarations,
            compiler: {
                overrideTsconfig: {
                    compilerOptions: {
                        lib: ["ES2023"],
                        types: ["node"],
                        module: "node16",
                        moduleResolution: "node16",
                        strict: true,
                        skipLibCheck: false,
                    },
                    files: [declarations],
                },
            },
            apiReport: { enabled: false, reportFileName: "<unscopedPackageName>.api.md" },
            docModel: { enabled: false },
            dtsRollup: { enabled: false },
            tsdocMetadata: { enabled: false },
        },
        configObjectFullPath: undefined,
        packageJsonFullPath: path.join(root, "package.json"),
    });
    const messages: ExtractorMessage[] = [];
    Extractor.invoke(config, {
        localBuild: true,
        messageCallback: (message) => {
            messages.push(message);
            message.handled = true;
        },
    });
    return messages;
}

describe("the public API's declarations", function () {
    this.timeout(180000);
    const messages = new Map<string, ExtractorMessage[]>();
    before(() => {
        for (const entry of ["index", "testing"]) {
            messages.set(entry, extract(entry));
        }
    });

    for (const entry of ["index", "testing"]) {
        it(`dist/${entry}.d.ts compiles without skipLibCheck (nothing stripped is still referenced)`, () => {
            const errors = messages
                .get(entry)!
                .filter((m) => m.category === ExtractorMessageCategory.Compiler || m.logLevel === ExtractorLogLevel.Error);
            assert.deepEqual(
                errors.map((m) => `${m.messageId} ${m.text} ${m.sourceFilePath ?? ""}`),
                [],
            );
        });
    }

    it("leaks no internal type through the exports, except the known ones", () => {
        const leaked = [...messages.values()]
            .flat()
            .filter((m) => m.messageId === "ae-forgotten-export")
            .map((m) => /The symbol "([^"]+)"/.exec(m.text)![1]);
        assert.deepEqual([...new Set(leaked)].sort(), Object.keys(knownLeaks).sort());
    });

    it("strips every declaration marked internal from the published declarations", () => {
        const declarations = (dir: string): string[] =>
            fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
                const full = path.join(dir, e.name);
                return e.isDirectory() ? declarations(full) : e.name.endsWith(".d.ts") ? [full] : [];
            });
        const files = declarations(path.join(root, "dist"));
        assert.ok(files.length > 10);
        assert.deepEqual(
            files.filter((file) => fs.readFileSync(file, "utf8").includes("@internal")).map((file) => path.relative(root, file)),
            [],
        );
        // What the marks cover: the mocks' helpers and the errors' builders are not in the declarations.
        const errors = fs.readFileSync(path.join(root, "dist", "core", "errors.d.ts"), "utf8");
        assert.doesNotMatch(errors, /function problem\b|class UsageError\b/);
        assert.match(errors, /class AmaMetricsIstioArgumentError\b/);
    });
});
