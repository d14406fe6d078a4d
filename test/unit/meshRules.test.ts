// The mesh rules as a whole: the seed's objects (test/fixtures/seed), the wrong design the package exists
// to replace, each flagged by the rule that names its fault; the registry (one file per rule, sorted, a
// table of cases per rule in test/unit/meshRules/); and the helpers the rules share.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { assertMeshObjects, checkMeshObjects, hostMatches, MeshRuleContext, meshRules, podLabelsOf } from "../../components/mesh/rules";
import { chartPods, context, flagged, namespaceObject, patch, peerAuthentication, seed, seedObjects } from "./meshRules/plumbing";

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

    // ---- the table ----------------------------------------------------------------------------------------

    describe("the rule table", () => {
        it("has a table of cases for every rule, and none for a rule it lacks (each table checks it has a case either way)", () => {
            const folder = path.join(__dirname, "meshRules");
            const tabled = fs
                .readdirSync(folder)
                .filter((file) => file.endsWith(".test.ts"))
                .flatMap((file) =>
                    [...fs.readFileSync(path.join(folder, file), "utf8").matchAll(/\btable\("([a-z0-9-]+)"/g)].map((m) => m[1]),
                );
            assert.deepEqual(
                [...new Set(tabled)].sort(),
                meshRules.map((rule) => rule.id),
            );
            assert.equal(tabled.length, new Set(tabled).size, "one table per rule");
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
