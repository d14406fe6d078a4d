// The permissions each identity needs (components/azure/permissions.ts, the README's table), checked
// against the Azure resources the component registers and Microsoft's built-in role definitions
// (test/fixtures/azure-roles): every create and delete is allowed at its scope, no role is listed that
// nothing needs, and role assignments go only through the constrained RBAC Administrator.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import type { Registration } from "../../scripts/offline";
import {
    armResourceTypes,
    assignedRoles,
    identityRoles,
    PermissionScope,
    RoleGrant,
    roleAssignmentCondition,
    roleIds,
} from "../../components/azure/permissions";
import { baseArgs, evaluate, fixture, testSubscription } from "../harness";

interface RoleDefinition {
    name: string;
    roleName: string;
    permissions: Array<{ actions: string[]; notActions: string[] }>;
}

const definitions: RoleDefinition[] = JSON.parse(fs.readFileSync(fixture("azure-roles", "built-in-roles.json"), "utf8"));

/** ARM's action matching: case-insensitive, `*` standing for any characters. */
const matches = (pattern: string, action: string) =>
    new RegExp(
        `^${pattern
            .split("*")
            .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
            .join(".*")}$`,
        "i",
    ).test(action);

function allows(role: string, action: string): boolean {
    const definition = definitions.find((d) => d.roleName === role);
    assert.ok(definition, `no definition of ${role} in the fixtures`);
    assert.equal(definition.name, roleIds[role as keyof typeof roleIds], `${role}'s id`);
    return definition.permissions.some((p) => p.actions.some((a) => matches(a, action)) && !p.notActions.some((a) => matches(a, action)));
}

/** The grants of an identity at a scope that allow an action. */
const allowedBy = (grants: RoleGrant[], scope: PermissionScope, action: string) =>
    grants.filter((g) => g.scope === scope && allows(g.role, action));

const scopeId = `/subscriptions/${testSubscription}/resourceGroups/rg-net/providers/Microsoft.Insights/privateLinkScopes/ampls`;

/** Every Azure resource type and role assignment the component registers, over configurations that between them use all of them. */
async function registeredAzure(): Promise<Registration[]> {
    const privately = (collector: "prometheus" | "ama-metrics") => {
        const base = baseArgs(
            {
                privateLinkScopeId: scopeId,
                workspace: { location: "swedencentral" },
                grafana: { principalId: "4b0e7d3f-5f5e-4f6a-9a64-2f7d5c8b1e21" },
                alerts: { recommended: true },
            },
            collector,
        );
        return { ...base, cluster: { ...base.cluster, private: true } };
    };
    const evaluations = [await evaluate(privately("prometheus")), await evaluate(privately("ama-metrics"))];
    for (const e of evaluations) {
        assert.deepEqual(e.failures, []);
    }
    return evaluations.flatMap((e) => e.registrations.filter((r) => r.type.startsWith("azure-native:")));
}

describe("the permissions each identity needs", function () {
    let azure: Registration[];
    before(async () => {
        azure = await registeredAzure();
    });

    it("knows the ARM type and scope of every Azure resource the component registers", () => {
        const unknown = [...new Set(azure.map((r) => r.type))].filter((type) => !(type in armResourceTypes));
        assert.deepEqual(unknown, []);
    });

    it("deploy: every create and delete is allowed at its scope by a listed built-in role", () => {
        for (const type of new Set(azure.map((r) => r.type))) {
            const { armType, scope } = armResourceTypes[type];
            for (const verb of ["write", "delete"]) {
                const action = `${armType}/${verb}`;
                assert.ok(allowedBy(identityRoles.deploy, scope, action).length > 0, `nothing allows ${action} at the ${scope}`);
            }
        }
    });

    it("deploy: lists no role that nothing the component creates needs", () => {
        const needed = [...new Set(azure.map((r) => r.type))].flatMap((type) => {
            const { armType, scope } = armResourceTypes[type];
            return ["write", "delete"].map((verb) => ({ scope, action: `${armType}/${verb}` }));
        });
        for (const grant of identityRoles.deploy.filter((g) => g.scope !== "workspace")) {
            assert.ok(
                needed.some(({ scope, action }) => scope === grant.scope && allows(grant.role, action)),
                `${grant.role} at the ${grant.scope} is not needed`,
            );
        }
    });

    it("deploy: role assignments only through RBAC Administrator, constrained to the roles the component assigns and to service principals", () => {
        // Monitoring Contributor cannot assign roles: the constrained administrator is what grants them.
        assert.equal(allows("Monitoring Contributor", "Microsoft.Authorization/roleAssignments/write"), false);
        const granting = allowedBy(identityRoles.deploy, "monitoring resource group", "Microsoft.Authorization/roleAssignments/write");
        assert.deepEqual(
            granting.map((g) => [g.role, g.conditioned]),
            [["Role Based Access Control Administrator", true]],
        );
        const assignments = azure.filter((r) => r.type === "azure-native:authorization:RoleAssignment");
        const assigned = new Set(assignments.map((r) => String(r.inputs.roleDefinitionId).split("/").pop()));
        // Both roles are assigned somewhere, and nothing else is.
        assert.deepEqual([...assigned].sort(), [...assignedRoles].sort());
        for (const assignment of assignments) {
            assert.equal(assignment.inputs.principalType, "ServicePrincipal");
        }
        const condition = roleAssignmentCondition();
        const guids = [...condition.matchAll(/GuidEquals \{([^}]*)\}/g)].map((m) => m[1].split(", ").sort());
        assert.deepEqual(guids, [[...assignedRoles].sort(), [...assignedRoles].sort()]);
        assert.match(
            condition,
            /@Request\[Microsoft\.Authorization\/roleAssignments:PrincipalType\] ForAnyOfAnyValues:StringEqualsIgnoreCase \{'ServicePrincipal'\}/,
        );
        assert.match(
            condition,
            /@Resource\[Microsoft\.Authorization\/roleAssignments:PrincipalType\] ForAnyOfAnyValues:StringEqualsIgnoreCase \{'ServicePrincipal'\}/,
        );
    });

    it("preview and verify: read only, and the reads they make are allowed", () => {
        for (const identity of ["preview", "verify"] as const) {
            for (const grant of identityRoles[identity].filter((g) => g.role !== "Monitoring Data Reader")) {
                assert.equal(
                    allows(grant.role, "Microsoft.Insights/dataCollectionRules/write"),
                    false,
                    `${identity}: ${grant.role} writes`,
                );
                assert.equal(
                    allows(grant.role, "Microsoft.Authorization/roleAssignments/write"),
                    false,
                    `${identity}: ${grant.role} assigns roles`,
                );
            }
        }
        // The verify command's reads (components/verify/azure.ts): associations on the cluster, rules and the workspace.
        assert.ok(allowedBy(identityRoles.verify, "cluster", "Microsoft.Insights/dataCollectionRuleAssociations/read").length > 0);
        assert.ok(allowedBy(identityRoles.verify, "monitoring resource group", "Microsoft.Insights/dataCollectionRules/read").length > 0);
        assert.ok(allowedBy(identityRoles.verify, "monitoring resource group", "Microsoft.Monitor/accounts/read").length > 0);
        // A refreshing preview reads every resource the deploy creates.
        for (const type of new Set(azure.map((r) => r.type))) {
            const { armType, scope } = armResourceTypes[type];
            assert.ok(
                allowedBy(identityRoles.preview, scope, `${armType}/read`).length > 0,
                `preview cannot read ${armType} at the ${scope}`,
            );
        }
    });
});
