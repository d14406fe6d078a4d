// The prometheus collector's arguments: their shape and the rules between them, composed with the other
// features' in components/arguments.

import * as semver from "semver";
import * as v from "valibot";
import type { AmaMetricsIstioArgs, Collector, PrometheusArgs, PrometheusDefaultedKey } from "../core/args";
import { Problem, problem } from "../core/errors";
import { formats } from "../core/formats";
import { defaults, Defaults } from "../core/settings";
import { scrapeJobProblems } from "../core/scrapeConfig";
import { scrapeIntervalProblems } from "../core/scrapeInterval";
import { bool, quantities, Schema, shardsSchema, strict, valueOf } from "../core/shapes";
import { minimumPrometheusVersion, prometheusDefaults } from "./facts";
import { certificatesJobName } from "../mesh/scrapeJob";
import { defaultJobNames, targetDefaults, targetProblems } from "./jobs";

/** The shape of the `prometheus` argument. */
export const prometheusSchema = strict({
    image: v.optional(valueOf(formats.image)),
    shards: v.optional(shardsSchema),
    resources: v.optional(strict({ requests: v.optional(quantities), limits: v.optional(quantities) })),
    scrapeInterval: v.optional(valueOf(formats.duration)),
    walVolume: v.optional(
        strict(
            { size: valueOf(formats.quantity), storageClassName: v.optional(valueOf(formats.objectName)) },
            { size: 'give the size of each shard\'s volume, e.g. "10Gi"' },
        ),
    ),
    priorityClassName: v.optional(valueOf(formats.objectName)),
    shardKubeStateMetrics: v.optional(bool),
    targets: v.optional(strict(Object.fromEntries(Object.keys(targetDefaults).map((target) => [target, v.optional(bool)])))),
    podAnnotationNamespaces: v.optional(
        v.pipe(
            v.string("not a string; give a regular expression over namespace names"),
            v.minLength(1, 'empty; give a regular expression over namespace names, e.g. "shop|orders"'),
        ),
    ),
    windowsKubelet: v.optional(bool),
} satisfies Record<keyof NonNullable<AmaMetricsIstioArgs["prometheus"]>, Schema>);

/**
 * The defaults of the `prometheus` fields named in `PrometheusDefaultedKey` (one missing fails to compile), filled
 * in by `withDefaults` (core/settings.ts). `resources` and `targets` are merged field by field in
 * arguments/settings.ts.
 */
export const prometheusArgumentDefaults = {
    image: prometheusDefaults.image,
    shards: prometheusDefaults.shards,
    scrapeInterval: prometheusDefaults.scrapeInterval,
    // Refused with one shard (shardedKubeStateMetricsProblems).
    shardKubeStateMetrics: false,
    windowsKubelet: false,
} satisfies Defaults<PrometheusArgs, PrometheusDefaultedKey>;

/** The shards' requests and limits: the given ones over the defaults, field by field. */
export function prometheusResources(given: PrometheusArgs["resources"]) {
    return {
        requests: { ...prometheusDefaults.resources.requests, ...given?.requests },
        limits: { ...prometheusDefaults.resources.limits, ...given?.limits },
    };
}

/** The `prometheus` argument's rules: the image's version, the scrape interval, the targets. */
export function prometheusProblems(prometheus: NonNullable<AmaMetricsIstioArgs["prometheus"]>): Problem[] {
    // The tag after the last path segment's ':'; a digest-only reference names no version to judge.
    const tag = prometheus.image
        ?.replace(/@sha256:[a-f0-9]+$/, "")
        .split("/")
        .pop()
        ?.split(":")[1];
    // Pre-releases kept: v3.14.0-rc.0 is before v3.14.0.
    const version = tag !== undefined && /^v?\d/.test(tag) ? semver.coerce(tag, { includePrerelease: true }) : null;
    const versionProblems =
        version === null || semver.gte(version, minimumPrometheusVersion)
            ? []
            : [
                  problem(
                      "prometheus.image",
                      prometheus.image,
                      `Prometheus before v${minimumPrometheusVersion} reads the Workload ID token from a fixed path instead of AZURE_FEDERATED_TOKEN_FILE, where the webhook mounts it (prometheus/prometheus #18973): remote write would not authenticate`,
                      `use v${minimumPrometheusVersion} or later`,
                  ),
              ];
    return [
        ...scrapeIntervalProblems(prometheus.scrapeInterval),
        ...shardedKubeStateMetricsProblems(prometheus),
        ...versionProblems,
        ...targetProblems(prometheus),
    ];
}

/** One kube-state-metrics per shard needs more than one shard: with one it would only rename kube-state-metrics. */
function shardedKubeStateMetricsProblems(prometheus: NonNullable<AmaMetricsIstioArgs["prometheus"]>): Problem[] {
    const shards = prometheus.shards ?? prometheusDefaults.shards;
    return prometheus.shardKubeStateMetrics === true && shards === 1
        ? [
              problem(
                  "prometheus.shardKubeStateMetrics",
                  true,
                  "with one shard there is nothing to divide kube-state-metrics over",
                  "drop it, or set prometheus.shards above 1",
              ),
          ]
        : [];
}

/** The `global.scrape_interval` a job inherits: the collector's, or Prometheus' default for the agent's custom jobs. */
function globalScrapeInterval(args: AmaMetricsIstioArgs, collector: Collector): string {
    return collector === "prometheus" ? (args.prometheus?.scrapeInterval ?? prometheusDefaults.scrapeInterval) : "1m";
}

/** The user's scrape jobs: names of their own, each job's fields. */
export function scrapeConfigProblems(args: AmaMetricsIstioArgs, collector: Collector): Problem[] {
    const problems: Problem[] = [];
    const reserved = new Set([
        ...defaultJobNames(collector),
        ...((args.istio?.mode ?? defaults.meshMode) === "certificates" ? [certificatesJobName] : []),
    ]);
    const seen = new Map<string, number>();
    (args.scrapeConfigs ?? []).forEach((job, i) => {
        const argument = `scrapeConfigs[${i}].job_name`;
        if (reserved.has(job.job_name)) {
            problems.push(
                problem(
                    argument,
                    job.job_name,
                    `the ${collector} collector already runs a job of that name`,
                    "give the job a name of its own",
                ),
            );
        }
        const previous = seen.get(job.job_name);
        if (previous !== undefined) {
            problems.push(
                problem(argument, job.job_name, `repeats scrapeConfigs[${previous}].job_name`, "give each job a name of its own"),
            );
        }
        seen.set(job.job_name, i);
        problems.push(...scrapeJobProblems(job, `scrapeConfigs[${i}]`, globalScrapeInterval(args, collector)));
    });
    return problems;
}
