// Checks of the Azure arguments that need the azure-native provider's subscription, which is known only
// once the provider is (its `getClientConfig`). They gate the resource group every Azure Monitor resource
// of the component is created in: when one fails, each of those resources fails with the same message and
// none is created.

import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import type { Collector } from "../core/args";
import { AmaMetricsIstioArgumentError, Problem, problem } from "../core/errors";
import { Settings } from "../core/settings";
import { AksResourceId, parseResourceId } from "./ids";

interface PreflightFacts {
    collector: Collector;
    /** The subscription of the azure-native provider the component was given. */
    providerSubscription: string;
    resourceGroupName: string;
    cluster: AksResourceId;
    privateLinkScopeId?: string;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** What the provider's subscription rules out. Pure: tested directly. */
function preflightProblems(facts: PreflightFacts): Problem[] {
    const problems: Problem[] = [];
    const { cluster, providerSubscription } = facts;
    // azure-cli, Azure Policy and the portal PUT `MSProm-<region>-<cluster>` endpoints and rules, and
    // Microsoft's recording rule groups, into the cluster's resource group (azure-cli
    // acs/azuremonitormetrics/dc/dce_api.py, dcr_api.py, recordingrules/create.py): the ama-metrics path,
    // which keeps Microsoft's names, would have them overwritten there.
    if (
        facts.collector === "ama-metrics" &&
        same(cluster.subscriptionId, providerSubscription) &&
        same(cluster.resourceGroup, facts.resourceGroupName)
    ) {
        problems.push(
            problem(
                "resourceGroupName",
                facts.resourceGroupName,
                `that is the cluster's resource group, where az aks update --enable-azure-monitor-metrics, Azure Policy and the portal create endpoints, rules and rule groups of the same names (MSProm-<region>-${cluster.clusterName}) with an overwriting PUT`,
                "use a resource group of its own for the Azure Monitor resources, e.g. rg-monitoring",
            ),
        );
    }
    const scope = facts.privateLinkScopeId === undefined ? undefined : parseResourceId(facts.privateLinkScopeId, "privateLinkScope");
    if (scope !== undefined && !same(scope.subscriptionId, providerSubscription)) {
        problems.push(
            problem(
                "privateLinkScopeId",
                facts.privateLinkScopeId,
                `the scope is in subscription ${scope.subscriptionId}, the azure-native provider the component was given deploys to subscription ${providerSubscription}, and a scope's links are created in the scope's subscription`,
                `link the endpoints in a program whose azure-native provider targets ${scope.subscriptionId} (the endpoints' ids are outputs: dataCollectionEndpointId), or use a scope in ${providerSubscription}`,
            ),
        );
    }
    return problems;
}

/**
 * The resource group of the component's Azure Monitor resources, once the checks above pass. The provider's
 * subscription comes from the component's own azure-native provider (through `parent`).
 */
export function checkedResourceGroup(name: string, settings: Settings, parent: pulumi.Resource): pulumi.Output<string> {
    const client = authorization.getClientConfigOutput({ parent });
    return pulumi
        .all([settings.resourceGroupName, settings.cluster.id, client.subscriptionId, settings.privateLinkScopeId])
        .apply(([resourceGroupName, cluster, providerSubscription, privateLinkScopeId]) => {
            // A provider always names its subscription; mocks that do not answer the invoke (a consumer's
            // unit tests) leave nothing to compare with.
            if (typeof providerSubscription !== "string") {
                return resourceGroupName;
            }
            const problems = preflightProblems({
                collector: settings.collector,
                providerSubscription,
                resourceGroupName,
                cluster,
                privateLinkScopeId,
            });
            if (problems.length > 0) {
                throw new AmaMetricsIstioArgumentError(name, problems);
            }
            return resourceGroupName;
        });
}
