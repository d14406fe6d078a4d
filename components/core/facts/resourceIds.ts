// Azure resource ids: parsed once, from the arguments, into the parts the component uses.

import { formats } from "../formats";

export interface ResourceId {
    /** The id as Azure spells it (`resourceGroups`, `providers`), for use as a scope or resource URI. */
    id: string;
    subscriptionId: string;
    resourceGroup: string;
    name: string;
}

export interface AksResourceId extends ResourceId {
    /** The cluster's name: the `cluster` label of its series, and the stem of the Azure names. */
    clusterName: string;
}

export type WorkspaceResourceId = ResourceId;

/** The resource types the component accepts ids of. */
export const resourceTypes = {
    // resource-name-rules: 1-63 alphanumerics, '_' and '-', alphanumeric at both ends.
    aksCluster: {
        what: "an AKS cluster",
        provider: "Microsoft.ContainerService",
        type: "managedClusters",
        example: "managedClusters/<cluster name>",
        name: /^[a-zA-Z0-9]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?$/,
    },
    // An existing workspace's name was accepted by Azure: hold it to the REST API's character pattern only.
    workspace: {
        what: "an Azure Monitor workspace",
        provider: "Microsoft.Monitor",
        type: "accounts",
        example: "accounts/<workspace name>",
        name: /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
    },
    dataCollectionEndpoint: {
        what: "a data collection endpoint",
        provider: "Microsoft.Insights",
        type: "dataCollectionEndpoints",
        example: "dataCollectionEndpoints/<endpoint name>",
        name: /^[a-zA-Z0-9][a-zA-Z0-9-]*$/,
    },
    actionGroup: {
        what: "an action group",
        provider: "Microsoft.Insights",
        type: "actionGroups",
        example: "actionGroups/<action group name>",
        name: /^[^/\s]+$/,
    },
    privateLinkScope: {
        what: "an Azure Monitor Private Link Scope",
        provider: "Microsoft.Insights",
        type: "privateLinkScopes",
        example: "privateLinkScopes/<scope name>",
        name: /^[^/\s]+$/,
    },
} as const;

export type ResourceType = keyof typeof resourceTypes;

/**
 * Splits `/subscriptions/<guid>/resourceGroups/<group>/providers/<namespace>/<type>/<name>` of one type.
 * Segment names compare case-insensitively, as Azure compares them (`az` and Microsoft's own parameter
 * files write `resourcegroups`); the returned `id` spells them as Azure does, so that the same resource
 * given either way yields the same inputs and no replacement.
 */
export function parseResourceId(id: unknown, type: ResourceType): ResourceId | undefined {
    if (typeof id !== "string") {
        return undefined;
    }
    const parts = id.split("/");
    if (parts.length !== 9 || parts[0] !== "") {
        return undefined;
    }
    const [, subscriptions, subscriptionId, resourceGroups, resourceGroup, providers, namespace, kind, name] = parts;
    const expected = resourceTypes[type];
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    if (
        !same(subscriptions, "subscriptions") ||
        !same(resourceGroups, "resourceGroups") ||
        !same(providers, "providers") ||
        !same(namespace, expected.provider) ||
        !same(kind, expected.type) ||
        !formats.guid.test(subscriptionId) ||
        !formats.resourceGroupName.test(resourceGroup) ||
        !expected.name.test(name)
    ) {
        return undefined;
    }
    return {
        id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${expected.provider}/${expected.type}/${name}`,
        subscriptionId,
        resourceGroup,
        name,
    };
}

/** The expected form of an id of this type, for error messages. */
export function resourceIdForm(type: ResourceType): string {
    const expected = resourceTypes[type];
    return `/subscriptions/<subscription id>/resourceGroups/<group>/providers/${expected.provider}/${expected.example}`;
}

/** Parses an AKS cluster's id; undefined for anything else. */
export function parseAksResourceId(id: unknown): AksResourceId | undefined {
    const parsed = parseResourceId(id, "aksCluster");
    return parsed && { ...parsed, clusterName: parsed.name };
}
