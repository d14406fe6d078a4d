// Read access for an Azure Managed Grafana: "Monitoring Data Reader" on the workspace, as Microsoft's
// template grants it. Linking the workspace in Grafana (its azureMonitorWorkspaceIntegrations) is a
// property of the Grafana resource, which its own stack owns: see the README.

import type * as authorization from "@pulumi/azure-native/authorization";
import type * as pulumi from "@pulumi/pulumi";
import { builtInRoles } from "../core/facts/roles";
import { createRoleAssignment } from "./roles";

export function createGrafanaAccess(
    name: string,
    principalId: pulumi.Input<string>,
    workspaceId: pulumi.Output<string>,
    opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
    return createRoleAssignment(
        `${name}-grafana-reader`,
        { principalId, scope: workspaceId, roleId: builtInRoles.monitoringDataReader },
        opts,
    );
}
