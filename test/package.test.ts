// The npm package as a consumer gets it: what it publishes, its entry points, and the Helm
// post-renderer running from an installed copy exactly as it runs from source.

import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RelocationOptions } from "../components/relocate";
import { postRendererCommand } from "../components/postRenderer";
import { fixture } from "./helpers";

const root = path.resolve(__dirname, "..");
const chartOutput = fs.readFileSync(fixture("ama-metrics-chart", "rendered-aks.yaml"), "utf8");
const options: RelocationOptions = {
    namespace: "monitoring",
    tokenSecret: { name: "aad-msi-auth-token", namespace: "kube-system" },
    mesh: { mode: "sidecar", revision: "asm-1-27", meshNodeDaemonSet: true, proxyResources: { collector: { cpu: "100m" } } },
};

function runPostRenderer(command: { command: string; args: string[] }, cwd: string) {
    return spawnSync(command.command, command.args, { cwd, input: chartOutput, encoding: "utf8" });
}

describe("the npm package", function () {
    this.timeout(180000);
    let consumer: string;
    let installed: string;
    let packed: string[];

    before(() => {
        // Build as `npm pack` would (prepack), then list what it would publish.
        execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "pipe" });
        const npm = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
        assert.equal(npm.status, 0, npm.stderr);
        packed = JSON.parse(npm.stdout)[0].files.map((f: { path: string }) => f.path);

        // A consumer project with the package installed under node_modules (inside this project, so
        // that the package's own dependency, yaml, resolves as npm would have installed it).
        fs.mkdirSync(path.join(root, ".tools"), { recursive: true });
        consumer = fs.mkdtempSync(path.join(root, ".tools", "consumer-"));
        installed = path.join(consumer, "node_modules", "ama-metrics-istio");
        fs.mkdirSync(installed, { recursive: true });
        for (const file of packed) {
            fs.mkdirSync(path.dirname(path.join(installed, file)), { recursive: true });
            fs.copyFileSync(path.join(root, file), path.join(installed, file));
        }
    });

    after(() => {
        fs.rmSync(consumer, { recursive: true, force: true });
    });

    it("publishes the compiled library with type declarations, the rules data and the README only", () => {
        for (const file of ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts", "dist/postRenderer.js", "dist/amaMetricsIstio.d.ts", "dist/data/recording-rules.json"]) {
            assert.ok(packed.includes(file), `${file} is not published`);
        }
        assert.deepEqual(packed.filter((f) => !f.startsWith("dist/") && !["package.json", "README.md", "LICENSE"].includes(f)), []);
        assert.deepEqual(packed.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), [], "TypeScript sources are not published");
    });

    it("declares its entry points, Node 22 and the Pulumi SDKs as caret peer dependencies", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        assert.equal(manifest.name, "ama-metrics-istio");
        assert.equal(manifest.exports["."].types, "./dist/index.d.ts");
        assert.equal(manifest.exports["."].default, "./dist/index.js");
        assert.equal(manifest.bin["ama-metrics-istio-relocate"], "dist/postRenderer.js");
        assert.equal(manifest.engines.node, ">=22");
        for (const sdk of ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/azure-native", "@pulumi/random"]) {
            assert.match(manifest.peerDependencies[sdk], /^\^/, `${sdk} is not a caret peer dependency`);
            assert.ok(manifest.devDependencies[sdk], `${sdk} is not a dev dependency for the tests`);
            assert.equal(manifest.dependencies?.[sdk], undefined, `${sdk} must not be a direct dependency`);
        }
        assert.match(fs.readFileSync(path.join(installed, "dist", "postRenderer.js"), "utf8"), /^#!\/usr\/bin\/env node\n/);
    });

    it("exports the component from the installed package", () => {
        const pkg = require(installed);
        assert.equal(typeof pkg.AmaMetricsIstio, "function");
        assert.equal(pkg.componentType, "ama-metrics-istio:index:AmaMetricsIstio");
    });

    it("runs its post-renderer from the installed copy, by a relative path, as it runs from source", () => {
        const installedCommand = require(installed).postRendererCommand(options, consumer);
        assert.deepEqual(installedCommand.args.slice(0, 1), ["node_modules/ama-metrics-istio/dist/postRenderer.js"]);
        const fromPackage = runPostRenderer(installedCommand, consumer);
        assert.equal(fromPackage.status, 0, fromPackage.stderr);

        const fromSource = runPostRenderer(postRendererCommand(options, root), root);
        assert.equal(fromSource.status, 0, fromSource.stderr);
        assert.equal(fromPackage.stdout, fromSource.stdout);
        assert.match(fromPackage.stdout, /namespace: monitoring/);
    });
});
