// The CrossGuard policy pack, called directly with fake arguments (no policy server): the policies are
// generated from the mesh rules' table, each refuses the wrong object and lets the nearest right one
// through. Resources are shaped as the Kubernetes provider reports them.

import * as assert from "node:assert/strict";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { KubernetesObject } from "../../components/core/kubernetes";
import { meshRules } from "../../components/mesh/rules";
import { policies, PolicyConfig } from "../../policy/policies";
import { fixtureObjects } from "../harness";

function policy(name: string) {
    const found = policies.find((p) => p.name === name);
    assert.ok(found, `no policy ${name}`);
    return found;
}

const policyOfRule = (id: string) => {
    const rule = meshRules.find((r) => r.id === id);
    assert.ok(rule, `no rule ${id}`);
    return rule.policy.name;
};

interface Resource {
    type: string;
    props: Record<string, unknown>;
}

/** A Kubernetes object as the provider reports it: its type token and its properties. */
function resource(object: KubernetesObject): Resource {
    const slash = object.apiVersion.indexOf("/");
    const token = slash < 0 ? `core/${object.apiVersion}` : object.apiVersion;
    return { type: `kubernetes:${token}:${object.kind}`, props: object };
}

const urnOf = (r: Resource, i = 0) => `urn:pulumi:dev::p::${r.type}::r${i}`;

/** Runs a resource policy on one resource and returns the messages it reports. */
function checkResource(name: string, r: Resource, config: PolicyConfig = {}): string[] {
    const reported: string[] = [];
    const validate = (policy(name) as ResourceValidationPolicy).validateResource;
    assert.ok(validate, `${name} is not a resource policy`);
    for (const v of Array.isArray(validate) ? validate : [validate]) {
        v(
            {
                ...r,
                urn: urnOf(r),
                name: "r0",
                opts: {} as any,
                stackTags: new Map(),
                isType: () => false,
                asType: () => undefined,
                getConfig: <T extends object>() => config as unknown as T,
                notApplicable: () => {
                    throw new Error("not applicable");
                },
            } as any,
            (message: string) => reported.push(message),
        );
    }
    return reported;
}

/** Runs a stack policy on resources and returns what it reports, with the urn it names. */
function checkStack(name: string, resources: Resource[], config: PolicyConfig = {}): Array<{ message: string; urn?: string }> {
    const reported: Array<{ message: string; urn?: string }> = [];
    const validate = (policy(name) as StackValidationPolicy).validateStack;
    assert.ok(validate, `${name} is not a stack policy`);
    validate(
        {
            resources: resources.map(
                (r, i) =>
                    ({
                        ...r,
                        urn: urnOf(r, i),
                        name: `r${i}`,
                        opts: {},
                        dependencies: [],
                        propertyDependencies: {},
                        isType: () => false,
                        asType: () => undefined,
                    }) as unknown as PolicyResource,
            ),
            stackTags: new Map(),
            getConfig: <T extends object>() => config as unknown as T,
            notApplicable: () => {
                throw new Error("not applicable");
            },
        } as any,
        (message: string, urn?: string) => reported.push({ message, urn }),
    );
    return reported;
}

/** Every policy of the pack over a stack's resources: resource policies one by one, stack policies at once. */
function checkAll(resources: Resource[], config: PolicyConfig = {}): string[] {
    return policies.flatMap((p) =>
        "validateResource" in p && p.validateResource
            ? resources.flatMap((r) => checkResource(p.name, r, config))
            : checkStack(p.name, resources, config).map((found) => found.message),
    );
}

const ruleOf = (message: string) => /^\[([^\]]+)\] ([^:]+):/.exec(message)?.slice(1).join(" ");

const object = (apiVersion: string, kind: string, namespace: string, name: string, spec: unknown): KubernetesObject => ({
    apiVersion,
    kind,
    metadata: { name, namespace },
    spec,
});

const allowPolicy = (namespace: string, selector?: Record<string, string>, ports = ["9090"]) =>
    resource(
        object("security.istio.io/v1", "AuthorizationPolicy", namespace, "scrape", {
            action: "ALLOW",
            ...(selector ? { selector: { matchLabels: selector } } : {}),
            rules: [
                {
                    from: [{ source: { principals: ["cluster.local/ns/monitoring/sa/ama-metrics-serviceaccount"] } }],
                    to: [{ operation: { ports } }],
                },
            ],
        }),
    );

describe("policy pack", () => {
    describe("is generated from the rule table", () => {
        it("one policy per rule, with the rule's name, description and enforcement level", () => {
            assert.deepEqual(
                policies.map((p) => [p.name, p.description, p.enforcementLevel]),
                meshRules.map((rule) => [rule.policy.name, rule.description, rule.policy.enforcementLevel]),
            );
        });

        it("stack rules validate the stack, the others each resource", () => {
            for (const rule of meshRules) {
                const p = policy(rule.policy.name);
                assert.equal("validateStack" in p, rule.policy.scope === "stack", rule.id);
                assert.equal("validateResource" in p, rule.policy.scope === "resource", rule.id);
            }
            assert.deepEqual(
                policies
                    .filter((p) => "validateStack" in p)
                    .map((p) => p.name)
                    .sort(),
                [
                    "namespace-wide-strict-mtls",
                    "no-allow-policy-only-on-istio-ports",
                    "no-tls-origination-on-tls-ports",
                    "one-peer-authentication-per-scope",
                    "one-protocol-per-service-entry-port",
                    "revision-label-on-pods-of-revisioned-control-plane",
                    "selectors-match-pods",
                ],
            );
        });

        it("offers configuration only for what a rule reads", () => {
            assert.deepEqual(Object.keys(policy("no-root-namespace-allow-policy").configSchema?.properties ?? {}), ["rootNamespaces"]);
            assert.deepEqual(policy("no-root-namespace-allow-policy").configSchema?.properties.rootNamespaces.default, [
                "istio-system",
                "aks-istio-system",
            ]);
            assert.deepEqual(Object.keys(policy("revision-label-on-revisioned-control-plane").configSchema?.properties ?? {}), [
                "revisionedControlPlane",
            ]);
            assert.deepEqual(Object.keys(policy("service-entry-addresses-for-tcp").configSchema?.properties ?? {}), ["meshProxyMetadata"]);
            assert.equal(policy("no-wildcard-service-entry-with-dns").configSchema, undefined);
        });

        it("makes a selector-less ALLOW advisory for the organisation (the component still refuses it)", () => {
            assert.equal(policy("no-selectorless-allow-policy").enforcementLevel, "advisory");
            assert.equal(checkResource("no-selectorless-allow-policy", allowPolicy("payments")).length, 1);
            assert.deepEqual(checkResource("no-selectorless-allow-policy", allowPolicy("payments", { app: "x" })), []);
        });
    });

    describe("resource policies", () => {
        it("refuse an ama-metrics workload in kube-system", () => {
            const deployment = (namespace: string) =>
                resource({
                    apiVersion: "apps/v1",
                    kind: "Deployment",
                    metadata: { name: "ama-metrics", namespace },
                    spec: { template: { metadata: { labels: { rsName: "ama-metrics" } }, spec: { containers: [] } } },
                });
            const found = checkResource("ama-metrics-outside-kube-system", deployment("kube-system"));
            assert.equal(found.length, 1);
            assert.match(found[0], /\[agent-workload-in-kube-system\] Deployment kube-system\/ama-metrics/);
            assert.deepEqual(checkResource("ama-metrics-outside-kube-system", deployment("monitoring")), []);
        });

        it("refuse a selector-less ALLOW policy in every well-known root namespace, whatever root namespaces are configured", () => {
            const name = "no-root-namespace-allow-policy";
            for (const root of ["istio-system", "aks-istio-system"]) {
                assert.equal(checkResource(name, allowPolicy(root)).length, 1, root);
                assert.equal(checkResource(name, allowPolicy(root), { rootNamespaces: ["mesh-root"] }).length, 1, `${root} with mesh-root`);
                // A selector limits a root-namespace policy to the workloads it selects (pilot/pkg/model/authorization.go).
                assert.deepEqual(checkResource(name, allowPolicy(root, { app: "x" })), [], `${root} with a selector`);
            }
            assert.equal(checkResource(name, allowPolicy("mesh-root"), { rootNamespaces: ["mesh-root"] }).length, 1);
            assert.deepEqual(checkResource(name, allowPolicy("mesh-root")), []);
            assert.deepEqual(checkResource(name, allowPolicy("payments")), []);
        });

        it("let Istio's deny-all through in a namespace, and refuse it mesh-wide", () => {
            const allowNothing = (namespace: string) =>
                resource(object("security.istio.io/v1", "AuthorizationPolicy", namespace, "allow-nothing", {}));
            assert.deepEqual(checkResource("no-selectorless-allow-policy", allowNothing("payments")), []);
            assert.equal(checkResource("no-root-namespace-allow-policy", allowNothing("aks-istio-system")).length, 1);
        });

        it("refuse authorization on Istio's ports", () => {
            const found = checkResource("no-authorization-on-istio-ports", allowPolicy("payments", { app: "x" }, ["9090", "15020"]));
            assert.equal(found.length, 1);
            assert.match(found[0], /\[authorization-on-istio-port\] AuthorizationPolicy payments\/scrape: .*never takes effect/);
            assert.deepEqual(checkResource("no-authorization-on-istio-ports", allowPolicy("payments", { app: "x" }, ["9090"])), []);
        });

        it("refuse a wildcard ServiceEntry with DNS resolution, with a workloadSelector too", () => {
            const entry = (resolution: string, extra: object = {}) =>
                resource(
                    object("networking.istio.io/v1", "ServiceEntry", "monitoring", "azure-monitor", {
                        hosts: ["*.monitor.azure.com"],
                        ports: [{ number: 443, name: "tls", protocol: "TLS" }],
                        location: "MESH_EXTERNAL",
                        resolution,
                        ...extra,
                    }),
                );
            assert.equal(checkResource("no-wildcard-service-entry-with-dns", entry("DNS")).length, 1);
            assert.equal(
                checkResource("no-wildcard-service-entry-with-dns", entry("DNS", { workloadSelector: { labels: { app: "egress" } } }))
                    .length,
                1,
            );
            assert.deepEqual(checkResource("no-wildcard-service-entry-with-dns", entry("NONE")), []);
        });

        it("refuse a namespace with two kinds of injection label, as a typed Namespace resource", () => {
            const ns = (labels: Record<string, string>) => ({
                type: "kubernetes:core/v1:Namespace",
                props: { metadata: { name: "monitoring", labels } },
            });
            const name = "one-injection-label-per-namespace";
            assert.equal(checkResource(name, ns({ "istio-injection": "enabled", "istio.io/rev": "asm-1-27" })).length, 1);
            assert.equal(checkResource(name, ns({ "istio.io/rev": "asm-1-27", "istio.io/dataplane-mode": "ambient" })).length, 1);
            assert.deepEqual(checkResource(name, ns({ "istio-injection": "disabled", "istio.io/rev": "asm-1-27" })), []);
            assert.deepEqual(checkResource(name, ns({ "istio.io/rev": "asm-1-27" })), []);
        });

        it("refuse istio-injection=enabled once configured for a revisioned control plane", () => {
            const ns = resource({
                apiVersion: "v1",
                kind: "Namespace",
                metadata: { name: "monitoring", labels: { "istio-injection": "enabled" } },
            });
            const name = "revision-label-on-revisioned-control-plane";
            assert.equal(checkResource(name, ns, { revisionedControlPlane: true }).length, 1);
            assert.deepEqual(checkResource(name, ns), []);
        });

        it("refuse an ExternalName Service port without a protocol", () => {
            const service = (portName: string) =>
                resource({
                    apiVersion: "v1",
                    kind: "Service",
                    metadata: { name: "ext", namespace: "shop" },
                    spec: { type: "ExternalName", externalName: "api.example.com", ports: [{ name: portName, port: 443 }] },
                });
            assert.match(
                checkResource("external-name-service-port-protocol", service("tcp"))[0],
                /\[external-name-port-protocol\] Service shop\/ext/,
            );
            assert.deepEqual(checkResource("external-name-service-port-protocol", service("https")), []);
        });

        it("refuse a TCP ServiceEntry without addresses, unless the configured mesh auto-allocates", () => {
            const entry = resource(
                object("networking.istio.io/v1", "ServiceEntry", "shop", "db", {
                    hosts: ["db.example.com"],
                    ports: [{ number: 5432, name: "tcp-db", protocol: "TCP" }],
                    resolution: "DNS",
                }),
            );
            assert.equal(checkResource("service-entry-addresses-for-tcp", entry).length, 1);
            assert.deepEqual(
                checkResource("service-entry-addresses-for-tcp", entry, {
                    meshProxyMetadata: { ISTIO_META_DNS_CAPTURE: "true", ISTIO_META_DNS_AUTO_ALLOCATE: "true" },
                }),
                [],
            );
        });

        it("ignore resources of other providers", () => {
            assert.deepEqual(
                checkResource("no-selectorless-allow-policy", {
                    type: "azure-native:monitor:DataCollectionRule",
                    props: { metadata: { name: "x" }, kind: "AuthorizationPolicy" },
                }),
                [],
            );
        });
    });

    describe("stack policies", () => {
        it("refuse, on a revisioned control plane, pods opted in with sidecar.istio.io/inject=true in an unlabelled namespace", () => {
            const namespace = resource({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } } as KubernetesObject);
            const deployment = resource(
                object("apps/v1", "Deployment", "shop", "cart", {
                    template: { metadata: { labels: { "sidecar.istio.io/inject": "true" } } },
                }),
            );
            const name = "revision-label-on-pods-of-revisioned-control-plane";
            const found = checkStack(name, [namespace, deployment], { revisionedControlPlane: true });
            assert.equal(found.length, 1);
            assert.match(found[0].message, /\[inject-label-without-revision\] Deployment shop\/cart/);
            assert.deepEqual(checkStack(name, [namespace, deployment]), []);
        });

        it("refuse an ALLOW policy naming only Istio's ports, unless another ALLOW opens the workload's real ports", () => {
            const policy = (name: string, ports: string[]) =>
                resource(
                    object("security.istio.io/v1", "AuthorizationPolicy", "shop", name, {
                        selector: { matchLabels: { app: "cart" } },
                        rules: [{ to: [{ operation: { ports } }] }],
                    }),
                );
            const name = "no-allow-policy-only-on-istio-ports";
            assert.equal(checkStack(name, [policy("metrics", ["15020"])]).length, 1);
            assert.deepEqual(checkStack(name, [policy("metrics", ["15020"]), policy("app", ["8080"])]), []);
        });

        it("refuse TLS origination towards a TLS port, ISTIO_MUTUAL included, reporting the DestinationRule", () => {
            const entry = resource(
                object("networking.istio.io/v1", "ServiceEntry", "monitoring", "ext", {
                    hosts: ["api.example.com"],
                    ports: [{ number: 443, name: "https", protocol: "HTTPS" }],
                    resolution: "DNS",
                    location: "MESH_EXTERNAL",
                }),
            );
            const rule = (mode: string) =>
                resource(
                    object("networking.istio.io/v1", "DestinationRule", "monitoring", "ext", {
                        host: "api.example.com",
                        trafficPolicy: { tls: { mode } },
                    }),
                );
            for (const mode of ["SIMPLE", "ISTIO_MUTUAL"]) {
                const found = checkStack("no-tls-origination-on-tls-ports", [entry, rule(mode)]);
                assert.equal(found.length, 1, mode);
                assert.equal(found[0].urn, urnOf(rule(mode), 1));
                assert.match(found[0].message, /tls-origination-on-tls-port/);
            }
            assert.deepEqual(checkStack("no-tls-origination-on-tls-ports", [entry, rule("DISABLE")]), []);
        });

        it("refuse several namespace-wide PeerAuthentications in one namespace, each with its urn", () => {
            const pa = (name: string, selector?: Record<string, string>) =>
                resource(
                    object("security.istio.io/v1", "PeerAuthentication", "monitoring", name, {
                        mtls: { mode: "STRICT" },
                        ...(selector ? { selector: { matchLabels: selector } } : {}),
                    }),
                );
            const found = checkStack("one-peer-authentication-per-scope", [pa("default"), pa("strict")]);
            assert.deepEqual(
                found.map((f) => f.urn),
                [urnOf(pa("default"), 0), urnOf(pa("strict"), 1)],
            );
            assert.deepEqual(
                checkStack("one-peer-authentication-per-scope", [pa("default"), pa("otlp", { dsName: "ama-metrics-node" })]),
                [],
            );
        });

        it("refuse a root-namespace selector PeerAuthentication in a configured root namespace", () => {
            const pa = resource(
                object("security.istio.io/v1", "PeerAuthentication", "mesh-root", "x", {
                    selector: { matchLabels: { app: "a" } },
                    mtls: { mode: "STRICT" },
                }),
            );
            assert.equal(checkStack("one-peer-authentication-per-scope", [pa], { rootNamespaces: ["mesh-root"] }).length, 1);
            assert.deepEqual(checkStack("one-peer-authentication-per-scope", [pa]), []);
        });

        it("refuse conflicting ServiceEntry protocols across the stack", () => {
            const entry = (name: string, protocol: string) =>
                resource(
                    object("networking.istio.io/v1", "ServiceEntry", name, name, {
                        hosts: ["api.example.com"],
                        ports: [{ number: 443, name: "p", protocol }],
                        resolution: "NONE",
                    }),
                );
            assert.equal(checkStack("one-protocol-per-service-entry-port", [entry("a", "TLS"), entry("b", "HTTPS")]).length, 2);
            assert.deepEqual(checkStack("one-protocol-per-service-entry-port", [entry("a", "TLS"), entry("b", "TLS")]), []);
        });

        it("judge selectors against the pods of the stack's own workloads", () => {
            const deployment = resource({
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "shop", namespace: "shop" },
                spec: { template: { metadata: { labels: { app: "shop" } } } },
            });
            const sidecar = (labels: Record<string, string>) =>
                resource(object("networking.istio.io/v1", "Sidecar", "shop", "s", { workloadSelector: { labels } }));
            assert.equal(checkStack("selectors-match-pods", [deployment, sidecar({ app: "cart" })]).length, 1);
            assert.deepEqual(checkStack("selectors-match-pods", [deployment, sidecar({ app: "shop" })]), []);
            assert.deepEqual(checkStack("selectors-match-pods", [sidecar({ app: "cart" })]), []);
        });
    });

    describe("the seed as a stack", () => {
        const seed = () => fixtureObjects("seed", "istio-objects.yaml").map(resource);

        it("has each wrong object flagged, the namespace label once the control plane is declared revisioned", () => {
            const expected = [
                "allow-policy-without-selector AuthorizationPolicy istio-system/ama-metrics-scrape-allow",
                "deprecated-inject-annotation DaemonSet monitoring/ama-metrics-node",
                "deprecated-inject-annotation Deployment monitoring/ama-metrics",
                "root-namespace-allow-policy AuthorizationPolicy istio-system/ama-metrics-scrape-allow",
                "strict-mtls-for-part-of-namespace PeerAuthentication monitoring/ama-metrics-mtls",
                "tls-origination-on-tls-port DestinationRule monitoring/azure-monitor-endpoints",
                "tls-origination-on-tls-port DestinationRule monitoring/azure-monitor-ingestion",
                "wildcard-host-dns-resolution ServiceEntry monitoring/azure-monitor-external",
            ];
            assert.deepEqual(checkAll(seed()).map(ruleOf).sort(), expected);
            assert.deepEqual(
                checkAll(seed(), { revisionedControlPlane: true }).map(ruleOf).sort(),
                [...expected, "istio-injection-on-revisioned-control-plane Namespace monitoring"].sort(),
            );
            assert.equal(policyOfRule("strict-mtls-for-part-of-namespace"), "namespace-wide-strict-mtls");
        });
    });
});
