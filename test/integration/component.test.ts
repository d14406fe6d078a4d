// The component as a whole, under Pulumi's mocks: its place in the stack, and for each collector and mesh
// mode exactly the objects the README's mode table promises, no more.

import * as assert from "node:assert/strict";
import type { AmaMetricsIstioArgs, Collector, MeshMode } from "../../components";
import { componentType } from "../../components";
import { baseArgs, evaluate, Evaluation, key, one, valueOf } from "../harness";

const certificatesTarget = { namespace: "payments", selector: { app: "ledger" }, ports: [9090], acknowledgeDefaultDeny: true };

function args(collector: Collector, mode: MeshMode, extra: AmaMetricsIstioArgs["istio"] = {}): AmaMetricsIstioArgs {
    return baseArgs(
        { istio: { mode, ...(mode === "off" ? {} : { revision: "asm-1-27", rootNamespace: "aks-istio-system" }), ...extra } },
        collector,
    );
}

/** `Kind namespace/name` of every Istio object, NetworkPolicy and kube-system object the component registered. */
function meshAndShims(e: Evaluation): string[] {
    return e.registrations
        .filter(
            (r) =>
                /^kubernetes:(security|networking)\.istio\.io\/|^kubernetes:networking\.k8s\.io\/v1:NetworkPolicy$/.test(r.type) ||
                r.name.includes(":kube-system/"),
        )
        .map((r) => r.inputs as { kind: string; metadata: { name: string; namespace?: string } })
        .map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)
        .sort();
}

describe("AmaMetricsIstio", () => {
    describe("in the stack", () => {
        let e: Evaluation;
        before(async () => {
            e = await evaluate(baseArgs(), "metrics");
        });

        it("registers itself under its type token, every child parented to it and named after it", () => {
            const self = one(e.registrations, componentType);
            assert.equal(self.name, "metrics");
            for (const r of e.registrations.filter((r) => r !== self)) {
                assert.equal(r.parent, `${componentType}::metrics`, `${key(r)} is not parented to the component`);
                assert.ok(r.name.startsWith("metrics"), `${key(r)} is not named after the component`);
            }
        });

        it("gives every child the caller's providers", () => {
            for (const r of e.registrations.filter((r) => r.custom)) {
                const expected = r.type.startsWith("kubernetes:")
                    ? "pulumi:providers:kubernetes::k8s"
                    : "pulumi:providers:azure-native::azure";
                assert.equal(r.provider, expected, key(r));
            }
        });

        it("never touches the cluster itself (the managed add-on stays off)", () => {
            assert.equal(e.registrations.filter((r) => r.type.startsWith("azure-native:containerservice:")).length, 0);
        });

        it("outputs the collector's namespace and mesh identity", async () => {
            assert.equal(await valueOf(e.component.namespace), "monitoring");
            assert.equal(await valueOf(e.component.collectorPrincipal), "cluster.local/ns/monitoring/sa/prometheus-agent");
        });
    });

    // The README's mode table, row by row, per collector.
    const table: Array<[Collector, MeshMode, AmaMetricsIstioArgs["istio"], Record<string, string>, string[]]> = [
        [
            "prometheus",
            "sidecar",
            {},
            { "istio.io/rev": "asm-1-27" },
            ["AuthorizationPolicy monitoring/kube-state-metrics", "PeerAuthentication monitoring/default", "Sidecar monitoring/default"],
        ],
        [
            "prometheus",
            "certificates",
            { authorizationPolicies: [certificatesTarget] },
            {},
            ["AuthorizationPolicy payments/monitoring-metrics-scrape-", "NetworkPolicy monitoring/kube-state-metrics"],
        ],
        ["prometheus", "off", {}, {}, ["NetworkPolicy monitoring/kube-state-metrics"]],
        [
            "ama-metrics",
            "sidecar",
            {},
            { "istio.io/rev": "asm-1-27" },
            [
                "AuthorizationPolicy monitoring/ama-metrics-ksm",
                "AuthorizationPolicy monitoring/ama-metrics-operator-targets",
                "PeerAuthentication monitoring/default",
                "Role kube-system/ama-metrics-token-reader-monitoring",
                "RoleBinding kube-system/ama-metrics-token-reader-monitoring",
                "Service kube-system/ama-metrics-operator-targets",
                "Sidecar monitoring/default",
            ],
        ],
        [
            "ama-metrics",
            "certificates",
            { authorizationPolicies: [certificatesTarget] },
            {},
            [
                "AuthorizationPolicy payments/monitoring-metrics-scrape-",
                "NetworkPolicy monitoring/ama-metrics-ksm",
                "NetworkPolicy monitoring/ama-metrics-operator-targets",
                "Role kube-system/ama-metrics-token-reader-monitoring",
                "RoleBinding kube-system/ama-metrics-token-reader-monitoring",
                "Service kube-system/ama-metrics-operator-targets",
            ],
        ],
        [
            "ama-metrics",
            "off",
            {},
            {},
            [
                "NetworkPolicy monitoring/ama-metrics-ksm",
                "NetworkPolicy monitoring/ama-metrics-operator-targets",
                "Role kube-system/ama-metrics-token-reader-monitoring",
                "RoleBinding kube-system/ama-metrics-token-reader-monitoring",
                "Service kube-system/ama-metrics-operator-targets",
            ],
        ],
    ];

    for (const [collector, mode, extra, labels, objects] of table) {
        describe(`${collector}, mesh mode ${mode}`, () => {
            let e: Evaluation;
            before(async () => {
                e = await evaluate(args(collector, mode, extra));
            });

            it("labels the namespace for injection only in the sidecar mode", () => {
                const namespace = one(e.registrations, "kubernetes:core/v1:Namespace");
                assert.deepEqual((namespace.inputs.metadata as { labels?: object }).labels ?? {}, labels);
            });

            it("registers exactly the mode's mesh objects (and, for ama-metrics, its kube-system shims)", () => {
                const found = meshAndShims(e);
                assert.equal(found.length, objects.length, found.join("\n"));
                objects.forEach((expected, i) => assert.ok(found[i].startsWith(expected), `${found[i]} is not ${expected}…`));
            });

            it("creates nothing in an Istio root namespace", () => {
                for (const r of e.registrations.filter((r) => r.type.startsWith("kubernetes:"))) {
                    const namespace = (r.inputs.metadata as { namespace?: string } | undefined)?.namespace;
                    assert.ok(namespace !== "aks-istio-system" && namespace !== "istio-system", key(r));
                }
            });
        });
    }

    it("adopts an existing namespace by patching only its mesh label", async () => {
        const e = await evaluate(baseArgs({ createNamespace: false, istio: { revision: "asm-1-27" } }));
        assert.equal(e.registrations.filter((r) => r.type === "kubernetes:core/v1:Namespace").length, 0);
        const patch = one(e.registrations, "kubernetes:core/v1:NamespacePatch");
        assert.deepEqual(patch.inputs.metadata, {
            annotations: { "pulumi.com/patchForce": "true" },
            labels: { "istio.io/rev": "asm-1-27" },
            name: "monitoring",
        });
    });

    it("adopts an existing namespace without touching it when the mode labels nothing", async () => {
        const e = await evaluate(baseArgs({ createNamespace: false, istio: { mode: "off" } }));
        assert.equal(e.registrations.filter((r) => r.type.startsWith("kubernetes:core/v1:Namespace")).length, 0);
    });
});
