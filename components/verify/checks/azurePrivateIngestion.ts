import type { DataCollectionEndpoint } from "../azure";
import { defineCheck, fail, Finding, pass, warn } from "./check";
import { azureOf, unreadableAzure } from "./azureRead";

/**
 * Private ingestion: the endpoints are linked to an Azure Monitor Private Link Scope (the read-only
 * `privateLinkScopedResources` of a data collection endpoint, azure-rest-api-specs monitor
 * Microsoft.Insights/stable/2022-06-01/dataCollectionEndpoints_API.json) and refuse the public internet
 * (`networkAcls.publicNetworkAccess`: Enabled, Disabled or SecuredByPerimeter). A linked endpoint that stays
 * public is used publicly whenever the cluster's DNS does not resolve it to the private endpoint.
 */
export const azurePrivateIngestion = defineCheck({
    id: "azure.endpoint-network",
    when: "`--azure`",
    passes:
        "each of the component's data collection endpoints is either public (public network access Enabled, no private link scope) or " +
        "private (linked to a private link scope, public network access Disabled); linked but public warns (without the private DNS zones " +
        "ingestion goes over the public endpoint), Disabled and linked to no scope fails (nothing reaches it)",
    appliesTo: (options) => options.azure !== undefined,
    reads: ["azure"],
    run({ azure }, options) {
        const snapshot = azureOf(azure);
        if (!snapshot) return [];
        const endpoints = Object.entries(snapshot.endpoints);
        if (endpoints.length === 0) {
            return [
                warn(
                    "found none of the component's data collection endpoints to check",
                    options.collector === "ama-metrics"
                        ? "see azure.association: the endpoints are found through the cluster's associations"
                        : "the prometheus collector's endpoint is looked up by its name in the cluster's subscription: check that the component created it there",
                ),
            ];
        }
        return endpoints.map(([id, fetched]): Finding => {
            if (fetched.state === "error") return unreadableAzure(`data collection endpoint ${id}`, fetched, "Reader on the endpoint");
            if (fetched.state === "missing") {
                return fail(
                    `data collection endpoint ${id} does not exist`,
                    "run pulumi refresh, then pulumi up: the component recreates it",
                );
            }
            return judge(fetched.value, id);
        });
    },
});

function judge(endpoint: DataCollectionEndpoint, id: string): Finding {
    const name = endpoint.name ?? id.split("/").pop();
    const access = endpoint.properties?.networkAcls?.publicNetworkAccess ?? "Enabled";
    const scopes = (endpoint.properties?.privateLinkScopedResources ?? []).map(
        (s) => s.resourceId?.split("/scopedResources/")[0] ?? s.scopeId ?? "?",
    );
    const linked = scopes.length > 0;
    const seen = `data collection endpoint ${name}: public network access ${access}, ${linked ? `linked to ${scopes.join(", ")}` : "linked to no private link scope"}`;
    if (linked && access === "Enabled") {
        return warn(
            `${seen}: ingestion goes over the public endpoint wherever the cluster's DNS does not resolve it privately`,
            "set the endpoint's networkAcls.publicNetworkAccess to Disabled (the component's cluster.private does), and check the private " +
                "endpoint in the cluster's VNet and the private DNS zones (privatelink.monitor.azure.com and the others Learn lists in 'Private Link for data ingestion for Managed Prometheus')",
        );
    }
    if (!linked && access === "Disabled") {
        return fail(
            `${seen}: nothing reaches it`,
            "link it to the Azure Monitor Private Link Scope (the component's cluster.privateLinkScopeId), or enable public network access",
        );
    }
    return pass(`${seen}: ${linked ? "private" : "public"}`);
}
