// Read access for an Azure Managed Grafana: "Monitoring Data Reader" on the workspace, as Microsoft's
// template grants it. Linking the workspace in Grafana (its azureMonitorWorkspaceIntegrations) is a
// property of the Grafana resource, which its own stack owns: see the README.

import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { parseResourceId } from "./ids";

/** "Monitoring Data Reader" (azure-cli amg/link.py; Microsoft's Bicep nested_grafana_amw_role_assignment.bicep). */
export const monitoringDataReaderRoleId = "b0d8363b-8ddd-447d-831f-62ca05bff136";

/** A subscription-scoped role definition id. */
export function roleDefinitionId(subscriptionId: string, roleId: string): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}

/**
 * A role assignment of a built-in role. Role assignment names are GUIDs: a random one kept in state stays
 * stable across runs and changes only with the principal or the scope (the template uses newGuid()).
 */
export function createRoleAssignment(
    name: string,
    input: { principalId: pulumi.Input<string>; scope: pulumi.Output<string>; roleId: string },
    opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
    const assignmentName = new random.RandomUuid(`${name}-name`, { keepers: { principalId: input.principalId, scope: input.scope } }, opts);
    return new authorization.RoleAssignment(
        name,
        {
            roleAssignmentName: assignmentName.result,
            principalId: input.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: input.scope.apply((scope) => roleDefinitionId(subscriptionOf(scope), input.roleId)),
            scope: input.scope,
        },
        opts,
    );
}

function subscriptionOf(id: string): string {
    return id.split("/")[2] ?? parseResourceId(id, "workspace")!.subscriptionId;
}

export function createGrafanaAccess(
    name: string,
    principalId: pulumi.Input<string>,
    workspaceId: pulumi.Output<string>,
    opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
    return createRoleAssignment(`${name}-grafana-reader`, { principalId, scope: workspaceId, roleId: monitoringDataReaderRoleId }, opts);
}
