// The rules between the Azure side's arguments (workspace, grafana, alerts, recording rules, private
// link), composed with the other features' in components/arguments.

import * as pulumi from "@pulumi/pulumi";
import type { AmaMetricsIstioArgs, Collector } from "../core/args";
import { Problem, problem } from "../core/errors";

/** The Azure side's rules, given the collector. */
export function azureProblems(args: AmaMetricsIstioArgs, collector: Collector): Problem[] {
    const problems: Problem[] = [];
    const workspace = args.workspace ?? {};
    if (workspace.resourceId !== undefined) {
        if (workspace.name !== undefined) {
            problems.push(
                problem(
                    "workspace.name",
                    workspace.name,
                    "a name is for a workspace the component creates, but workspace.resourceId names an existing one",
                    "give either workspace.resourceId or workspace.name",
                ),
            );
        }
        if (args.grafana !== undefined) {
            // Azure allows one assignment of a role to a principal on a scope, whatever its name
            // (RoleAssignmentExists): a second cluster's stack could neither create its own nor share one.
            problems.push(
                problem(
                    "grafana",
                    "<given>",
                    "the component grants Grafana access only on a workspace it creates; an existing workspace is shared, and Azure keeps one assignment of a role to a principal on it, so a second stack's grant would fail and destroying either would revoke it for all",
                    "grant Monitoring Data Reader in the stack that creates the workspace, and drop grafana here",
                ),
            );
        }
        if (workspace.protect !== undefined) {
            problems.push(
                problem(
                    "workspace.protect",
                    workspace.protect,
                    "the component does not own an existing workspace",
                    "protect it in the stack that creates it, or drop workspace.resourceId to let the component create one",
                ),
            );
        }
    }
    if (args.alerts?.enabled === false) {
        for (const key of ["recommended", "actionGroupIds"] as const) {
            const value = args.alerts[key];
            if (value !== undefined && value !== false) {
                problems.push(
                    problem(
                        `alerts.${key}`,
                        key === "actionGroupIds" ? "<given>" : value,
                        "alerts.enabled is false, so no alert is created",
                        `drop alerts.${key}, or alerts.enabled`,
                    ),
                );
            }
        }
    }
    if (args.recordingRules?.enabled === false && args.recordingRules.windows === true) {
        problems.push(
            problem(
                "recordingRules.windows",
                true,
                "Windows rules were asked for while recordingRules.enabled is false",
                "drop one of the two",
            ),
        );
    }
    const isPrivate = args.cluster.private === true;
    if (args.privateLinkScopeId !== undefined && !isPrivate) {
        problems.push(
            problem(
                "privateLinkScopeId",
                pulumi.Output.isInstance(args.privateLinkScopeId) ? "<output>" : args.privateLinkScopeId,
                "linking the endpoints to a private link scope makes the collector ingest through private link",
                "set cluster.private: true as well",
            ),
        );
    }
    if (isPrivate && args.privateLinkScopeId === undefined) {
        problems.push(
            problem(
                "cluster.private",
                true,
                "private link ingestion needs the component's data collection endpoints linked to an Azure Monitor Private Link Scope",
                "give privateLinkScopeId (`az monitor private-link-scope show --query id`)",
            ),
        );
    }
    if (args.cluster.configurationAccessEndpointId !== undefined && collector === "ama-metrics" && !isPrivate) {
        problems.push(
            problem(
                "cluster.configurationAccessEndpointId",
                "<given>",
                "only a private cluster's agent fetches its configuration through a configurationAccessEndpoint",
                "drop it, or set cluster.private: true",
            ),
        );
    }
    return problems;
}
