// The data collection endpoint and rule, property for property as Microsoft's ARM template creates them
// (AddonArmTemplate/FullAzureMonitorMetricsProfile.json), and the rule's association with the cluster.

import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import type { Collector } from "../core/args";
import { ComponentSettings } from "../core/settings";
import { prometheusStream } from "./facts";
import { associationName, dataCollectionEndpointName, dataCollectionRuleName } from "./names";

/** The template's descriptions. */
const descriptions = {
    dataCollectionRule: "DCR for Azure Monitor Metrics Profile (Managed Prometheus)",
    remoteWriteRule: "Prometheus remote write into the Azure Monitor workspace",
    association: "Association of data collection rule. Deleting this association will break the data collection for this AKS Cluster.",
};

/**
 * The rule's properties besides name, place and endpoint: Prometheus metrics sent to the workspace.
 * - ama-metrics: the add-on's rule, as Microsoft's template writes it: a `prometheusForwarder` data source,
 *   which the agent reads its configuration from through the rule's association with the cluster.
 * - prometheus: a rule for remote write, as Microsoft's own template for one writes it
 *   (Azure/prometheus-collector `Azure-ARM-templates/Prometheus-RemoteWrite-DCR-artifacts/CustomDCR.json`):
 *   no data source and no kind, "to be used via direct calls to the provisioned endpoint" (the REST
 *   specification's words for a rule without data sources).
 */
function ruleProperties(collector: Collector, workspaceId: pulumi.Input<string>) {
    const flow = {
        destinations: { monitoringAccounts: [{ accountResourceId: workspaceId, name: "MonitoringAccount1" }] },
        dataFlows: [{ streams: [prometheusStream], destinations: ["MonitoringAccount1"] }],
    };
    if (collector === "prometheus") {
        return { ...flow, description: descriptions.remoteWriteRule };
    }
    return {
        kind: "Linux",
        dataSources: { prometheusForwarder: [{ name: "PrometheusDataSource", streams: [prometheusStream], labelIncludeFilter: {} }] },
        ...flow,
        description: descriptions.dataCollectionRule,
    };
}

export interface DataCollection {
    endpoint: monitor.DataCollectionEndpoint;
    rule: monitor.DataCollectionRule;
}

/**
 * A private cluster's endpoints refuse ingestion from public networks (the REST API's
 * `networkAcls.publicNetworkAccess`): without the private DNS zones the collector then fails loudly instead
 * of writing over the public endpoint. The workspace's own default endpoint (in its managed resource group)
 * is Azure's and stays as it is; the collectors never write to it.
 */
export function endpointNetworkAcls(settings: ComponentSettings): { networkAcls?: { publicNetworkAccess: "Disabled" } } {
    return settings.cluster.private ? { networkAcls: { publicNetworkAccess: "Disabled" } } : {};
}

/**
 * The endpoint and the rule, in the workspace's region. The endpoint belongs with the workspace: created
 * after it and deleted before it, so a failed workspace leaves no orphan endpoint.
 */
export function createDataCollection(
    name: string,
    settings: ComponentSettings,
    workspace: { id: pulumi.Input<string>; resource?: pulumi.Resource },
    resourceGroupName: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): DataCollection {
    const location = settings.workspace.location;
    const clusterName = settings.cluster.id.clusterName;
    // Both names follow the region: a move creates the new one before deleting the old.
    const move = { replaceOnChanges: ["location"] };
    const endpoint = new monitor.DataCollectionEndpoint(
        `${name}-dce`,
        {
            dataCollectionEndpointName: clusterName.apply((cluster) => dataCollectionEndpointName(location, cluster)),
            resourceGroupName,
            location,
            kind: "Linux",
            ...endpointNetworkAcls(settings),
            tags: settings.tags,
        },
        { ...opts, ...move, dependsOn: workspace.resource ? [workspace.resource] : [] },
    );
    const rule = new monitor.DataCollectionRule(
        `${name}-dcr`,
        {
            dataCollectionRuleName: clusterName.apply((cluster) => dataCollectionRuleName(location, cluster)),
            resourceGroupName,
            location,
            dataCollectionEndpointId: endpoint.id,
            ...ruleProperties(settings.collector, workspace.id),
            tags: settings.tags,
        },
        { ...opts, ...move },
    );
    return { endpoint, rule };
}

/** ama-metrics: the rule's association with the cluster, through which the agent gets its configuration. */
export function createAssociation(
    name: string,
    settings: ComponentSettings,
    rule: monitor.DataCollectionRule,
    opts: pulumi.CustomResourceOptions,
): monitor.DataCollectionRuleAssociation {
    const cluster = settings.cluster;
    return new monitor.DataCollectionRuleAssociation(
        `${name}-dcra`,
        {
            associationName: cluster.id.clusterName.apply((c) => associationName(cluster.location, c)),
            // The id as Azure spells it, however it was given: a change of spelling is no replacement.
            resourceUri: cluster.id.id,
            dataCollectionRuleId: rule.id,
            description: descriptions.association,
        },
        opts,
    );
}
