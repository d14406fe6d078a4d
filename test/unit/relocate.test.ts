// The relocation over both renderings of the chart (Helm's defaults, and the values the component sets): every
// expectation is read from the renderings, from the Kubernetes API or from the agent's sources, never from
// the code under test. Crafted variants of the rendering check that nothing of kube-system slips through
// unnoticed (relocateHttpsOff.test.ts: the target allocator's app-level HTTPS; yamlText.test.ts: the text).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { chartKinds } from "../../components/amaMetrics/kinds";
import { parsePostRendererArgs } from "../../components/amaMetrics/flags";
import {
    clusterScopedName,
    relocate,
    relocateObjects,
    RelocationSettings,
    relocationSettings,
    relocateText,
    relocateYaml,
} from "../../components/amaMetrics/relocate";
import { apiGroup, Container, containersOf, KubernetesObject } from "../../components/core/kubernetes";
import { baseArgs, find, fixture, fixtureObjects, chartRenderings, podOf, relocationFor } from "../harness";

type Mode = RelocationSettings["mesh"]["mode"];
const modes: readonly Mode[] = ["sidecar", "certificates", "off"];

/** The options the component passes by default in a mode (the default revision acknowledged), then `overrides`. */
function options(mode: Mode = "sidecar", overrides: Partial<RelocationSettings> = {}): RelocationSettings {
    const istio = mode === "certificates" ? { mode, acknowledgeDefaultRevision: true } : { mode };
    return { ...relocationFor({ istio }), ...overrides };
}

// The scope of each kind the renderings hold, as the API server reports it (`kubectl api-resources`).
const apiScopes: Record<string, "Namespaced" | "Cluster"> = {
    "/ServiceAccount": "Namespaced",
    "/Service": "Namespaced",
    "apps/Deployment": "Namespaced",
    "apps/DaemonSet": "Namespaced",
    "autoscaling/HorizontalPodAutoscaler": "Namespaced",
    "policy/PodDisruptionBudget": "Namespaced",
    "rbac.authorization.k8s.io/ClusterRole": "Cluster",
    "rbac.authorization.k8s.io/ClusterRoleBinding": "Cluster",
    "apiextensions.k8s.io/CustomResourceDefinition": "Cluster",
};
const kindOf = (o: KubernetesObject) => `${apiGroup(o.apiVersion)}/${o.kind}`;
const namespaced = (o: KubernetesObject) => apiScopes[kindOf(o)] === "Namespaced";
const ref = (o: KubernetesObject) => `${o.kind} ${o.metadata.name}`;

const workloads = (objects: KubernetesObject[]) => objects.filter((o) => o.kind === "Deployment" || o.kind === "DaemonSet");
type Env = { name: string; value?: string; valueFrom?: unknown };
const envOf = (container: Container) => (container.env ?? []) as Env[];

/** Every string of an object (keys included) that names kube-system, with where it is. */
function kubeSystemStrings(value: unknown, path = ""): string[] {
    if (typeof value === "string") return value.includes("kube-system") ? [`${path}=${value}`] : [];
    if (Array.isArray(value)) return value.flatMap((item, i) => kubeSystemStrings(item, `${path}[${i}]`));
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, item]) => [
            ...(key.includes("kube-system") ? [`${path}.${key} (key)`] : []),
            ...kubeSystemStrings(item, `${path}.${key}`),
        ]);
    }
    return [];
}

for (const rendering of chartRenderings) {
    describe(`relocate, over ${rendering}`, () => {
        const text = fs.readFileSync(fixture("ama-metrics-chart", rendering), "utf8");
        const rendered = fixtureObjects("ama-metrics-chart", rendering);
        const fresh = () => structuredClone(rendered);

        it("knows every kind of the rendering, with the scope the API server gives it", () => {
            const crdKinds = rendered
                .filter((o) => o.kind === "CustomResourceDefinition")
                .map((crd) => {
                    const spec = crd.spec as { group: string; names: { kind: string } };
                    return `${spec.group}/${spec.names.kind}`;
                });
            for (const object of rendered) {
                const key = kindOf(object);
                assert.ok(apiScopes[key] ?? crdKinds.includes(key), `${ref(object)}: a kind this test does not know, ${key}`);
                assert.equal(chartKinds.get(key), apiScopes[key], `${key}`);
            }
            assert.doesNotThrow(() => relocateObjects(rendered, options()));
        });

        for (const namespace of ["monitoring", "observability"]) {
            describe(`into ${namespace}`, () => {
                const output = relocateObjects(rendered, options("sidecar", { namespace }));

                it("keeps every object, in order, namespaced ones under their names", () => {
                    assert.deepEqual(
                        output.map((o) => o.kind),
                        rendered.map((o) => o.kind),
                    );
                    rendered.filter(namespaced).forEach((before) => assert.ok(find(output, before.kind, before.metadata.name!)));
                });

                it("moves every namespaced object into the namespace, next to its name", () => {
                    const moved = output.filter(namespaced);
                    assert.equal(moved.length, rendered.filter(namespaced).length);
                    assert.ok(moved.length >= 11, "the chart renders at least eleven namespaced objects on AKS");
                    for (const object of moved) {
                        assert.equal(object.metadata.namespace, namespace, ref(object));
                        const keys = Object.keys(object.metadata);
                        assert.equal(keys[keys.indexOf("name") + 1], "namespace", ref(object));
                    }
                    for (const object of output.filter((o) => !namespaced(o))) {
                        assert.equal(object.metadata.namespace, undefined, ref(object));
                    }
                });

                it("renames cluster-scoped objects <name>-<namespace>, keeps the CRDs' names, and roleRefs follow", () => {
                    rendered.forEach((before, i) => {
                        if (namespaced(before)) return;
                        const expected =
                            before.kind === "CustomResourceDefinition" ? before.metadata.name : `${before.metadata.name}-${namespace}`;
                        assert.equal(output[i].metadata.name, expected, ref(before));
                    });
                    const roles = output.filter((o) => o.kind === "ClusterRole").map((o) => o.metadata.name);
                    const bindings = output.filter((o) => o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding");
                    assert.ok(bindings.length >= 2);
                    for (const binding of bindings) {
                        const roleRef = binding.roleRef as { kind: string; name: string };
                        assert.equal(roleRef.kind, "ClusterRole");
                        assert.ok(roles.includes(roleRef.name), `${ref(binding)} refers to ${roleRef.name}, a ClusterRole of the output`);
                    }
                });

                it("points every ServiceAccount subject at the moved ServiceAccount", () => {
                    const accounts = output
                        .filter((o) => o.kind === "ServiceAccount")
                        .map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
                    const subjects = output.flatMap((o) => (o.subjects ?? []) as Array<{ kind: string; name: string; namespace: string }>);
                    assert.equal(subjects.length, 2);
                    for (const subject of subjects) {
                        assert.equal(subject.kind, "ServiceAccount");
                        assert.ok(accounts.includes(`${subject.namespace}/${subject.name}`), `${subject.namespace}/${subject.name}`);
                    }
                });

                it("replaces the literal namespace env values and leaves the downward API ones alone", () => {
                    const literal = (objects: KubernetesObject[], value: string) =>
                        workloads(objects).flatMap((w) =>
                            containersOf(podOf(w)).flatMap((c) =>
                                envOf(c)
                                    .filter((e) => e.value === value)
                                    .map((e) => `${w.metadata.name}/${c.name}/${e.name}`),
                            ),
                        );
                    const before = literal(rendered, "kube-system");
                    // The target allocator's OTELCOL_NAMESPACE and its config reader's POD_NAMESPACE (reference/ama-metrics.md).
                    assert.deepEqual(before, [
                        "ama-metrics-operator-targets/targetallocator/OTELCOL_NAMESPACE",
                        "ama-metrics-operator-targets/config-reader/POD_NAMESPACE",
                    ]);
                    assert.deepEqual(literal(output, namespace), before);
                    assert.deepEqual(literal(output, "kube-system"), []);
                    const downward = (objects: KubernetesObject[]) =>
                        workloads(objects).flatMap((w) =>
                            containersOf(podOf(w)).flatMap((c) => envOf(c).filter((e) => e.valueFrom !== undefined)),
                        );
                    assert.deepEqual(downward(output), downward(rendered));
                });

                it("leaves the token adapters reading the token secret in kube-system", () => {
                    const adapters = (objects: KubernetesObject[]) =>
                        workloads(objects).flatMap((w) => containersOf(podOf(w)).filter((c) => c.name.startsWith("addon-token-adapter")));
                    assert.equal(adapters(rendered).length, 3, "the collector and both node DaemonSets");
                    assert.deepEqual(
                        adapters(output).map((c) => c.args),
                        adapters(rendered).map((c) => c.args),
                    );
                    for (const adapter of adapters(output)) {
                        assert.ok((adapter.args as string[]).includes("--secret-namespace=kube-system"));
                        assert.ok((adapter.args as string[]).includes("--secret-name=aad-msi-auth-token"));
                    }
                });

                it("leaves kube-system nowhere but in the token adapters' --secret-namespace", () => {
                    const left = output.flatMap((o) => kubeSystemStrings(o).map((s) => `${ref(o)}: ${s}`));
                    assert.equal(left.length, 3, left.join("\n"));
                    for (const entry of left) {
                        assert.match(entry, /\.containers\[\d+\]\.args\[\d+\]=--secret-namespace=kube-system$/);
                    }
                });

                it("leaves the autoscaled replica count to the autoscaler and keeps the others", () => {
                    const hpa = find(rendered, "HorizontalPodAutoscaler", "ama-metrics-hpa");
                    const target = (hpa.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
                    assert.equal((find(rendered, target.kind, target.name).spec as { replicas?: number }).replicas, 2);
                    assert.equal("replicas" in (find(output, target.kind, target.name).spec as object), false);
                    for (const deployment of rendered.filter((o) => o.kind === "Deployment" && o.metadata.name !== target.name)) {
                        assert.equal(
                            (find(output, "Deployment", deployment.metadata.name!).spec as { replicas?: number }).replicas,
                            (deployment.spec as { replicas?: number }).replicas,
                        );
                    }
                    assert.deepEqual(find(output, "HorizontalPodAutoscaler", "ama-metrics-hpa").spec, hpa.spec);
                });
            });
        }

        it("points the token adapters at another token secret when told, and then names kube-system nowhere", () => {
            const output = relocateObjects(rendered, options("sidecar", { tokenSecret: { name: "agent-token", namespace: "secrets" } }));
            const adapters = workloads(output).flatMap((w) =>
                containersOf(podOf(w)).filter((c) => c.name.startsWith("addon-token-adapter")),
            );
            for (const adapter of adapters) {
                assert.ok((adapter.args as string[]).includes("--secret-namespace=secrets"));
                assert.ok((adapter.args as string[]).includes("--secret-name=agent-token"));
            }
            assert.deepEqual(
                output.flatMap((o) => kubeSystemStrings(o)),
                [],
            );
        });

        it("sets ALLOW_INSECURE_AUTH_SECRETS on the target allocator's targetallocator container in the sidecar mode only", () => {
            const insecure = (objects: KubernetesObject[]) =>
                workloads(objects).flatMap((w) =>
                    containersOf(podOf(w)).flatMap((c) =>
                        envOf(c)
                            .filter((e) => e.name === "ALLOW_INSECURE_AUTH_SECRETS")
                            .map((e) => `${w.metadata.name}/${c.name}=${e.value}`),
                    ),
                );
            assert.deepEqual(insecure(rendered), []);
            assert.deepEqual(insecure(relocateObjects(rendered, options("sidecar"))), [
                "ama-metrics-operator-targets/targetallocator=true",
            ]);
            for (const mode of ["certificates", "off"] as const) {
                assert.deepEqual(insecure(relocateObjects(rendered, options(mode))), [], mode);
                // ... and a switch away from the sidecar mode takes it back.
                assert.deepEqual(
                    insecure(relocateObjects(relocateObjects(rendered, options("sidecar")), options(mode))),
                    [],
                    `sidecar → ${mode}`,
                );
            }
        });

        it("does not modify its input", () => {
            const input = fresh();
            for (const mode of modes) relocateObjects(input, options(mode));
            assert.deepEqual(input, rendered);
        });

        describe("twice, and across modes", () => {
            const variants: [string, RelocationSettings][] = [
                ["sidecar", options("sidecar")],
                [
                    "sidecar, everything set",
                    {
                        ...options("sidecar"),
                        mesh: {
                            ...options("sidecar").mesh,
                            revision: "asm-1-27",
                            meshNodeDaemonSet: true,
                            proxyResources: { collector: { cpu: "100m" }, node: { memory: "256Mi" }, targetAllocator: { cpuLimit: "1" } },
                            serviceCidr: "172.16.0.0/12",
                            extraExcludeOutboundIPRanges: ["172.16.5.0/24"],
                            extraExcludeOutboundPorts: [9999],
                        },
                    },
                ],
                ["certificates", options("certificates")],
                [
                    "certificates with a revision",
                    { ...options("certificates"), mesh: { ...options("certificates").mesh, revision: "asm-1-27" } },
                ],
                ["off", options("off")],
            ];
            const once = new Map(variants.map(([name, o]) => [name, relocateText(text, o)]));

            it("gives the same text when run over its own output", () => {
                for (const [name, o] of variants) {
                    assert.equal(relocateText(once.get(name)!, o), once.get(name), name);
                    assert.deepEqual(relocateObjects(relocateObjects(rendered, o), o), relocateObjects(rendered, o), name);
                }
            });

            it("gives what one pass gives when switching modes over relocated manifests", () => {
                for (const [from, fromOptions] of variants) {
                    for (const [to, toOptions] of variants) {
                        assert.equal(relocateText(once.get(from)!, toOptions), once.get(to), `${from} → ${to}`);
                        assert.deepEqual(
                            relocateObjects(relocateObjects(rendered, fromOptions), toOptions),
                            relocateObjects(rendered, toOptions),
                            `${from} → ${to}`,
                        );
                    }
                }
            });
        });

        describe("refuses, rather than guessing", () => {
            it("an object in a namespace other than kube-system, the target or none", () => {
                const input = fresh();
                input.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "reader", namespace: "kube-public" } });
                assert.throws(() => relocateObjects(input, options()), /ServiceAccount "reader" is in namespace "kube-public"/);
                const elsewhere = relocateObjects(rendered, options("sidecar", { namespace: "observability" }));
                assert.throws(() => relocateObjects(elsewhere, options()), /is in namespace "observability"/);
            });

            it("a kind of unknown scope, naming --kind-scope; given a scope, it relocates", () => {
                const widget = (namespace?: string): KubernetesObject => ({
                    apiVersion: "example.com/v1",
                    kind: "Widget",
                    metadata: { name: "w", ...(namespace ? { namespace } : {}) },
                });
                assert.throws(
                    () => relocateObjects([...fresh(), widget("kube-system")], options()),
                    (error: Error) =>
                        /example\.com\/v1 Widget "w"/.test(error.message) &&
                        error.message.includes("--kind-scope example.com/Widget=Namespaced"),
                );
                const moved = relocateObjects(
                    [...fresh(), widget("kube-system")],
                    options("sidecar", { kindScopes: { "example.com/Widget": "Namespaced" } }),
                );
                assert.deepEqual(moved[moved.length - 1].metadata, { name: "w", namespace: "monitoring" });
                const renamed = relocateObjects(
                    [...fresh(), widget()],
                    options("sidecar", { kindScopes: { "example.com/Widget": "Cluster" } }),
                );
                assert.deepEqual(renamed[renamed.length - 1].metadata, { name: "w-monitoring" });
            });

            it("nothing for the kinds the rendering's CRDs define", () => {
                const monitor: KubernetesObject = {
                    apiVersion: "azmonitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: { name: "custom", namespace: "kube-system" },
                    spec: {},
                };
                const output = relocateObjects([...fresh(), monitor], options());
                assert.deepEqual(output[output.length - 1].metadata, { name: "custom", namespace: "monitoring" });
                const withoutCrds = fresh().filter((o) => o.kind !== "CustomResourceDefinition");
                assert.throws(
                    () => relocateObjects([...withoutCrds, monitor], options()),
                    /--kind-scope azmonitoring\.coreos\.com\/PodMonitor=Namespaced/,
                );
            });

            it("a reference to kube-system it does not know, wherever it is", () => {
                const cases: [string, (objects: KubernetesObject[]) => void, RegExp][] = [
                    [
                        "an annotation",
                        (o) => (find(o, "Deployment", "ama-metrics").metadata.annotations = { "example.com/peer": "kube-system/coredns" }),
                        /Deployment "ama-metrics" still names kube-system at metadata\.annotations\.example\.com\/peer/,
                    ],
                    [
                        "an env value",
                        (o) =>
                            envOf(containersOf(podOf(find(o, "Deployment", "ama-metrics")))[0]).push({
                                name: "PEER",
                                value: "dns.kube-system.svc",
                            }),
                        /still names kube-system at spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.value \("dns\.kube-system\.svc"\)/,
                    ],
                    [
                        "the token adapter's argument, given to another container",
                        (o) => (containersOf(podOf(find(o, "Deployment", "ama-metrics")))[0].args = ["--secret-namespace=kube-system"]),
                        /still names kube-system at spec\.template\.spec\.containers\[0\]\.args\[0\]/,
                    ],
                    [
                        "the token adapter's argument, in its env",
                        (o) => {
                            const adapter = containersOf(podOf(find(o, "Deployment", "ama-metrics"))).find(
                                (c) => c.name === "addon-token-adapter",
                            )!;
                            envOf(adapter).push({ name: "ARGS", value: "--secret-namespace=kube-system" });
                        },
                        /containers\[1\]\.env\[\d+\]\.value/,
                    ],
                    [
                        "a key",
                        (o) =>
                            o.push({
                                apiVersion: "v1",
                                kind: "ConfigMap",
                                metadata: { name: "c", namespace: "kube-system" },
                                data: { "kube-system.conf": "x" },
                            }),
                        /ConfigMap "c" still names kube-system in the key of data\.kube-system\.conf/,
                    ],
                    [
                        "a ClusterRoleBinding subject the chart did not move (kube-system/coredns)",
                        (o) =>
                            (find(o, "ClusterRoleBinding", "ama-metrics-clusterrolebinding").subjects as unknown[]).push({
                                kind: "ServiceAccount",
                                name: "coredns",
                                namespace: "kube-system",
                            }),
                        /ClusterRoleBinding "ama-metrics-clusterrolebinding-monitoring" still names kube-system at subjects\[1\]\.namespace/,
                    ],
                    [
                        "a subject whose ServiceAccount the input does not hold",
                        (o) => o.splice(o.indexOf(find(o, "ServiceAccount", "ama-metrics-ksm")), 1),
                        /ClusterRoleBinding "ama-metrics-ksm-monitoring" still names kube-system at subjects\[0\]\.namespace/,
                    ],
                ];
                for (const [name, mutate, message] of cases) {
                    const input = fresh();
                    mutate(input);
                    assert.throws(() => relocateObjects(input, options()), message, name);
                }
            });

            it("names that would clash or grow too long", () => {
                const role = (name: string): KubernetesObject => ({
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "ClusterRole",
                    metadata: { name },
                    rules: [],
                });
                assert.throws(
                    () => relocateObjects([...fresh(), role("ama-metrics-reader-monitoring")], options()),
                    /ClusterRole "ama-metrics-reader" and "ama-metrics-reader-monitoring" would both be named "ama-metrics-reader-monitoring"/,
                );
                assert.throws(
                    () => relocateObjects([...fresh(), role("r".repeat(250))], options()),
                    /longer than Kubernetes' 253-character limit/,
                );
            });
        });

        it("leaves subjects in other namespaces, and subjects that are not ServiceAccounts, as they are", () => {
            const input = fresh();
            const subjects = find(input, "ClusterRoleBinding", "ama-metrics-clusterrolebinding").subjects as unknown[];
            subjects.push(
                { kind: "ServiceAccount", name: "other", namespace: "tenant-a" },
                { kind: "Group", name: "system:authenticated", apiGroup: "rbac.authorization.k8s.io" },
            );
            const output = find(relocateObjects(input, options()), "ClusterRoleBinding", "ama-metrics-clusterrolebinding-monitoring");
            assert.deepEqual((output.subjects as unknown[]).slice(1), subjects.slice(1));
        });
    });
}

describe("clusterScopedName", () => {
    it("suffixes the namespace once", () => {
        assert.equal(clusterScopedName("ama-metrics-reader", "monitoring"), "ama-metrics-reader-monitoring");
        assert.equal(clusterScopedName("ama-metrics-reader-monitoring", "monitoring"), "ama-metrics-reader-monitoring");
        assert.equal(clusterScopedName("x-monitoring", "observability"), "x-monitoring-observability");
    });
});

describe("relocate, with the public options", () => {
    const rendered = () => fixtureObjects("ama-metrics-chart", "rendered-aks-component.yaml");
    const istio = {
        mode: "sidecar" as const,
        revision: "asm-1-27",
        meshNodeDaemonSet: true,
        proxyResources: { node: { cpu: "300m" } },
        extraExcludeOutboundIPRanges: ["10.0.5.0/24"],
        extraExcludeOutboundPorts: [9999],
    };

    it("fills in what the post-renderer fills in when only its namespace is given", () => {
        assert.deepEqual(relocationSettings({}), parsePostRendererArgs(["--namespace=monitoring"]));
        assert.deepEqual(relocateObjects(rendered(), parsePostRendererArgs(["--namespace=monitoring"])), relocate(rendered()));
    });

    it("takes the istio arguments as the component does", () => {
        const args = { namespace: "observability", istio, cluster: { ...baseArgs({}, "ama-metrics").cluster, serviceCidr: "10.1.0.0/16" } };
        assert.deepEqual(relocationSettings({ namespace: "observability", istio, serviceCidr: "10.1.0.0/16" }), relocationFor(args));
    });

    it("relocates as the post-renderer does with the same flags", () => {
        const flags = [
            "--namespace=observability",
            "--mesh-mode=certificates",
            "--revision=asm-1-27",
            "--service-cidr=10.1.0.0/16",
            "--token-secret-name=token",
            "--kind-scope=autoscaling.k8s.io/VerticalPodAutoscaler=Namespaced",
            "--collector-min-replicas=3",
        ];
        const options = {
            namespace: "observability",
            istio: { mode: "certificates" as const, revision: "asm-1-27" },
            serviceCidr: "10.1.0.0/16",
            tokenSecret: { name: "token" },
            kindScopes: { "autoscaling.k8s.io/VerticalPodAutoscaler": "Namespaced" as const },
            collectorReplicas: { min: 3 },
        };
        assert.deepEqual(relocationSettings(options), parsePostRendererArgs(flags));
        const text = fs.readFileSync(fixture("ama-metrics-chart", "rendered-aks-component.yaml"), "utf8");
        assert.equal(relocateYaml(text, options), relocateText(text, parsePostRendererArgs(flags)));
    });
});
