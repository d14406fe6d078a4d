// The checks of the pods' mesh state beyond their sidecars, end to end against the prometheus installation:
// pods.revision (the revision that injected each meshed pod) and mesh.ambient (Istio's ambient data plane).

import * as assert from "node:assert/strict";
import { FakeKube } from "./fakeKube";
import { expectOnlyProblems, expectStatus, prometheusArgs, prometheusCluster, verify } from "./harness";

interface PodFixture {
    metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
    spec: { containers: { name: string }[] };
}

describe("ama-metrics-istio-verify, the pods' mesh state (prometheus collector)", () => {
    let fake: FakeKube;
    const pod = (name: string) => fake.get<PodFixture>("Pod", name, "monitoring");
    const run = (args: string[] = prometheusArgs) => verify(fake.url, args);

    beforeEach(async () => {
        fake = await prometheusCluster();
    });
    afterEach(() => fake.stop());

    it("fails pods.revision when a meshed pod was injected by another revision, and warns without the injector's annotation", async () => {
        pod("prometheus-shard-1-0").metadata.annotations!["istio.io/rev"] = "asm-1-26";
        const result = await run();
        expectOnlyProblems(result, { "pods.revision": "fail" });
        const [stale] = expectStatus(result, "pods.revision", "fail");
        assert.match(
            stale.message,
            /^pods injected by another revision than asm-1-27: prometheus-shard-1-0 \(asm-1-26\); their proxies stop/,
        );
        assert.match(stale.fix, /kubectl -n monitoring rollout restart statefulset\/prometheus-shard-1:/);

        delete pod("prometheus-shard-1-0").metadata.annotations!["istio.io/rev"];
        const [unknown] = expectStatus(await run(), "pods.revision", "warn");
        assert.match(unknown.message, /without the istio.io\/rev annotation the injector writes: prometheus-shard-1-0/);
    });

    it("expects the default revision's annotation when no --revision is given", async () => {
        const labels = fake.get<{ metadata: { labels: Record<string, string> } }>("Namespace", "monitoring").metadata.labels;
        delete labels["istio.io/rev"];
        labels["istio-injection"] = "enabled";
        const args = prometheusArgs.filter((a, i) => a !== "--revision" && prometheusArgs[i - 1] !== "--revision");
        const [stale] = expectStatus(await run(args), "pods.revision", "fail");
        assert.match(stale.message, /^pods injected by another revision than default: prometheus-shard-0-0 \(asm-1-27\)/);
    });

    describe("mesh.ambient", () => {
        const namespace = (name: string, labels: Record<string, string>) => ({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels } },
        });

        it("warns about ambient namespaces and ambient pods elsewhere: no mode scrapes them under STRICT", async () => {
            fake.add(namespace("shop", { "istio.io/dataplane-mode": "ambient" }), namespace("ledger", {}));
            fake.add({
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: "ledger-0", namespace: "ledger", labels: { "istio.io/dataplane-mode": "ambient" } },
            });
            const result = await run();
            expectOnlyProblems(result, { "mesh.ambient": "warn" });
            const [seen] = expectStatus(result, "mesh.ambient", "warn");
            assert.match(seen.message, /^in Istio's ambient data plane: namespaces shop; pods ledger\/ledger-0: under STRICT no mode/);
        });

        it("fails when the collector's namespace is ambient and a pod without a sidecar is not opted out", async () => {
            const labels = fake.get<{ metadata: { labels: Record<string, string> } }>("Namespace", "monitoring").metadata.labels;
            delete labels["istio.io/rev"];
            labels["istio.io/dataplane-mode"] = "ambient";
            // Certificates mode: kube-state-metrics opts out of sidecars with the label, which does not opt it out of ambient.
            const ksm = pod("kube-state-metrics-6d4f9c7b8d-w2x7c");
            ksm.spec.containers = ksm.spec.containers.filter((c) => c.name !== "istio-proxy");
            ksm.metadata.labels["sidecar.istio.io/inject"] = "false";
            const certificates = [...prometheusArgs, "--mesh-mode", "certificates"];
            const [captured] = expectStatus(await run(certificates), "mesh.ambient", "fail");
            assert.equal(
                captured.message,
                "ambient captures the collector's pods without a sidecar in monitoring: kube-state-metrics-6d4f9c7b8d-w2x7c (kube-state-metrics); " +
                    "ztunnel refuses their plaintext scrapes and calls under STRICT",
            );
            assert.match(captured.fix, /kubectl label namespace monitoring istio.io\/dataplane-mode-/);

            for (const p of fake.objects.filter((o) => o.kind === "Pod" && o.metadata.namespace === "monitoring")) {
                (p.metadata.labels as Record<string, string>)["istio.io/dataplane-mode"] = "none";
            }
            const [optedOut] = expectStatus(await run(certificates), "mesh.ambient", "pass");
            assert.match(optedOut.message, /the collector's pods in monitoring are out of ambient/);
        });
    });
});
