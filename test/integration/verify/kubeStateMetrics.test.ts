// kube-state-metrics as the prometheus collector runs it with `prometheus.shardKubeStateMetrics`: one
// Deployment `kube-state-metrics-<k>` per shard, each pod labelled with its shard's index
// (prometheus/kubeStateMetrics), which the command expects with --sharded-kube-state-metrics.

import * as assert from "node:assert/strict";
import { prometheusNames } from "../../../components/prometheus/facts";
import type { FakeKube, ServedObject } from "./fakeKube";
import { expectOnlyProblems, expectStatus, prometheusArgs, prometheusCluster, verify } from "./harness";

interface Labelled {
    metadata: { name: string; labels?: Record<string, string> };
    spec: { selector?: { matchLabels: Record<string, string> }; template?: { metadata: { labels: Record<string, string> } } };
}

const single = "kube-state-metrics";
const singlePod = "kube-state-metrics-6d4f9c7b8d-w2x7c";
const shardLabel = prometheusNames.shardLabel;

/** Replaces the fixture's one kube-state-metrics (Deployment and pod) by one per shard, as the component names and labels them. */
function shardKubeStateMetrics(fake: FakeKube, shards: number): void {
    const deployment = fake.get<Labelled>("Deployment", single, "monitoring");
    const pod = fake.get<Labelled>("Pod", singlePod, "monitoring");
    fake.remove("Deployment", single, "monitoring");
    fake.remove("Pod", singlePod, "monitoring");
    for (let k = 0; k < shards; k++) {
        const instance = structuredClone(deployment);
        instance.metadata.name = `${single}-${k}`;
        instance.spec.selector!.matchLabels[shardLabel] = String(k);
        instance.spec.template!.metadata.labels[shardLabel] = String(k);
        const instancePod = structuredClone(pod);
        instancePod.metadata.name = `${single}-${k}-6d4f9c7b8d-w2x7c`;
        instancePod.metadata.labels![shardLabel] = String(k);
        fake.add(instance as unknown as ServedObject, instancePod as unknown as ServedObject);
    }
}

describe("ama-metrics-istio-verify, prometheus collector with one kube-state-metrics per shard", () => {
    let fake: FakeKube;
    const sharded = [...prometheusArgs, "--sharded-kube-state-metrics"];

    beforeEach(async () => {
        fake = await prometheusCluster();
        shardKubeStateMetrics(fake, 2);
    });
    afterEach(() => fake.stop());

    it("passes every check with --sharded-kube-state-metrics, each instance rolled out", async () => {
        const result = await verify(fake.url, sharded);
        expectOnlyProblems(result, {});
        assert.deepEqual(
            result.checks.filter((c) => c.id === "workloads.rolled-out").map((c) => c.message),
            [
                "StatefulSet prometheus-shard-0: 1/1 ready, 1/1 updated, generation 3 observed",
                "StatefulSet prometheus-shard-1: 1/1 ready, 1/1 updated, generation 3 observed",
                "Deployment kube-state-metrics-0: 1/1 ready, 1/1 updated, generation 2 observed",
                "Deployment kube-state-metrics-1: 1/1 ready, 1/1 updated, generation 2 observed",
            ],
        );
    });

    it("fails workloads.rolled-out naming the missing instance", async () => {
        fake.remove("Deployment", `${single}-1`, "monitoring");
        const result = await verify(fake.url, sharded);
        expectOnlyProblems(result, { "workloads.rolled-out": "fail" });
        const [missing] = expectStatus(result, "workloads.rolled-out", "fail");
        assert.equal(missing.message, "Deployment kube-state-metrics-1 is missing in monitoring");
    });

    it("looks for the one Deployment kube-state-metrics without the flag, and names the flag in the fix", async () => {
        const [missing] = expectStatus(await verify(fake.url, prometheusArgs), "workloads.rolled-out", "fail");
        assert.equal(missing.message, "Deployment kube-state-metrics is missing in monitoring");
        assert.match(missing.fix, /runs one kube-state-metrics per shard: give --sharded-kube-state-metrics/);
    });
});

describe("ama-metrics-istio-verify, --sharded-kube-state-metrics against one kube-state-metrics", () => {
    let fake: FakeKube;
    beforeEach(async () => {
        fake = await prometheusCluster();
    });
    afterEach(() => fake.stop());

    it("fails workloads.rolled-out for each instance, with dropping the flag as the fix", async () => {
        const result = await verify(fake.url, [...prometheusArgs, "--sharded-kube-state-metrics"]);
        expectOnlyProblems(result, { "workloads.rolled-out": "fail" });
        const missing = expectStatus(result, "workloads.rolled-out", "fail");
        assert.deepEqual(
            missing.map((m) => m.message),
            ["Deployment kube-state-metrics-0 is missing in monitoring", "Deployment kube-state-metrics-1 is missing in monitoring"],
        );
        for (const { fix } of missing) {
            assert.match(fix, /^the namespace runs one Deployment kube-state-metrics: drop --sharded-kube-state-metrics/);
        }
    });
});
