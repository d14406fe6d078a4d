// The mesh rules' tables, part: PeerAuthentications (precedence, STRICT for part of a namespace,
// port-level mTLS).

import * as assert from "node:assert/strict";
import { MeshRuleContext } from "../../../components/mesh/rules";
import { context, messages, patch, peerAuthentication, seed, table } from "./plumbing";

describe("mesh rules", () => {
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
});
