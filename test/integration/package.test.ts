// The npm package as a consumer gets it: `npm pack`ed, installed into a project of its own (offline: the
// tarball, with its dependencies and the Pulumi SDKs linked from this repository's node_modules), the
// component constructed there under Pulumi's mocks, the post-renderer of its Chart run as Helm 3 runs
// it from that project's directory, and the README's consumer unit test compiled and run there.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { relocateText } from "../../components/amaMetrics/relocate";
import type { AmaMetricsIstioArgs } from "../../components/core/args";
import { parseAllDocuments } from "yaml";
import { baseArgs, fixture, helmDefaultsRendering, chartRenderings, relocationFor } from "../harness";
import { runLikeHelm } from "../helm";

const root = path.resolve(__dirname, "..", "..");

/** The README's consumer unit test: the TypeScript block of its "Testing your program" section. */
function readmeUnitTest(): string {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const section = /^### Testing your program\n([\s\S]*?)^#{2,3} /m.exec(readme)?.[1] ?? "";
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, "the README's Testing your program section has a TypeScript block");
    return block;
}

function run(command: string, args: string[], cwd: string): string {
    const result = spawnSync(command, args, { cwd, encoding: "utf8" });
    assert.equal(result.status, 0, `${command} ${args.join(" ")}\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

// Constructs the component from the installed package under mocks and prints the Chart's inputs.
const consumerProgram = `
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");
const azure = require("@pulumi/azure-native");
const charts = [];
pulumi.runtime.setMocks(
    {
        newResource(args) {
            if (args.type === "kubernetes:helm.sh/v4:Chart") charts.push(args.inputs);
            return { id: args.name + "-id", state: args.inputs };
        },
        call() {
            return {};
        },
    },
    "consumer",
    "test",
    false,
);
const { AmaMetricsIstio } = require("ama-metrics-istio");
new AmaMetricsIstio("metrics", JSON.parse(process.argv[2]), {
    providers: { kubernetes: new k8s.Provider("k8s", {}), "azure-native": new azure.Provider("azure", {})},
});
process.once("beforeExit", () => process.stdout.write(JSON.stringify(charts)));
`;

describe("the npm package, installed in a consumer's project", function () {
    this.timeout(300000);
    let workDir: string;
    let consumer: string;
    let packed: string[];
    let packOutput: string;
    let developmentManifest: string;
    let publishedManifest: Record<string, unknown>;

    before(() => {
        // `npm pack` as a maintainer runs it: its lifecycle scripts build once and strip the manifest.
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ama-metrics-istio-package-"));
        developmentManifest = fs.readFileSync(path.join(root, "package.json"), "utf8");
        packOutput = run("npm", ["pack", "--foreground-scripts", "--pack-destination", workDir], root);
        const [tarball] = fs.readdirSync(workDir).filter((f) => f.endsWith(".tgz"));
        packed = run("tar", ["-tzf", path.join(workDir, tarball)], workDir)
            .split("\n")
            .filter(Boolean)
            .map((f) => f.replace(/^package\//, ""));
        publishedManifest = JSON.parse(run("tar", ["-xzOf", path.join(workDir, tarball), "package/package.json"], workDir));

        // Offline: the tarball, and its dependencies and peer dependencies linked from this repository.
        consumer = path.join(workDir, "consumer");
        fs.mkdirSync(consumer);
        fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
        const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        const linked = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)].map((name) =>
            path.join(root, "node_modules", name),
        );
        run(
            "npm",
            ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", path.join(workDir, tarball), ...linked],
            consumer,
        );
        fs.writeFileSync(path.join(consumer, "program.js"), consumerProgram);
    });

    after(() => {
        if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    });

    it("builds once when packed, and ships a manifest without the development scripts, restoring package.json after", () => {
        const scripts = [...packOutput.matchAll(/^> ama-metrics-istio@\S+ (\S+)$/gm)].map((m) => m[1]);
        assert.deepEqual(scripts, ["prepack", "build", "postpack"]);
        assert.equal(publishedManifest.scripts, undefined, "no lifecycle script (prepare would need scripts/node22, not in the tarball)");
        assert.equal(publishedManifest.devDependencies, undefined);
        const development = JSON.parse(developmentManifest);
        for (const field of ["name", "version", "exports", "bin", "files", "engines", "dependencies", "peerDependencies"]) {
            assert.deepEqual(publishedManifest[field], development[field], field);
        }
        assert.equal(fs.readFileSync(path.join(root, "package.json"), "utf8"), developmentManifest);
        assert.ok(!fs.existsSync(path.join(root, ".package.json.prepack")));
    });

    it("refuses to publish the directory, whose manifest is the development one, and names the tarball to publish", () => {
        // --dry-run: even if the refusal were gone, nothing would be sent.
        const result = spawnSync("npm", ["publish", "--dry-run"], { cwd: root, encoding: "utf8" });
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /publish the packed tarball instead .*npm pack && npm publish ama-metrics-istio-<version>\.tgz/);
    });

    it("publishes the compiled library with its declarations, the post-renderer, the README and the docs it links, and no TypeScript source", () => {
        for (const file of [
            "package.json",
            "README.md",
            "LICENSE",
            "dist/index.js",
            "dist/index.d.ts",
            "dist/amaMetrics/postRenderer.js",
            "dist/azure/data/recording-rules.json",
            // The README links its design notes: they ship with it, so the links hold on npm too.
            ...fs.readdirSync(path.join(root, "docs")).map((doc) => `docs/${doc}`),
        ]) {
            assert.ok(packed.includes(file), `${file} is published`);
        }
        assert.deepEqual(
            packed.filter((f) => !f.startsWith("dist/") && !f.startsWith("docs/") && !["package.json", "README.md", "LICENSE"].includes(f)),
            [],
        );
        assert.deepEqual(
            packed.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
            [],
        );
        const installed = path.join(consumer, "node_modules", "ama-metrics-istio", "dist", "amaMetrics", "postRenderer.js");
        assert.match(fs.readFileSync(installed, "utf8"), /^#!\/usr\/bin\/env node\n/);
    });

    // The module settings of a consumer's tsconfig.json: Node's (which reads the package's "exports"), and the
    // older CommonJS ones, which read "types" and "typesVersions" instead.
    for (const [settings, compilerOptions] of [
        ["node16", { module: "node16", moduleResolution: "node16" }],
        ["commonjs with node resolution", { module: "commonjs", moduleResolution: "node" }],
    ] as const) {
        it(`runs the README's consumer unit test with ama-metrics-istio/testing, compiled against the installed package's types (${settings})`, () => {
            const dir = path.join(consumer, settings.replace(/\W+/g, "-"));
            fs.mkdirSync(dir);
            fs.writeFileSync(path.join(dir, "monitoring.test.ts"), readmeUnitTest());
            fs.writeFileSync(
                path.join(dir, "tsconfig.json"),
                JSON.stringify({
                    compilerOptions: {
                        target: "ES2022",
                        ...compilerOptions,
                        strict: true,
                        outDir: "out",
                        types: ["node"],
                        typeRoots: [path.join(root, "node_modules", "@types")],
                    },
                    files: ["monitoring.test.ts"],
                }),
            );
            run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], dir);
            const result = spawnSync(process.execPath, ["--test", "--test-reporter=tap", "out/monitoring.test.js"], {
                cwd: dir,
                encoding: "utf8",
            });
            assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
            assert.match(result.stdout, /^# pass 3$/m);
            assert.match(result.stdout, /^# fail 0$/m);
        });
    }

    // The relocation the component itself would hand its post-renderer for these arguments.
    for (const { name, args } of [
        { name: "the defaults", args: {} },
        { name: "the certificates mode", args: { istio: { mode: "certificates", revision: "asm-1-27" } } },
    ] as { name: string; args: Partial<AmaMetricsIstioArgs> }[]) {
        const options = relocationFor(args);
        it(`gives its Chart, for ${name}, a post-renderer that relocates from the consumer's directory as the source does`, () => {
            const charts = JSON.parse(run(process.execPath, ["program.js", JSON.stringify(baseArgs(args, "ama-metrics"))], consumer));
            assert.equal(charts.length, 1);
            const postRenderer = charts[0].postRenderer as { command: string; args: string[] };
            assert.equal(postRenderer.command, "node");
            assert.equal(postRenderer.args[0], "node_modules/ama-metrics-istio/dist/amaMetrics/postRenderer.js");
            assert.ok(!postRenderer.args.some((a) => /ts-node|\.ts$/.test(a)), "never TypeScript");
            for (const rendering of chartRenderings) {
                const manifests = fs.readFileSync(fixture("ama-metrics-chart", rendering), "utf8");
                const result = runLikeHelm(postRenderer, manifests, consumer);
                assert.equal(result.status, 0, result.stderr);
                assert.equal(result.stdout, relocateText(manifests, options), rendering);
            }
        });
    }

    it("installs the ama-metrics-istio-relocate command for the Helm CLI, which refuses Helm's defaults (--post-renderer ama-metrics-istio-relocate)", () => {
        const env = { ...process.env, PATH: `${path.join(consumer, "node_modules", ".bin")}${path.delimiter}${process.env.PATH}` };
        const manifests = fs.readFileSync(fixture("ama-metrics-chart", "rendered-aks-component.yaml"), "utf8");
        const result = runLikeHelm(
            { command: "ama-metrics-istio-relocate", args: ["--namespace", "monitoring"] },
            manifests,
            consumer,
            env,
        );
        assert.equal(result.status, 0, result.stderr);
        // The command's defaults are the component's.
        assert.equal(result.stdout, relocateText(manifests, relocationFor()));
        // What a Helm CLI user gets without the component's values: Helm's defaults, relocated with the
        // allocator's HTTPS off, as the component's rendering is.
        const helmDefaults = runLikeHelm(
            { command: "ama-metrics-istio-relocate", args: ["--namespace", "monitoring"] },
            fs.readFileSync(fixture("ama-metrics-chart", helmDefaultsRendering), "utf8"),
            consumer,
            env,
        );
        assert.equal(helmDefaults.status, 0, helmDefaults.stderr);
        const parsed = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS());
        assert.deepEqual(parsed(helmDefaults.stdout), parsed(relocateText(manifests, relocationFor())));
    });
});
