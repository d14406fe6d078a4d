// The shape of one check: its id, when it applies, what it reads and how it judges. Each check lives in a
// file of its own in this folder, and the registry (index.ts) lists them; the snapshot reads what the
// applicable checks name, the README's table and the ClusterRole come from the same list.

import type { Fetched, ReadId, ReadValues } from "../reads";
import type { VerifyOptions } from "../types";

export type FindingStatus = "pass" | "warn" | "fail" | "error";

/** One finding of a check; the registry adds the check's id. `fix` is empty when it passed. */
export interface Finding {
    status: FindingStatus;
    message: string;
    fix: string;
}

/** The reads a check named, each fetched. */
type ReadsOf<R extends ReadId> = { [K in R]: Fetched<ReadValues[K]> };

export interface Check<Id extends string = string, R extends ReadId = ReadId, O extends ReadId = never> {
    id: Id;
    /** The README's "When" column: says in words what `appliesTo` decides. */
    when: string;
    /** The README's "Passes when" column. */
    passes: string;
    /** Whether the check runs for this configuration; the one place that decides it. */
    appliesTo(options: VerifyOptions): boolean;
    /** What it needs read; it does not run when one of them could not be read at all (the namespace is missing). */
    reads: readonly R[];
    /** What it reads when available, but runs without. */
    optionalReads?: readonly O[];
    run(reads: ReadsOf<R> & Partial<ReadsOf<O>>, options: VerifyOptions, now: Date): Finding[];
}

/** A check, its id and reads kept as literal types (`CheckId` is the union of the registry's ids). */
export function defineCheck<const Id extends string, const R extends ReadId, const O extends ReadId = never>(
    check: Check<Id, R, O>,
): Check<Id, R, O> {
    return check;
}

export const pass = (message: string): Finding => ({ status: "pass", message, fix: "" });
export const warn = (message: string, fix: string): Finding => ({ status: "warn", message, fix });
export const fail = (message: string, fix: string): Finding => ({ status: "fail", message, fix });
/** The check could not judge: the command could not read what it needs (exit code 2). */
export const cannotCheck = (message: string, fix: string): Finding => ({ status: "error", message, fix });

export const rbacFix = 'run as an identity with the read-only ClusterRole ama-metrics-istio-verify (README, "Verify a deployment")';

/** The fix for a refused port-forward: its grant is the Role in the collector's namespace, not the ClusterRole (rbac.ts). */
const portForwardRbacFix = (namespace: string) =>
    `bind the identity to the Role ama-metrics-istio-verify in namespace ${namespace} too: it grants get and create on pods/portforward (README, "Verify a deployment")`;

/**
 * The finding for a pod whose `/metrics` the snapshot could not read through a port-forward (snapshot.ts):
 * refused (the Role's grant is missing) or failed, where `otherFix` says what to check on the pod.
 */
export function unreadMetrics(
    pod: string,
    port: number,
    scraped: Fetched<string> | undefined,
    namespace: string,
    otherFix: string,
): Finding {
    const reason = scraped?.state === "error" ? `HTTP ${scraped.status}: ${scraped.reason}` : "not read";
    return cannotCheck(
        `pod ${pod}: could not read /metrics through a port-forward to port ${port} (${reason})`,
        scraped?.state === "error" && scraped.status === 403 ? portForwardRbacFix(namespace) : otherFix,
    );
}

/** The finding for a read the API server refused, failed or answered in the wrong shape. */
export function unreadable(what: string, fetched: { path: string; status: number; reason: string }): Finding {
    return cannotCheck(
        `could not read ${what}: HTTP ${fetched.status}: ${fetched.reason} (GET ${fetched.path})`,
        fetched.status === 403 ? rbacFix : "run the command again; if it persists, check the API server's health",
    );
}
