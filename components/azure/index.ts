// The Azure Monitor side: workspace, data collection endpoint and rule, the rule's association with the
// cluster, Microsoft's recording rules and Grafana's read access. Property for property as Microsoft's ARM
// template AddonArmTemplate/FullAzureMonitorMetricsProfile.json (Azure/prometheus-collector) creates them,
// except that the managed add-on itself (the cluster's azureMonitorProfile.metrics) is never enabled.

import * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
import * as authorization from "@pulumi/azure-native/authorization";
import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    configurationAccessEndpointAssociationName,
    dataCollectionEndpointName,
    dataCollectionRuleAssociationName,
    dataCollectionRuleName,
    defaultWorkspaceName,
    monitoringDataReaderRoleId,
    prometheusRuleGroupName,
    requireAksResourceId,
    requireWorkspaceResourceId,
    roleDefinitionId,
    sameRegion,
    validateWorkspaceName,
} from "./azureNames";
import { RecordingRuleGroup, recordingRuleGroups } from "./recordingRules";
import { Settings } from "./settings";

/** The stream the agent sends and the rule forwards (template: dataSources.prometheusForwarder). */
export const prometheusStream = "Microsoft-PrometheusMetrics";

/** The template's descriptions. */
export const descriptions = {
    dataCollectionRule: "DCR for Azure Monitor Metrics Profile (Managed Prometheus)",
    association:
        "Association of data collection rule. Deleting this association will break the data collection for this AKS Cluster.",
};

/**
 * The data collection rule's properties besides name, place and endpoint: Prometheus metrics forwarded
 * to the workspace, as in the template.
 */
export function prometheusRuleProperties(workspaceId: pulumi.Input<string>) {
    return {
        kind: "Linux",
        dataSources: {
            prometheusForwarder: [{ name: "PrometheusDataSource", streams: [prometheusStream], labelIncludeFilter: {} }],
        },
        destinations: { monitoringAccounts: [{ accountResourceId: workspaceId, name: "MonitoringAccount1" }] },
        dataFlows: [{ streams: [prometheusStream], destinations: ["MonitoringAccount1"] }],
        description: descriptions.dataCollectionRule,
    };
}

/**
 * A private cluster in another region than the workspace needs a data collection endpoint in its own region,
 * from which the agent fetches its configuration (Microsoft's managed Prometheus private link guidance).
 */
export function needsClusterRegionEndpoint(settings: Pick<Settings, "cluster" | "workspace">): boolean {
    return settings.cluster.private && !sameRegion(settings.cluster.location, settings.workspace.location);
}

/** Pulumi name suffix of a recording rule group: its key in kebab case, e.g. `node-and-kubernetes-windows`. */
export function ruleGroupSuffix(group: Pick<RecordingRuleGroup, "key">): string {
    return group.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export interface AzureMonitorResources {
    /** The workspace, when the component creates it. */
    workspace?: monitor.AzureMonitorWorkspace;
    workspaceId: pulumi.Output<string>;
    prometheusQueryEndpoint: pulumi.Output<string>;
    dataCollectionEndpoint: monitor.DataCollectionEndpoint;
    dataCollectionRule: monitor.DataCollectionRule;
    /** The rule's association with the cluster: the agent gets its configuration through it. */
    association: monitor.DataCollectionRuleAssociation;
    /** A private cluster's endpoint in its own region and its `configurationAccessEndpoint` association. */
    configurationAccessEndpoint?: {
        endpoint: monitor.DataCollectionEndpoint;
        association: monitor.DataCollectionRuleAssociation;
    };
    /** Recording rule groups by key (`node`, `kubernetes`, `ux`, and the Windows ones when asked). */
    ruleGroups: Record<string, alertsmanagement.PrometheusRuleGroup>;
    grafanaRoleAssignment?: authorization.RoleAssignment;
}

export function createAzureMonitor(
    name: string,
    settings: Settings,
    opts: { parent: pulumi.Resource },
): AzureMonitorResources {
    const parent = opts.parent;
    const resourceGroupName = settings.resourceGroupName;
    const workspaceLocation = settings.workspace.location;
    const tags = settings.tags;

    // The id may have been unknown when the arguments were validated: check it again once it is known,
    // before any name or resource uses it.
    const cluster = pulumi.output(settings.cluster.resourceId).apply((id) => ({ id, ...requireAksResourceId(id) }));
    const clusterId = cluster.id;
    const clusterName = cluster.clusterName;

    let workspace: monitor.AzureMonitorWorkspace | undefined;
    let workspaceId: pulumi.Output<string>;
    let prometheusQueryEndpoint: pulumi.Output<string>;
    if (settings.workspace.resourceId === undefined) {
        const workspaceName =
            settings.workspace.name !== undefined
                ? validateWorkspaceName(settings.workspace.name)
                : clusterName.apply(defaultWorkspaceName);
        workspace = new monitor.AzureMonitorWorkspace(
            `${name}-workspace`,
            { azureMonitorWorkspaceName: workspaceName, resourceGroupName, location: workspaceLocation, tags },
            { parent, protect: settings.workspace.protect },
        );
        workspaceId = workspace.id;
        prometheusQueryEndpoint = workspace.metrics.prometheusQueryEndpoint;
    } else {
        const existing = pulumi
            .output(settings.workspace.resourceId)
            .apply((id) => ({ id, ...requireWorkspaceResourceId(id) }));
        workspaceId = existing.id;
        prometheusQueryEndpoint = monitor.getAzureMonitorWorkspaceOutput(
            { resourceGroupName: existing.resourceGroup, azureMonitorWorkspaceName: existing.workspaceName },
            { parent },
        ).metrics.prometheusQueryEndpoint;
    }

    // The endpoint belongs with the workspace (its region, its lifetime): created after it and
    // deleted before it, so a failed workspace leaves no orphan endpoint. This is the head of the
    // component's longest chain: workspace → endpoint → rule → association → chart.
    const dataCollectionEndpoint = new monitor.DataCollectionEndpoint(
        `${name}-dce`,
        {
            dataCollectionEndpointName: clusterName.apply((c) => dataCollectionEndpointName(workspaceLocation, c)),
            resourceGroupName,
            location: workspaceLocation,
            kind: "Linux",
            tags,
        },
        { parent, dependsOn: workspace ? [workspace] : [] },
    );

    const dataCollectionRule = new monitor.DataCollectionRule(
        `${name}-dcr`,
        {
            dataCollectionRuleName: clusterName.apply((c) => dataCollectionRuleName(workspaceLocation, c)),
            resourceGroupName,
            location: workspaceLocation,
            dataCollectionEndpointId: dataCollectionEndpoint.id,
            ...prometheusRuleProperties(workspaceId),
            tags,
        },
        { parent },
    );

    const association = new monitor.DataCollectionRuleAssociation(
        `${name}-dcra`,
        {
            associationName: clusterName.apply((c) => dataCollectionRuleAssociationName(settings.cluster.location, c)),
            resourceUri: clusterId,
            dataCollectionRuleId: dataCollectionRule.id,
            description: descriptions.association,
        },
        { parent },
    );

    let configurationAccessEndpoint: AzureMonitorResources["configurationAccessEndpoint"];
    if (needsClusterRegionEndpoint(settings)) {
        const clusterLocation = settings.cluster.location;
        const endpoint = new monitor.DataCollectionEndpoint(
            `${name}-cluster-dce`,
            {
                dataCollectionEndpointName: clusterName.apply((c) =>
                    dataCollectionEndpointName(clusterLocation, c, "cluster.location"),
                ),
                resourceGroupName,
                location: clusterLocation,
                kind: "Linux",
                tags,
            },
            { parent },
        );
        configurationAccessEndpoint = {
            endpoint,
            association: new monitor.DataCollectionRuleAssociation(
                `${name}-cluster-dcea`,
                {
                    associationName: configurationAccessEndpointAssociationName,
                    resourceUri: clusterId,
                    dataCollectionEndpointId: endpoint.id,
                },
                { parent },
            ),
        };
    }

    const ruleGroups: Record<string, alertsmanagement.PrometheusRuleGroup> = {};
    if (settings.recordingRules.enabled) {
        for (const group of recordingRuleGroups(settings.recordingRules.windows)) {
            ruleGroups[group.key] = new alertsmanagement.PrometheusRuleGroup(
                `${name}-rules-${ruleGroupSuffix(group)}`,
                {
                    ruleGroupName: clusterName.apply((c) => prometheusRuleGroupName(group.namePrefix, c)),
                    resourceGroupName,
                    location: workspaceLocation,
                    scopes: [workspaceId, clusterId],
                    clusterName,
                    interval: group.interval,
                    description: group.description,
                    rules: [...group.rules],
                    // The template enables the Windows groups from a parameter; they exist here only when asked.
                    ...(group.windows ? { enabled: true } : {}),
                    tags,
                },
                { parent },
            );
        }
    }

    let grafanaRoleAssignment: authorization.RoleAssignment | undefined;
    if (settings.grafana !== undefined) {
        const principalId = settings.grafana.principalId;
        // Role assignment names are GUIDs. A random one kept in state stays stable across runs and changes
        // only when the principal or the workspace does (the template uses newGuid()).
        const assignmentName = new random.RandomUuid(
            `${name}-grafana-reader-name`,
            { keepers: { principalId, workspaceId } },
            { parent },
        );
        grafanaRoleAssignment = new authorization.RoleAssignment(
            `${name}-grafana-reader`,
            {
                roleAssignmentName: assignmentName.result,
                principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: workspaceId.apply((id) =>
                    roleDefinitionId(requireWorkspaceResourceId(id).subscriptionId, monitoringDataReaderRoleId),
                ),
                scope: workspaceId,
            },
            { parent },
        );
    }

    return {
        workspace,
        workspaceId,
        prometheusQueryEndpoint,
        dataCollectionEndpoint,
        dataCollectionRule,
        association,
        configurationAccessEndpoint,
        ruleGroups,
        grafanaRoleAssignment,
    };
}
