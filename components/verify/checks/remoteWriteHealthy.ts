import { prometheusNames } from "../../prometheus/facts";
import { nameOf, startedAt } from "../kubeObjects";
import { kubeReads } from "../reads";
import { judgeRemoteWrite } from "../remoteWrite";
import { runningPodsOf } from "../workloads";
import { defineCheck, fail, Finding, unreadable, unreadMetrics } from "./check";

export const remoteWriteHealthy = defineCheck({
    id: "remote-write.healthy",
    when: "prometheus, per shard pod",
    passes:
        "the agent's own `/metrics` (read through a port-forward to the pod's loopback, which the sidecar does not capture) show samples " +
        "sent, none failed, and the newest sent within 5 minutes of the server's clock; failures of a pod younger than 30 minutes only warn, " +
        'since a new "Monitoring Metrics Publisher" role assignment can take that long to apply',
    appliesTo: (options) => options.collector === "prometheus",
    reads: ["pods", "shardMetrics"],
    run({ pods, shardMetrics }, options, now) {
        if (pods.state === "error") return [unreadable("the collector's pods", pods)];
        const metrics = shardMetrics.state === "found" ? shardMetrics.value : {};
        const listed = pods.state === "found" ? pods.value : [];
        // The shards the snapshot read, one by one: each judges the pods the read reached.
        return kubeReads.shardMetrics.workloads(options).flatMap((shard): Finding[] => {
            const running = runningPodsOf([shard], listed);
            if (running.length === 0) {
                return [fail(`${shard.name} has no running pod to read /metrics from`, "see workloads.rolled-out")];
            }
            return running.map((pod) => {
                const name = nameOf(pod);
                const scraped = metrics[name];
                if (!scraped || scraped.state !== "found") {
                    const port = prometheusNames.webPort;
                    return unreadMetrics(
                        name,
                        port,
                        scraped,
                        options.namespace,
                        `check that the pod is ready and its container ${prometheusNames.container} listens on ${port} (kubectl -n ${options.namespace} port-forward pod/${name} ${port})`,
                    );
                }
                const started = startedAt(pod);
                return judgeRemoteWrite({
                    pod: name,
                    text: scraped.value,
                    ...(scraped.date && { serverDate: scraped.date }),
                    ...(started && { podStarted: started }),
                    now,
                });
            });
        });
    },
});
