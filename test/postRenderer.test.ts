import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { apiGroup, findBuiltInKind, Manifest } from "../components/kubernetesApi";
import { parsePostRendererArgs, postRendererArgs, postRendererCommand } from "../components/postRenderer";
import { RelocationOptions } from "../components/relocate";

const root = path.resolve(__dirname, "..");
const fixturePath = path.resolve(__dirname, "../../shared/fixtures/ama-metrics-chart/rendered-aks.yaml");
const fixtureText = fs.readFileSync(fixturePath, "utf8");
const fixture: Manifest[] = YAML.parseAllDocuments(fixtureText).map(d => d.toJS());

function relocationOptions(namespace: string, mesh: Partial<RelocationOptions["mesh"]> = {}): RelocationOptions {
    return {
        namespace,
        tokenSecret: { name: "aad-msi-auth-token", namespace: "kube-system" },
        mesh: {
            mode: "sidecar",
            meshNodeDaemonSet: true,
            proxyResources: { collector: { cpu: "100m", memory: "128Mi" }, node: { cpu: "200m", memory: "256Mi" } },
            ...mesh,
        },
    };
}

/** Runs the post-renderer exactly as the Chart would: the command, from the project directory. */
function run(command: { command: string; args: string[] }, input: string) {
    const result = spawnSync(command.command, command.args, { cwd: root, input, encoding: "utf8" });
    assert.equal(result.error, undefined);
    return result;
}

function parse(text: string): Manifest[] {
    return YAML.parseAllDocuments(text).map(d => {
        assert.deepEqual(d.errors, []);
        return d.toJS();
    });
}

const isNamespaced = (o: Manifest) => findBuiltInKind(apiGroup(o.apiVersion!), o.kind!)!.namespaced;
const key = (o: Manifest) => `${o.kind}/${o.metadata?.name}`;

async function validateAgainstUpstreamSchema(object: Manifest): Promise<void> {
    const module: Record<string, new (data: unknown) => { validate(): void }> = await import(
        `kubernetes-models/${object.apiVersion}/${object.kind}`
    );
    new module[object.kind!](object).validate();
}

describe("postRenderer", () => {
    for (const namespace of ["monitoring", "observability"]) {
        describe(`over the chart's rendered manifests, into ${namespace}`, () => {
            const options = relocationOptions(namespace);
            const command = postRendererCommand(options, root);
            let stdout = "";
            let output: Manifest[] = [];

            before(() => {
                const result = run(command, fixtureText);
                assert.equal(result.stderr, "");
                assert.equal(result.status, 0);
                stdout = result.stdout;
                output = parse(stdout);
            });

            it("keeps every object, in order", () => {
                assert.deepEqual(
                    output.map(o => o.kind),
                    fixture.map(o => o.kind),
                );
            });

            it("leaves the collector's replica count to its autoscaler", () => {
                const hpa = output.find(o => o.kind === "HorizontalPodAutoscaler")!;
                const target = (hpa.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name;
                const collector = output.find(o => o.kind === "Deployment" && o.metadata?.name === target)!;
                assert.equal((collector.spec as Record<string, unknown>).replicas, undefined);
                const rendered = fixture.find(o => o.kind === "Deployment" && o.metadata?.name === target)!;
                assert.equal((rendered.spec as Record<string, unknown>).replicas, 2, "the chart renders a fixed count");
            });

            it("leaves no namespaced object in kube-system", () => {
                const namespaced = output.filter(isNamespaced);
                assert.equal(namespaced.length, 11);
                for (const object of namespaced) {
                    assert.equal(object.metadata?.namespace, namespace, key(object));
                }
                for (const object of output.filter(o => !isNamespaced(o))) {
                    assert.equal(object.metadata?.namespace, undefined, key(object));
                }
            });

            it("renames the cluster-scoped objects consistently and keeps the CRD names", () => {
                const names = (kind: string, objects: Manifest[]) =>
                    objects.filter(o => o.kind === kind).map(o => o.metadata?.name);
                assert.deepEqual(names("ClusterRole", output), [`ama-metrics-reader-${namespace}`, `ama-metrics-ksm-${namespace}`]);
                assert.deepEqual(names("ClusterRoleBinding", output), [
                    `ama-metrics-clusterrolebinding-${namespace}`,
                    `ama-metrics-ksm-${namespace}`,
                ]);
                assert.deepEqual(names("CustomResourceDefinition", output), names("CustomResourceDefinition", fixture));
                // Every roleRef names a ClusterRole of the output.
                const roles = new Set(names("ClusterRole", output));
                for (const binding of output.filter(o => o.kind === "ClusterRoleBinding")) {
                    const roleRef = binding.roleRef as { kind: string; name: string };
                    assert.equal(roleRef.kind, "ClusterRole");
                    assert.ok(roles.has(roleRef.name), `${key(binding)} → ${roleRef.name}`);
                }
            });

            it("points every ServiceAccount subject at the ServiceAccount in the target namespace", () => {
                const accounts = new Set(
                    output.filter(o => o.kind === "ServiceAccount").map(o => `${o.metadata?.namespace}/${o.metadata?.name}`),
                );
                const subjects = output.flatMap(o => (o.subjects as { kind: string; name: string; namespace: string }[]) ?? []);
                assert.equal(subjects.length, 2);
                for (const subject of subjects) {
                    assert.equal(subject.kind, "ServiceAccount");
                    assert.ok(accounts.has(`${subject.namespace}/${subject.name}`), `${subject.namespace}/${subject.name}`);
                }
            });

            it("replaces the literal namespace values and keeps the downward API ones", () => {
                const containers = output.flatMap(o => ((o.spec as any)?.template?.spec?.containers ?? []) as any[]);
                const env = containers.flatMap(c => (c.env ?? []).map((e: any) => ({ container: c.name, ...e })));
                assert.ok(!env.some(e => e.value === "kube-system"), "no env value is kube-system");
                assert.deepEqual(
                    env.filter(e => e.name === "OTELCOL_NAMESPACE" || (e.name === "POD_NAMESPACE" && e.value !== undefined)),
                    [
                        { container: "targetallocator", name: "OTELCOL_NAMESPACE", value: namespace },
                        { container: "config-reader", name: "POD_NAMESPACE", value: namespace },
                    ],
                );
                const downward = env.filter(e => e.name === "POD_NAMESPACE" && e.valueFrom !== undefined);
                assert.equal(downward.length, 3);
                for (const e of downward) {
                    assert.deepEqual(e.valueFrom, { fieldRef: { fieldPath: "metadata.namespace" } });
                }
            });

            it("leaves the token adapters reading kube-system/aad-msi-auth-token", () => {
                const adapters = output
                    .flatMap(o => ((o.spec as any)?.template?.spec?.containers ?? []) as any[])
                    .filter(c => c.name.startsWith("addon-token-adapter"));
                assert.equal(adapters.length, 3);
                for (const adapter of adapters) {
                    assert.ok(adapter.args.includes("--secret-namespace=kube-system"));
                    assert.ok(adapter.args.includes("--secret-name=aad-msi-auth-token"));
                }
            });

            it("writes only objects that the upstream Kubernetes schemas accept", async () => {
                for (const object of output) {
                    await validateAgainstUpstreamSchema(object);
                }
            });

            it("gives byte-identical output when run over its own output", () => {
                const second = run(command, stdout);
                assert.equal(second.status, 0);
                assert.equal(second.stdout, stdout);
            });
        });
    }

    it("passes the token secret and mesh options from its arguments", () => {
        const options: RelocationOptions = {
            ...relocationOptions("monitoring", { mode: "certificates", revision: "asm-1-27" }),
            tokenSecret: { name: "agent-token", namespace: "secrets" },
        };
        const result = run(postRendererCommand(options, root), fixtureText);
        assert.equal(result.status, 0, result.stderr);
        const output = parse(result.stdout);
        const collector = output.find(o => o.kind === "Deployment" && o.metadata?.name === "ama-metrics") as any;
        assert.equal(collector.spec.template.metadata.labels["istio.io/rev"], "asm-1-27");
        const adapter = collector.spec.template.spec.containers.find((c: any) => c.name === "addon-token-adapter");
        assert.deepEqual(adapter.args.slice(0, 2), ["--secret-namespace=secrets", "--secret-name=agent-token"]);
    });

    it("fails with exit code 1 and a plain message on input that is not YAML", () => {
        const result = run(postRendererCommand(relocationOptions("monitoring"), root), "kind: [\n  - : :\n\t}{");
        assert.equal(result.status, 1);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /^ama-metrics-istio-relocate: The manifests are not valid YAML \(document 1\)/);
        assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    });

    it("fails with exit code 1 and names the bad flag", () => {
        const { command, args } = postRendererCommand(relocationOptions("monitoring"), root);
        const unknown = run({ command, args: [...args, "--frobnicate"] }, fixtureText);
        assert.equal(unknown.status, 1);
        assert.match(unknown.stderr, /--frobnicate/);
        const badMode = run({ command, args: [...args.filter(a => !a.startsWith("--mesh-mode")), "--mesh-mode=ambient"] }, "");
        assert.equal(badMode.status, 1);
        assert.match(badMode.stderr, /Invalid --mesh-mode "ambient": use one of sidecar, certificates, off/);
        assert.doesNotMatch(badMode.stderr, /\n\s+at /);
    });

    describe("postRendererCommand", () => {
        it("runs this module with node from PATH, by a path relative to the project directory", () => {
            const { command, args } = postRendererCommand(relocationOptions("monitoring"), root);
            assert.equal(command, "node");
            // From source, through ts-node; compiled, the .js file directly.
            assert.deepEqual(args.slice(0, 3), ["--require", "ts-node/register/transpile-only", "components/postRenderer.ts"]);
            assert.deepEqual(args.slice(3), postRendererArgs(relocationOptions("monitoring")));
            const fromSubdirectory = postRendererCommand(relocationOptions("monitoring"), path.join(root, "test"));
            assert.equal(fromSubdirectory.args[2], "../components/postRenderer.ts");
        });

        it("puts no machine path in the Chart's inputs", () => {
            const { command, args } = postRendererCommand(relocationOptions("monitoring"));
            for (const value of [command, ...args]) {
                assert.ok(!path.isAbsolute(value), value);
                assert.ok(!value.includes(root), value);
                assert.ok(!value.includes("\\"), value);
            }
        });
    });

    describe("postRendererArgs and parsePostRendererArgs", () => {
        const variants: RelocationOptions[] = [
            relocationOptions("monitoring"),
            { ...relocationOptions("observability", { mode: "off", proxyResources: {} }) },
            relocationOptions("monitoring", { mode: "certificates", revision: "asm-1-27" }),
            relocationOptions("monitoring", {
                meshNodeDaemonSet: false,
                proxyResources: { targetAllocator: { memoryLimit: "1Gi", cpu: "50m" } },
            }),
            { ...relocationOptions("monitoring"), tokenSecret: { name: "agent-token", namespace: "secrets" } },
        ];

        it("round-trip every option", () => {
            for (const options of variants) {
                assert.deepEqual(parsePostRendererArgs(postRendererArgs(options)), options);
            }
        });

        it("are deterministic and name only what differs from the defaults besides namespace and mode", () => {
            assert.deepEqual(postRendererArgs(variants[1]), ["--namespace=observability", "--mesh-mode=off"]);
            assert.deepEqual(postRendererArgs(variants[3]), [
                "--namespace=monitoring",
                "--mesh-mode=sidecar",
                "--no-mesh-node",
                '--proxy-resources={"targetAllocator":{"cpu":"50m","memoryLimit":"1Gi"}}',
            ]);
            assert.deepEqual(postRendererArgs(variants[3]), postRendererArgs(structuredClone(variants[3])));
        });

        it("accept the Helm CLI's spellings", () => {
            const parsed = parsePostRendererArgs(["--namespace", "monitoring", "--mesh-node=false", "--revision", "asm-1-27"]);
            assert.equal(parsed.mesh.meshNodeDaemonSet, false);
            assert.equal(parsed.mesh.mode, "sidecar");
            assert.equal(parsed.mesh.revision, "asm-1-27");
            assert.deepEqual(parsed.tokenSecret, { name: "aad-msi-auth-token", namespace: "kube-system" });
        });

        it("reject bad arguments with a message naming them", () => {
            assert.throws(() => parsePostRendererArgs([]), /Missing --namespace/);
            assert.throws(() => parsePostRendererArgs(["--namespace=monitoring", "extra"]), /extra/);
            assert.throws(() => parsePostRendererArgs(["--namespace=monitoring", "--mesh-node=maybe"]), /Invalid --mesh-node "maybe"/);
            assert.throws(
                () => parsePostRendererArgs(["--namespace=monitoring", "--mesh-node=true", "--no-mesh-node"]),
                /not both/,
            );
            assert.throws(() => parsePostRendererArgs(["--namespace=monitoring", "--proxy-resources={"]), /Invalid --proxy-resources "\{": not JSON/);
            assert.throws(
                () => parsePostRendererArgs(["--namespace=monitoring", '--proxy-resources={"windowsNode":{"cpu":"1"}}']),
                /Invalid proxyResources workload "windowsNode"/,
            );
            assert.throws(() => parsePostRendererArgs(["--namespace=Bad_Name"]), /Invalid namespace "Bad_Name"/);
        });

        it("refuse options Helm could not pass on, before Helm runs", () => {
            assert.throws(
                () => postRendererArgs(relocationOptions("monitoring", { revision: "asm 1.27" })),
                /Invalid Istio revision "asm 1.27"/,
            );
        });
    });
});
