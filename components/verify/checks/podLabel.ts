import { nameOf } from "../kubeObjects";
import { defineCheck, fail, pass } from "./check";
import { shardPodsOrResult, workloadIdentity } from "./identity";

export const podLabel = defineCheck({
    id: "identity.pod-label",
    when: "prometheus",
    passes: 'the shard pods carry `azure.workload.identity/use: "true"`',
    appliesTo: (options) => options.collector === "prometheus",
    reads: ["pods"],
    run({ pods }, options) {
        const shards = shardPodsOrResult(pods, options);
        if ("result" in shards) return [shards.result];
        const collectorPods = shards.pods;
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
