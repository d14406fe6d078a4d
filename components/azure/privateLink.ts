// Ingestion through private link (Microsoft's "Private Link for data ingestion for Managed Prometheus"):
// the data collection endpoints are linked to an Azure Monitor Private Link Scope, and a private
// ama-metrics agent whose workspace is in another region fetches its configuration from an endpoint in
// its own region. The workspace itself is never linked: queries over private link use the workspace's
// own private endpoint (sub-resource prometheusMetrics), which AMPLS does not handle.

import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import { ComponentSettings } from "../core/settings";
import { endpointNetworkAcls } from "./dataCollection";
import type { ResourceId } from "../core/facts/resourceIds";
import { configurationAccessEndpointAssociationName, configurationEndpointName, sameRegion, scopedResourceName } from "./names";

/** Whether the component creates an endpoint in the cluster's region for the agent's configuration. */
export function needsConfigurationEndpoint(settings: ComponentSettings): boolean {
    return (
        settings.collector === "ama-metrics" &&
        settings.cluster.private &&
        settings.cluster.configurationAccessEndpointId === undefined &&
        !sameRegion(settings.cluster.location, settings.workspace.location)
    );
}

export interface ConfigurationEndpoint {
    endpoint: monitor.DataCollectionEndpoint;
    /** The cluster's `configurationAccessEndpoint` association. */
    association: monitor.DataCollectionRuleAssociation;
}

/** ama-metrics, private, workspace elsewhere: the endpoint in the cluster's region and its association. */
export function createConfigurationEndpoint(
    name: string,
    settings: ComponentSettings,
    resourceGroupName: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): ConfigurationEndpoint {
    const cluster = settings.cluster;
    const endpoint = new monitor.DataCollectionEndpoint(
        `${name}-cluster-dce`,
        {
            dataCollectionEndpointName: cluster.id.clusterName.apply((c) => configurationEndpointName(cluster.location, c)),
            resourceGroupName,
            location: cluster.location,
            kind: "Linux",
            ...endpointNetworkAcls(settings),
            tags: settings.tags,
        },
        { ...opts, replaceOnChanges: ["location"] },
    );
    const association = new monitor.DataCollectionRuleAssociation(
        `${name}-cluster-dcea`,
        { associationName: configurationAccessEndpointAssociationName, resourceUri: cluster.id.id, dataCollectionEndpointId: endpoint.id },
        opts,
    );
    return { endpoint, association };
}

/** Links each endpoint to the private link scope (`<endpoint name>-connection`, as azure-cli names them). */
export function linkToPrivateLinkScope(
    name: string,
    privateLinkScope: pulumi.Output<ResourceId | undefined>,
    endpoints: Record<string, monitor.DataCollectionEndpoint>,
    opts: pulumi.CustomResourceOptions,
): monitor.PrivateLinkScopedResource[] {
    const scope = privateLinkScope.apply((parsed) => parsed!);
    return Object.entries(endpoints).map(
        ([role, endpoint]) =>
            new monitor.PrivateLinkScopedResource(
                `${name}-${role}-link`,
                {
                    resourceGroupName: scope.resourceGroup,
                    scopeName: scope.name,
                    name: endpoint.id.apply((id) => scopedResourceName(id.split("/").pop()!)),
                    linkedResourceId: endpoint.id,
                },
                opts,
            ),
    );
}
