// The mesh rules' tables, part: AuthorizationPolicies (Istio's own ports, root namespaces, selector-less
// ALLOW).

import * as assert from "node:assert/strict";
import { meshRules } from "../../../components/mesh/rules";
import { authorizationPolicy, context, messages, patch, seed, table } from "./plumbing";

describe("mesh rules", () => {
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
});
