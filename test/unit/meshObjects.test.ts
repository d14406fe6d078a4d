// The mesh objects both collectors register, judged by what Istio and Kubernetes do with them: the
// collector namespace's own Sidecar against Istio's Sidecar precedence and egress host semantics (a root
// Sidecar narrowed as in Istio's own example, with REGISTRY_ONLY), kube-state-metrics readable by the
// collector alone, and a revision change that rolls the meshed pods.

import * as assert from "node:assert/strict";
import { amaMetricsObjects } from "../../components/amaMetrics";
import { chartFacts } from "../../components/amaMetrics/facts";
import { relocateObjects } from "../../components/amaMetrics/relocate";
import { shimObjects } from "../../components/amaMetrics/shims";
import type { AmaMetricsIstioArgs, Collector, MeshMode } from "../../components";
import { KubernetesObject, labelsMatch, podTemplatesOf } from "../../components/core/kubernetes";
import { collectorPrincipal } from "../../components/mesh/objects";
import { prometheusObjects } from "../../components/prometheus";
import { baseArgs, byType, evaluate, find, fixtureObjects, helmDefaultsRendering, podOf, relocationFor, settingsFor } from "../harness";

/** The value at a path of keys and array indexes. */
function getPath(value: unknown, path: ReadonlyArray<string | number>): unknown {
    return path.reduce<unknown>(
        (current, key) => (current !== null && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined),
        value,
    );
}

const refs = { clientId: "client", tenantId: "tenant", remoteWriteUrl: "https://example.invalid/write" };

/** The Kubernetes objects one collector creates: the component's own and, for ama-metrics, its kube-system shims and the relocated chart. */
function objectsOf(collector: Collector, istio: AmaMetricsIstioArgs["istio"] = {}): KubernetesObject[] {
    if (collector === "prometheus") {
        return prometheusObjects(settingsFor({ istio }), refs);
    }
    const chart = relocateObjects(fixtureObjects("ama-metrics-chart", helmDefaultsRendering), relocationFor({ istio }));
    const settings = settingsFor({ istio }, "ama-metrics");
    return [...amaMetricsObjects(settings), ...shimObjects(settings), ...chart];
}

// ---- Istio's Sidecar semantics, as istiod applies them to one proxy -------------------------------------

/**
 * The Sidecar that governs a proxy (pilot/pkg/model/push_context.go `doGetSidecarScope`): one of its own
 * namespace whose workloadSelector matches the pod (selector ones first), else its namespace's Sidecar
 * without a selector, else the root namespace's Sidecar without a selector, else none (everything visible).
 */
function sidecarFor(namespace: string, podLabels: Record<string, string>, sidecars: KubernetesObject[], root: string) {
    const inNamespace = sidecars.filter((s) => s.metadata.namespace === namespace);
    const selected = inNamespace.find((s) => {
        const selector = getPath(s, ["spec", "workloadSelector", "labels"]) as Record<string, string> | undefined;
        return selector !== undefined && labelsMatch(selector, podLabels);
    });
    const wide = inNamespace.find((s) => getPath(s, ["spec", "workloadSelector"]) === undefined);
    const rootWide = sidecars.find((s) => s.metadata.namespace === root && getPath(s, ["spec", "workloadSelector"]) === undefined);
    return selected ?? wide ?? rootWide;
}

/**
 * Whether a proxy in `namespace` governed by `sidecar` has the service `host` of `serviceNamespace` in its
 * registry. An egress host is `namespace/dnsName`: the namespace `*` (any), `.` (the proxy's own namespace:
 * a root Sidecar is converted per proxy namespace, pilot/pkg/model/sidecar.go `currentNamespace`), `~`
 * (none) or a name; the dnsName `*`, `*.suffix` or exact (istio.io Sidecar reference, "hosts"). With
 * `REGISTRY_ONLY`, a captured destination outside the registry is blackholed.
 */
function visible(sidecar: KubernetesObject | undefined, namespace: string, serviceNamespace: string, host: string): boolean {
    if (sidecar === undefined) {
        return true;
    }
    const hosts = ((getPath(sidecar, ["spec", "egress"]) as Array<{ hosts: string[] }>) ?? []).flatMap((e) => e.hosts);
    return hosts.some((entry) => {
        const [ns, dns] = entry.split("/");
        const nsMatches = ns === "*" || (ns === "." ? namespace : ns) === serviceNamespace;
        const dnsMatches = dns === "*" || dns === host || (dns.startsWith("*.") && host.endsWith(dns.slice(1)));
        return ns !== "~" && nsMatches && dnsMatches;
    });
}

// Istio's example of a default root Sidecar (istio.io Sidecar reference): the namespace itself and the
// Istio namespace, nothing else. Under REGISTRY_ONLY, everything else captured is blackholed.
const rootSidecar = (root: string): KubernetesObject => ({
    apiVersion: "networking.istio.io/v1",
    kind: "Sidecar",
    metadata: { name: "default", namespace: root },
    spec: { egress: [{ hosts: ["./*", `${root}/*`] }], outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } },
});

/** The container port a Service's first port sends to (a named target port resolved in the pod). */
function targetPort(service: KubernetesObject, workload: KubernetesObject): number {
    const target = getPath(service, ["spec", "ports", 0, "targetPort"]);
    if (typeof target === "number") {
        return target;
    }
    const ports = (podOf(workload).spec?.containers ?? []).flatMap(
        (c) => (c.ports ?? []) as Array<{ name?: string; containerPort: number }>,
    );
    const port = ports.find((p) => p.name === target)?.containerPort;
    assert.ok(port !== undefined, `no container port ${String(target)}`);
    return port;
}

const apiServer = { namespace: "default", host: "kubernetes.default.svc.cluster.local" };

describe("mesh objects", () => {
    describe("the collector namespace's Sidecar (sidecar mode): the API server stays reachable under a narrow root Sidecar", () => {
        const root = "aks-istio-system";
        for (const collector of ["prometheus", "ama-metrics"] as const) {
            describe(collector, () => {
                const objects = objectsOf(collector, { revision: "asm-1-27", rootNamespace: root });
                const meshed = objects.flatMap((o) =>
                    podTemplatesOf(o)
                        .map((slot) => slot.get().metadata?.labels ?? {})
                        .filter((labels) => labels["sidecar.istio.io/inject"] !== "false")
                        .map((labels) => ({ object: `${o.kind} ${o.metadata.name}`, labels })),
                );

                it("has meshed pods to judge", () => {
                    assert.ok(meshed.length >= 2, JSON.stringify(meshed.map((m) => m.object)));
                });

                it("without it, Istio's example root Sidecar would hide the API server from every meshed pod (the outage)", () => {
                    for (const pod of meshed) {
                        const governing = sidecarFor("monitoring", pod.labels, [rootSidecar(root)], root);
                        assert.equal(visible(governing, "monitoring", apiServer.namespace, apiServer.host), false, pod.object);
                    }
                });

                it("with it, every meshed pod sees the API server, its own namespace's services and the component's services elsewhere, and only those", () => {
                    const sidecars = [rootSidecar(root), ...objects.filter((o) => o.kind === "Sidecar")];
                    for (const pod of meshed) {
                        const governing = sidecarFor("monitoring", pod.labels, sidecars, root);
                        assert.equal(governing?.metadata.namespace, "monitoring", pod.object);
                        assert.ok(visible(governing, "monitoring", apiServer.namespace, apiServer.host), pod.object);
                        for (const service of objects.filter((o) => o.kind === "Service" && o.metadata.namespace === "monitoring")) {
                            const host = `${service.metadata.name}.monitoring.svc.cluster.local`;
                            assert.ok(visible(governing, "monitoring", "monitoring", host), `${pod.object} → ${host}`);
                        }
                        // The Services the component creates elsewhere for its pods to dial (ama-metrics: the
                        // target allocator's kube-system alias, the address the collector's image hard-codes).
                        for (const service of objects.filter((o) => o.kind === "Service" && o.metadata.namespace !== "monitoring")) {
                            const host = `${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`;
                            assert.ok(visible(governing, "monitoring", service.metadata.namespace!, host), `${pod.object} → ${host}`);
                        }
                        assert.equal(visible(governing, "monitoring", "shop", "cart.shop.svc.cluster.local"), false);
                    }
                });
            });
        }

        it("names the API server in the cluster's own DNS domain", () => {
            const objects = prometheusObjects(settingsFor({ cluster: { ...baseArgs().cluster, clusterDomain: "corp.internal" } }), refs);
            assert.deepEqual(getPath(find(objects, "Sidecar", "default"), ["spec", "egress"]), [
                { hosts: ["./*", "default/kubernetes.default.svc.corp.internal"] },
            ]);
        });

        it("exists only in the sidecar mode: the other modes capture nothing", () => {
            for (const mode of ["certificates", "off"] as MeshMode[]) {
                for (const collector of ["prometheus", "ama-metrics"] as const) {
                    assert.deepEqual(
                        objectsOf(collector, { mode, ...(mode === "certificates" ? { revision: "asm-1-27" } : {}) }).filter(
                            (o) => o.kind === "Sidecar",
                        ),
                        [],
                        `${collector} ${mode}`,
                    );
                }
            }
        });
    });

    describe("kube-state-metrics is readable by the collector alone", () => {
        const cases = [
            { collector: "prometheus", ksm: "kube-state-metrics", scraper: ["StatefulSet", "prometheus-shard-0"] },
            { collector: "ama-metrics", ksm: "ama-metrics-ksm", scraper: ["Deployment", "ama-metrics"] },
        ] as const;
        for (const { collector, ksm, scraper } of cases) {
            describe(collector, () => {
                it("sidecar mode: an ALLOW AuthorizationPolicy for the scraping pods' own identity, on the kube-state-metrics Service's port", () => {
                    const objects = objectsOf(collector, { mode: "sidecar" });
                    const policy = find(objects, "AuthorizationPolicy", ksm);
                    const service = find(objects, "Service", ksm);
                    const scraping = podOf(find(objects, scraper[0], scraper[1]));
                    const serviceAccount = scraping.spec?.serviceAccountName as string;
                    assert.equal(getPath(policy, ["metadata", "namespace"]), "monitoring");
                    assert.ok(
                        labelsMatch(
                            getPath(policy, ["spec", "selector", "matchLabels"]) as Record<string, string>,
                            podOf(find(objects, "Deployment", ksm)).metadata?.labels ?? {},
                        ),
                    );
                    assert.deepEqual(getPath(policy, ["spec", "rules"]), [
                        {
                            from: [{ source: { principals: [collectorPrincipal("cluster.local", "monitoring", serviceAccount)] } }],
                            // Authorization matches the port the pod receives on: the Service's target port.
                            to: [{ operation: { ports: [String(targetPort(service, find(objects, "Deployment", ksm)))] } }],
                        },
                    ]);
                    assert.equal(getPath(policy, ["spec", "action"]), "ALLOW");
                    assert.equal(objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.name === ksm).length, 0);
                });

                for (const mode of ["certificates", "off"] as MeshMode[]) {
                    it(`${mode} mode: a NetworkPolicy admitting only the scraping pods, on the kube-state-metrics port`, () => {
                        const objects = objectsOf(collector, { mode, ...(mode === "certificates" ? { revision: "asm-1-27" } : {}) });
                        const policy = find(objects, "NetworkPolicy", ksm);
                        const ksmPods = podOf(find(objects, "Deployment", ksm)).metadata?.labels ?? {};
                        const scrapingPods = podOf(find(objects, scraper[0], scraper[1])).metadata?.labels ?? {};
                        assert.ok(labelsMatch(getPath(policy, ["spec", "podSelector", "matchLabels"]) as Record<string, string>, ksmPods));
                        assert.deepEqual(getPath(policy, ["spec", "policyTypes"]), ["Ingress"]);
                        const [rule, ...others] = getPath(policy, ["spec", "ingress"]) as Array<Record<string, unknown>>;
                        assert.deepEqual(others, []);
                        assert.ok(
                            labelsMatch(getPath(rule, ["from", 0, "podSelector", "matchLabels"]) as Record<string, string>, scrapingPods),
                        );
                        assert.deepEqual(rule.ports, [{ protocol: "TCP", port: 8080 }]);
                        assert.equal(objects.filter((o) => o.kind === "AuthorizationPolicy" && o.metadata.name === ksm).length, 0);
                    });
                }
            });
        }

        it("names the port both kube-state-metrics serve their metrics on (8080: the chart's Service, the component's container)", () => {
            const chartService = find(fixtureObjects("ama-metrics-chart", helmDefaultsRendering), "Service", "ama-metrics-ksm");
            assert.equal(getPath(chartService, ["spec", "ports", 0, "port"]), 8080);
            const ours = podOf(find(objectsOf("prometheus"), "Deployment", "kube-state-metrics"));
            assert.equal(getPath(ours, ["spec", "containers", 0, "ports", 0, "containerPort"]), 8080);
            assert.equal(chartFacts.serviceAccount, "ama-metrics-serviceaccount");
        });
    });

    describe("an Istio revision change rolls the meshed pods (sidecar mode)", () => {
        async function templates(revision: string): Promise<Record<string, unknown>> {
            const { registrations } = await evaluate(baseArgs({ istio: { mode: "sidecar", revision } }));
            return Object.fromEntries(
                [...byType(registrations, "kubernetes:apps/v1:StatefulSet"), ...byType(registrations, "kubernetes:apps/v1:Deployment")].map(
                    (r) => [r.name, getPath(r.inputs, ["spec", "template", "metadata", "annotations"])],
                ),
            );
        }

        it("changes the pod template of every meshed workload, and only the revision annotation", async () => {
            const before = await templates("asm-1-26");
            const after = await templates("asm-1-27");
            assert.ok(Object.keys(before).length >= 2);
            assert.deepEqual(Object.keys(after), Object.keys(before));
            for (const name of Object.keys(before)) {
                const [a, b] = [before[name] as Record<string, string>, after[name] as Record<string, string>];
                assert.equal(a["ama-metrics-istio/istio-revision"], "asm-1-26", name);
                assert.equal(b["ama-metrics-istio/istio-revision"], "asm-1-27", name);
                assert.deepEqual({ ...a, "ama-metrics-istio/istio-revision": "" }, { ...b, "ama-metrics-istio/istio-revision": "" }, name);
            }
        });

        it("is also in the relocated chart's meshed pods, and absent from the pods kept out of the mesh", () => {
            const objects = objectsOf("ama-metrics", { mode: "sidecar", revision: "asm-1-27" });
            for (const [kind, name, meshed] of [
                ["Deployment", "ama-metrics", true],
                ["Deployment", "ama-metrics-ksm", true],
                ["DaemonSet", "ama-metrics-node", false],
            ] as const) {
                const annotations = podOf(find(objects, kind, name)).metadata?.annotations ?? {};
                assert.equal(annotations["ama-metrics-istio/istio-revision"], meshed ? "asm-1-27" : undefined, name);
            }
        });
    });
});
