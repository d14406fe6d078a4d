// The registry of the prometheus collector's scrape jobs: every job it may run, in configuration order, and
// the add-on targets it refuses. The configuration, the RBAC (through the jobs' discovery), the argument
// checks, the defaults and the tests read them from here.

import type { Collector, PrometheusTarget, ScrapeConfig } from "../../core/args";
import { Problem, problem } from "../../core/errors";
import { relabelRegexError } from "../../core/scrapeConfig/regex";
import { amaMetricsJobNames } from "../facts";
import { acstorCapacityProvisioner } from "./acstorCapacityProvisioner";
import { acstorMetricsExporter } from "./acstorMetricsExporter";
import { agentHealth } from "./agentHealth";
import { apiServer } from "./apiServer";
import { cadvisor } from "./cadvisor";
import { coreDns } from "./coreDns";
import { kubelet } from "./kubelet";
import { kubeProxy } from "./kubeProxy";
import { kubeStateMetrics } from "./kubeStateMetrics";
import { networkObservabilityCilium } from "./networkObservabilityCilium";
import { networkObservabilityHubble } from "./networkObservabilityHubble";
import { networkObservabilityRetina } from "./networkObservabilityRetina";
import { node } from "./node";
import { nodeAgentOnlyTargets } from "./nodeAgentOnly";
import { applicationSampleLimit, podAnnotations } from "./podAnnotations";
import { keepRule } from "./common";
import type { JobSettings, RefusedTarget, ScrapeJob } from "./types";

export type { RefusedTarget, ScrapeJob } from "./types";
export { applicationSampleLimit };

/** Every job the collector may run, in the order of its configuration (before the mTLS and the user's jobs). */
export const scrapeJobs: readonly ScrapeJob[] = [
    kubelet,
    cadvisor,
    node,
    kubeStateMetrics,
    acstorCapacityProvisioner,
    acstorMetricsExporter,
    networkObservabilityRetina,
    networkObservabilityHubble,
    networkObservabilityCilium,
    coreDns,
    kubeProxy,
    apiServer,
    agentHealth,
    podAnnotations,
];

/**
 * The job of shard `shard`, unsharded, as the configuration carries it: `job_name` first and the keep rule
 * last, where the add-on's files have them.
 */
export function buildJob(job: ScrapeJob, settings: JobSettings, shard: number): ScrapeConfig {
    return {
        job_name: job.name,
        ...job.build(settings, shard),
        ...(job.keepList === undefined ? {} : { metric_relabel_configs: keepRule(job.keepList) }),
    };
}

/** The add-on's targets this collector cannot run. */
export const refusedTargets: readonly RefusedTarget[] = nodeAgentOnlyTargets;

/** `prometheus.targets` with nothing given: the add-on's defaults, and off where the collector cannot scrape. */
export const targetDefaults = Object.fromEntries([
    ...scrapeJobs.filter((job) => job.target !== undefined).map((job) => [job.target, job.addOnDefault === true]),
    ...refusedTargets.map((refused) => [refused.target, false]),
]) as Record<PrometheusTarget, boolean>;

/** The names a user's job may not take: every job the collector may run. */
export function defaultJobNames(collector: Collector): readonly string[] {
    return collector === "prometheus" ? scrapeJobs.map((job) => job.name) : amaMetricsJobNames;
}

/** A job of the user's (or the mesh's) without a `sample_limit` gets the default one. */
export function withSampleLimit(job: ScrapeConfig): ScrapeConfig {
    return "sample_limit" in job ? job : { ...job, sample_limit: applicationSampleLimit };
}

/** The problems of `prometheus.targets` and `prometheus.podAnnotationNamespaces`, all at once. */
export function targetProblems(prometheus: {
    targets?: Partial<Record<PrometheusTarget, boolean>>;
    podAnnotationNamespaces?: string;
}): Problem[] {
    const problems = refusedTargets
        .filter((refused) => prometheus.targets?.[refused.target] === true)
        .map((refused) => problem(`prometheus.targets.${refused.target}`, true, refused.reason, refused.fix));
    const namespaces = prometheus.podAnnotationNamespaces;
    // It becomes a relabel rule's regex: Prometheus compiles it as RE2, and refuses the whole file otherwise.
    const error = namespaces === undefined ? undefined : relabelRegexError(namespaces);
    if (error !== undefined) {
        problems.push(
            problem(
                "prometheus.podAnnotationNamespaces",
                namespaces,
                `not a regular expression Prometheus compiles (RE2: ${error})`,
                'give an RE2 regular expression over namespace names, e.g. "shop|orders" (no lookaround such as (?!…))',
            ),
        );
    }
    return problems;
}
