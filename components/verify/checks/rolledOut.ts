import { nameOf, WorkloadObject } from "../kubeObjects";
import type { Fetched } from "../reads";
import type { VerifyOptions } from "../types";
import { expectedWorkloads, isShardName, WorkloadKind } from "../workloads";
import { defineCheck, fail, Finding, pass, unreadable, warn } from "./check";

export const rolledOut = defineCheck({
    id: "workloads.rolled-out",
    when: "per workload",
    passes:
        "Deployment/StatefulSet: ready and updated replicas equal the desired ones and the controller observed the latest generation; " +
        "DaemonSet: the same with ready, updated and desired pods; a missing workload fails, a shard beyond `--shards` warns. " +
        "kube-state-metrics is one Deployment, or with `--sharded-kube-state-metrics` (which `verifyArgs` adds for `prometheus.shardKubeStateMetrics`) " +
        "one `kube-state-metrics-<k>` per shard",
    appliesTo: () => true,
    reads: ["deployments", "statefulSets", "daemonSets"],
    run(reads, options) {
        const lists: Record<WorkloadKind, Fetched<WorkloadObject[]>> = {
            Deployment: reads.deployments,
            StatefulSet: reads.statefulSets,
            DaemonSet: reads.daemonSets,
        };
        const workloads = expectedWorkloads(options);
        const results = workloads.map((workload): Finding => {
            const list = lists[workload.kind];
            const label = `${workload.kind} ${workload.name}`;
            if (list.state === "error") return unreadable(`${workload.kind}s in ${options.namespace}`, list);
            const object = list.state === "found" ? list.value.find((o) => nameOf(o) === workload.name) : undefined;
            if (!object) {
                const names = list.state === "found" ? list.value.map(nameOf) : [];
                return fail(
                    `${label} is missing in ${options.namespace}`,
                    (workload.role === "kubeStateMetrics" && otherKubeStateMetricsLayout(options, names)) ||
                        "run pulumi up; if the component created it, check for its deletion in the cluster's events",
                );
            }
            return judgeRollout(workload.kind, object, label, options.namespace);
        });
        // Shards beyond --shards: a scale-down left them, or the flag is wrong.
        if (options.collector === "prometheus" && lists.StatefulSet.state === "found") {
            const expected = new Set(workloads.map((w) => w.name));
            for (const extra of lists.StatefulSet.value.map(nameOf).filter((n) => isShardName(n) && !expected.has(n))) {
                results.push(
                    warn(
                        `StatefulSet ${extra} exists beyond --shards ${options.shards}`,
                        `give --shards as the component has it; if the component runs ${options.shards}, delete the leftover: kubectl -n ${options.namespace} delete statefulset ${extra}`,
                    ),
                );
            }
        }
        return results;
    },
});

/** The fix when the namespace holds kube-state-metrics in the other layout (one, or one per shard) than the flags say. */
function otherKubeStateMetricsLayout(options: VerifyOptions, names: readonly string[]): string | undefined {
    const other = expectedWorkloads({ ...options, shardedKubeStateMetrics: !options.shardedKubeStateMetrics })
        .filter((w) => w.role === "kubeStateMetrics")
        .map((w) => w.name);
    if (options.shards <= 1 || !other.some((name) => names.includes(name))) return undefined;
    return options.shardedKubeStateMetrics
        ? `the namespace runs one Deployment ${other[0]}: drop --sharded-kube-state-metrics if the component runs one (prometheus.shardKubeStateMetrics unset), else run pulumi up`
        : `the namespace runs one kube-state-metrics per shard: give --sharded-kube-state-metrics as the component has prometheus.shardKubeStateMetrics (its verifyArgs output writes it)`;
}

function judgeRollout(kind: WorkloadKind, object: WorkloadObject, label: string, namespace: string): Finding {
    const status = object.status ?? {};
    const generation = object.metadata?.generation ?? 0;
    const observed = status.observedGeneration ?? 0;
    const [want, ready, updated] =
        kind === "DaemonSet"
            ? [status.desiredNumberScheduled ?? 0, status.numberReady ?? 0, status.updatedNumberScheduled ?? 0]
            : [object.spec?.replicas ?? 1, status.readyReplicas ?? 0, status.updatedReplicas ?? 0];
    const current =
        observed >= generation
            ? `generation ${generation} observed`
            : `generation ${generation} not yet observed (controller at ${observed})`;
    const seen = `${label}: ${ready}/${want} ready, ${updated}/${want} updated, ${current}`;
    if (ready === want && updated === want && observed >= generation) {
        return pass(seen);
    }
    const resource = kind.toLowerCase();
    return fail(
        `${seen}: not rolled out`,
        `kubectl -n ${namespace} rollout status ${resource}/${nameOf(object)} --timeout=5m; if it stalls, read the events: kubectl -n ${namespace} describe ${resource} ${nameOf(object)}`,
    );
}
