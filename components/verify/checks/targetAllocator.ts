import { chartFacts, chartNamespace } from "../../amaMetrics/facts";
import { formatDuration } from "../report";
import { nameOf, startedAt } from "../kubeObjects";
import { ExpositionError, parseExposition, samplesOf } from "../promText";
import { kubeReads } from "../reads";
import { runningPodsOf } from "../workloads";
import { defineCheck, fail, Finding, pass, unreadable, unreadMetrics, warn } from "./check";

/**
 * The target allocator's HTTP server counts its requests by route (Azure/prometheus-collector
 * otelcollector/otel-allocator server/server.go: `opentelemetry_allocator_http_duration_seconds{path}`); each
 * collector fetches its share of targets from `/jobs/:job_id/targets?collector_id=<pod>`. The allocation
 * strategy reports how many collectors it allocates to (`opentelemetry_allocator_collectors_allocatable`).
 */
const allocatorMetrics = {
    collectors: "opentelemetry_allocator_collectors_allocatable",
    requests: "opentelemetry_allocator_http_duration_seconds_count",
    targetsRoute: "/jobs/:job_id/targets",
};
/** The collectors poll the allocator every few seconds; a younger allocator may not have served them yet. */
const startupGraceMs = 2 * 60 * 1000;

export const targetAllocator = defineCheck({
    id: "target-allocator.collectors",
    when: "ama-metrics",
    passes:
        "the target allocator's own `/metrics` (through a port-forward to its port 8080) show collectors to allocate to " +
        "(`opentelemetry_allocator_collectors_allocatable`) and requests for their targets on `/jobs/:job_id/targets`: proof that the " +
        "collector → allocator hop (through the `kube-system` alias) works end to end; none after 2 minutes fails, since every pod stays Ready without targets",
    appliesTo: (options) => options.collector === "ama-metrics",
    reads: ["pods", "allocatorMetrics"],
    run({ pods, allocatorMetrics: metrics }, options, now) {
        if (pods.state === "error") return [unreadable(`pods in ${options.namespace}`, pods)];
        // The allocator's pods the snapshot read (kubeReads.allocatorMetrics): a terminating one was not.
        const workloads = kubeReads.allocatorMetrics.workloads(options);
        const running = runningPodsOf(workloads, pods.state === "found" ? pods.value : []);
        if (running.length === 0) {
            return [
                fail(`${workloads.map((w) => w.name).join(", ")} has no running pod to read /metrics from`, "see workloads.rolled-out"),
            ];
        }
        const read = metrics.state === "found" ? metrics.value : {};
        return running.map((pod): Finding => {
            const name = nameOf(pod);
            const scraped = read[name];
            const port = chartFacts.targetAllocatorPort;
            if (!scraped || scraped.state !== "found") {
                return unreadMetrics(
                    name,
                    port,
                    scraped,
                    options.namespace,
                    `check that the pod is ready and its container ${chartFacts.targetAllocatorContainer} listens on ${port}`,
                );
            }
            let collectors: number;
            let served: number;
            try {
                const exposition = parseExposition(scraped.value);
                const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
                collectors = sum(samplesOf(exposition, allocatorMetrics.collectors).map((s) => s.value));
                served = sum(
                    samplesOf(exposition, allocatorMetrics.requests)
                        .filter((s) => s.labels.path === allocatorMetrics.targetsRoute)
                        .map((s) => s.value),
                );
            } catch (error) {
                if (!(error instanceof ExpositionError)) throw error;
                return fail(
                    `pod ${name}: /metrics does not parse (${error.message})`,
                    `check that port ${port} of the pod is the allocator's`,
                );
            }
            const seen = `pod ${name}: ${collectors} collectors to allocate to, ${served} requests for targets on ${allocatorMetrics.targetsRoute}`;
            if (collectors > 0 && served > 0) return pass(seen);
            const started = startedAt(pod);
            const age = started ? now.getTime() - started.getTime() : undefined;
            if (age !== undefined && age < startupGraceMs) {
                return warn(`${seen}; the pod started ${formatDuration(age)} ago`, "run the check again in a few minutes");
            }
            if (collectors === 0) {
                return fail(
                    `${seen}: the allocator knows no collector, so no collector gets targets`,
                    `the allocator allocates to the Running pods of Deployment ama-metrics in ${options.namespace}: check workloads.rolled-out and its logs (kubectl -n ${options.namespace} logs ${name} -c ${chartFacts.targetAllocatorContainer})`,
                );
            }
            const alias = `${chartFacts.targetAllocatorService}.${chartNamespace}.svc`;
            return fail(
                `${seen}: no collector fetched its targets, so the collectors scrape nothing of their custom and default jobs while every pod stays Ready`,
                `the collectors dial ${alias}, the component's ExternalName alias (see kube-system.alias)` +
                    (options.meshMode === "sidecar"
                        ? `; in the sidecar mode their proxy routes that name only if istiod discovers ${chartNamespace}: if meshConfig.discoverySelectors leave ${chartNamespace} out, add it (README, "The ama-metrics path")`
                        : "") +
                    `; then read the collector's errors: kubectl -n ${options.namespace} logs deploy/ama-metrics -c ${chartFacts.collectorContainer} | grep -i target`,
            );
        });
    },
});
