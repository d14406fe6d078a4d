// What the prometheus collector's pods need from Azure Workload ID, shared by the identity checks.

import { prometheusNames, tokenExchangeAudience } from "../../prometheus/facts";
import { Pod, startedAt } from "../kubeObjects";
import type { Fetched } from "../reads";
import { livePodsOf, shardWorkloads } from "../workloads";
import type { VerifyOptions } from "../types";
import { fail, Finding, unreadable } from "./check";

export const workloadIdentity = {
    useLabel: prometheusNames.workloadIdentityLabel,
    clientIdAnnotation: prometheusNames.clientIdAnnotation,
    audience: tokenExchangeAudience,
    tokenFileEnv: "AZURE_FEDERATED_TOKEN_FILE",
    /** The webhook's volume until v1.5; from v1.6 it is named by this prefix and a hash of the pod name. */
    volumeName: "azure-identity-token",
    volumePrefix: "azure-workload-identity-reserved-",
};

/** The shards' live pods. */
function shardPodsOf(pods: Fetched<Pod[]>, options: VerifyOptions): Fetched<Pod[]> {
    return pods.state === "found" ? { ...pods, value: livePodsOf(shardWorkloads(options.shards), pods.value) } : pods;
}

/**
 * The shards' live pods for an identity check, or the result that ends it: the pods could not be read, or
 * the shards have none.
 */
export function shardPodsOrResult(pods: Fetched<Pod[]>, options: VerifyOptions): { pods: Pod[] } | { result: Finding } {
    const shardPods = shardPodsOf(pods, options);
    if (shardPods.state === "error") return { result: unreadable("the collector's pods", shardPods) };
    const live = shardPods.state === "found" ? shardPods.value : [];
    if (live.length === 0) {
        const names = shardWorkloads(options.shards).map((w) => w.name);
        return { result: fail(`no pods of ${names.join(", ")} to check`, "see workloads.rolled-out: the shards have no pods") };
    }
    return { pods: live };
}

/** When the prometheus collector's oldest shard pod started, if one has. */
export function oldestShardStart(pods: Fetched<Pod[]> | undefined, options: VerifyOptions): Date | undefined {
    if (options.collector !== "prometheus" || pods?.state !== "found") return undefined;
    const starts = livePodsOf(shardWorkloads(options.shards), pods.value).flatMap((p) => startedAt(p)?.getTime() ?? []);
    return starts.length > 0 ? new Date(Math.min(...starts)) : undefined;
}
