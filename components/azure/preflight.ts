// The check of the Azure arguments that needs the azure-native provider's subscription, which is known only
// once the provider is (its `getClientConfig`): a private link scope in another subscription. It gates the
// resource group every Azure Monitor resource of the component is created in: when it fails, each of those
// resources fails with the same message and none is created.

import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import { AmaMetricsIstioArgumentError, problem } from "../core/errors";
import { ComponentSettings } from "../core/settings";
import type { ResourceId } from "../core/facts/resourceIds";

/**
 * The resource group of the component's Azure Monitor resources, once the checks above pass. The provider's
 * subscription comes from the component's own azure-native provider (through `parent`). Without a private
 * link scope there is nothing to check, and nothing waits on the provider.
 */
export function checkedResourceGroup(
    name: string,
    settings: ComponentSettings,
    privateLinkScope: pulumi.Output<ResourceId | undefined> | undefined,
    parent: pulumi.Resource,
): pulumi.Output<string> {
    if (settings.privateLinkScopeId === undefined || privateLinkScope === undefined) {
        return pulumi.output(settings.resourceGroupName);
    }
    const client = authorization.getClientConfigOutput({ parent });
    return pulumi
        .all([settings.resourceGroupName, client.subscriptionId, settings.privateLinkScopeId, privateLinkScope])
        .apply(([resourceGroupName, providerSubscription, privateLinkScopeId, scope]) => {
            // A provider always names its subscription; mocks that do not answer the invoke (a consumer's
            // unit tests) leave nothing to compare with.
            if (typeof providerSubscription !== "string") {
                pulumi.log.warn(
                    `${name}: the azure-native provider named no subscription (getClientConfig), so privateLinkScopeId's subscription was not compared with it`,
                    parent,
                );
                return resourceGroupName;
            }
            // A scope's links are created in the scope's subscription.
            if (scope !== undefined && scope.subscriptionId.toLowerCase() !== providerSubscription.toLowerCase()) {
                throw new AmaMetricsIstioArgumentError(name, [
                    problem(
                        "privateLinkScopeId",
                        privateLinkScopeId,
                        `the scope is in subscription ${scope.subscriptionId}, the azure-native provider the component was given deploys to subscription ${providerSubscription}, and a scope's links are created in the scope's subscription`,
                        `link the endpoints in a program whose azure-native provider targets ${scope.subscriptionId} (the endpoints' ids are outputs: dataCollectionEndpointId), or use a scope in ${providerSubscription}`,
                    ),
                ]);
            }
            return resourceGroupName;
        });
}
