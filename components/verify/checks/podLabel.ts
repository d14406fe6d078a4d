import { nameOf } from "../kubeObjects";
import { shardWorkloads } from "../workloads";
import { defineCheck, fail, pass, unreadable } from "./check";
import { shardPodsOf, workloadIdentity } from "./identity";

export const podLabel = defineCheck({
    id: "identity.pod-label",
    when: "prometheus",
    passes: 'the shard pods carry `azure.workload.identity/use: "true"`',
    appliesTo: (options) => options.collector === "prometheus",
    reads: ["pods"],
    run({ pods }, options) {
        const shardPods = shardPodsOf(pods, options);
        if (shardPods.state === "error") return [unreadable("the collector's pods", shardPods)];
        const collectorPods = shardPods.state === "found" ? shardPods.value : [];
        if (collectorPods.length === 0) {
            const names = shardWorkloads(options.shards).map((w) => w.name);
            return [fail(`no pods of ${names.join(", ")} to check`, "see workloads.rolled-out: the shards have no pods")];
        }
        const label = workloadIdentity.useLabel;
        const unlabelled = collectorPods.filter((p) => p.metadata?.labels?.[label] !== "true").map(nameOf);
        if (unlabelled.length === 0) return [pass(`${collectorPods.length} collector pods carry ${label}=true`)];
        return [
            fail(
                `pods without ${label}=true: ${unlabelled.join(", ")}`,
                "run pulumi up: the shards' pod template carries the label; then kubectl rollout restart the shards",
            ),
        ];
    },
});
