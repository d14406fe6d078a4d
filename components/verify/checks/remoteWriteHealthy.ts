import { labelsMatch } from "../../core/kubernetes";
import { prometheusNames } from "../../prometheus/facts";
import { nameOf, startedAt } from "../kubeObjects";
import { judgeRemoteWrite } from "../remoteWrite";
import { shardWorkloads } from "../workloads";
import { cannotCheck, defineCheck, fail, Finding, portForwardRbacFix, unreadable } from "./check";
import { shardPodsOf } from "./identity";

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
        const shardPods = shardPodsOf(pods, options);
        if (shardPods.state === "error") return [unreadable("the collector's pods", shardPods)];
        const metrics = shardMetrics.state === "found" ? shardMetrics.value : {};
        const live = shardPods.state === "found" ? shardPods.value : [];
        return shardWorkloads(options.shards).flatMap((shard): Finding[] => {
            const running = live.filter((p) => labelsMatch(shard.podLabels, p.metadata?.labels) && p.status?.phase === "Running");
            if (running.length === 0) {
                return [fail(`${shard.name} has no running pod to read /metrics from`, "see workloads.rolled-out")];
            }
            return running.map((pod) => {
                const name = nameOf(pod);
                const scraped = metrics[name];
                if (!scraped || scraped.state !== "found") {
                    const reason = scraped && scraped.state === "error" ? `HTTP ${scraped.status}: ${scraped.reason}` : "not read";
                    return cannotCheck(
                        `pod ${name}: could not read /metrics through a port-forward to port ${prometheusNames.webPort} (${reason})`,
                        scraped?.state === "error" && scraped.status === 403
                            ? portForwardRbacFix(options.namespace)
                            : `check that the pod is ready and its container ${prometheusNames.container} listens on ${prometheusNames.webPort} (kubectl -n ${options.namespace} port-forward pod/${name} ${prometheusNames.webPort})`,
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
