import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import {
    authorizationPolicyName,
    egressDestinationRuleName,
    meshObjects,
    namespaceLabels,
    registerMeshObjects,
} from "../components/istio";
import { checkMeshObjects, KubernetesObject, MeshRuleContext } from "../components/meshRules";
import { MeshSettings, resolveSettings } from "../components/settings";
import { AuthorizationPolicyTarget, IstioArgs } from "../components/types";

const chartPath = path.resolve(__dirname, "../../shared/fixtures/ama-metrics-chart/rendered-aks.yaml");

// The agent's egress hosts as Microsoft documents them, written out rather than imported from the
// package: the tests check the package's list against this one.
const azureHosts = [
    "*.monitor.azure.com",
    "*.monitoring.azure.com",
    "login.microsoftonline.com",
    "dc.services.visualstudio.com",
    "*.ods.opinsights.azure.com",
    "*.oms.opinsights.azure.com",
];

// The mesh settings the component derives from these Istio arguments (and whether the node agent
// receives OpenTelemetry metrics).
function meshSettings(istio: IstioArgs = {}, openTelemetryMetrics = false): MeshSettings {
    return resolveSettings({
        cluster: { resourceId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c", location: "westeurope", kubernetesVersion: "1.33.7" },
        resourceGroupName: "rg-monitoring",
        chart: { openTelemetryMetrics },
        istio,
    }).istio;
}

// The rules' context: the chart's pod template labels, as its pods run in `namespace`.
function chartContext(namespace: string, rootNamespace = "istio-system"): MeshRuleContext {
    chartPods ??= YAML.parseAllDocuments(fs.readFileSync(chartPath, "utf8"))
        .map((doc) => doc.toJS())
        .filter((doc) => doc && (doc.kind === "Deployment" || doc.kind === "DaemonSet"))
        .map((doc) => doc.spec.template.metadata.labels as Record<string, string>);
    return { rootNamespace, podLabels: { [namespace]: chartPods } };
}
let chartPods: Array<Record<string, string>> | undefined;

const shopTargets: AuthorizationPolicyTarget[] = [
    { namespace: "shop", selector: { app: "cart" }, ports: [9090] },
    { namespace: "shop", selector: { app: "checkout", tier: "web" }, ports: [8080, 9464] },
    { namespace: "payments", selector: { app: "ledger" }, ports: [9090] },
];

function refs(objects: KubernetesObject[]): string[] {
    return objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
}

// Every option combination of every mode, with the objects each emits.
function allVariants(): Array<{ label: string; namespace: string; mesh: MeshSettings }> {
    const variants: Array<{ label: string; namespace: string; mesh: MeshSettings }> = [];
    for (const meshNodeDaemonSet of [true, false]) {
        for (const egressServiceEntry of [true, false]) {
            for (const meshWideIstioMutual of [true, false]) {
                for (const revision of [undefined, "asm-1-27"]) {
                    for (const openTelemetryMetrics of [true, false]) {
                        const istio = { mode: "sidecar" as const, meshNodeDaemonSet, egressServiceEntry, meshWideIstioMutual, revision };
                        variants.push({ label: JSON.stringify({ ...istio, openTelemetryMetrics }), namespace: "monitoring", mesh: meshSettings(istio, openTelemetryMetrics) });
                    }
                }
            }
        }
    }
    for (const scrapeNamespaces of [[], ["shop", "payments"]]) {
        const istio = { mode: "certificates" as const, authorizationPolicies: shopTargets, scrapeNamespaces };
        variants.push({ label: JSON.stringify(istio), namespace: "monitoring", mesh: meshSettings(istio) });
    }
    variants.push({ label: "off", namespace: "monitoring", mesh: meshSettings({ mode: "off" }) });
    return variants;
}

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

describe("istio", () => {
    describe("namespaceLabels", () => {
        it("labels the namespace istio.io/rev=<revision> when a revision is given", () => {
            assert.deepEqual(namespaceLabels(meshSettings({ revision: "asm-1-27" })), { "istio.io/rev": "asm-1-27" });
        });

        it("labels it istio-injection=enabled for a default-revision install", () => {
            assert.deepEqual(namespaceLabels(meshSettings()), { "istio-injection": "enabled" });
        });

        it("labels nothing in certificates and off modes", () => {
            assert.deepEqual(namespaceLabels(meshSettings({ mode: "certificates", revision: "asm-1-27" })), {});
            assert.deepEqual(namespaceLabels(meshSettings({ mode: "off", revision: "asm-1-27" })), {});
        });
    });

    describe("meshObjects, sidecar mode", () => {
        it("emits namespace-wide STRICT and the egress ServiceEntry by default", () => {
            assert.deepEqual(refs(meshObjects({ namespace: "monitoring", mesh: meshSettings() })), [
                "PeerAuthentication monitoring/default",
                "ServiceEntry monitoring/ama-metrics-egress",
            ]);
        });

        it("adds the node agent's OTLP exception when it receives OpenTelemetry metrics", () => {
            assert.deepEqual(meshObjects({ namespace: "monitoring", mesh: meshSettings({}, true) }), [
                {
                    apiVersion: "security.istio.io/v1",
                    kind: "PeerAuthentication",
                    metadata: { name: "default", namespace: "monitoring" },
                    spec: { mtls: { mode: "STRICT" } },
                },
                {
                    apiVersion: "security.istio.io/v1",
                    kind: "PeerAuthentication",
                    metadata: { name: "ama-metrics-node-otlp", namespace: "monitoring" },
                    spec: {
                        selector: { matchLabels: { dsName: "ama-metrics-node" } },
                        mtls: { mode: "STRICT" },
                        portLevelMtls: { "56680": { mode: "PERMISSIVE" }, "56681": { mode: "PERMISSIVE" } },
                    },
                },
                {
                    apiVersion: "networking.istio.io/v1",
                    kind: "ServiceEntry",
                    metadata: { name: "ama-metrics-egress", namespace: "monitoring" },
                    spec: {
                        hosts: azureHosts,
                        ports: [{ number: 443, name: "tls", protocol: "TLS" }],
                        location: "MESH_EXTERNAL",
                        resolution: "NONE",
                        exportTo: ["."],
                    },
                },
            ]);
        });

        it("emits exactly the objects each option combination asks for", () => {
            const drNames = [
                "ama-metrics-egress-wildcard-monitor-azure-com",
                "ama-metrics-egress-wildcard-monitoring-azure-com",
                "ama-metrics-egress-login-microsoftonline-com",
                "ama-metrics-egress-dc-services-visualstudio-com",
                "ama-metrics-egress-wildcard-ods-opinsights-azure-com",
                "ama-metrics-egress-wildcard-oms-opinsights-azure-com",
            ];
            for (const meshNodeDaemonSet of [true, false]) {
                for (const egressServiceEntry of [true, false]) {
                    for (const meshWideIstioMutual of [true, false]) {
                        const mesh = meshSettings({ meshNodeDaemonSet, egressServiceEntry, meshWideIstioMutual }, true);
                        const expected = [
                            "PeerAuthentication observability/default",
                            ...(meshNodeDaemonSet ? ["PeerAuthentication observability/ama-metrics-node-otlp"] : []),
                            ...(egressServiceEntry ? ["ServiceEntry observability/ama-metrics-egress"] : []),
                            ...(meshWideIstioMutual ? drNames.map((name) => `DestinationRule observability/${name}`) : []),
                        ];
                        assert.deepEqual(refs(meshObjects({ namespace: "observability", mesh })), expected, JSON.stringify({ meshNodeDaemonSet, egressServiceEntry, meshWideIstioMutual }));
                    }
                }
            }
        });

        it("disables TLS origination for each egress host when a mesh-wide ISTIO_MUTUAL rule exists, never SIMPLE", () => {
            const rules = meshObjects({ namespace: "monitoring", mesh: meshSettings({ meshWideIstioMutual: true }) }).filter((o) => o.kind === "DestinationRule");
            assert.deepEqual(
                rules.map((rule) => rule.spec),
                azureHosts.map((host) => ({ host, exportTo: ["."], trafficPolicy: { tls: { mode: "DISABLE" } } })),
            );
            assert.equal(egressDestinationRuleName("*.monitor.azure.com"), "ama-metrics-egress-wildcard-monitor-azure-com");
        });

        it("refuses to run in Istio's root namespace, where its PeerAuthentication would cover the whole mesh", () => {
            assert.throws(
                () => meshObjects({ namespace: "aks-istio-system", mesh: meshSettings({ rootNamespace: "aks-istio-system" }) }),
                /namespace "aks-istio-system" is Istio's root namespace.*"monitoring"/,
            );
        });
    });

    describe("meshObjects, certificates mode", () => {
        it("emits only the scrape ConfigMap when no namespace is default-deny", () => {
            assert.deepEqual(refs(meshObjects({ namespace: "monitoring", mesh: meshSettings({ mode: "certificates" }) })), [
                "ConfigMap monitoring/ama-metrics-prometheus-config",
            ]);
        });

        it("emits one selector-scoped ALLOW policy per target, in the target's namespace, for the collector's principal", () => {
            const objects = meshObjects({ namespace: "monitoring", mesh: meshSettings({ mode: "certificates", trustDomain: "corp.example", authorizationPolicies: shopTargets }) });
            const policies = objects.filter((o) => o.kind === "AuthorizationPolicy");
            assert.deepEqual(
                policies.map((p) => ({ apiVersion: p.apiVersion, namespace: p.metadata.namespace, spec: p.spec })),
                shopTargets.map((target) => ({
                    apiVersion: "security.istio.io/v1",
                    namespace: target.namespace,
                    spec: {
                        selector: { matchLabels: target.selector },
                        action: "ALLOW",
                        rules: [
                            {
                                from: [{ source: { principals: ["corp.example/ns/monitoring/sa/ama-metrics-serviceaccount"] } }],
                                to: [{ operation: { ports: target.ports.map(String) } }],
                            },
                        ],
                    },
                })),
            );
            assert.ok(objects.every((o) => o.kind !== "PeerAuthentication" && o.kind !== "ServiceEntry" && o.kind !== "DestinationRule"));
        });

        it("names policies uniquely and stably: reordering targets or changing ports renames nothing", () => {
            const names = (targets: AuthorizationPolicyTarget[]) =>
                meshObjects({ namespace: "monitoring", mesh: meshSettings({ mode: "certificates", authorizationPolicies: targets }) })
                    .filter((o) => o.kind === "AuthorizationPolicy")
                    .map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
            const first = names(shopTargets);
            assert.equal(new Set(first).size, shopTargets.length);
            assert.ok(first.every((name) => /^[a-z]+\/monitoring-ama-metrics-scrape-[0-9a-f]{10}$/.test(name)), first.join(","));
            assert.deepEqual(names([...shopTargets].reverse()), [...first].reverse());
            assert.deepEqual(names([{ ...shopTargets[0], ports: [9100] }]), [first[0]]);
            // Selector label order does not matter; another agent namespace gives other names.
            assert.equal(
                authorizationPolicyName("monitoring", { namespace: "shop", selector: { tier: "web", app: "checkout" }, ports: [1] }),
                authorizationPolicyName("monitoring", shopTargets[1]),
            );
            assert.notEqual(authorizationPolicyName("monitoring-b", shopTargets[0]), authorizationPolicyName("monitoring", shopTargets[0]));
        });

        it("refuses targets that would reach beyond the named workloads", () => {
            const emit = (target: AuthorizationPolicyTarget, extra: AuthorizationPolicyTarget[] = []) => () =>
                meshObjects({ namespace: "monitoring", mesh: meshSettings({ mode: "certificates", rootNamespace: "aks-istio-system", authorizationPolicies: [...extra, target] }) });
            assert.throws(emit({ namespace: "aks-istio-system", selector: { app: "cart" }, ports: [9090] }), /istio\.authorizationPolicies\[0\]\.namespace is "aks-istio-system", Istio's root namespace/);
            assert.throws(emit({ namespace: "shop", selector: {}, ports: [9090] }), /istio\.authorizationPolicies\[0\]\.selector is empty.*pod labels/);
            assert.throws(emit({ namespace: "shop", selector: { app: "cart" }, ports: [] }), /istio\.authorizationPolicies\[0\]\.ports is \[\]/);
            assert.throws(emit({ namespace: "shop", selector: { app: "cart" }, ports: [70000] }), /ports is \[70000\].*1 to 65535/);
            assert.throws(emit({ namespace: "shop", selector: { app: "cart" }, ports: [8080] }, [shopTargets[0]]), /istio\.authorizationPolicies\[1\] repeats .*\[0\]: merge their ports/);
        });
    });

    describe("meshObjects, off mode", () => {
        it("emits nothing", () => {
            assert.deepEqual(meshObjects({ namespace: "monitoring", mesh: meshSettings({ mode: "off", authorizationPolicies: shopTargets }) }), []);
        });
    });

    describe("what the component can emit", () => {
        it("validates against Istio's CRD schemas", async () => {
            let validated = 0;
            for (const variant of allVariants()) {
                for (const object of meshObjects(variant).filter((o) => o.apiVersion.endsWith(".istio.io/v1"))) {
                    const module = await import(`@kubernetes-models/istio/${object.apiVersion}/${object.kind}`);
                    const Model = module[object.kind];
                    assert.doesNotThrow(() => new Model(object).validate(), `${variant.label}: ${object.kind} ${object.metadata.name}`);
                    validated++;
                }
            }
            assert.ok(validated > 0);
        });

        it("would fail schema validation on a wrong enum (the check can fail)", async () => {
            const { PeerAuthentication } = await import("@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication");
            const wrong = { metadata: { name: "default", namespace: "monitoring" }, spec: { mtls: { mode: "STRICTER" } } };
            assert.throws(() => new PeerAuthentication(wrong as never).validate());
        });

        it("validates the scrape ConfigMap against the Kubernetes schema", async () => {
            const { ConfigMap } = await import("kubernetes-models/v1/ConfigMap");
            const [configMap] = meshObjects({ namespace: "monitoring", mesh: meshSettings({ mode: "certificates" }) });
            assert.doesNotThrow(() => new ConfigMap(configMap as never).validate());
            assert.throws(() => new ConfigMap({ metadata: { name: "x" }, data: { key: 1 } } as never).validate());
        });

        it("passes every mesh rule against the chart's pods, with its namespace labels", () => {
            for (const variant of allVariants()) {
                for (const rootNamespace of ["istio-system", "aks-istio-system"]) {
                    const mesh = { ...variant.mesh, rootNamespace };
                    const namespace: KubernetesObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: variant.namespace, labels: namespaceLabels(mesh) } };
                    const objects = [namespace, ...meshObjects({ namespace: variant.namespace, mesh })];
                    assert.deepEqual(checkMeshObjects(objects, chartContext(variant.namespace, rootNamespace)), [], variant.label);
                }
            }
        });

        it("puts nothing in the root namespace", () => {
            for (const variant of allVariants()) {
                assert.ok(meshObjects(variant).every((o) => o.metadata.namespace !== variant.mesh.rootNamespace), variant.label);
            }
        });
    });

    describe("registerMeshObjects", () => {
        const registered: pulumi.runtime.MockResourceArgs[] = [];

        before(async () => {
            await pulumi.runtime.setMocks(
                {
                    newResource: (args) => {
                        registered.push(args);
                        return { id: `${args.name}-id`, state: args.inputs };
                    },
                    call: (args) => args.inputs,
                },
                "ama-metrics-istio",
                "test",
                false,
            );
        });

        beforeEach(() => {
            registered.length = 0;
        });

        async function register(mesh: MeshSettings) {
            const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
            const seen: KubernetesObject[] = [];
            const objects = meshObjects({ namespace: "monitoring", mesh });
            const resources = registerMeshObjects("metrics", objects, (object) => {
                seen.push(object);
                return { parent };
            });
            const urns = await Promise.all(resources.map((resource) => valueOf(resource.urn)));
            const custom = registered.filter((args) => args.custom);
            return { objects, seen, urns, custom };
        }

        it("registers Istio objects as custom resources of their API type, with stable names", async () => {
            const { objects, seen, urns, custom } = await register(meshSettings({ meshWideIstioMutual: true }, true));
            assert.deepEqual(seen, objects);
            // Registrations reach the monitor asynchronously: compare them by name.
            assert.deepEqual(
                custom.map((args) => `${args.type} ${args.name}`).sort(),
                [
                    "kubernetes:security.istio.io/v1:PeerAuthentication metrics:PeerAuthentication:monitoring/default",
                    "kubernetes:security.istio.io/v1:PeerAuthentication metrics:PeerAuthentication:monitoring/ama-metrics-node-otlp",
                    "kubernetes:networking.istio.io/v1:ServiceEntry metrics:ServiceEntry:monitoring/ama-metrics-egress",
                    ...azureHosts.map((host) => `kubernetes:networking.istio.io/v1:DestinationRule metrics:DestinationRule:monitoring/${egressDestinationRuleName(host)}`),
                ].sort(),
            );
            for (const object of objects) {
                const args = custom.find((a) => a.name === `metrics:${object.kind}:${object.metadata.namespace}/${object.metadata.name}`);
                assert.deepEqual(args?.inputs, { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, spec: object.spec });
            }
            assert.ok(urns.every((urn) => urn.includes("test:index:Parent$kubernetes:")), urns.join("\n"));
        });

        it("registers the scrape ConfigMap as a ConfigMap and policies in their namespaces", async () => {
            const { custom } = await register(meshSettings({ mode: "certificates", authorizationPolicies: shopTargets.slice(0, 1) }));
            const configMap = custom.find((args) => args.type === "kubernetes:core/v1:ConfigMap");
            const policy = custom.find((args) => args.type === "kubernetes:security.istio.io/v1:AuthorizationPolicy");
            assert.equal(custom.length, 2);
            assert.equal(configMap?.name, "metrics:ConfigMap:monitoring/ama-metrics-prometheus-config");
            assert.deepEqual(Object.keys(configMap?.inputs.data), ["prometheus-config"]);
            assert.equal(policy?.name, `metrics:AuthorizationPolicy:shop/${authorizationPolicyName("monitoring", shopTargets[0])}`);
            assert.equal(policy?.inputs.metadata.namespace, "shop");
        });

        it("registers nothing in off mode", async () => {
            const { custom } = await register(meshSettings({ mode: "off" }));
            assert.deepEqual(custom, []);
        });

        it("refuses two objects with the same kind, namespace and name", () => {
            const [policy] = meshObjects({ namespace: "monitoring", mesh: meshSettings() });
            assert.throws(() => registerMeshObjects("metrics", [policy, policy], () => ({})), /two mesh objects share the name metrics:PeerAuthentication:monitoring\/default/);
        });
    });
});
