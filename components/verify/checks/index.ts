// The registry: every check, sorted by id (the report's and the README's order). The snapshot reads what the
// applicable checks name, and the README's check table and the ClusterRole are derived from this list.

import type { ReadId, Snapshot } from "../reads";
import type { VerifyOptions } from "../types";
import { alias } from "./alias";
import { ambient } from "./ambient";
import { azureAssociation } from "./azureAssociation";
import { azureDataArriving } from "./azureDataArriving";
import { azurePrivateIngestion } from "./azurePrivateIngestion";
import { azureRecordingRules } from "./azureRecordingRules";
import { azureRoleAssignment } from "./azureRoleAssignment";
import { Check, cannotCheck, Finding } from "./check";
import { injectionLabel } from "./injectionLabel";
import { namespaceExists } from "./namespaceExists";
import { noAddon } from "./noAddon";
import { peerAuthentication } from "./peerAuthentication";
import { podLabel } from "./podLabel";
import { podRevision } from "./podRevision";
import { podSidecars } from "./podSidecars";
import { remoteWriteHealthy } from "./remoteWriteHealthy";
import { rolledOut } from "./rolledOut";
import { targetAllocator } from "./targetAllocator";
import { serviceAccount } from "./serviceAccount";
import { serviceCidr } from "./serviceCidr";
import { tokenExpiry } from "./tokenExpiry";
import { tokenReader } from "./tokenReader";
import { tokenSecret } from "./tokenSecret";
import { tokenVolume } from "./tokenVolume";

export const checks = [
    azureAssociation,
    azureDataArriving,
    azurePrivateIngestion,
    azureRecordingRules,
    azureRoleAssignment,
    podLabel,
    serviceAccount,
    tokenVolume,
    alias,
    noAddon,
    tokenReader,
    ambient,
    peerAuthentication,
    serviceCidr,
    namespaceExists,
    injectionLabel,
    podRevision,
    podSidecars,
    remoteWriteHealthy,
    targetAllocator,
    tokenExpiry,
    tokenSecret,
    rolledOut,
] as const;

type CheckId = (typeof checks)[number]["id"];

/** One result of a check. */
export interface CheckResult extends Finding {
    id: CheckId;
}

/** A check in the registry, whatever it reads. */
type AnyCheck = Check<CheckId, ReadId, ReadId>;
const registry: readonly AnyCheck[] = checks;

/** The checks that apply to this configuration. */
function applicableChecks(options: VerifyOptions): readonly AnyCheck[] {
    return registry.filter((check) => check.appliesTo(options));
}

/** What the applicable checks read, each once. */
export function readsFor(options: VerifyOptions): Set<ReadId> {
    return new Set(applicableChecks(options).flatMap((check) => [...check.reads, ...(check.optionalReads ?? [])]));
}

/**
 * Runs every applicable check over the snapshot. A check whose reads were not made (they lie in a namespace
 * that does not exist) is skipped; one that meets an answer of a shape it cannot judge says so instead of
 * ending the run.
 */
export function runChecks(snapshot: Snapshot, options: VerifyOptions, now: Date): CheckResult[] {
    return applicableChecks(options).flatMap((check): CheckResult[] => {
        if (check.reads.some((read) => snapshot[read] === undefined)) return [];
        let findings: Finding[];
        try {
            findings = check.run(snapshot as Parameters<AnyCheck["run"]>[0], options, now);
        } catch (error) {
            findings = [
                cannotCheck(
                    `could not check: an answer has an unexpected shape (${error instanceof Error ? error.message : String(error)})`,
                    "check that --context names the cluster the component deployed to, and that nothing between this machine and the API server rewrites answers",
                ),
            ];
        }
        return findings.map((finding) => ({ id: check.id, ...finding }));
    });
}

/** The README's table of checks. */
export function checkTable(): string {
    const escape = (text: string) => text.replace(/\|/g, "\\|");
    const rows = registry.map((check) => `| \`${check.id}\` | ${escape(check.when)} | ${escape(check.passes)} |`);
    return ["| Id | When | Passes when |", "| --- | --- | --- |", ...rows].join("\n");
}
