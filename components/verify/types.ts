// The vocabulary of `ama-metrics-istio-verify`: what it is asked to check and what it reports. The
// collectors, the mesh modes and the error shape are the package's own (core/).

import type { Collector, MeshMode } from "../core/args";
import { formatProblem, Problem } from "../core/errors";

/** One installation of the package, as the component was configured. */
export interface VerifyConfiguration {
    namespace: string;
    collector: Collector;
    meshMode: MeshMode;
    /** Istio revision (`istio.io/rev`); absent for a default-revision install. */
    revision?: string;
    /** ama-metrics in sidecar mode: the Linux node DaemonSet is meshed too. Default false. */
    meshNode?: boolean;
    /** prometheus: the number of agent shards. Default 1. */
    shards?: number;
    /** prometheus: one kube-state-metrics per shard (`prometheus.shardKubeStateMetrics`, shards above 1). Default false. */
    shardedKubeStateMetrics?: boolean;
    /** ama-metrics: the token secret the agent borrows. Default kube-system/aad-msi-auth-token (amaMetrics/facts). */
    tokenSecret?: SecretRef;
    /** Also check the Azure side (`--azure`). */
    azure?: AzureTarget;
}

/** A Secret by namespace and name. */
export interface SecretRef {
    namespace: string;
    name: string;
}

export function sameSecret(a: SecretRef, b: SecretRef): boolean {
    return a.namespace === b.namespace && a.name === b.name;
}

/** `<namespace>/<name>`, as --token-secret takes it. */
export function secretText(secret: SecretRef): string {
    return `${secret.namespace}/${secret.name}`;
}

/** The Azure side, by resource ids checked and spelled as Azure spells them (core/facts/resourceIds). */
export interface AzureTarget {
    /** The AKS cluster's resource id. */
    clusterId: string;
    /** The Azure Monitor workspace's resource id. */
    workspaceId: string;
}

/** Everything the command line says: the configuration, plus where and how to check it. */
export interface VerifyOptions extends VerifyConfiguration {
    meshNode: boolean;
    shards: number;
    shardedKubeStateMetrics: boolean;
    tokenSecret: SecretRef;
    kubeconfig?: string;
    context?: string;
    json: boolean;
    /** The whole run's budget, in seconds. */
    timeoutSeconds: number;
}

export type { CheckResult } from "./checks";
export type { FindingStatus as CheckStatus } from "./checks/check";

/**
 * Raised when the command cannot do its job (exit code 2) with good arguments: an unreadable kubeconfig,
 * an unreachable endpoint or refused credentials. Bad arguments raise core's `UsageError`; both say what
 * went wrong in the package's one shape, `<argument> = <value>: <what is wrong>; <the fix>`.
 */
export class VerifyError extends Error {
    constructor(public readonly problem: Problem) {
        super(formatProblem(problem));
        this.name = "VerifyError";
    }
}
