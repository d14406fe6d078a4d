// The CrossGuard policy pack, called directly: each policy refuses the wrong object and lets the
// right one through. Resources are shaped as the Kubernetes provider reports them.

import * as assert from "node:assert/strict";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies, PolicyConfig } from "../policy/policies";

function policy(name: string) {
    const found = policies.find((p) => p.name === name);
    assert.ok(found, `no policy ${name}`);
    return found;
}

/** Runs a resource policy on one resource and returns the violations it reports. */
function checkResource(name: string, type: string, props: Record<string, unknown>, config: Partial<PolicyConfig> = {}): string[] {
    const reported: string[] = [];
    const validate = (policy(name) as ResourceValidationPolicy).validateResource;
    assert.ok(validate, `${name} is not a resource policy`);
    const run = Array.isArray(validate) ? validate : [validate];
    for (const v of run) {
        v(
            {
                type,
                props,
                urn: `urn:pulumi:dev::p::${type}::r`,
                name: "r",
                opts: {} as any,
                stackTags: new Map(),
                isType: () => false,
                asType: () => undefined,
                getConfig: <T extends object>() => ({ rootNamespaces: ["istio-system", "aks-istio-system"], ...config }) as unknown as T,
            } as any,
            (message: string) => reported.push(message),
        );
    }
    return reported;
}

function checkStack(name: string, resources: Array<{ type: string; props: Record<string, unknown> }>): Array<{ message: string; urn?: string }> {
    const reported: Array<{ message: string; urn?: string }> = [];
    const validate = (policy(name) as StackValidationPolicy).validateStack;
    assert.ok(validate, `${name} is not a stack policy`);
    validate(
        {
            resources: resources.map((r, i) => ({ ...r, urn: `urn:${i}`, name: `r${i}`, opts: {}, dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined }) as unknown as PolicyResource),
            getConfig: <T extends object>() => ({}) as T,
        } as any,
        (message: string, urn?: string) => reported.push({ message, urn }),
    );
    return reported;
}

const deployment = (namespace: string) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ama-metrics", namespace },
    spec: { selector: { matchLabels: { rsName: "ama-metrics" } }, template: { metadata: { labels: { rsName: "ama-metrics" } }, spec: { containers: [] } } },
});

const allowPolicy = (namespace: string, selector?: Record<string, string>) => ({
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: "scrape", namespace },
    spec: { action: "ALLOW", ...(selector ? { selector: { matchLabels: selector } } : {}), rules: [{ from: [{ source: { principals: ["cluster.local/ns/monitoring/sa/ama-metrics-serviceaccount"] } }] }] },
});

describe("policy pack", () => {
    it("offers each organisation-wide rule as a mandatory policy", () => {
        assert.deepEqual(policies.map((p) => p.name).sort(), [
            "ama-metrics-outside-kube-system",
            "no-root-namespace-allow-policy",
            "no-selectorless-allow-policy",
            "no-tls-origination-on-tls-ports",
            "no-wildcard-service-entry-with-dns",
            "one-injection-label-per-namespace",
        ]);
        assert.ok(policies.every((p) => p.enforcementLevel === "mandatory"));
    });

    it("refuses an ama-metrics workload in kube-system, from a chart's children too", () => {
        const inKubeSystem = checkResource("ama-metrics-outside-kube-system", "kubernetes:apps/v1:Deployment", deployment("kube-system"));
        assert.equal(inKubeSystem.length, 1);
        assert.match(inKubeSystem[0], /\[agent-workload-in-kube-system\] Deployment kube-system\/ama-metrics/);
        assert.deepEqual(checkResource("ama-metrics-outside-kube-system", "kubernetes:apps/v1:Deployment", deployment("monitoring")), []);
    });

    it("refuses an ALLOW policy in any configured root namespace", () => {
        for (const root of ["istio-system", "aks-istio-system"]) {
            const found = checkResource("no-root-namespace-allow-policy", "kubernetes:security.istio.io/v1:AuthorizationPolicy", allowPolicy(root, { app: "x" }));
            assert.equal(found.length, 1, root);
            assert.match(found[0], /root-namespace-allow-policy/);
        }
        const custom = checkResource("no-root-namespace-allow-policy", "kubernetes:security.istio.io/v1:AuthorizationPolicy", allowPolicy("mesh-root", { app: "x" }), { rootNamespaces: ["mesh-root"] });
        assert.equal(custom.length, 1);
        assert.deepEqual(checkResource("no-root-namespace-allow-policy", "kubernetes:security.istio.io/v1:AuthorizationPolicy", allowPolicy("payments", { app: "x" })), []);
    });

    it("refuses a selector-less ALLOW policy", () => {
        assert.equal(checkResource("no-selectorless-allow-policy", "kubernetes:security.istio.io/v1:AuthorizationPolicy", allowPolicy("payments")).length, 1);
        assert.deepEqual(checkResource("no-selectorless-allow-policy", "kubernetes:security.istio.io/v1:AuthorizationPolicy", allowPolicy("payments", { app: "x" })), []);
    });

    it("lets Istio's deny-all through, in a namespace and mesh-wide", () => {
        const allowNothing = (namespace: string) => ({ apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "allow-nothing", namespace }, spec: {} });
        assert.deepEqual(checkResource("no-selectorless-allow-policy", "kubernetes:security.istio.io/v1:AuthorizationPolicy", allowNothing("payments")), []);
        assert.deepEqual(checkResource("no-root-namespace-allow-policy", "kubernetes:security.istio.io/v1:AuthorizationPolicy", allowNothing("aks-istio-system")), []);
    });

    it("refuses a wildcard ServiceEntry with DNS resolution", () => {
        const entry = (resolution: string) => ({
            apiVersion: "networking.istio.io/v1",
            kind: "ServiceEntry",
            metadata: { name: "azure-monitor", namespace: "monitoring" },
            spec: { hosts: ["*.monitor.azure.com"], ports: [{ number: 443, name: "tls", protocol: "TLS" }], location: "MESH_EXTERNAL", resolution },
        });
        assert.equal(checkResource("no-wildcard-service-entry-with-dns", "kubernetes:networking.istio.io/v1:ServiceEntry", entry("DNS")).length, 1);
        assert.deepEqual(checkResource("no-wildcard-service-entry-with-dns", "kubernetes:networking.istio.io/v1:ServiceEntry", entry("NONE")), []);
    });

    it("refuses a namespace with two injection labels, as a typed Namespace resource", () => {
        const ns = (labels: Record<string, string>) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring", labels } });
        assert.equal(checkResource("one-injection-label-per-namespace", "kubernetes:core/v1:Namespace", ns({ "istio-injection": "enabled", "istio.io/rev": "asm-1-27" })).length, 1);
        assert.deepEqual(checkResource("one-injection-label-per-namespace", "kubernetes:core/v1:Namespace", ns({ "istio.io/rev": "asm-1-27" })), []);
        // Provider-reported props without apiVersion/kind still resolve from the type token.
        assert.equal(checkResource("one-injection-label-per-namespace", "kubernetes:core/v1:Namespace", { metadata: { name: "m", labels: { "istio-injection": "enabled", "istio.io/rev": "x" } } }).length, 1);
    });

    it("refuses TLS origination towards a TLS port across the stack, reporting the DestinationRule", () => {
        const entry = {
            type: "kubernetes:networking.istio.io/v1:ServiceEntry",
            props: { apiVersion: "networking.istio.io/v1", kind: "ServiceEntry", metadata: { name: "ext", namespace: "monitoring" }, spec: { hosts: ["api.example.com"], ports: [{ number: 443, name: "https", protocol: "HTTPS" }], resolution: "DNS", location: "MESH_EXTERNAL" } },
        };
        const rule = (mode: string) => ({
            type: "kubernetes:networking.istio.io/v1:DestinationRule",
            props: { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "ext", namespace: "monitoring" }, spec: { host: "api.example.com", trafficPolicy: { tls: { mode } } } },
        });
        const found = checkStack("no-tls-origination-on-tls-ports", [entry, rule("SIMPLE")]);
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, "urn:1");
        assert.match(found[0].message, /tls-origination-on-tls-port/);
        assert.deepEqual(checkStack("no-tls-origination-on-tls-ports", [entry, rule("DISABLE")]), []);
    });

    it("ignores resources of other providers", () => {
        assert.deepEqual(checkResource("no-selectorless-allow-policy", "azure-native:monitor:DataCollectionRule", { metadata: { name: "x" }, kind: "AuthorizationPolicy" }), []);
    });
});
