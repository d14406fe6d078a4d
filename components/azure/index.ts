// The Azure side both collectors share: the workspace (created or existing), the data collection
// endpoint and rule, Microsoft's recording rules, alerts, Grafana's read access, and private link.
// Property for property as Microsoft's ARM template creates them
// (AddonArmTemplate/FullAzureMonitorMetricsProfile.json), except that the managed add-on itself (the
// cluster's azureMonitorProfile.metrics) is never enabled. What a collector needs to write (the
// association, or an identity) is its own module's.

import * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
import * as authorization from "@pulumi/azure-native/authorization";
import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import { parseResourceId } from "../core/facts/resourceIds";
import { ComponentSettings } from "../core/settings";
import { createAlertRules, createIngestionLimitAlerts } from "./alerts";
import { createDataCollection, DataCollection } from "./dataCollection";
import { createGrafanaAccess } from "./grafana";
import { checkedResourceGroup } from "./preflight";
import { ConfigurationEndpoint, createConfigurationEndpoint, linkToPrivateLinkScope, needsConfigurationEndpoint } from "./privateLink";
import { createRecordingRules } from "./recordingRules";
import { createWorkspace, Workspace } from "./workspace";

export interface AzureMonitor extends DataCollection {
    workspace: Workspace;
    /** ama-metrics, private, workspace in another region: the cluster-region endpoint and its association. */
    configurationEndpoint?: ConfigurationEndpoint;
    /** The endpoints' links to the private link scope. */
    privateLinks: monitor.PrivateLinkScopedResource[];
    /**
     * What the collector's workloads must wait for besides their own identity or association: the links to
     * the private link scope (first writes would otherwise race them) and the configuration endpoint's
     * association.
     */
    collectorNeeds: pulumi.Resource[];
    /** Recording rule groups by key (`node`, `kubernetes`, `ux`, and the Windows ones when asked). */
    ruleGroups: Record<string, alertsmanagement.PrometheusRuleGroup>;
    /** Alert rule groups by key (`collector-health`, and `recommended-*` when asked). */
    alertGroups: Record<string, alertsmanagement.PrometheusRuleGroup>;
    /** Metric alerts on a created workspace's ingestion limits. */
    ingestionAlerts: monitor.MetricAlert[];
    grafanaAccess?: authorization.RoleAssignment;
}

export function createAzureMonitor(name: string, settings: ComponentSettings, opts: { parent: pulumi.Resource }): AzureMonitor {
    // The private link scope's id, parsed once: the preflight checks its subscription, the links go in it.
    const privateLinkScope =
        settings.privateLinkScopeId === undefined
            ? undefined
            : pulumi.output(settings.privateLinkScopeId).apply((id) => parseResourceId(id, "privateLinkScope"));
    // Every resource in the monitoring resource group waits for the checks that need the provider's subscription.
    const resourceGroupName = checkedResourceGroup(name, settings, privateLinkScope, opts.parent);
    const workspace = createWorkspace(name, settings, resourceGroupName, opts);
    const { endpoint, rule } = createDataCollection(name, settings, workspace, resourceGroupName, opts);
    const configurationEndpoint = needsConfigurationEndpoint(settings)
        ? createConfigurationEndpoint(name, settings, resourceGroupName, opts)
        : undefined;
    const privateLinks =
        privateLinkScope === undefined
            ? []
            : linkToPrivateLinkScope(
                  name,
                  privateLinkScope,
                  { dce: endpoint, ...(configurationEndpoint ? { "cluster-dce": configurationEndpoint.endpoint } : {}) },
                  opts,
              );
    const clusterScoped = {
        collector: settings.collector,
        resourceGroupName,
        location: settings.workspace.location,
        workspaceId: workspace.id,
        clusterId: settings.cluster.id.id,
        clusterName: settings.cluster.id.clusterName,
        tags: settings.tags,
    };
    const ruleGroups = settings.recordingRules.enabled
        ? createRecordingRules(name, { ...clusterScoped, windows: settings.recordingRules.windows }, opts)
        : {};
    const alerts = settings.alerts;
    const alertGroups = alerts.enabled
        ? createAlertRules(
              name,
              {
                  ...clusterScoped,
                  shards: settings.collector === "prometheus" ? settings.prometheus.shards : 0,
                  recommended: alerts.recommended,
                  actionGroupIds: alerts.actionGroupIds,
              },
              opts,
          )
        : {};
    const ingestionAlerts =
        alerts.enabled && workspace.resource
            ? createIngestionLimitAlerts(
                  name,
                  {
                      resourceGroupName,
                      workspaceId: workspace.id,
                      workspaceName: workspace.resource.name,
                      actionGroupIds: alerts.actionGroupIds,
                      tags: settings.tags,
                  },
                  opts,
              )
            : [];
    // Only on a workspace the component creates: the arguments' rules refuse grafana with an existing one (azureProblems).
    const grafanaAccess = settings.grafana ? createGrafanaAccess(name, settings.grafana.principalId, workspace.id, opts) : undefined;
    const collectorNeeds = [...privateLinks, ...(configurationEndpoint ? [configurationEndpoint.association] : [])];
    return {
        workspace,
        endpoint,
        rule,
        configurationEndpoint,
        privateLinks,
        collectorNeeds,
        ruleGroups,
        alertGroups,
        ingestionAlerts,
        grafanaAccess,
    };
}
