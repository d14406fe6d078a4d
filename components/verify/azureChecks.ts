// The Azure checks: pure functions from the fetched ARM and query answers to results.

import { prometheusStream } from "../azure/facts";
import type { Collector } from "../core/args";
import { arrivalWindowMinutes, Association, AzureSnapshot, DataCollectionRule } from "./azure";
import { formatDuration } from "./report";
import { rerunAfterRoleAssignment, roleAssignmentDelayMs, roleAssignmentNote } from "./roleAssignment";
import type { Fetched } from "./snapshot";
import { AzureTarget, CheckId, CheckResult, fail, pass, warn } from "./types";

/** Microsoft's naming of the managed add-on's (and its Azure Policy's) rules and associations; the component's follow it. */
const managedPrefix = /^MSProm-/i;

/**
 * The Azure checks. `collectorStarted`: when the prometheus collector's oldest pod started (undefined for
 * ama-metrics): until it is older than a role assignment's delay, its identity may not publish yet.
 */
export function azureChecks(
    snapshot: AzureSnapshot,
    target: AzureTarget,
    collector: Collector,
    now: Date,
    collectorStarted?: Date,
): CheckResult[] {
    return [association(snapshot, target, collector), dataArriving(snapshot, target, now, collectorStarted)];
}

function unreadable(id: CheckId, what: string, fetched: { path: string; status: number; reason: string }, role: string): CheckResult {
    return fail(
        id,
        `could not read ${what}: HTTP ${fetched.status}: ${fetched.reason}`,
        fetched.status === 403 ? `give the signed-in identity ${role}` : "run the command again; if it persists, check Azure's status",
    );
}

function sameId(a: string | undefined, b: string): boolean {
    return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

interface Link {
    association: Association;
    ruleId?: string;
    rule?: Fetched<DataCollectionRule>;
}

function association(snapshot: AzureSnapshot, target: AzureTarget, collector: Collector): CheckResult {
    const id = "azure.association";
    const list = snapshot.associations;
    if (list.state === "error") return unreadable(id, "the cluster's data collection rule associations", list, "Reader on the cluster");
    if (list.state === "missing") {
        return fail(id, `cluster ${target.clusterId} not found`, "give the --cluster-id of the cluster the component deployed to");
    }
    // Associations of endpoints (configurationAccessEndpoint) name no rule.
    const links: Link[] = list.value
        .filter((a) => a.properties?.dataCollectionRuleId)
        .map((a) => {
            const ruleId = a.properties!.dataCollectionRuleId!;
            return { association: a, ruleId, rule: snapshot.rules[ruleId.toLowerCase()] };
        });
    const sendsToWorkspace = (link: Link) =>
        link.rule?.state === "found" &&
        (link.rule.value.properties?.destinations?.monitoringAccounts ?? []).some((m) => sameId(m.accountResourceId, target.workspaceId));
    const describe = (link: Link) => `${link.association.name ?? "?"} → ${ruleName(link)}`;

    if (collector === "prometheus") {
        const managed = links.filter(
            (l) =>
                managedPrefix.test(l.association.name ?? "") ||
                (l.rule?.state === "found" &&
                    (l.rule.value.properties?.dataFlows ?? []).some((f) => f.streams?.includes(prometheusStream))),
        );
        if (managed.length > 0) {
            return warn(
                id,
                `the prometheus collector needs no association, but ${managed.map(describe).join(", ")} exists: an add-on's or an Azure Policy's`,
                "if the managed add-on is disabled, delete it (az monitor data-collection rule association delete --name <name> --resource <cluster id>); if a policy recreates it, exempt the cluster",
            );
        }
        return pass(id, "not needed: the prometheus collector remote-writes with its own identity (no add-on or policy association found)");
    }

    const ours = links.filter(sendsToWorkspace);
    const foreign = links.filter((l) => managedPrefix.test(l.association.name ?? "") && !sendsToWorkspace(l));
    if (ours.length === 0) {
        const seen = links.length > 0 ? links.map(describe).join(", ") : "none";
        return fail(
            id,
            `no association of the cluster points at a rule that sends to workspace ${target.workspaceId} (associations: ${seen})`,
            "run pulumi up: the agent fetches its configuration through the component's association MSProm-<region>-<cluster>",
        );
    }
    if (foreign.length > 0) {
        return fail(
            id,
            `${foreign.map(describe).join(", ")} points at another rule than the workspace's (an add-on's or a policy's): the agent may take its configuration from it`,
            "delete it: az monitor data-collection rule association delete --name <name> --resource <cluster id>; if an Azure Policy recreates it, exempt the cluster",
        );
    }
    return pass(id, `${ours.map(describe).join(", ")} sends to the workspace, and no other managed association exists`);
}

function ruleName(link: Link): string {
    const name = link.ruleId?.split("/").pop() ?? "?";
    if (link.rule === undefined || link.rule.state === "found") return name;
    return link.rule.state === "missing" ? `${name} (rule not found)` : `${name} (rule unreadable: HTTP ${link.rule.status})`;
}

function dataArriving(snapshot: AzureSnapshot, target: AzureTarget, now: Date, collectorStarted: Date | undefined): CheckResult {
    const id = "azure.data-arriving";
    const workspace = snapshot.workspace;
    if (workspace.state === "error") return unreadable(id, `workspace ${target.workspaceId}`, workspace, "Reader on the workspace");
    if (workspace.state === "missing") {
        return fail(id, `workspace ${target.workspaceId} not found`, "give the --workspace-id the component sends to");
    }
    if (!workspace.value.properties?.metrics?.prometheusQueryEndpoint || !snapshot.query) {
        return fail(
            id,
            "the workspace has no properties.metrics.prometheusQueryEndpoint",
            "check that --workspace-id names an Azure Monitor workspace (Microsoft.Monitor/accounts)",
        );
    }
    const query = snapshot.query;
    if (query.state === "error") return unreadable(id, `the query ${snapshot.promql}`, query, '"Monitoring Data Reader" on the workspace');
    if (query.state === "missing" || query.value.status !== "success") {
        const reason = query.state === "found" ? (query.value.error ?? "no status") : "HTTP 404";
        return fail(id, `the query ${snapshot.promql} failed: ${reason}`, "check the workspace's query endpoint");
    }
    const series = query.value.data?.result ?? [];
    const times = series.flatMap((s) => [...(s.values ?? []), ...(s.value ? [s.value] : [])].map(([t]) => Number(t) * 1000));
    const newest = times.length > 0 ? Math.max(...times) : undefined;
    const windowMs = arrivalWindowMinutes * 60 * 1000;
    if (newest !== undefined && now.getTime() - newest <= windowMs) {
        return pass(id, `${series.length} series of ${snapshot.promql}; newest sample ${formatDuration(now.getTime() - newest)} ago`);
    }
    const missing =
        newest === undefined
            ? `no sample of ${snapshot.promql} in the workspace in the last ${arrivalWindowMinutes} minutes`
            : `the newest sample of ${snapshot.promql} is ${formatDuration(now.getTime() - newest)} old`;
    const collectorAgeMs = collectorStarted === undefined ? undefined : now.getTime() - collectorStarted.getTime();
    if (collectorAgeMs !== undefined && collectorAgeMs < roleAssignmentDelayMs) {
        return warn(
            id,
            `${missing}; the collector's pods started ${formatDuration(collectorAgeMs)} ago, and ${roleAssignmentNote}`,
            `${rerunAfterRoleAssignment("the pods are")}; if no data arrives then, see remote-write.healthy`,
        );
    }
    return fail(
        id,
        missing,
        "check remote-write.healthy (prometheus) or the agent's logs (ama-metrics); new data takes a few minutes to be queryable",
    );
}
