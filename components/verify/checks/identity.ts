// What the prometheus collector's pods need from Azure Workload ID, shared by the identity checks.

import { prometheusNames, tokenExchangeAudience } from "../../prometheus/facts";
import { Pod, startedAt } from "../kubeObjects";
import type { Fetched } from "../reads";
import { livePodsOf, shardWorkloads } from "../workloads";
import type { VerifyOptions } from "../types";

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
export function shardPodsOf(pods: Fetched<Pod[]>, options: VerifyOptions): Fetched<Pod[]> {
    return pods.state === "found" ? { ...pods, value: livePodsOf(shardWorkloads(options.shards), pods.value) } : pods;
}

/** When the prometheus collector's oldest shard pod started, if one has. */
export function oldestShardStart(pods: Fetched<Pod[]> | undefined, options: VerifyOptions): Date | undefined {
    if (options.collector !== "prometheus" || pods?.state !== "found") return undefined;
    const starts = livePodsOf(shardWorkloads(options.shards), pods.value).flatMap((p) => startedAt(p)?.getTime() ?? []);
    return starts.length > 0 ? new Date(Math.min(...starts)) : undefined;
}
