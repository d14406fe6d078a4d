// `ama-metrics-istio/testing`: Pulumi mocks for the unit tests of a program that uses the component. They
// answer like Azure creating a fresh stack, with the outputs the component builds other inputs from: ids as
// Azure forms them, the identity's client, principal and tenant ids, the endpoint's metrics ingestion URL,
// the rule's immutable id, the workspace's query endpoint and (for an existing workspace) its region. Every
// other resource gets its inputs back, as Pulumi's documented mocks answer. Values derive from the resource's
// name: the same on every run, different per resource. The offline plan and the package's own tests use them.

import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { armResourceTypes } from "./azure/permissions";

export interface MockOptions {
    /** The subscription the Azure resources' ids name (default `00000000-0000-0000-0000-000000000000`). */
    subscriptionId?: string;
    /** The region `getAzureMonitorWorkspace` answers for an existing workspace (default `westeurope`). */
    existingWorkspaceLocation?: string;
}

// The input that names each Azure resource the component creates, and, for a child resource, the input that
// names its parent; where each lives in Azure's id space (its ARM type) is azure/permissions.ts'.
const nameInputs: Record<string, { name: string; parent?: string }> = {
    "azure-native:monitor:AzureMonitorWorkspace": { name: "azureMonitorWorkspaceName" },
    "azure-native:monitor:DataCollectionEndpoint": { name: "dataCollectionEndpointName" },
    "azure-native:monitor:DataCollectionRule": { name: "dataCollectionRuleName" },
    "azure-native:alertsmanagement:PrometheusRuleGroup": { name: "ruleGroupName" },
    "azure-native:monitor:MetricAlert": { name: "ruleName" },
    "azure-native:managedidentity:UserAssignedIdentity": { name: "resourceName" },
    "azure-native:managedidentity:FederatedIdentityCredential": { name: "federatedIdentityCredentialResourceName", parent: "resourceName" },
    "azure-native:monitor:PrivateLinkScopedResource": { name: "name", parent: "scopeName" },
};

// The extension resources: their id is their scope's (the input named `scope`), then their ARM type and name.
const extensionInputs: Record<string, { scope: string; name: string }> = {
    "azure-native:monitor:DataCollectionRuleAssociation": { scope: "resourceUri", name: "associationName" },
    "azure-native:authorization:RoleAssignment": { scope: "scope", name: "roleAssignmentName" },
};

/** A stand-in value derived from a resource's name: the same on every run, different per resource. */
function standIn(name: string, length: number): string {
    return createHash("sha256").update(name).digest("hex").slice(0, length);
}

function standInGuid(name: string): string {
    const hex = standIn(name, 32);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The id Azure would give a resource with these inputs. */
function azureResourceId(type: string, inputs: Record<string, any>, subscriptionId: string): string | undefined {
    const armType = armResourceTypes[type]?.armType;
    const extension = extensionInputs[type];
    if (extension !== undefined && armType !== undefined) {
        return `${inputs[extension.scope]}/providers/${armType}/${inputs[extension.name]}`;
    }
    const named = nameInputs[type];
    if (named === undefined || armType === undefined) {
        return undefined;
    }
    // `Provider/type/child`: the parent's name goes after the type, the resource's after the child type.
    const [namespace, parentType, childType] = armType.split("/");
    const path = childType
        ? `${namespace}/${parentType}/${inputs[named.parent!]}/${childType}/${inputs[named.name]}`
        : `${namespace}/${parentType}/${inputs[named.name]}`;
    return `/subscriptions/${subscriptionId}/resourceGroups/${inputs.resourceGroupName}/providers/${path}`;
}

/** Mocks for `pulumi.runtime.setMocks`, answering for this subscription and existing workspace's region. */
export function createMocks(options: MockOptions = {}): pulumi.runtime.Mocks {
    const subscriptionId = options.subscriptionId ?? "00000000-0000-0000-0000-000000000000";
    return {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            const state: Record<string, unknown> = { ...args.inputs };
            const named = nameInputs[args.type];
            if (named !== undefined) {
                // azure-native outputs the resource's name.
                state.name = args.inputs[named.name];
            }
            if (args.type === "azure-native:monitor:AzureMonitorWorkspace") {
                state.metrics = {
                    prometheusQueryEndpoint: `https://${args.inputs.azureMonitorWorkspaceName}.${args.inputs.location}.prometheus.monitor.azure.com`,
                };
            }
            if (args.type === "azure-native:monitor:DataCollectionEndpoint") {
                state.metricsIngestion = {
                    endpoint: `https://${String(args.inputs.dataCollectionEndpointName).toLowerCase()}-${standIn(args.name, 4)}.${args.inputs.location}-1.metrics.ingest.monitor.azure.com`,
                };
            }
            if (args.type === "azure-native:monitor:DataCollectionRule") {
                state.immutableId = `dcr-${standIn(args.name, 32)}`;
            }
            if (args.type === "azure-native:managedidentity:UserAssignedIdentity") {
                state.clientId = standInGuid(`${args.name}/client`);
                state.principalId = standInGuid(`${args.name}/principal`);
                state.tenantId = "00000000-0000-4000-8000-0000000000aa";
            }
            return { id: azureResourceId(args.type, args.inputs, subscriptionId) ?? `${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            if (args.token === "azure-native:authorization:getClientConfig") {
                // The provider's own subscription, as the stack's provider is configured.
                return { subscriptionId, tenantId: "00000000-0000-4000-8000-0000000000aa" };
            }
            if (args.token === "azure-native:monitor:getAzureMonitorWorkspace") {
                const location = options.existingWorkspaceLocation ?? "westeurope";
                return {
                    location,
                    metrics: {
                        prometheusQueryEndpoint: `https://${args.inputs.azureMonitorWorkspaceName}.${location}.prometheus.monitor.azure.com`,
                    },
                };
            }
            return args.inputs;
        },
    };
}

/** The mocks with their defaults: `pulumi.runtime.setMocks(mocks, "project", "stack", false)`. */
export const mocks: pulumi.runtime.Mocks = createMocks();
