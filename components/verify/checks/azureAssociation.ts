import { prometheusStream } from "../../azure/facts";
import type { Collector } from "../../core/args";
import { Association, AzureSnapshot, DataCollectionRule, sendsTo } from "../azure";
import type { Fetched } from "../reads";
import type { AzureTarget } from "../types";
import { defineCheck, fail, Finding, pass, warn } from "./check";
import { azureOf, unreadableAzure } from "./azureRead";

/** Microsoft's naming of the managed add-on's (and its Azure Policy's) rules and associations; the component's follow it. */
const managedPrefix = /^MSProm-/i;

export const azureAssociation = defineCheck({
    id: "azure.association",
    when: "`--azure`",
    passes:
        "ama-metrics: an association of the cluster points at a rule that sends to the workspace, and no `MSProm-*` association (an " +
        "add-on's or a policy's) points at another rule. prometheus: none is needed (pass), an add-on's or policy's warns",
    appliesTo: (options) => options.azure !== undefined,
    reads: ["azure"],
    run({ azure }, options) {
        const snapshot = azureOf(azure);
        return snapshot && options.azure ? [association(snapshot, options.azure, options.collector)] : [];
    },
});

interface Link {
    association: Association;
    ruleId?: string;
    rule?: Fetched<DataCollectionRule>;
}

function association(snapshot: AzureSnapshot, target: AzureTarget, collector: Collector): Finding {
    const list = snapshot.associations;
    if (list.state === "error") return unreadableAzure("the cluster's data collection rule associations", list, "Reader on the cluster");
    if (list.state === "missing") {
        return fail(`cluster ${target.clusterId} not found`, "give the --cluster-id of the cluster the component deployed to");
    }
    // Associations of endpoints (configurationAccessEndpoint) name no rule.
    const links: Link[] = list.value
        .filter((a) => a.properties?.dataCollectionRuleId)
        .map((a) => {
            const ruleId = a.properties!.dataCollectionRuleId!;
            return { association: a, ruleId, rule: snapshot.rules[ruleId.toLowerCase()] };
        });
    const sendsToWorkspace = (link: Link) => sendsTo(link.rule, target.workspaceId);
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
                `the prometheus collector needs no association, but ${managed.map(describe).join(", ")} exists: an add-on's or an Azure Policy's`,
                "if the managed add-on is disabled, delete it (az monitor data-collection rule association delete --name <name> --resource <cluster id>); if a policy recreates it, exempt the cluster",
            );
        }
        return pass("not needed: the prometheus collector remote-writes with its own identity (no add-on or policy association found)");
    }

    const ours = links.filter(sendsToWorkspace);
    const foreign = links.filter((l) => managedPrefix.test(l.association.name ?? "") && !sendsToWorkspace(l));
    if (ours.length === 0) {
        const seen = links.length > 0 ? links.map(describe).join(", ") : "none";
        return fail(
            `no association of the cluster points at a rule that sends to workspace ${target.workspaceId} (associations: ${seen})`,
            "run pulumi up: the agent fetches its configuration through the component's association MSProm-<region>-<cluster>",
        );
    }
    if (foreign.length > 0) {
        return fail(
            `${foreign.map(describe).join(", ")} points at another rule than the workspace's (an add-on's or a policy's): the agent may take its configuration from it`,
            "delete it: az monitor data-collection rule association delete --name <name> --resource <cluster id>; if an Azure Policy recreates it, exempt the cluster",
        );
    }
    return pass(`${ours.map(describe).join(", ")} sends to the workspace, and no other managed association exists`);
}

function ruleName(link: Link): string {
    const name = link.ruleId?.split("/").pop() ?? "?";
    if (link.rule === undefined || link.rule.state === "found") return name;
    return link.rule.state === "missing" ? `${name} (rule not found)` : `${name} (rule unreadable: HTTP ${link.rule.status})`;
}
