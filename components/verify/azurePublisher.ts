// The prometheus collector's right to publish: its user-assigned identity (found by the client id its
// ServiceAccount names) and that identity's role assignments. ARM answers as azure-rest-api-specs describe:
// msi …/Microsoft.ManagedIdentity/stable/2023-01-31 (UserAssignedIdentities_ListBySubscription: clientId,
// principalId) and authorization …/stable/2022-04-01 (RoleAssignments_ListForSubscription, `$filter=principalId
// eq '<id>'`: the principal's assignments at, above or below the scope).

import type { Fetched } from "./reads";

interface UserAssignedIdentity {
    id?: string;
    name?: string;
    properties?: { clientId?: string; principalId?: string };
}

interface RoleAssignment {
    id?: string;
    properties?: { roleDefinitionId?: string; scope?: string; principalId?: string };
}

export interface Publisher {
    /** The ServiceAccount's client id; absent when it names none. */
    clientId?: string;
    /** The identity of that client id in the cluster's subscription; missing when none has it. */
    identity: Fetched<UserAssignedIdentity>;
    /** Its role assignments; absent when the identity was not found. */
    assignments?: Fetched<RoleAssignment[]>;
}

const apiVersions = { identities: "2023-01-31", roleAssignments: "2022-04-01" };

interface Reader {
    getAll<T>(url: string): Promise<Fetched<T[]>>;
}

/** The identity with `clientId` in the subscription (`<arm>/subscriptions/<id>`), and its role assignments. */
export async function fetchPublisher(reader: Reader, subscription: string, clientId: string | undefined): Promise<Publisher> {
    const identities = `${subscription}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=${apiVersions.identities}`;
    if (clientId === undefined) return { identity: { state: "missing", path: identities } };
    const listed = await reader.getAll<UserAssignedIdentity>(identities);
    if (listed.state !== "found") return { clientId, identity: listed };
    const identity = listed.value.find((i) => i.properties?.clientId?.toLowerCase() === clientId.toLowerCase());
    const principal = identity?.properties?.principalId;
    if (!identity || !principal) return { clientId, identity: { state: "missing", path: identities } };
    const filter = encodeURIComponent(`principalId eq '${principal}'`);
    const assignments = await reader.getAll<RoleAssignment>(
        `${subscription}/providers/Microsoft.Authorization/roleAssignments?api-version=${apiVersions.roleAssignments}&$filter=${filter}`,
    );
    return { clientId, identity: { state: "found", value: identity }, assignments };
}
