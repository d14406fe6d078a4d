import { collectorIdentityName } from "../../azure/names";
import { parseAksResourceId } from "../../core/facts/resourceIds";
import { builtInRoles } from "../../core/facts/roles";
import { defineCheck, fail, pass } from "./check";
import { azureOf, unreadableAzure } from "./azureRead";

/** "Monitoring Metrics Publisher", the built-in role the component gives the collector's identity on its data collection rule. */
const metricsPublisherRoleId = builtInRoles.monitoringMetricsPublisher;

export const azureRoleAssignment = defineCheck({
    id: "azure.role-assignment",
    when: "prometheus, `--azure`",
    passes: "the user-assigned identity whose client id the collector's ServiceAccount names exists in the cluster's subscription and holds \"Monitoring Metrics Publisher\" on a data collection rule",
    appliesTo: (options) => options.azure !== undefined && options.collector === "prometheus",
    reads: ["azure"],
    run({ azure }, options) {
        const publisher = azureOf(azure)?.publisher;
        if (!publisher) return [];
        const cluster = options.azure ? parseAksResourceId(options.azure.clusterId)?.clusterName : undefined;
        // The identity's name ends in a hash of the installation (project, stack, component), which the command does not know.
        const expected = cluster ? `the collector's identity ${collectorIdentityName(cluster, "")}-…` : "the collector's identity";
        const { clientId, identity, assignments } = publisher;
        if (clientId === undefined) return [fail("the ServiceAccount names no client id to look up", "see identity.service-account")];
        if (identity.state === "error") {
            return [unreadableAzure("the subscription's user-assigned identities", identity, "Reader on the cluster's subscription")];
        }
        if (identity.state === "missing") {
            return [
                fail(
                    `no user-assigned identity in the cluster's subscription has client id ${clientId}`,
                    `run pulumi refresh, then pulumi up: the component creates ${expected} and writes its client id on the ServiceAccount`,
                ),
            ];
        }
        const name = identity.value.name ?? clientId;
        if (!assignments || assignments.state === "error") {
            return assignments
                ? [unreadableAzure(`the role assignments of identity ${name}`, assignments, "Reader on the cluster's subscription")]
                : [];
        }
        const publishing = (assignments.state === "found" ? assignments.value : []).filter(
            (a) =>
                a.properties?.roleDefinitionId?.toLowerCase().endsWith(`/roledefinitions/${metricsPublisherRoleId}`) &&
                /\/providers\/microsoft\.insights\/datacollectionrules\/[^/]+$/i.test(a.properties?.scope ?? ""),
        );
        if (publishing.length === 0) {
            return [
                fail(
                    `identity ${name} (client id ${clientId}) holds "Monitoring Metrics Publisher" on no data collection rule: remote write is refused (HTTP 403)`,
                    "run pulumi refresh, then pulumi up: the component assigns the role on its rule; a new assignment takes about 30 minutes to apply",
                ),
            ];
        }
        const rules = publishing.map((a) => a.properties!.scope!.split("/").pop()).join(", ");
        return [pass(`identity ${name} (client id ${clientId}) holds "Monitoring Metrics Publisher" on data collection rule ${rules}`)];
    },
});
