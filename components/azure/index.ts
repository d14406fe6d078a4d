// The Azure side both collectors share: the workspace (created or existing), the data collection
// endpoint and rule, Microsoft's recording rules, Grafana's read access, and private link. Property for
// property as Microsoft's ARM template creates them (AddonArmTemplate/FullAzureMonitorMetricsProfile.json),
// except that the managed add-on itself (the cluster's azureMonitorProfile.metrics) is never enabled.
// What a collector needs to write (the association, or an identity) is its own module's.

import * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
import * as authorization from "@pulumi/azure-native/authorization";
import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../core/settings";
import { createDataCollection, DataCollection } from "./dataCollection";
import { createGrafanaAccess } from "./grafana";
import { ConfigurationEndpoint, createConfigurationEndpoint, linkToPrivateLinkScope, needsConfigurationEndpoint } from "./privateLink";
import { createRecordingRules } from "./recordingRules";
import { createWorkspace, Workspace } from "./workspace";

export interface AzureMonitor extends DataCollection {
    workspace: Workspace;
    /** ama-metrics, private, workspace in another region: the cluster-region endpoint and its association. */
    configurationEndpoint?: ConfigurationEndpoint;
    /** The endpoints' links to the private link scope. */
    privateLinks: monitor.PrivateLinkScopedResource[];
    /** Recording rule groups by key (`node`, `kubernetes`, `ux`, and the Windows ones when asked). */
    ruleGroups: Record<string, alertsmanagement.PrometheusRuleGroup>;
    grafanaAccess?: authorization.RoleAssignment;
}

export function createAzureMonitor(name: string, settings: Settings, opts: { parent: pulumi.Resource }): AzureMonitor {
    const workspace = createWorkspace(name, settings, opts);
    const { endpoint, rule } = createDataCollection(name, settings, workspace, opts);
    const configurationEndpoint = needsConfigurationEndpoint(settings) ? createConfigurationEndpoint(name, settings, opts) : undefined;
    const privateLinks =
        settings.privateLinkScopeId === undefined
            ? []
            : linkToPrivateLinkScope(
                  name,
                  settings.privateLinkScopeId,
                  { dce: endpoint, ...(configurationEndpoint ? { "cluster-dce": configurationEndpoint.endpoint } : {}) },
                  opts,
              );
    const ruleGroups = settings.recordingRules.enabled
        ? createRecordingRules(
              name,
              {
                  resourceGroupName: settings.resourceGroupName,
                  location: settings.workspace.location,
                  workspaceId: workspace.id,
                  clusterId: settings.cluster.id.id,
                  clusterName: settings.cluster.id.clusterName,
                  windows: settings.recordingRules.windows,
                  tags: settings.tags,
              },
              opts,
          )
        : {};
    const grafanaAccess = settings.grafana ? createGrafanaAccess(name, settings.grafana.principalId, workspace.id, opts) : undefined;
    return { workspace, endpoint, rule, configurationEndpoint, privateLinks, ruleGroups, grafanaAccess };
}
