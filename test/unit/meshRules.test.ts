// The mesh rules, run the way the component and the policy pack run them (checkMeshObjects over every
// rule). Each rule has a table: a base object, and patches (kustomize-style: objects merge, arrays and
// scalars replace, null deletes) that make the nearest object it flags and the nearest it lets through.
// The seed's objects (test/fixtures/seed) are the wrong design the package exists to replace: each wrong
// one is flagged by the rule that names its fault.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { isRecord, KubernetesObject } from "../../components/core/kubernetes";
import {
    assertMeshObjects,
    checkMeshObjects,
    hostMatches,
    MeshRuleContext,
    meshRules,
    podLabelsOf,
    servicePortProtocol,
} from "../../components/mesh/rules";
import { fixtureObjects } from "../harness";

// ---- test plumbing -------------------------------------------------------------------------------------

/** Kustomize-style patch: records merge, arrays and scalars replace, null deletes. */
function patch<T>(base: T, changes: unknown): T {
    if (!isRecord(changes) || !isRecord(base)) {
        return structuredClone(changes) as T;
    }
    const merged: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
    for (const [key, value] of Object.entries(changes)) {
        if (value === null) {
            delete merged[key];
        } else {
            merged[key] = key in merged ? patch(merged[key], value) : structuredClone(value);
        }
    }
    return merged as T;
}

/** The objects one rule flags, as `Kind namespace/name`. */
function flagged(rule: string, objects: readonly KubernetesObject[], context: MeshRuleContext = {}): string[] {
    return checkMeshObjects(objects, context)
        .filter((v) => v.rule === rule)
        .map((v) => v.object);
}

function messages(rule: string, objects: readonly KubernetesObject[], context: MeshRuleContext = {}): string[] {
    return checkMeshObjects(objects, context)
        .filter((v) => v.rule === rule)
        .map((v) => `${v.message} Fix: ${v.fix}`);
}

interface Case {
    name: string;
    objects: KubernetesObject[];
    context?: MeshRuleContext;
    /** The objects the rule flags (`Kind namespace/name`); empty for a valid case. */
    flags: string[];
}

/** The cases of every rule's table, by rule id: the registry test below requires one per rule. */
const tables = new Map<string, Case[]>();

/** One `it` per case: the rule flags exactly the listed objects. */
function table(rule: string, cases: Case[]) {
    tables.set(rule, [...(tables.get(rule) ?? []), ...cases]);
    for (const c of cases) {
        it(`${c.flags.length > 0 ? "flags" : "accepts"}: ${c.name}`, () => {
            assert.deepEqual(flagged(rule, c.objects, c.context).sort(), [...c.flags].sort());
        });
    }
}

const seedObjects = () => fixtureObjects("seed", "istio-objects.yaml");

function seed(kind: string, name: string): KubernetesObject {
    const found = seedObjects().find((o) => o.kind === kind && o.metadata.name === name);
    assert.ok(found, `the seed has no ${kind} ${name}`);
    return found;
}

const chartObjects = () => fixtureObjects("ama-metrics-chart", "rendered-aks.yaml");

// The chart's pod label sets, as they run in `monitoring` once relocated.
const chartPods = () => ({ monitoring: podLabelsOf(chartObjects())["kube-system"] });

const context: MeshRuleContext = { rootNamespace: "istio-system", podLabels: chartPods() };

const object = (apiVersion: string, kind: string, namespace: string | undefined, name: string, spec: unknown): KubernetesObject => ({
    apiVersion,
    kind,
    metadata: namespace === undefined ? { name } : { name, namespace },
    spec,
});

const serviceEntry = (name: string, spec: unknown, namespace = "shop") =>
    object("networking.istio.io/v1", "ServiceEntry", namespace, name, spec);
const destinationRule = (name: string, spec: unknown, namespace = "shop") =>
    object("networking.istio.io/v1", "DestinationRule", namespace, name, spec);
const peerAuthentication = (name: string, namespace: string, spec: unknown) =>
    object("security.istio.io/v1", "PeerAuthentication", namespace, name, spec);
const authorizationPolicy = (name: string, namespace: string, spec: unknown) =>
    object("security.istio.io/v1", "AuthorizationPolicy", namespace, name, spec);
const namespaceObject = (name: string, labels: Record<string, string>): KubernetesObject => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels },
});

// ---- the seed --------------------------------------------------------------------------------------------

describe("mesh rules", () => {
    describe("the seed's objects", () => {
        it("are read from the test data", () => {
            assert.deepEqual(
                seedObjects().map((o) => `${o.kind} ${o.metadata.name}`),
                [
                    "Namespace monitoring",
                    "PeerAuthentication ama-metrics-mtls",
                    "Deployment ama-metrics",
                    "DaemonSet ama-metrics-node",
                    "DestinationRule azure-monitor-endpoints",
                    "DestinationRule azure-monitor-ingestion",
                    "ServiceEntry azure-monitor-external",
                    "Role read-addon-token",
                    "RoleBinding ama-metrics-read-addon-token",
                    "AuthorizationPolicy ama-metrics-scrape-allow",
                ],
            );
        });

        it("are each flagged by the rule that names their fault (PROVENANCE.md), and the RBAC objects are not", () => {
            // The seed targets the AKS add-on: a revisioned control plane.
            const onAks: MeshRuleContext = { ...context, revisionedControlPlane: true };
            assert.deepEqual(
                checkMeshObjects(seedObjects(), onAks)
                    .map((v) => `${v.rule} ${v.object}`)
                    .sort(),
                [
                    // "the AuthorizationPolicy is a selector-less ALLOW in the root namespace"
                    "allow-policy-without-selector AuthorizationPolicy istio-system/ama-metrics-scrape-allow",
                    // "the pods use the deprecated inject annotation"
                    "deprecated-inject-annotation DaemonSet monitoring/ama-metrics-node",
                    "deprecated-inject-annotation Deployment monitoring/ama-metrics",
                    // "the namespace label is wrong on a revisioned control plane"
                    "istio-injection-on-revisioned-control-plane Namespace monitoring",
                    "root-namespace-allow-policy AuthorizationPolicy istio-system/ama-metrics-scrape-allow",
                    // "the PeerAuthentication selects only the collector"
                    "strict-mtls-for-part-of-namespace PeerAuthentication monitoring/ama-metrics-mtls",
                    // "the DestinationRules originate TLS towards hosts that already speak it"
                    "tls-origination-on-tls-port DestinationRule monitoring/azure-monitor-endpoints",
                    "tls-origination-on-tls-port DestinationRule monitoring/azure-monitor-ingestion",
                    // "the ServiceEntry has wildcard hosts with DNS resolution"
                    "wildcard-host-dns-resolution ServiceEntry monitoring/azure-monitor-external",
                ],
            );
        });

        it("flag the collector-only PeerAuthentication against the seed's own workloads too (as the policy pack sees a stack)", () => {
            const objects = seedObjects();
            assert.deepEqual(flagged("strict-mtls-for-part-of-namespace", objects, { podLabels: podLabelsOf(objects) }), [
                "PeerAuthentication monitoring/ama-metrics-mtls",
            ]);
        });

        it("make assertMeshObjects throw one error naming every rule, object and fix", () => {
            assert.throws(
                () => assertMeshObjects(seedObjects(), { ...context, revisionedControlPlane: true }),
                (error: Error) => {
                    assert.match(error.message, /^9 Istio configuration rule violation/);
                    assert.match(
                        error.message,
                        /\[istio-injection-on-revisioned-control-plane\] Namespace monitoring: .* Fix: label the namespace `istio\.io\/rev/,
                    );
                    assert.match(
                        error.message,
                        /\[wildcard-host-dns-resolution\] ServiceEntry monitoring\/azure-monitor-external: .* Fix: set `resolution: NONE`/,
                    );
                    return true;
                },
            );
        });

        it("keep the component's call working: `{ rootNamespace, podLabels }` and nothing else", () => {
            assert.doesNotThrow(() =>
                assertMeshObjects(
                    [
                        namespaceObject("monitoring", { "istio.io/rev": "asm-1-27" }),
                        peerAuthentication("default", "monitoring", { mtls: { mode: "STRICT" } }),
                        peerAuthentication("ama-metrics-node-otlp", "monitoring", {
                            selector: { matchLabels: { dsName: "ama-metrics-node" } },
                            mtls: { mode: "STRICT" },
                            portLevelMtls: { "56681": { mode: "PERMISSIVE" } },
                        }),
                    ],
                    { rootNamespace: "aks-istio-system", podLabels: chartPods() },
                ),
            );
        });
    });

    // ---- 1. TLS origination on a TLS port, ISTIO_MUTUAL included -------------------------------------------

    describe("tls-origination-on-tls-port", () => {
        const tlsEntry = serviceEntry("api", {
            hosts: ["api.example.com"],
            ports: [{ number: 443, name: "tls", protocol: "TLS" }],
            location: "MESH_EXTERNAL",
            resolution: "DNS",
        });
        const rule = (mode: string, host = "api.example.com", name = "api") =>
            destinationRule(name, { host, trafficPolicy: { tls: { mode } } });
        const portLevel = (port: number, mode: string) =>
            destinationRule(`api-${port}`, {
                host: "api.example.com",
                trafficPolicy: { portLevelSettings: [{ port: { number: port }, tls: { mode } }] },
            });
        const azureEntry = serviceEntry(
            "azure",
            { hosts: ["*.monitor.azure.com"], ports: [{ number: 443, name: "tls", protocol: "TLS" }], resolution: "NONE" },
            "monitoring",
        );
        const meshWide = destinationRule("mesh-wide", { host: "*", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } }, "istio-system");

        // Istio's egress TLS-origination task (istio/istio.io content/en/docs/tasks/traffic-management/egress/
        // egress-tls-origination: ServiceEntry with HTTP 80 and HTTPS 443), in its current and its older form.
        const cnnEntry = (targetPort?: number) =>
            serviceEntry("edition-cnn-com", {
                hosts: ["edition.cnn.com"],
                ports: [
                    { number: 80, name: "http-port", protocol: "HTTP", ...(targetPort ? { targetPort } : {}) },
                    { number: 443, name: "https-port", protocol: "HTTPS" },
                ],
                resolution: "DNS",
            });
        const cnnSubset = destinationRule("edition-cnn-com", {
            host: "edition.cnn.com",
            subsets: [
                {
                    name: "tls-origination",
                    trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE" } }] },
                },
            ],
        });
        const cnnRoute = (kind: "http" | "tls") =>
            object("networking.istio.io/v1", "VirtualService", "shop", "edition-cnn-com", {
                hosts: ["edition.cnn.com"],
                [kind]: [
                    {
                        match: [kind === "http" ? { port: 80 } : { port: 443, sniHosts: ["edition.cnn.com"] }],
                        route: [{ destination: { host: "edition.cnn.com", subset: "tls-origination", port: { number: 443 } } }],
                    },
                ],
            });

        table("tls-origination-on-tls-port", [
            {
                name: "Istio's TLS-origination task today: SIMPLE on the plain-text port 80 (targetPort 443)",
                objects: [
                    cnnEntry(443),
                    destinationRule("edition-cnn-com", {
                        host: "edition.cnn.com",
                        trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: "SIMPLE" } }] },
                    }),
                ],
                flags: [],
            },
            {
                // "Policies specified for subsets will not take effect until a route rule explicitly sends traffic to this subset."
                name: "the task's older form: SIMPLE on 443 in a subset that only an http route from port 80 uses",
                objects: [cnnEntry(), cnnSubset, cnnRoute("http")],
                flags: [],
            },
            {
                name: "the same subset when a tls route sends the application's TLS on 443 there",
                objects: [cnnEntry(), cnnSubset, cnnRoute("tls")],
                flags: ["DestinationRule shop/edition-cnn-com"],
            },
            {
                name: "SIMPLE on 443 for every caller (top level): the application's own https:// calls are wrapped twice",
                objects: [
                    cnnEntry(),
                    destinationRule("edition-cnn-com", {
                        host: "edition.cnn.com",
                        trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE" } }] },
                    }),
                ],
                flags: ["DestinationRule shop/edition-cnn-com"],
            },
            { name: "SIMPLE towards a TLS port", objects: [tlsEntry, rule("SIMPLE")], flags: ["DestinationRule shop/api"] },
            { name: "MUTUAL towards a TLS port", objects: [tlsEntry, rule("MUTUAL")], flags: ["DestinationRule shop/api"] },
            {
                name: "ISTIO_MUTUAL towards a mesh-external TLS port",
                objects: [tlsEntry, rule("ISTIO_MUTUAL")],
                flags: ["DestinationRule shop/api"],
            },
            {
                name: "ISTIO_MUTUAL towards a TLS port of an entry without location (MESH_EXTERNAL is the default)",
                objects: [patch(tlsEntry, { spec: { location: null } }), rule("ISTIO_MUTUAL")],
                flags: ["DestinationRule shop/api"],
            },
            {
                name: "ISTIO_MUTUAL towards a MESH_INTERNAL TLS port (a sidecar terminates it)",
                objects: [patch(tlsEntry, { spec: { location: "MESH_INTERNAL" } }), rule("ISTIO_MUTUAL")],
                flags: [],
            },
            { name: "DISABLE towards a TLS port", objects: [tlsEntry, rule("DISABLE")], flags: [] },
            {
                name: "port-level ISTIO_MUTUAL on the TLS port",
                objects: [tlsEntry, portLevel(443, "ISTIO_MUTUAL")],
                flags: ["DestinationRule shop/api-443"],
            },
            { name: "port-level ISTIO_MUTUAL on another port", objects: [tlsEntry, portLevel(80, "ISTIO_MUTUAL")], flags: [] },
            {
                name: "top-level SIMPLE that the TLS port overrides with DISABLE",
                objects: [
                    tlsEntry,
                    destinationRule("api", {
                        host: "api.example.com",
                        trafficPolicy: {
                            tls: { mode: "SIMPLE" },
                            portLevelSettings: [{ port: { number: 443 }, tls: { mode: "DISABLE" } }],
                        },
                    }),
                ],
                flags: [],
            },
            {
                name: "ISTIO_MUTUAL naming an Azure host, no ServiceEntry needed",
                objects: [rule("ISTIO_MUTUAL", "*.monitor.azure.com")],
                flags: ["DestinationRule shop/api"],
            },
            {
                name: "a mesh-wide `*` ISTIO_MUTUAL alone (no entry brings external TLS hosts into the registry)",
                objects: [meshWide],
                flags: [],
            },
            {
                name: "a mesh-wide `*` ISTIO_MUTUAL with an egress entry for the Azure hosts",
                objects: [meshWide, azureEntry],
                flags: ["DestinationRule istio-system/mesh-wide"],
            },
            {
                name: "a mesh-wide `*` ISTIO_MUTUAL with the egress entry and a DISABLE rule for its hosts",
                objects: [
                    meshWide,
                    azureEntry,
                    destinationRule("azure", { host: "*.monitor.azure.com", trafficPolicy: { tls: { mode: "DISABLE" } } }, "monitoring"),
                ],
                flags: [],
            },
        ]);

        it("explains ISTIO_MUTUAL by istiod's order, and no longer claims Istio never applies it to MESH_EXTERNAL hosts", () => {
            const [text] = messages("tls-origination-on-tls-port", [tlsEntry, rule("ISTIO_MUTUAL")]);
            assert.match(text, /ISTIO_MUTUAL for mesh-external api\.example\.com port 443/);
            assert.match(text, /user-supplied ISTIO_MUTUAL before it checks for mesh-external hosts/);
            assert.match(text, /Fix: .*`tls\.mode: DISABLE`/);
            assert.doesNotMatch(text, /never applies/);
            const [seedText] = messages("tls-origination-on-tls-port", [seed("DestinationRule", "azure-monitor-endpoints")]);
            assert.doesNotMatch(seedText, /never applies/);
        });

        it("still flags the seed's SIMPLE rules without their ServiceEntry: the Azure hosts speak TLS on 443", () => {
            assert.deepEqual(
                flagged("tls-origination-on-tls-port", [
                    seed("DestinationRule", "azure-monitor-endpoints"),
                    seed("DestinationRule", "azure-monitor-ingestion"),
                ]),
                ["DestinationRule monitoring/azure-monitor-endpoints", "DestinationRule monitoring/azure-monitor-ingestion"],
            );
        });

        it("accepts SIMPLE towards a plain-text port (real TLS origination)", () => {
            const plain = serviceEntry("legacy", {
                hosts: ["legacy.example.com"],
                ports: [{ number: 80, name: "http", protocol: "HTTP" }],
                resolution: "DNS",
            });
            assert.deepEqual(flagged("tls-origination-on-tls-port", [plain, rule("SIMPLE", "legacy.example.com")]), []);
        });
    });

    // ---- 2. wildcard host with DNS resolution: a workloadSelector does not exempt ----------------------------

    describe("wildcard-host-dns-resolution", () => {
        const entry = seed("ServiceEntry", "azure-monitor-external");
        table("wildcard-host-dns-resolution", [
            {
                name: "the seed's entry (wildcard hosts, DNS, no endpoints)",
                objects: [entry],
                flags: ["ServiceEntry monitoring/azure-monitor-external"],
            },
            {
                name: "DNS_ROUND_ROBIN",
                objects: [patch(entry, { spec: { resolution: "DNS_ROUND_ROBIN" } })],
                flags: ["ServiceEntry monitoring/azure-monitor-external"],
            },
            {
                name: "DNS with a workloadSelector and no endpoints",
                objects: [patch(entry, { spec: { workloadSelector: { labels: { app: "egress" } } } })],
                flags: ["ServiceEntry monitoring/azure-monitor-external"],
            },
            { name: "DNS with endpoints", objects: [patch(entry, { spec: { endpoints: [{ address: "10.1.2.3" }] } })], flags: [] },
            { name: "resolution NONE", objects: [patch(entry, { spec: { resolution: "NONE" } })], flags: [] },
            {
                name: "exact hosts with DNS",
                objects: [patch(entry, { spec: { hosts: ["global.handler.control.monitor.azure.com"] } })],
                flags: [],
            },
        ]);

        it("says a workloadSelector does not count as endpoints", () => {
            const [text] = messages("wildcard-host-dns-resolution", [
                patch(entry, { spec: { workloadSelector: { labels: { app: "egress" } } } }),
            ]);
            assert.match(text, /a workloadSelector does not count as endpoints/);
            assert.match(text, /IST0106/);
        });
    });

    // ---- 3. IST0123, as the analyzer counts ---------------------------------------------------------------

    describe("two-injection-labels", () => {
        const ns = (labels: Record<string, string>, name = "monitoring") => namespaceObject(name, labels);
        table("two-injection-labels", [
            {
                name: "istio-injection=enabled and istio.io/rev",
                objects: [ns({ "istio-injection": "enabled", "istio.io/rev": "asm-1-27" })],
                flags: ["Namespace monitoring"],
            },
            {
                name: "istio-injection=disabled and istio.io/rev (rev is not counted)",
                objects: [ns({ "istio-injection": "disabled", "istio.io/rev": "asm-1-27" })],
                flags: [],
            },
            {
                name: "istio.io/rev and the ambient dataplane-mode",
                objects: [ns({ "istio.io/rev": "asm-1-27", "istio.io/dataplane-mode": "ambient" })],
                flags: ["Namespace monitoring"],
            },
            {
                name: "istio.io/rev and dataplane-mode=none",
                objects: [ns({ "istio.io/rev": "asm-1-27", "istio.io/dataplane-mode": "none" })],
                flags: ["Namespace monitoring"],
            },
            {
                name: "istio-injection=enabled and dataplane-mode",
                objects: [ns({ "istio-injection": "enabled", "istio.io/dataplane-mode": "ambient" })],
                flags: ["Namespace monitoring"],
            },
            {
                name: "istio-injection=disabled and dataplane-mode",
                objects: [ns({ "istio-injection": "disabled", "istio.io/dataplane-mode": "ambient" })],
                flags: [],
            },
            { name: "dataplane-mode alone", objects: [ns({ "istio.io/dataplane-mode": "ambient" })], flags: [] },
            { name: "istio.io/rev alone", objects: [ns({ "istio.io/rev": "asm-1-27" })], flags: [] },
            {
                name: "two labels on the namespace named istio-system (the analyzer skips it)",
                objects: [ns({ "istio-injection": "enabled", "istio.io/rev": "x" }, "istio-system")],
                flags: [],
            },
            {
                name: "two labels on aks-istio-system (not skipped)",
                objects: [ns({ "istio-injection": "enabled", "istio.io/rev": "x" }, "aks-istio-system")],
                flags: ["Namespace aks-istio-system"],
            },
        ]);

        it("lists the labels it counted", () => {
            const [text] = messages("two-injection-labels", [ns({ "istio.io/rev": "asm-1-27", "istio.io/dataplane-mode": "ambient" })]);
            assert.match(text, /istio\.io\/rev=asm-1-27, istio\.io\/dataplane-mode=ambient \(IST0123\)/);
        });
    });

    describe("istio-injection-on-revisioned-control-plane", () => {
        const revisioned: MeshRuleContext = { revisionedControlPlane: true };
        table("istio-injection-on-revisioned-control-plane", [
            {
                name: "the seed's istio-injection=enabled on a revisioned control plane",
                objects: [seed("Namespace", "monitoring")],
                context: revisioned,
                flags: ["Namespace monitoring"],
            },
            {
                name: "istio.io/rev on a revisioned control plane",
                objects: [namespaceObject("monitoring", { "istio.io/rev": "asm-1-27" })],
                context: revisioned,
                flags: [],
            },
            {
                name: "istio-injection=disabled (an opt-out)",
                objects: [namespaceObject("monitoring", { "istio-injection": "disabled" })],
                context: revisioned,
                flags: [],
            },
            {
                name: "istio-injection=enabled where the control plane is not known to be revisioned",
                objects: [seed("Namespace", "monitoring")],
                flags: [],
            },
        ]);
    });

    // ---- 4. PeerAuthentication precedence ----------------------------------------------------------------

    describe("peer-authentication-precedence", () => {
        const strict = { mtls: { mode: "STRICT" } };
        const wide = (name: string, namespace = "monitoring") => peerAuthentication(name, namespace, strict);
        const scoped = (name: string, labels: Record<string, string>, namespace = "monitoring") =>
            peerAuthentication(name, namespace, { ...strict, selector: { matchLabels: labels } });
        const permissive = (name: string, labels: Record<string, string>, namespace = "monitoring") =>
            peerAuthentication(name, namespace, { mtls: { mode: "PERMISSIVE" }, selector: { matchLabels: labels } });
        const aks: MeshRuleContext = { rootNamespace: "aks-istio-system" };

        table("peer-authentication-precedence", [
            {
                name: "a selector policy in the root namespace",
                objects: [scoped("x", { app: "a" }, "aks-istio-system")],
                context: aks,
                flags: ["PeerAuthentication aks-istio-system/x"],
            },
            {
                name: "the mesh-wide policy (no selector) in the root namespace",
                objects: [wide("default", "aks-istio-system")],
                context: aks,
                flags: [],
            },
            {
                name: "a selector policy in istio-system when the root is aks-istio-system",
                objects: [scoped("x", { app: "a" }, "istio-system")],
                context: aks,
                flags: [],
            },
            {
                name: "two namespace-wide policies in one namespace, whatever their names",
                objects: [wide("default"), wide("strict")],
                flags: ["PeerAuthentication monitoring/default", "PeerAuthentication monitoring/strict"],
            },
            {
                name: "two mesh-wide policies in the root namespace",
                objects: [wide("a", "aks-istio-system"), wide("b", "aks-istio-system")],
                context: aks,
                flags: ["PeerAuthentication aks-istio-system/a", "PeerAuthentication aks-istio-system/b"],
            },
            {
                name: "one namespace-wide policy and one selector exception",
                objects: [wide("default"), scoped("otlp", { dsName: "ama-metrics-node" })],
                flags: [],
            },
            { name: "namespace-wide policies in two namespaces", objects: [wide("default"), wide("default", "shop")], flags: [] },
            {
                name: "two selector policies with nested selectors and different modes (both select every pod of the narrower)",
                objects: [scoped("a", { app: "shop" }, "shop"), permissive("b", { app: "shop", version: "v2" }, "shop")],
                flags: ["PeerAuthentication shop/a", "PeerAuthentication shop/b"],
            },
            {
                // Whichever istiod applies (policy_applier.go applies one as a whole), the workload gets the same modes.
                name: "two selector policies with nested selectors and the same effect",
                objects: [scoped("a", { app: "shop" }, "shop"), scoped("b", { app: "shop", version: "v2" }, "shop")],
                flags: [],
            },
            {
                name: "two nested selector policies that differ only in portLevelMtls",
                objects: [
                    scoped("a", { app: "shop" }, "shop"),
                    patch(scoped("b", { app: "shop", version: "v2" }, "shop"), {
                        spec: { portLevelMtls: { "8080": { mode: "PERMISSIVE" } } },
                    }),
                ],
                flags: ["PeerAuthentication shop/a", "PeerAuthentication shop/b"],
            },
            {
                name: "two selector policies with disjoint selectors, pods unknown",
                objects: [scoped("a", { app: "shop" }, "shop"), scoped("b", { tier: "db" }, "shop")],
                flags: [],
            },
            {
                name: "two selector policies with disjoint selectors and a known pod carrying both",
                objects: [scoped("a", { app: "shop" }, "shop"), permissive("b", { tier: "db" }, "shop")],
                context: { podLabels: { shop: [{ app: "shop", tier: "db" }] } },
                flags: ["PeerAuthentication shop/a", "PeerAuthentication shop/b"],
            },
        ]);

        it("says the ignored policy cannot be known before creation, and that names play no part", () => {
            const [text] = messages("peer-authentication-precedence", [wide("default"), wide("strict")]);
            assert.match(text, /applies only the oldest and ignores the others, whatever their names/);
            assert.match(text, /cannot be known before they are created/);
        });

        it("says a root-namespace selector policy has no effect", () => {
            const [text] = messages("peer-authentication-precedence", [scoped("x", { app: "a" }, "istio-system")], {
                rootNamespace: "istio-system",
            });
            assert.match(text, /istiod ignores selector policies there/);
        });
    });

    describe("strict-mtls-for-part-of-namespace", () => {
        const collectorOnly = seed("PeerAuthentication", "ama-metrics-mtls");
        table("strict-mtls-for-part-of-namespace", [
            {
                name: "the seed's collector-only STRICT policy",
                objects: [collectorOnly],
                context,
                flags: ["PeerAuthentication monitoring/ama-metrics-mtls"],
            },
            {
                name: "the same policy beside a namespace-wide one",
                objects: [collectorOnly, peerAuthentication("default", "monitoring", { mtls: { mode: "STRICT" } })],
                context,
                flags: [],
            },
            {
                name: "the same policy under a STRICT mesh-wide policy",
                objects: [collectorOnly, peerAuthentication("default", "istio-system", { mtls: { mode: "STRICT" } })],
                context,
                flags: [],
            },
            {
                name: "a PERMISSIVE exception (the usual use of a selector)",
                objects: [patch(collectorOnly, { spec: { mtls: { mode: "PERMISSIVE" } } })],
                context,
                flags: [],
            },
            { name: "the same policy where the namespace's pods are unknown", objects: [collectorOnly], flags: [] },
        ]);
    });

    describe("port-level-mtls-without-selector", () => {
        const policy = seed("PeerAuthentication", "ama-metrics-mtls");
        table("port-level-mtls-without-selector", [
            {
                name: "a namespace-wide policy with a port exception",
                objects: [patch(policy, { spec: { selector: null, portLevelMtls: { "56681": { mode: "PERMISSIVE" } } } })],
                flags: ["PeerAuthentication monitoring/ama-metrics-mtls"],
            },
            {
                name: "a selector-scoped port exception",
                objects: [patch(policy, { spec: { portLevelMtls: { "56681": { mode: "PERMISSIVE" } } } })],
                flags: [],
            },
            {
                // validation.go: "port level mTLS, if defined, must have at least one element" (CRD minProperties: 1).
                name: "an empty portLevelMtls with a selector",
                objects: [patch(policy, { spec: { portLevelMtls: {} } })],
                flags: ["PeerAuthentication monitoring/ama-metrics-mtls"],
            },
            {
                // validation.go: "port must be in range 1..65535".
                name: "a port exception on port 0",
                objects: [patch(policy, { spec: { portLevelMtls: { "0": { mode: "PERMISSIVE" } } } })],
                flags: ["PeerAuthentication monitoring/ama-metrics-mtls"],
            },
        ]);

        it("says an empty portLevelMtls is rejected", () => {
            const [text] = messages("port-level-mtls-without-selector", [patch(policy, { spec: { portLevelMtls: {} } })]);
            assert.match(text, /portLevelMtls is present but empty \(istiod's validation rejects it\)/);
        });
    });

    // ---- 5. IST0150 ---------------------------------------------------------------------------------------

    describe("external-name-port-protocol", () => {
        const service = (port: Record<string, unknown>, type = "ExternalName", labels: Record<string, string> = {}): KubernetesObject => ({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "ext", namespace: "shop", labels },
            spec: { type, externalName: "api.example.com", ports: [port] },
        });
        const ext = ["Service shop/ext"];
        table("external-name-port-protocol", [
            { name: "a name without a protocol prefix", objects: [service({ name: "nginx", port: 443 })], flags: ext },
            { name: "the name with a protocol prefix", objects: [service({ name: "http-nginx", port: 443 })], flags: [] },
            { name: "an unnamed port", objects: [service({ port: 443 })], flags: ext },
            { name: "an unnamed port on a default-TCP port (3306)", objects: [service({ port: 3306 })], flags: [] },
            { name: "an unknown name on a default-TCP port (53)", objects: [service({ name: "dns", port: 53 })], flags: [] },
            { name: "the name exactly `tcp`", objects: [service({ name: "tcp", port: 443 })], flags: ext },
            { name: "a `tcp-` prefixed name", objects: [service({ name: "tcp-db", port: 443 })], flags: [] },
            { name: "the name exactly `tcp` on a UDP port", objects: [service({ name: "tcp", port: 53, protocol: "UDP" })], flags: ext },
            { name: "an unknown name on a UDP port", objects: [service({ name: "syslog", port: 514, protocol: "UDP" })], flags: [] },
            { name: "`https` (upstream's correct example)", objects: [service({ name: "https", port: 443 })], flags: [] },
            { name: "an upper-case prefix", objects: [service({ name: "HTTPS-api", port: 443 })], flags: [] },
            { name: "a grpc-web prefix", objects: [service({ name: "grpc-web-api", port: 8080 })], flags: [] },
            { name: "appProtocol naming a protocol", objects: [service({ name: "api", port: 443, appProtocol: "https" })], flags: [] },
            {
                name: "appProtocol kubernetes.io/wss",
                objects: [service({ name: "api", port: 443, appProtocol: "kubernetes.io/wss" })],
                flags: [],
            },
            {
                name: "an unknown appProtocol replaces a good name",
                objects: [service({ name: "https", port: 443, appProtocol: "custom" })],
                flags: ext,
            },
            {
                name: "a ClusterIP Service (IST0118, not this rule)",
                objects: [service({ name: "nginx", port: 443 }, "ClusterIP")],
                flags: [],
            },
            {
                name: "a Service of Istio's control plane",
                objects: [service({ name: "nginx", port: 443 }, "ExternalName", { istio: "pilot" })],
                flags: [],
            },
            {
                name: "a gateway-managed Service",
                objects: [
                    service({ name: "nginx", port: 443 }, "ExternalName", { "gateway.istio.io/managed": "istio.io-mesh-controller" }),
                ],
                flags: [],
            },
        ]);

        it("derives protocols as ConvertProtocol does", () => {
            assert.equal(servicePortProtocol(80, "http-web"), "HTTP");
            assert.equal(servicePortProtocol(80, "grpc-webby"), "GRPC-Web");
            assert.equal(servicePortProtocol(80, "web", undefined, "kubernetes.io/h2c"), "HTTP2");
            assert.equal(servicePortProtocol(27017, "db"), "TCP");
            assert.equal(servicePortProtocol(80, "doublehbone"), undefined);
        });
    });

    // ---- 6. authorization on Istio's ports; ALLOW in every well-known root namespace ----------------------

    describe("authorization-on-istio-port", () => {
        const policy = (ports: unknown[], action = "ALLOW", field = "ports") =>
            authorizationPolicy("scrape", "shop", {
                action,
                selector: { matchLabels: { app: "shop" } },
                rules: [{ to: [{ operation: { [field]: ports } }] }],
            });
        const scrape = ["AuthorizationPolicy shop/scrape"];
        table("authorization-on-istio-port", [
            // An ALLOW naming only Istio's ports is allow-policy-only-on-istio-ports' outage, reported once, there.
            { name: "ALLOW on the status port 15020 alone", objects: [policy(["15020"])], flags: [] },
            { name: "DENY on the status port 15020", objects: [policy(["15020"], "DENY")], flags: scrape },
            { name: "ALLOW on the application's port", objects: [policy(["8080"])], flags: [] },
            { name: "DENY on Envoy's Prometheus port 15090", objects: [policy(["15090"], "DENY")], flags: scrape },
            { name: "the health port 15021 among others", objects: [policy(["8080", "15021"])], flags: scrape },
            { name: "Envoy's admin port 15000 (the range's first)", objects: [policy(["15000"], "DENY")], flags: scrape },
            { name: "15091, just past the range", objects: [policy(["15091"])], flags: [] },
            { name: "14999, just before the range", objects: [policy(["14999"])], flags: [] },
            { name: "15020 under notPorts", objects: [policy(["15020"], "ALLOW", "notPorts")], flags: [] },
        ]);

        it("says the policy never takes effect there, and that istiod accepts it", () => {
            const [text] = messages("authorization-on-istio-port", [policy(["15020", "15004"], "AUDIT")]);
            assert.match(text, /never takes effect \(istiod accepts it\)/);
            assert.match(text, /15004: Istio reserves 15000–15090 for the sidecar itself/);
            assert.match(text, /15020: the injector excludes it from inbound capture/);
        });
    });

    describe("allow-policy-only-on-istio-ports", () => {
        const policy = (name: string, rules: unknown[], extra: Record<string, unknown> = {}) =>
            authorizationPolicy(name, "shop", { selector: { matchLabels: { app: "shop" } }, rules, ...extra });
        const to = (...ports: string[]) => ({ to: [{ operation: { ports } }] });
        table("allow-policy-only-on-istio-ports", [
            {
                name: "ALLOW whose only rule names 15020",
                objects: [policy("metrics", [to("15020")])],
                flags: ["AuthorizationPolicy shop/metrics"],
            },
            {
                name: "ALLOW whose rules name 15020 and 15090 only",
                objects: [policy("metrics", [to("15020"), to("15090")])],
                flags: ["AuthorizationPolicy shop/metrics"],
            },
            { name: "ALLOW naming 15020 and the application's 8080", objects: [policy("metrics", [to("15020", "8080")])], flags: [] },
            {
                name: "ALLOW with a second rule without `to`",
                objects: [policy("metrics", [to("15020"), { from: [{ source: { namespaces: ["a"] } }] }])],
                flags: [],
            },
            {
                name: "ALLOW on 15020 under notPorts",
                objects: [policy("metrics", [{ to: [{ operation: { notPorts: ["15020"] } }] }])],
                flags: [],
            },
            { name: "DENY on 15020", objects: [policy("metrics", [to("15020")], { action: "DENY" })], flags: [] },
            {
                name: "ALLOW on 15020 beside another ALLOW for the same workload's real port",
                objects: [policy("metrics", [to("15020")]), policy("app", [to("8080")])],
                flags: [],
            },
            {
                name: "ALLOW on 15020 beside an ALLOW for other workloads",
                objects: [
                    policy("metrics", [to("15020")]),
                    patch(policy("db", [to("5432")]), { spec: { selector: { matchLabels: { app: "db" } } } }),
                ],
                flags: ["AuthorizationPolicy shop/metrics"],
            },
        ]);

        it("says the workload loses its real traffic, as a mandatory policy", () => {
            const [text] = messages("allow-policy-only-on-istio-ports", [policy("metrics", [to("15020")])]);
            assert.match(text, /deny every request to their real ports/);
            assert.equal(meshRules.find((r) => r.id === "allow-policy-only-on-istio-ports")?.policy.enforcementLevel, "mandatory");
        });
    });

    describe("root-namespace-allow-policy", () => {
        const allow = seed("AuthorizationPolicy", "ama-metrics-scrape-allow");
        const inNamespace = (namespace: string, changes: unknown = {}) => patch(allow, { metadata: { namespace }, ...(changes as object) });
        table("root-namespace-allow-policy", [
            {
                name: "the seed's ALLOW in istio-system",
                objects: [allow],
                context,
                flags: ["AuthorizationPolicy istio-system/ama-metrics-scrape-allow"],
            },
            {
                name: "ALLOW in istio-system when the context's root is another",
                objects: [allow],
                context: { rootNamespace: "mesh-root" },
                flags: ["AuthorizationPolicy istio-system/ama-metrics-scrape-allow"],
            },
            {
                name: "ALLOW in aks-istio-system when the context's root is istio-system",
                objects: [inNamespace("aks-istio-system")],
                context,
                flags: ["AuthorizationPolicy aks-istio-system/ama-metrics-scrape-allow"],
            },
            {
                name: "ALLOW in the context's own root",
                objects: [inNamespace("mesh-root")],
                context: { rootNamespace: "mesh-root" },
                flags: ["AuthorizationPolicy mesh-root/ama-metrics-scrape-allow"],
            },
            {
                name: "ALLOW in one of the context's root namespaces",
                objects: [inNamespace("mesh-b")],
                context: { rootNamespaces: ["mesh-a", "mesh-b"] },
                flags: ["AuthorizationPolicy mesh-b/ama-metrics-scrape-allow"],
            },
            {
                // pilot/pkg/model/authorization.go: root-namespace policies attach to the workloads their selector matches.
                name: "a selector-scoped, action-less ALLOW in a root namespace (an ingress gateway's IP allow-list)",
                objects: [
                    authorizationPolicy("ingress-allow-list", "aks-istio-system", {
                        selector: { matchLabels: { app: "aks-istio-ingressgateway-external" } },
                        rules: [{ from: [{ source: { ipBlocks: ["203.0.113.0/24"] } }] }],
                    }),
                ],
                flags: [],
            },
            {
                name: "ALLOW in an application namespace",
                objects: [inNamespace("shop")],
                context: { rootNamespace: "mesh-root" },
                flags: [],
            },
            { name: "DENY in a root namespace", objects: [patch(allow, { spec: { action: "DENY" } })], context, flags: [] },
            {
                name: "an empty spec (deny-all) in a root namespace: every request of the mesh denied",
                objects: [authorizationPolicy("allow-nothing", "istio-system", {})],
                flags: ["AuthorizationPolicy istio-system/allow-nothing"],
            },
            {
                name: "a selector-scoped deny-all in a root namespace",
                objects: [authorizationPolicy("allow-nothing", "istio-system", { selector: { matchLabels: { app: "legacy" } } })],
                flags: [],
            },
            {
                name: "the allow-all (`rules: [{}]`) in a root namespace",
                objects: [authorizationPolicy("allow-all", "istio-system", { rules: [{}] })],
                flags: [],
            },
        ]);

        it("calls the root namespace's empty spec a mesh-wide deny of every request", () => {
            const [text] = messages("root-namespace-allow-policy", [authorizationPolicy("allow-nothing", "istio-system", {})]);
            assert.match(text, /allows nothing and applies to every workload in the mesh, so it denies every request mesh-wide/);
        });
    });

    describe("allow-policy-without-selector", () => {
        const allow = patch(seed("AuthorizationPolicy", "ama-metrics-scrape-allow"), { metadata: { namespace: "shop" } });
        const flags = ["AuthorizationPolicy shop/ama-metrics-scrape-allow"];
        table("allow-policy-without-selector", [
            { name: "ALLOW without a selector", objects: [allow], flags },
            { name: "ALLOW with an empty matchLabels", objects: [patch(allow, { spec: { selector: { matchLabels: {} } } })], flags },
            { name: "ALLOW with a selector", objects: [patch(allow, { spec: { selector: { matchLabels: { app: "shop" } } } })], flags: [] },
            {
                name: "ALLOW with targetRefs",
                objects: [patch(allow, { spec: { targetRefs: [{ kind: "Service", group: "", name: "shop" }] } })],
                flags: [],
            },
            { name: "DENY without a selector", objects: [patch(allow, { spec: { action: "DENY" } })], flags: [] },
            { name: "Istio's deny-all", objects: [authorizationPolicy("allow-nothing", "shop", {})], flags: [] },
            {
                name: "the allow-all (`rules: [{}]`): it denies nothing",
                objects: [authorizationPolicy("allow-all", "shop", { rules: [{}] })],
                flags: [],
            },
            {
                name: "an ALLOW whose one rule matches something",
                objects: [authorizationPolicy("some", "shop", { rules: [{ from: [{ source: { namespaces: ["a"] } }] }] })],
                flags: ["AuthorizationPolicy shop/some"],
            },
        ]);
    });

    // ---- 7. IST0134 and IST0177 ---------------------------------------------------------------------------

    describe("service-entry-addresses-required", () => {
        const entry = serviceEntry("db", {
            hosts: ["db.example.com"],
            ports: [{ number: 5432, name: "tcp-db", protocol: "TCP" }],
            resolution: "DNS",
        });
        const flags = ["ServiceEntry shop/db"];
        const dnsCapture = { ISTIO_META_DNS_CAPTURE: "true" };
        table("service-entry-addresses-required", [
            { name: "protocol TCP without addresses", objects: [entry], flags },
            {
                name: "protocol tcp (any case) without addresses",
                objects: [patch(entry, { spec: { ports: [{ number: 5432, name: "db", protocol: "tcp" }] } })],
                flags,
            },
            {
                name: "protocol unset without addresses",
                objects: [patch(entry, { spec: { ports: [{ number: 5432, name: "db" }] } })],
                flags,
            },
            { name: "resolution NONE does not matter to the analyzer", objects: [patch(entry, { spec: { resolution: "NONE" } })], flags },
            {
                name: "protocol TLS without addresses",
                objects: [patch(entry, { spec: { ports: [{ number: 5432, name: "tls", protocol: "TLS" }] } })],
                flags: [],
            },
            { name: "protocol TCP with addresses", objects: [patch(entry, { spec: { addresses: ["240.0.0.10"] } })], flags: [] },
            { name: "protocol TCP with an empty address list", objects: [patch(entry, { spec: { addresses: [] } })], flags },
            {
                name: "protocol TCP with an auto-allocated address in status",
                objects: [patch(entry, { status: { addresses: [{ value: "240.240.0.1" }] } })],
                flags: [],
            },
            {
                name: "protocol TCP when the mesh captures DNS and auto-allocates",
                objects: [entry],
                context: { meshProxyMetadata: { ...dnsCapture, ISTIO_META_DNS_AUTO_ALLOCATE: "true" } },
                flags: [],
            },
            {
                name: "protocol TCP when the mesh captures DNS with PILOT_ENABLE_IP_AUTOALLOCATE",
                objects: [entry],
                context: { meshProxyMetadata: { ...dnsCapture, PILOT_ENABLE_IP_AUTOALLOCATE: "true" } },
                flags: [],
            },
            {
                name: "protocol TCP when the mesh captures DNS without auto-allocation",
                objects: [entry],
                context: { meshProxyMetadata: dnsCapture },
                flags,
            },
            {
                name: "protocol TCP with auto-allocation but no DNS capture",
                objects: [entry],
                context: { meshProxyMetadata: { ISTIO_META_DNS_AUTO_ALLOCATE: "true" } },
                flags,
            },
        ]);

        it("says what the objects cannot show", () => {
            const [text] = messages("service-entry-addresses-required", [entry]);
            assert.match(text, /IST0134/);
            assert.match(text, /Not visible from the objects: an address istiod auto-allocates into status\.addresses after creation/);
            assert.match(text, /ISTIO_META_DNS_CAPTURE/);
        });
    });

    describe("conflicting-service-entry-protocol", () => {
        const entry = (name: string, namespace: string, protocol: string | undefined, extra: Record<string, unknown> = {}) =>
            serviceEntry(
                name,
                {
                    hosts: ["api.example.com"],
                    ports: [{ number: 443, name: "p", ...(protocol === undefined ? {} : { protocol }) }],
                    resolution: "NONE",
                    ...extra,
                },
                namespace,
            );
        table("conflicting-service-entry-protocol", [
            {
                name: "TLS and HTTPS for one host and port",
                objects: [entry("a", "shop", "TLS"), entry("b", "pay", "HTTPS")],
                flags: ["ServiceEntry shop/a", "ServiceEntry pay/b"],
            },
            { name: "the same protocol twice", objects: [entry("a", "shop", "TLS"), entry("b", "pay", "TLS")], flags: [] },
            { name: "the same protocol in other cases", objects: [entry("a", "shop", "TLS"), entry("b", "pay", "tls")], flags: [] },
            {
                name: "unset and TCP",
                objects: [entry("a", "shop", undefined), entry("b", "pay", "TCP")],
                flags: ["ServiceEntry shop/a", "ServiceEntry pay/b"],
            },
            {
                name: "each exported only to its own namespace",
                objects: [entry("a", "shop", "TLS", { exportTo: ["."] }), entry("b", "pay", "HTTPS", { exportTo: ["."] })],
                flags: [],
            },
            {
                name: "one exported to its namespace, one to every namespace",
                objects: [entry("a", "shop", "TLS", { exportTo: ["."] }), entry("b", "pay", "HTTPS")],
                flags: ["ServiceEntry shop/a", "ServiceEntry pay/b"],
            },
            {
                name: "both exported to one named namespace",
                objects: [entry("a", "shop", "TLS", { exportTo: ["web"] }), entry("b", "pay", "HTTPS", { exportTo: ["web", "pay"] })],
                flags: ["ServiceEntry shop/a", "ServiceEntry pay/b"],
            },
            {
                name: "hosts that only overlap by wildcard (the analyzer matches exact strings)",
                objects: [entry("a", "shop", "TLS"), patch(entry("b", "pay", "HTTPS"), { spec: { hosts: ["*.example.com"] } })],
                flags: [],
            },
            {
                name: "different ports",
                objects: [
                    entry("a", "shop", "TLS"),
                    patch(entry("b", "pay", "HTTPS"), { spec: { ports: [{ number: 8443, name: "p", protocol: "HTTPS" }] } }),
                ],
                flags: [],
            },
        ]);

        it("names both entries and protocols, and the Istio version that reports it", () => {
            const [text] = messages("conflicting-service-entry-protocol", [entry("a", "shop", "TLS"), entry("b", "pay", "HTTPS")]);
            assert.match(text, /host api\.example\.com port 443 is defined by pay\/b, shop\/a with conflicting protocols HTTPS, TLS/);
            assert.match(text, /IST0177, reported by istioctl ≥ 1\.31\.0-alpha/);
        });
    });

    // ---- the other rules ------------------------------------------------------------------------------------

    describe("selector-matches-no-pod", () => {
        const policy = seed("PeerAuthentication", "ama-metrics-mtls");
        const missing = { app: "nothing" };
        table("selector-matches-no-pod", [
            {
                name: "the seed's DaemonSet label (dsName: ama-metrics), which no chart pod carries",
                objects: [patch(policy, { spec: { selector: { matchLabels: { dsName: "ama-metrics" } } } })],
                context,
                flags: ["PeerAuthentication monitoring/ama-metrics-mtls"],
            },
            {
                name: "each selector-bearing kind",
                objects: [
                    object("security.istio.io/v1", "RequestAuthentication", "monitoring", "a", { selector: { matchLabels: missing } }),
                    object("telemetry.istio.io/v1", "Telemetry", "monitoring", "b", { selector: { matchLabels: missing } }),
                    object("networking.istio.io/v1", "Sidecar", "monitoring", "c", { workloadSelector: { labels: missing } }),
                ],
                context,
                flags: ["RequestAuthentication monitoring/a", "Telemetry monitoring/b", "Sidecar monitoring/c"],
            },
            { name: "the seed's selector (the collector's pods)", objects: [policy], context, flags: [] },
            {
                name: "a namespace whose pods are unknown",
                objects: [patch(policy, { metadata: { namespace: "shop" }, spec: { selector: { matchLabels: missing } } })],
                context,
                flags: [],
            },
            {
                name: "a PeerAuthentication in a root namespace (not judged there)",
                objects: [patch(policy, { metadata: { namespace: "istio-system" }, spec: { selector: { matchLabels: missing } } })],
                context: { ...context, podLabels: { "istio-system": [] } },
                flags: [],
            },
            {
                // authz/authorizationpolicies.go: a mesh-wide policy's selector is judged against the pods of every namespace.
                name: "a root-namespace AuthorizationPolicy whose selector matches a pod of another namespace",
                objects: [authorizationPolicy("gw", "istio-system", { selector: { matchLabels: { app: "shop" } } })],
                context: { rootNamespace: "istio-system", podLabels: { shop: [{ app: "shop" }] } },
                flags: [],
            },
            {
                name: "a root-namespace AuthorizationPolicy whose selector matches no pod anywhere",
                objects: [authorizationPolicy("gw", "istio-system", { selector: { matchLabels: missing } })],
                context: { rootNamespace: "istio-system", podLabels: { shop: [{ app: "shop" }] } },
                flags: ["AuthorizationPolicy istio-system/gw"],
            },
            {
                name: "a selector-less AuthorizationPolicy in a namespace known to hold no pod",
                objects: [authorizationPolicy("deny", "empty", {})],
                context: { podLabels: { empty: [] } },
                flags: ["AuthorizationPolicy empty/deny"],
            },
            {
                name: "a selector-less AuthorizationPolicy in a namespace with pods",
                objects: [authorizationPolicy("deny", "shop", {})],
                context: { podLabels: { shop: [{ app: "shop" }] } },
                flags: [],
            },
            {
                // local/istiod_analyze.go drops the namespaces of inject.IgnoredNamespaces.
                name: "a selector in kube-system, which istioctl never analyzes",
                objects: [authorizationPolicy("x", "kube-system", { selector: { matchLabels: missing } })],
                context: { podLabels: { "kube-system": [{ app: "shop" }] } },
                flags: [],
            },
        ]);
    });

    describe("deprecated-inject-annotation", () => {
        const deployment = seed("Deployment", "ama-metrics");
        table("deprecated-inject-annotation", [
            {
                name: "the seed's Deployment and DaemonSet",
                objects: [deployment, seed("DaemonSet", "ama-metrics-node")],
                flags: ["Deployment monitoring/ama-metrics", "DaemonSet monitoring/ama-metrics-node"],
            },
            {
                name: "a Pod and a CronJob's pod template",
                objects: [
                    {
                        apiVersion: "v1",
                        kind: "Pod",
                        metadata: { name: "p", namespace: "shop", annotations: { "sidecar.istio.io/inject": "false" } },
                    },
                    object("batch/v1", "CronJob", "shop", "c", {
                        jobTemplate: { spec: { template: { metadata: { annotations: { "sidecar.istio.io/inject": "false" } } } } },
                    }),
                ],
                flags: ["Pod shop/p", "CronJob shop/c"],
            },
            {
                name: "the label instead of the annotation",
                objects: [
                    patch(deployment, {
                        spec: {
                            template: {
                                metadata: {
                                    annotations: { "sidecar.istio.io/inject": null },
                                    labels: { "sidecar.istio.io/inject": "true" },
                                },
                            },
                        },
                    }),
                ],
                flags: [],
            },
            { name: "the chart's own workloads", objects: chartObjects(), flags: [] },
            {
                // annotations/annotations.go skips a resource that also carries the label ("Skip to avoid noise").
                name: "a pod carrying both the annotation and the inject label",
                objects: [
                    {
                        apiVersion: "v1",
                        kind: "Pod",
                        metadata: {
                            name: "p",
                            namespace: "shop",
                            annotations: { "sidecar.istio.io/inject": "false" },
                            labels: { "sidecar.istio.io/inject": "false" },
                        },
                    },
                ],
                flags: [],
            },
            {
                // annotations/annotations.go reads a Deployment's own metadata too.
                name: "a Deployment whose own metadata carries the annotation",
                objects: [
                    patch(deployment, {
                        metadata: { annotations: { "sidecar.istio.io/inject": "false" } },
                        spec: { template: { metadata: { annotations: { "sidecar.istio.io/inject": null } } } },
                    }),
                ],
                flags: ["Deployment monitoring/ama-metrics"],
            },
            {
                name: "a pod in local-path-storage, which istioctl never analyzes",
                objects: [
                    {
                        apiVersion: "v1",
                        kind: "Pod",
                        metadata: { name: "p", namespace: "local-path-storage", annotations: { "sidecar.istio.io/inject": "false" } },
                    },
                ],
                flags: [],
            },
        ]);
    });

    describe("inject-label-without-revision", () => {
        const pod = (labels: Record<string, string>, namespace = "shop"): KubernetesObject =>
            object("apps/v1", "Deployment", namespace, "app", { template: { metadata: { labels } } });
        const aks: MeshRuleContext = { revisionedControlPlane: true };
        table("inject-label-without-revision", [
            {
                // mutatingwebhook.yaml renders the `object.` webhook only `if (eq .Values.revision "")`.
                name: "inject=true in an unlabelled namespace on a revisioned control plane",
                objects: [namespaceObject("shop", {}), pod({ "sidecar.istio.io/inject": "true" })],
                context: aks,
                flags: ["Deployment shop/app"],
            },
            {
                name: "the same on a control plane with a default revision",
                objects: [namespaceObject("shop", {}), pod({ "sidecar.istio.io/inject": "true" })],
                flags: [],
            },
            {
                name: "inject=true with the pod's istio.io/rev (rev.object. selects it)",
                objects: [namespaceObject("shop", {}), pod({ "sidecar.istio.io/inject": "true", "istio.io/rev": "asm-1-27" })],
                context: aks,
                flags: [],
            },
            {
                name: "inject=true in a namespace labelled istio.io/rev (rev.namespace. selects it)",
                objects: [namespaceObject("shop", { "istio.io/rev": "asm-1-27" }), pod({ "sidecar.istio.io/inject": "true" })],
                context: aks,
                flags: [],
            },
            {
                name: "inject=true in a namespace that is not among the objects",
                objects: [pod({ "sidecar.istio.io/inject": "true" })],
                context: aks,
                flags: [],
            },
        ]);
    });

    describe("agent-workload-in-kube-system", () => {
        const relocated = () => chartObjects().map((o) => (o.metadata.namespace ? patch(o, { metadata: { namespace: "monitoring" } }) : o));
        table("agent-workload-in-kube-system", [
            {
                name: "the chart's workloads as rendered, in kube-system",
                objects: chartObjects(),
                flags: [
                    "DaemonSet kube-system/ama-metrics-node",
                    "DaemonSet kube-system/ama-metrics-win-node",
                    "Deployment kube-system/ama-metrics",
                    "Deployment kube-system/ama-metrics-ksm",
                    "Deployment kube-system/ama-metrics-operator-targets",
                ],
            },
            {
                name: "a renamed workload, by its pod labels",
                objects: [patch(seed("Deployment", "ama-metrics"), { metadata: { name: "collector", namespace: "kube-system" } })],
                flags: ["Deployment kube-system/collector"],
            },
            {
                name: "the chart relocated, the seed's workloads in monitoring, and kube-system shims that are not workloads",
                objects: [
                    ...relocated(),
                    seed("Deployment", "ama-metrics"),
                    seed("Role", "read-addon-token"),
                    seed("RoleBinding", "ama-metrics-read-addon-token"),
                ],
                flags: [],
            },
        ]);
    });

    // ---- the table ----------------------------------------------------------------------------------------

    describe("the rule table", () => {
        it("has a table for every rule, with a case it flags and a case it accepts, and none for a rule it lacks", () => {
            assert.deepEqual(
                [...tables.keys()].sort(),
                meshRules.map((rule) => rule.id),
            );
            for (const [rule, cases] of tables) {
                assert.ok(cases.some((c) => c.flags.length > 0) && cases.some((c) => c.flags.length === 0), rule);
            }
        });

        it("lists each rule once, sorted by id, with unique policy names", () => {
            const ids = meshRules.map((rule) => rule.id);
            assert.deepEqual(ids, [...new Set(ids)].sort());
            assert.equal(new Set(meshRules.map((rule) => rule.policy.name)).size, meshRules.length);
        });

        it("holds one rule per file of components/mesh/rules/ (besides the registry, its types and helpers)", () => {
            const folder = path.join(__dirname, "../../components/mesh/rules");
            const files = fs
                .readdirSync(folder)
                .filter((file) => file.endsWith(".ts") && !["index.ts", "types.ts", "helpers.ts", "istio.ts"].includes(file))
                .map((file) => file.replace(/\.ts$/, ""));
            // Each file is named after its rule's id in camelCase.
            const camel = (id: string) => id.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
            assert.deepEqual(files.sort(), meshRules.map((rule) => camel(rule.id)).sort());
        });

        it("runs the rules that relate objects to each other per stack, the others per resource", () => {
            const perStack = meshRules.filter((rule) => rule.policy.scope === "stack").map((rule) => rule.id);
            assert.deepEqual(perStack.sort(), [
                "allow-policy-only-on-istio-ports",
                "conflicting-service-entry-protocol",
                "inject-label-without-revision",
                "peer-authentication-precedence",
                "selector-matches-no-pod",
                "strict-mtls-for-part-of-namespace",
                "tls-origination-on-tls-port",
            ]);
        });

        it("keeps selector-less ALLOW advisory for the organisation while the component refuses it", () => {
            const rule = meshRules.find((r) => r.id === "allow-policy-without-selector");
            assert.equal(rule?.policy.enforcementLevel, "advisory");
            const allow = patch(seed("AuthorizationPolicy", "ama-metrics-scrape-allow"), { metadata: { namespace: "shop" } });
            assert.throws(() => assertMeshObjects([allow], { rootNamespace: "istio-system" }), /\[allow-policy-without-selector\]/);
        });
    });

    describe("helpers", () => {
        it("match hosts as Istio does", () => {
            assert.ok(hostMatches("*.monitor.azure.com", "westeurope.handler.control.monitor.azure.com"));
            assert.ok(hostMatches("*.monitor.azure.com", "*.ingest.monitor.azure.com"));
            assert.ok(hostMatches("*", "login.microsoftonline.com"));
            assert.ok(!hostMatches("*.monitor.azure.com", "monitor.azure.com"));
            assert.ok(!hostMatches("*.ingest.monitor.azure.com", "*.monitor.azure.com"));
        });

        it("collect pod label sets per namespace from pods and pod templates", () => {
            assert.deepEqual(podLabelsOf(seedObjects()), {
                monitoring: [
                    { rsName: "ama-metrics", version: "v1" },
                    { dsName: "ama-metrics", version: "v1" },
                ],
            });
        });
    });
});
