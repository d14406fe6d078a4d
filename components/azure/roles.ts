// Role assignments of built-in roles (core/facts/roles `builtInRoles`), named deterministically so that every
// run registers the same ones.

import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import { v5 as uuidv5 } from "uuid";

/** A subscription-scoped role definition id. */
function roleDefinitionId(subscriptionId: string, roleId: string): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}

// The namespace of the package's role assignment names (a fixed, random UUID).
const roleAssignmentNamespace = "0b3ee5d4-4b49-4d7a-9a50-8a27a5d4e4c1";

/**
 * A role assignment's name: a GUID derived from its scope, principal and role, as Microsoft's Bicep guidance
 * derives them (`guid(scope, principalId, roleDefinitionId)`): the same on every run without state of its
 * own, new whenever what it assigns changes.
 */
function roleAssignmentName(scope: string, principalId: string, roleId: string): string {
    return uuidv5(`${scope.toLowerCase()}|${principalId.toLowerCase()}|${roleId}`, roleAssignmentNamespace);
}

/** The subscription of a resource id (`/subscriptions/<id>/…`). */
function subscriptionOf(id: string): string {
    return id.split("/")[2];
}

/** A role assignment of a built-in role to a service principal. */
export function createRoleAssignment(
    name: string,
    input: { principalId: pulumi.Input<string>; scope: pulumi.Output<string>; roleId: string },
    opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
    return new authorization.RoleAssignment(
        name,
        {
            roleAssignmentName: pulumi
                .all([input.scope, input.principalId])
                .apply(([scope, principal]) => roleAssignmentName(scope, principal, input.roleId)),
            principalId: input.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: input.scope.apply((scope) => roleDefinitionId(subscriptionOf(scope), input.roleId)),
            scope: input.scope,
        },
        opts,
    );
}
