// What each identity that runs the component needs in Azure, role by role and scope by scope: the
// deploying identity (`pulumi up`), the previewing one (`pulumi preview`, pull requests) and the verify
// command's. Least privilege: built-in roles at the narrowest scope, and role assignments only through
// "Role Based Access Control Administrator" constrained by a condition to the roles the component assigns
// and to service principals. The README's table is this data; the tests check it against the resources
// the component registers and Microsoft's role definitions.

import { builtInRoles } from "../core/facts/roles";

/** Where a permission is checked. */
export type PermissionScope = "monitoring resource group" | "cluster" | "private link scope" | "workspace";

/** The ARM resource type each azure-native resource the component registers creates, and the scope it lives in. */
export const armResourceTypes: Record<string, { armType: string; scope: PermissionScope }> = {
    "azure-native:monitor:AzureMonitorWorkspace": { armType: "Microsoft.Monitor/accounts", scope: "monitoring resource group" },
    "azure-native:monitor:DataCollectionEndpoint": {
        armType: "Microsoft.Insights/dataCollectionEndpoints",
        scope: "monitoring resource group",
    },
    "azure-native:monitor:DataCollectionRule": { armType: "Microsoft.Insights/dataCollectionRules", scope: "monitoring resource group" },
    // An extension resource of the cluster.
    "azure-native:monitor:DataCollectionRuleAssociation": {
        armType: "Microsoft.Insights/dataCollectionRuleAssociations",
        scope: "cluster",
    },
    "azure-native:monitor:PrivateLinkScopedResource": {
        armType: "Microsoft.Insights/privateLinkScopes/scopedResources",
        scope: "private link scope",
    },
    "azure-native:monitor:MetricAlert": { armType: "Microsoft.Insights/metricAlerts", scope: "monitoring resource group" },
    "azure-native:alertsmanagement:PrometheusRuleGroup": {
        armType: "Microsoft.AlertsManagement/prometheusRuleGroups",
        scope: "monitoring resource group",
    },
    "azure-native:managedidentity:UserAssignedIdentity": {
        armType: "Microsoft.ManagedIdentity/userAssignedIdentities",
        scope: "monitoring resource group",
    },
    "azure-native:managedidentity:FederatedIdentityCredential": {
        armType: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        scope: "monitoring resource group",
    },
    // Assigned on the rule and the workspace, both in the monitoring resource group.
    "azure-native:authorization:RoleAssignment": { armType: "Microsoft.Authorization/roleAssignments", scope: "monitoring resource group" },
};

/** The built-in roles named below (Azure built-in roles: Monitor, Identity, Privileged). */
export const roleIds = {
    "Monitoring Contributor": "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
    "Monitoring Reader": "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
    "Monitoring Data Reader": builtInRoles.monitoringDataReader,
    "Managed Identity Contributor": "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
} as const;

type RoleName = keyof typeof roleIds;

/** The roles the component assigns to service principals (roles.ts): what the deploying identity may grant, and no more. */
export const assignedRoles = Object.values(builtInRoles);

/**
 * The condition on the deploying identity's "Role Based Access Control Administrator" assignment, in
 * Learn's form ("Delegate Azure role assignment management using conditions", examples "Constrain roles"
 * and "Constrain roles and principal types"): it may create and delete assignments of the roles the
 * component assigns, to service principals only.
 */
export function roleAssignmentCondition(): string {
    const roles = assignedRoles.join(", ");
    const constrained = (action: "write" | "delete", source: "Request" | "Resource") =>
        [
            "(",
            ` (`,
            `  !(ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'})`,
            ` )`,
            ` OR`,
            ` (`,
            `  @${source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roles}}`,
            `  AND`,
            `  @${source}[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}`,
            ` )`,
            ")",
        ].join("\n");
    return `${constrained("write", "Request")}\nAND\n${constrained("delete", "Resource")}`;
}

export interface RoleGrant {
    role: RoleName;
    scope: PermissionScope;
    /** When the grant is needed; always when absent. */
    when?: string;
    why: string;
    /** Only for Role Based Access Control Administrator: `roleAssignmentCondition()`. */
    conditioned?: boolean;
}

/** The roles of each identity, by scope. */
export const identityRoles: Record<"deploy" | "preview" | "verify", RoleGrant[]> = {
    deploy: [
        {
            role: "Monitoring Contributor",
            scope: "monitoring resource group",
            why: "the workspace, data collection endpoint and rule, rule groups, metric alerts",
        },
        {
            role: "Managed Identity Contributor",
            scope: "monitoring resource group",
            when: "prometheus collector",
            why: "the collector's identity and its federated credential",
        },
        {
            role: "Role Based Access Control Administrator",
            scope: "monitoring resource group",
            conditioned: true,
            why: "Monitoring Metrics Publisher on the rule, Monitoring Data Reader on the workspace (Grafana), to service principals only",
        },
        {
            role: "Monitoring Contributor",
            scope: "cluster",
            when: "ama-metrics collector",
            why: "the rule's association with the cluster (and a private cluster's configurationAccessEndpoint association)",
        },
        {
            role: "Monitoring Contributor",
            scope: "private link scope",
            when: "privateLinkScopeId",
            why: "linking the endpoints to the scope",
        },
        {
            role: "Monitoring Reader",
            scope: "workspace",
            when: "workspace.resourceId (an existing workspace elsewhere)",
            why: "reading its region and pointing the rule and rule groups at it",
        },
    ],
    preview: [
        {
            role: "Monitoring Reader",
            scope: "monitoring resource group",
            why: "an existing workspace's region; with `--refresh`, each resource (role assignments included)",
        },
        { role: "Monitoring Reader", scope: "cluster", when: "ama-metrics collector, with --refresh", why: "the association" },
        { role: "Monitoring Reader", scope: "private link scope", when: "privateLinkScopeId, with --refresh", why: "the links" },
        { role: "Monitoring Reader", scope: "workspace", when: "workspace.resourceId", why: "its region" },
    ],
    verify: [
        { role: "Monitoring Reader", scope: "cluster", why: "the cluster's data collection rule associations" },
        { role: "Monitoring Reader", scope: "monitoring resource group", why: "the rules and the workspace's query endpoint" },
        { role: "Monitoring Data Reader", scope: "workspace", why: "one PromQL query: is data arriving" },
    ],
};
