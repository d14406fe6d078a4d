import { arrivalWindowMinutes, AzureSnapshot } from "../azure";
import { formatDuration } from "../report";
import { rerunAfterRoleAssignment, roleAssignmentDelayMs, roleAssignmentNote } from "../roleAssignment";
import type { AzureTarget } from "../types";
import { defineCheck, fail, Finding, pass, warn } from "./check";
import { azureOf, unreadableAzure } from "./azureRead";
import { oldestShardStart } from "./identity";

export const azureDataArriving = defineCheck({
    id: "azure.data-arriving",
    when: "`--azure`",
    passes:
        'the workspace\'s query endpoint has a sample of `up{cluster="<cluster name>"}` newer than 10 minutes; with the prometheus ' +
        "collector, none while its oldest shard pod is younger than 30 minutes only warns (the role assignment's delay, as above)",
    appliesTo: (options) => options.azure !== undefined,
    reads: ["azure"],
    // Until the prometheus collector's identity is older than a role assignment's delay, it may not publish yet.
    optionalReads: ["pods"],
    run({ azure, pods }, options, now) {
        const snapshot = azureOf(azure);
        return snapshot && options.azure ? [dataArriving(snapshot, options.azure, now, oldestShardStart(pods, options))] : [];
    },
});

function dataArriving(snapshot: AzureSnapshot, target: AzureTarget, now: Date, collectorStarted: Date | undefined): Finding {
    const workspace = snapshot.workspace;
    if (workspace.state === "error") return unreadableAzure(`workspace ${target.workspaceId}`, workspace, "Reader on the workspace");
    if (workspace.state === "missing") {
        return fail(`workspace ${target.workspaceId} not found`, "give the --workspace-id the component sends to");
    }
    if (!workspace.value.properties?.metrics?.prometheusQueryEndpoint || !snapshot.query) {
        return fail(
            "the workspace has no properties.metrics.prometheusQueryEndpoint",
            "check that --workspace-id names an Azure Monitor workspace (Microsoft.Monitor/accounts)",
        );
    }
    const query = snapshot.query;
    if (query.state === "error") return unreadableAzure(`the query ${snapshot.promql}`, query, '"Monitoring Data Reader" on the workspace');
    if (query.state === "missing" || query.value.status !== "success") {
        const reason = query.state === "found" ? (query.value.error ?? "no status") : "HTTP 404";
        return fail(`the query ${snapshot.promql} failed: ${reason}`, "check the workspace's query endpoint");
    }
    const series = query.value.data?.result ?? [];
    const times = series.flatMap((s) => [...(s.values ?? []), ...(s.value ? [s.value] : [])].map(([t]) => Number(t) * 1000));
    const newest = times.length > 0 ? Math.max(...times) : undefined;
    const windowMs = arrivalWindowMinutes * 60 * 1000;
    if (newest !== undefined && now.getTime() - newest <= windowMs) {
        return pass(`${series.length} series of ${snapshot.promql}; newest sample ${formatDuration(now.getTime() - newest)} ago`);
    }
    const missing =
        newest === undefined
            ? `no sample of ${snapshot.promql} in the workspace in the last ${arrivalWindowMinutes} minutes`
            : `the newest sample of ${snapshot.promql} is ${formatDuration(now.getTime() - newest)} old`;
    const collectorAgeMs = collectorStarted === undefined ? undefined : now.getTime() - collectorStarted.getTime();
    if (collectorAgeMs !== undefined && collectorAgeMs < roleAssignmentDelayMs) {
        return warn(
            `${missing}; the collector's pods started ${formatDuration(collectorAgeMs)} ago, and ${roleAssignmentNote}`,
            `${rerunAfterRoleAssignment("the pods are")}; if no data arrives then, see remote-write.healthy`,
        );
    }
    return fail(
        missing,
        "check remote-write.healthy (prometheus) or the agent's logs (ama-metrics); new data takes a few minutes to be queryable",
    );
}
