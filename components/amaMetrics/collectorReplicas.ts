// The collector's replica bounds, which the post-renderer writes into the chart's autoscaler. The chart
// keeps a user's bounds only by looking its HPA up in kube-system (`_ama-metrics-helpers.tpl`), which
// finds nothing once relocated: every render would say 2/30, and a `kubectl patch` in the agent's
// namespace (Microsoft's documented tuning, for kube-system) would be undone on the next update.

import * as v from "valibot";
import { apiGroup, getPath, KubernetesObject } from "../core/kubernetes";
import { Schema, strict } from "../core/shapes";
import { chartFacts, chartWorkloads } from "./facts";

/** Bounds of the collector's HorizontalPodAutoscaler; either may be left as the chart renders it. */
export interface ReplicaBounds {
    min?: number;
    max?: number;
}

const { minReplicas, maxReplicas } = chartFacts.collectorAutoscaler;
const range = `give a whole number from ${minReplicas} to ${maxReplicas}, the range the chart keeps`;
const replicas = v.pipe(
    v.number(`not a number; ${range}`),
    v.integer(`not a whole number; ${range}`),
    v.minValue(minReplicas, `fewer than ${minReplicas}; ${range}`),
    v.maxValue(maxReplicas, `more than ${maxReplicas}; ${range}`),
);

/** One bound's shape (the post-renderer's flags check each alone). */
export const replicaCountSchema: Schema = replicas;

/** The bounds' shape: known keys, each in range, min ≤ max, not empty. */
export const replicaBoundsSchema: Schema = v.pipe(
    strict({ min: v.optional(replicas), max: v.optional(replicas) }),
    v.check((b) => {
        const bounds = b as ReplicaBounds;
        return bounds.min !== undefined || bounds.max !== undefined;
    }, "empty: it changes nothing; give min, max or both, or drop it"),
    v.check((b) => {
        const { min, max } = b as ReplicaBounds;
        return min === undefined || max === undefined || min <= max;
    }, "min is above max; give min ≤ max"),
);

/**
 * Sets the bounds on the autoscaler of the collector's Deployment, in place. Throws when the rendering has
 * none (the chart renders it only with `AzureMonitorMetrics.CollectorHPAEnabled`), or when a bound given
 * and one rendered cross.
 */
export function setCollectorReplicas(objects: readonly KubernetesObject[], bounds: ReplicaBounds): void {
    const collector = chartWorkloads.collector;
    const autoscalers = objects.filter(
        (o) =>
            apiGroup(o.apiVersion) === "autoscaling" &&
            o.kind === "HorizontalPodAutoscaler" &&
            getPath(o, ["spec", "scaleTargetRef", "kind"]) === collector.kind &&
            getPath(o, ["spec", "scaleTargetRef", "name"]) === collector.name,
    );
    if (autoscalers.length === 0) {
        throw new Error(
            `The collector's replica bounds cannot be applied: no HorizontalPodAutoscaler of the rendering scales ` +
                `${collector.kind} "${collector.name}" (the chart renders ${chartFacts.collectorAutoscaler.name} only with ` +
                `AzureMonitorMetrics.CollectorHPAEnabled: true). Drop the bounds, or leave the autoscaler on.`,
        );
    }
    for (const autoscaler of autoscalers) {
        const spec = autoscaler.spec as { minReplicas?: unknown; maxReplicas?: unknown };
        if (bounds.min !== undefined) spec.minReplicas = bounds.min;
        if (bounds.max !== undefined) spec.maxReplicas = bounds.max;
        if (typeof spec.minReplicas === "number" && typeof spec.maxReplicas === "number" && spec.minReplicas > spec.maxReplicas) {
            throw new Error(
                `HorizontalPodAutoscaler "${autoscaler.metadata.name}" would scale the collector between ${spec.minReplicas} ` +
                    `and ${spec.maxReplicas} replicas: give both bounds, min ≤ max.`,
            );
        }
    }
}
