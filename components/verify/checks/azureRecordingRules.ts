import data from "../../azure/data/recording-rules.json";
import { parseAksResourceId } from "../../core/facts/resourceIds";
import { ruleGroupName } from "../../azure/names";
import type { RecordingRuleGroup } from "../../azure/recordingRules";
import { defineCheck, fail, pass, warn } from "./check";
import { sameId } from "../azure";
import { azureOf, unreadableAzure } from "./azureRead";

const groups = data.groups as RecordingRuleGroup[];

/**
 * The component's Prometheus recording rule groups (`recordingRules`, on by default): Microsoft's groups for
 * the cluster, scoped to the workspace, enabled. `az aks update --disable-azure-monitor-metrics` deletes
 * groups of these names (azure-cli acs/azuremonitormetrics/recordingrules/delete.py).
 */
export const azureRecordingRules = defineCheck({
    id: "azure.recording-rules",
    when: "`--azure`",
    passes:
        "the Prometheus rule groups of the cluster's subscription that record for the cluster into the workspace include Microsoft's Linux " +
        "groups (node, kubernetes, UX) and all are enabled; none at all warns (the component's `recordingRules.enabled: false`, or they were deleted)",
    appliesTo: (options) => options.azure !== undefined,
    reads: ["azure"],
    run({ azure }, options) {
        const snapshot = azureOf(azure);
        const target = options.azure;
        const cluster = target && parseAksResourceId(target.clusterId)?.clusterName;
        if (!snapshot || !target || !cluster) return [];
        const list = snapshot.ruleGroups;
        if (list.state === "error")
            return [unreadableAzure("the subscription's Prometheus rule groups", list, "Reader on the subscription")];
        const ours = (list.state === "found" ? list.value : []).filter(
            (g) =>
                g.properties?.clusterName?.toLowerCase() === cluster.toLowerCase() &&
                (g.properties?.scopes ?? []).some((scope) => sameId(scope, target.workspaceId)),
        );
        const refresh = "run pulumi refresh, then pulumi up: the component recreates its recording rule groups";
        if (ours.length === 0) {
            return [
                warn(
                    `no Prometheus rule group records for cluster ${cluster} into the workspace`,
                    `if the component's recordingRules.enabled is true (the default), they were deleted (az aks update --disable-azure-monitor-metrics deletes them): ${refresh}`,
                ),
            ];
        }
        const names = new Set(ours.map((g) => g.name?.toLowerCase()));
        const missing = groups
            .filter((g) => !g.windows)
            .map((g) => ruleGroupName(g, cluster))
            .filter((n) => !names.has(n.toLowerCase()));
        const disabled = ours.filter((g) => g.properties?.enabled !== true).map((g) => g.name ?? "?");
        const problems = [
            missing.length > 0 ? `missing: ${missing.join(", ")}` : "",
            disabled.length > 0 ? `disabled: ${disabled.join(", ")}` : "",
        ].filter((s) => s !== "");
        if (problems.length > 0) {
            return [
                fail(
                    `the recording rule groups for cluster ${cluster} are incomplete (${problems.join("; ")}): dashboards and Grafana's Kubernetes views query what they record`,
                    disabled.length > 0 ? `${refresh} (it sets enabled: true, so pulumi up enables them again)` : refresh,
                ),
            ];
        }
        return [pass(`${ours.length} recording rule groups record for cluster ${cluster} into the workspace, all enabled`)];
    },
});
