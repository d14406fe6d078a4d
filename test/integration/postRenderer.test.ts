// The post-renderer run the way Helm 3 runs it (pkg/postrender/exec.go): the command looked up on PATH
// (or taken as a path when it holds a separator), started with its arguments and no shell, in the caller's
// working directory (Helm sets none: the Kubernetes provider's, which is the program's directory), the
// rendered manifests on stdin; a non-zero exit aborts with the command's stderr, and so does empty output.
// The command is the one the component hands to the Chart, taken from its registration under the mocks.

import * as assert from "node:assert/strict";
import { execFileSync, spawnSync, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { relocateText, RelocationSettings } from "../../components/amaMetrics/relocate";
import { main } from "../../components/amaMetrics/postRenderer";
import type { AmaMetricsIstioArgs } from "../../components/core/args";
import { parseAllDocuments } from "yaml";
import { baseArgs, evaluate, fixture, helmDefaultsRendering, httpsOffRendering, one, chartRenderings } from "../harness";
import { lookPath, PostRenderer, runLikeHelm } from "../helm";

const root = path.resolve(__dirname, "..", "..");

/** Builds dist/ when a source is newer than the compiled post-renderer (the command runs compiled JavaScript). */
function ensureBuilt(): void {
    const compiled = path.join(root, "dist", "amaMetrics", "postRenderer.js");
    const sources = fs
        .readdirSync(path.join(root, "components"), { recursive: true, encoding: "utf8" })
        .filter((f) => /\.(ts|json)$/.test(f))
        .map((f) => fs.statSync(path.join(root, "components", f)).mtimeMs);
    if (fs.existsSync(compiled) && Math.max(...sources) <= fs.statSync(compiled).mtimeMs) return;
    const build = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
        cwd: root,
        encoding: "utf8",
    });
    assert.equal(build.status, 0, build.stdout + build.stderr);
}

/** The post-renderer of the Chart the component registers for these arguments. */
async function chartPostRenderer(args: Partial<AmaMetricsIstioArgs>): Promise<PostRenderer> {
    const { registrations } = await evaluate(baseArgs(args, "ama-metrics"));
    return one(registrations, "kubernetes:helm.sh/v4:Chart").inputs.postRenderer as PostRenderer;
}

const mesh = (overrides: Partial<RelocationSettings["mesh"]>): RelocationSettings["mesh"] => ({
    mode: "sidecar",
    revision: undefined,
    meshNodeDaemonSet: false,
    proxyResources: { collector: { cpu: "100m", memory: "128Mi" } },
    serviceCidr: "10.0.0.0/16",
    extraExcludeOutboundIPRanges: [],
    extraExcludeOutboundPorts: [],
    ...overrides,
});
const defaultToken = { name: "aad-msi-auth-token", namespace: "kube-system" };

// Component arguments, and the relocation they stand for, spelled out from the design's defaults. Pinned on
// purpose, unlike the tests that use the harness's relocationFor: this is where the whole path, from the
// component's arguments through the Chart's command line to the relocation, is held to the design's values.
const cases: { name: string; args: Partial<AmaMetricsIstioArgs>; options: RelocationSettings }[] = [
    { name: "the defaults", args: {}, options: { namespace: "monitoring", tokenSecret: defaultToken, mesh: mesh({}) } },
    {
        name: "sidecar with the node DaemonSet, a revision and exclusions",
        args: {
            namespace: "observability",
            istio: {
                revision: "asm-1-27",
                meshNodeDaemonSet: true,
                extraExcludeOutboundIPRanges: ["10.0.5.0/24"],
                extraExcludeOutboundPorts: [9999],
            },
        },
        options: {
            namespace: "observability",
            tokenSecret: defaultToken,
            mesh: mesh({
                revision: "asm-1-27",
                meshNodeDaemonSet: true,
                proxyResources: { collector: { cpu: "100m", memory: "128Mi" }, node: { cpu: "200m", memory: "256Mi" } },
                extraExcludeOutboundIPRanges: ["10.0.5.0/24"],
                extraExcludeOutboundPorts: [9999],
            }),
        },
    },
    {
        name: "certificates, another token secret",
        args: {
            istio: { mode: "certificates", revision: "asm-1-27", proxyResources: { targetAllocator: { memoryLimit: "256Mi" } } },
            tokenSecret: { name: "agent-token", namespace: "secrets" },
        },
        options: {
            namespace: "monitoring",
            tokenSecret: { name: "agent-token", namespace: "secrets" },
            mesh: mesh({
                mode: "certificates",
                revision: "asm-1-27",
                proxyResources: { collector: { cpu: "100m", memory: "128Mi" }, targetAllocator: { memoryLimit: "256Mi" } },
            }),
        },
    },
    {
        name: "off",
        args: { istio: { mode: "off" } },
        options: { namespace: "monitoring", tokenSecret: defaultToken, mesh: mesh({ mode: "off", proxyResources: {} }) },
    },
    {
        name: "kind scopes and the collector's replica bounds",
        args: { chart: { kindScopes: { "example.com/Widget": "Namespaced" }, collectorReplicas: { min: 3, max: 10 } } },
        options: {
            namespace: "monitoring",
            tokenSecret: defaultToken,
            mesh: mesh({}),
            kindScopes: { "example.com/Widget": "Namespaced" },
            collectorReplicas: { min: 3, max: 10 },
        },
    },
];

describe("the post-renderer, run as Helm runs it", function () {
    this.timeout(120000);
    before(ensureBuilt);

    for (const { name, args, options } of cases) {
        describe(`for ${name}`, () => {
            let postRenderer: PostRenderer;
            before(async () => {
                postRenderer = await chartPostRenderer(args);
            });

            it("is node running the compiled post-renderer, by a path relative to the program's directory", () => {
                assert.equal(postRenderer.command, "node");
                assert.equal(postRenderer.args[0], "dist/amaMetrics/postRenderer.js");
                assert.ok(fs.existsSync(path.join(root, postRenderer.args[0])));
                assert.ok(!postRenderer.args.some((a) => /ts-node|\.ts$/.test(a)), "never TypeScript");
            });

            for (const rendering of chartRenderings) {
                it(`relocates ${rendering} exactly as relocateYaml does in-process`, () => {
                    const manifests = fs.readFileSync(fixture("ama-metrics-chart", rendering), "utf8");
                    const result = runLikeHelm(postRenderer, manifests, root);
                    assert.equal(result.helmError, undefined);
                    assert.equal(result.stderr, "");
                    assert.equal(result.stdout, relocateText(manifests, options));
                    const hpa = parseAllDocuments(result.stdout)
                        .map((d) => d.toJS())
                        .find((o) => o.kind === "HorizontalPodAutoscaler" && o.metadata.name === "ama-metrics-hpa");
                    const bounds = options.collectorReplicas ?? { min: 2, max: 30 }; // the chart's defaults otherwise
                    assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [bounds.min, bounds.max]);
                    if (name === "the defaults") {
                        // A second pass over its own output changes nothing.
                        assert.equal(runLikeHelm(postRenderer, result.stdout, root).stdout, result.stdout);
                    }
                });
            }
        });
    }

    describe("fails as Helm shows it: a non-zero exit and a message, no stack trace", () => {
        const command = (...args: string[]): PostRenderer => ({ command: "node", args: ["dist/amaMetrics/postRenderer.js", ...args] });
        const manifests = fs.readFileSync(fixture("ama-metrics-chart", "rendered-aks-component.yaml"), "utf8");

        it("exit 1 for manifests that are not YAML", () => {
            const result = runLikeHelm(command("--namespace=monitoring"), "kind: [\n  - : :\n\t}{", root);
            assert.equal(result.status, 1);
            assert.equal(result.stdout, "");
            assert.match(
                result.stderr,
                /^ama-metrics-istio-relocate: The manifests are not valid YAML \(document 1, line 2, column 7\): [^\n]+\n$/,
            );
            assert.doesNotMatch(result.stderr, /\n\s+at /);
            assert.ok(result.helmError);
        });

        it("exit 1 for an object outside kube-system, and for a kind of unknown scope, which --kind-scope then allows", async () => {
            const outside = runLikeHelm(
                command("--namespace=monitoring"),
                `${manifests}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: kube-public\n`,
                root,
            );
            assert.equal(outside.status, 1);
            assert.match(outside.stderr, /ConfigMap "x" is in namespace "kube-public"/);

            const widget = `${manifests}---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: kube-system\n`;
            const unknown = runLikeHelm(command("--namespace=monitoring"), widget, root);
            assert.equal(unknown.status, 1);
            assert.match(unknown.stderr, /--kind-scope example\.com\/Widget=Namespaced/);
            assert.doesNotMatch(unknown.stderr, /\n\s+at /);
            const declared = runLikeHelm(command("--namespace=monitoring", "--kind-scope=example.com/Widget=Namespaced"), widget, root);
            assert.equal(declared.status, 0, declared.stderr);
            assert.match(declared.stdout, /kind: Widget\nmetadata:\n {2}name: w\n {2}namespace: monitoring\n/);
            // The component's chart.kindScopes reaches the same flag through the Chart's command.
            const fromComponent = await chartPostRenderer({ chart: { kindScopes: { "example.com/Widget": "Namespaced" } } });
            assert.equal(runLikeHelm(fromComponent, widget, root).stdout, declared.stdout);
        });

        it("exit 1 for input without objects, which Helm would take for a release without objects", () => {
            for (const input of ["", "---\n# nothing rendered\n"]) {
                const result = runLikeHelm(command("--namespace=monitoring"), input, root);
                assert.equal(result.status, 1, JSON.stringify(input));
                assert.equal(result.stdout, "");
                assert.match(result.stderr, /^ama-metrics-istio-relocate: The manifests hold no Kubernetes object: nothing to relocate/);
            }
        });

        it("exit 1 for a rendering whose target allocator label was renamed, naming what is missing, one line each", () => {
            const renamed = manifests.replace(/rsName: ama-metrics-operator-targets/g, "app: ama-metrics-operator-targets");
            assert.notEqual(renamed, manifests);
            const result = runLikeHelm(command("--namespace=monitoring"), renamed, root);
            assert.equal(result.status, 1);
            assert.equal(result.stdout, "");
            const lines = result.stderr.trimEnd().split("\n");
            assert.equal(lines[0], "ama-metrics-istio-relocate: The chart's rendering lacks what the relocation relies on:");
            assert.match(result.stderr, /- a Deployment whose pods carry the labels rsName=ama-metrics-operator-targets/);
            assert.match(result.stderr, /- the Service "ama-metrics-operator-targets" selecting rsName=ama-metrics-operator-targets/);
            assert.match(lines[lines.length - 1], /deploy chart version 7\.1\.0-main-07-07-2026-548e23dc/);
            assert.doesNotMatch(result.stderr, /\n\s+at /);
        });

        it("exit 1 without printing a Secret's value that names kube-system", () => {
            const password = Buffer.from("pw@postgres.kube-system.svc").toString("base64");
            const secret = `---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: kube-system\ndata:\n  url: ${password}\n`;
            const result = runLikeHelm(command("--namespace=monitoring"), manifests + secret, root);
            assert.equal(result.status, 1);
            assert.match(result.stderr, /Secret "db" still names kube-system in the decoded value of data\.url \(value redacted\)/);
            assert.ok(!result.stderr.includes(password) && !result.stderr.includes("pw@postgres"));
        });

        it("relocates Helm's defaults (the allocator's app-level HTTPS on) as the rendering with it off", () => {
            const text = (file: string) => fs.readFileSync(fixture("ama-metrics-chart", file), "utf8");
            const helmDefaults = runLikeHelm(command("--namespace=monitoring"), text(helmDefaultsRendering), root);
            assert.equal(helmDefaults.status, 0, helmDefaults.stderr);
            const httpsOff = runLikeHelm(command("--namespace=monitoring"), text(httpsOffRendering), root);
            assert.equal(httpsOff.status, 0, httpsOff.stderr);
            const parsed = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS());
            assert.deepEqual(parsed(helmDefaults.stdout), parsed(httpsOff.stdout));
        });

        it("exit 2 for arguments it refuses, each problem on a line of the one shape", () => {
            const shape = (result: SpawnSyncReturns<string>) => {
                assert.equal(result.status, 2);
                assert.equal(result.stdout, "");
                const lines = result.stderr.trimEnd().split("\n");
                for (const line of lines) assert.match(line, /^ama-metrics-istio-relocate: [^=]+? = .+?: .+?; .+$/);
                return lines;
            };
            const malformed = shape(runLikeHelm(command("--namespace=kube-system", "--frobnicate"), manifests, root));
            assert.equal(malformed.length, 2);
            assert.match(malformed.join("\n"), /--namespace = "kube-system": the collector cannot run there/);
            assert.match(malformed.join("\n"), /--frobnicate = true: unknown flag/);
            // The rules between flags, once each flag has its shape (as in the component).
            const [rule] = shape(runLikeHelm(command("--namespace=monitoring", "--mesh-mode=off", "--revision=asm-1-27"), manifests, root));
            assert.match(rule, /--revision = "asm-1-27": the mesh mode "off" injects nothing/);
        });

        it("exit 0 and the usage for --help", () => {
            const result = spawnSync(process.execPath, ["dist/amaMetrics/postRenderer.js", "--help"], { cwd: root, encoding: "utf8" });
            assert.equal(result.status, 0);
            assert.match(result.stdout, /^Usage: ama-metrics-istio-relocate --namespace <name>/);
        });

        it("exit 2 and a clear message when stdin is a terminal (run in a pseudo-terminal by script(1))", () => {
            let script: string;
            try {
                script = lookPath("script", root);
            } catch {
                // Not a skip: a skipped test goes unnoticed on CI, and this is the only run through a real terminal.
                return assert.fail(
                    "script(1) is not on PATH: this test runs the post-renderer in a pseudo-terminal with it; " +
                        "install it (util-linux; Debian and Ubuntu ship it in bsdutils)",
                );
            }
            const result = spawnSync(
                script,
                ["-qec", `"${process.execPath}" dist/amaMetrics/postRenderer.js --namespace=monitoring`, "/dev/null"],
                {
                    cwd: root,
                    encoding: "utf8",
                    input: "",
                    timeout: 30000,
                },
            );
            assert.equal(result.status, 2, result.stdout + result.stderr);
            assert.match(result.stdout + result.stderr, /stdin = "a terminal": the command reads the rendered manifests from stdin/);
        });

        it("exit 2 and the same message when stdin is a terminal, in-process", async () => {
            const written: string[] = [];
            const write = process.stderr.write;
            const tty = Object.getOwnPropertyDescriptor(process.stdin, "isTTY");
            Object.defineProperty(process.stdin, "isTTY", { value: true, configurable: true });
            process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
            try {
                assert.equal(await main(["--namespace=monitoring"]), 2);
            } finally {
                process.stderr.write = write;
                if (tty) Object.defineProperty(process.stdin, "isTTY", tty);
                else delete (process.stdin as { isTTY?: boolean }).isTTY;
            }
            assert.deepEqual(written, [
                'ama-metrics-istio-relocate: stdin = "a terminal": the command reads the rendered manifests from stdin and would wait for them forever; pipe `helm template …` into it, or let Helm run it with --post-renderer\n',
            ]);
        });
    });
});

describe("the post-renderer's weight", () => {
    it("loads no Pulumi SDK: Helm users need none, and each render starts fast", () => {
        const root = path.resolve(__dirname, "..", "..");
        const loaded = execFileSync(
            process.execPath,
            [
                "-e",
                'require("./dist/amaMetrics/postRenderer.js"); console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("node_modules"))))',
            ],
            { cwd: root, encoding: "utf8" },
        );
        const modules: string[] = JSON.parse(loaded);
        assert.deepEqual(
            modules.filter((f) => f.includes("@pulumi")),
            [],
        );
    });
});
