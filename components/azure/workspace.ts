// The Azure Monitor workspace: created, or an existing one looked up for its query endpoint and region.

import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import { AmaMetricsIstioArgumentError, problem } from "../core/errors";
import { ComponentSettings } from "../core/settings";
import { defaultWorkspaceName, sameRegion } from "./names";
import { requiredOutput } from "./outputs";

export interface Workspace {
    /** The workspace, when the component creates it. */
    resource?: monitor.AzureMonitorWorkspace;
    id: pulumi.Output<string>;
    prometheusQueryEndpoint: pulumi.Output<string>;
}

/**
 * A created workspace is protected by default: Azure Monitor workspaces have no soft delete (Learn, "Manage
 * an Azure Monitor workspace"), so deleting one deletes its metrics. `protect` makes Pulumi refuse to
 * delete or replace it (a cluster rename or region move then stops at the preview, see the README), and
 * `retainOnDelete` makes any delete Pulumi does perform (a replace once unprotected, a destroy) leave it
 * in Azure. `workspace.protect: false` turns both off.
 */
function workspaceOptions(protect: boolean): pulumi.CustomResourceOptions {
    return { protect, retainOnDelete: protect };
}

export function createWorkspace(
    name: string,
    settings: ComponentSettings,
    resourceGroupName: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): Workspace {
    const { existing, location } = settings.workspace;
    if (existing === undefined) {
        const resource = new monitor.AzureMonitorWorkspace(
            `${name}-workspace`,
            {
                azureMonitorWorkspaceName: settings.workspace.name ?? settings.cluster.id.clusterName.apply(defaultWorkspaceName),
                resourceGroupName,
                location,
                tags: settings.tags,
            },
            // Its name does not follow the region: a move deletes it first (Azure refuses to move one).
            { ...opts, ...workspaceOptions(settings.workspace.protect), replaceOnChanges: ["location"], deleteBeforeReplace: true },
        );
        return { resource, id: resource.id, prometheusQueryEndpoint: resource.metrics.prometheusQueryEndpoint };
    }
    const found = monitor.getAzureMonitorWorkspaceOutput(
        { resourceGroupName: existing.resourceGroup, azureMonitorWorkspaceName: existing.name },
        { parent: opts.parent },
    );
    // The endpoint, rule and recording rules must sit in the workspace's region: a wrong
    // workspace.location fails every resource that uses the workspace, before any is created.
    const actualLocation = requiredOutput(
        name,
        "the existing workspace (getAzureMonitorWorkspace)",
        "location",
        found.location,
        "the check of workspace.location",
    );
    const id = pulumi.all([existing, actualLocation]).apply(([workspace, actual]) => {
        if (!sameRegion(actual, location)) {
            throw new AmaMetricsIstioArgumentError(name, [
                problem(
                    "workspace.location",
                    location,
                    `the workspace ${workspace.name} is in ${actual}`,
                    `set workspace.location to "${actual.replace(/\s+/g, "").toLowerCase()}"`,
                ),
            ]);
        }
        return workspace.id;
    });
    return { id, prometheusQueryEndpoint: found.metrics.prometheusQueryEndpoint };
}
