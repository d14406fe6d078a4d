// The prometheus collector's Azure identity (Microsoft Entra Workload ID, as Microsoft documents it for a
// self-managed Prometheus: learn.microsoft.com azure-monitor/containers/prometheus-remote-write-azure-workload-identity):
// a user-assigned identity, a federated credential that trusts the collector's ServiceAccount tokens from
// the cluster's OIDC issuer, and "Monitoring Metrics Publisher" on the data collection rule it writes through.

import { createHash } from "node:crypto";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import { createRoleAssignment } from "../azure/roles";
import { builtInRoles } from "../core/facts/roles";
import { collectorIdentityName } from "../azure/names";
import { requiredOutput } from "../azure/outputs";
import type { PrometheusCollectorSettings } from "../core/settings";
import { tokenExchangeAudience } from "./facts";

/**
 * What tells this installation apart from others in the same resource group and cluster, and stays when its
 * namespace moves: a short hash of the Pulumi project, stack and component name (the component's URN). The
 * identity and its role assignment (named after its principal) then outlive a namespace change; only the
 * federated credential, whose subject names the namespace, is replaced (created before the old one goes).
 */
function installationKey(component: string): string {
    return createHash("sha256").update(`${pulumi.getProject()}/${pulumi.getStack()}/${component}`).digest("hex").slice(0, 8);
}

/** The subject of the collector's tokens: its ServiceAccount. */
function federatedSubject(namespace: string, serviceAccount: string): string {
    return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

export interface CollectorIdentity {
    identity: managedidentity.UserAssignedIdentity;
    credential: managedidentity.FederatedIdentityCredential;
    publisher: authorization.RoleAssignment;
    /** The identity's client and tenant ids, failing with a clear error if Azure gives none (the Workload ID annotations). */
    clientId: pulumi.Output<string>;
    tenantId: pulumi.Output<string>;
}

/**
 * The identity, in the cluster's region. Its role is scoped to the component's own rule, not the
 * workspace's default one: the component owns the rule, its endpoint and its region. Learn documents the
 * default one ("Connect self-managed Prometheus to Azure Monitor managed service for Prometheus", Assign
 * roles: "it needs to be given access to the data collection rule (DCR) associated with the Azure Monitor
 * workspace that will receive the remote-write data. This DCR is automatically created when you create the
 * workspace.") and allows others: "If you still see data drops, consider creating additional DCRs and DCEs
 * to distribute the ingestion load across multiple endpoints", pointing to Microsoft's custom DCR template
 * (Azure/prometheus-collector Azure-ARM-templates/Prometheus-RemoteWrite-DCR-artifacts: a monitoringAccounts
 * destination and a Microsoft-PrometheusMetrics flow, with no data sources). For this collector the
 * component's rule has that shape (azure/dataCollection.ts `ruleProperties`); it was not tried live.
 */
export function createCollectorIdentity(
    name: string,
    settings: Pick<PrometheusCollectorSettings, "cluster" | "resourceGroupName" | "namespace" | "oidcIssuerUrl" | "tags">,
    serviceAccount: string,
    rule: monitor.DataCollectionRule,
    opts: { parent: pulumi.Resource },
): CollectorIdentity {
    const identity = new managedidentity.UserAssignedIdentity(
        `${name}-identity`,
        {
            resourceName: settings.cluster.id.clusterName.apply((cluster) => collectorIdentityName(cluster, installationKey(name))),
            resourceGroupName: settings.resourceGroupName,
            location: settings.cluster.location,
            tags: settings.tags,
        },
        // Its name does not follow the region: a move deletes it first. The name is kept once the identity
        // exists (identities created before it stopped naming the namespace keep theirs): renaming would
        // replace the identity and its role assignment, whose propagation refuses writes for a while.
        { ...opts, replaceOnChanges: ["location"], deleteBeforeReplace: true, ignoreChanges: ["resourceName"] },
    );
    const credential = new managedidentity.FederatedIdentityCredential(
        `${name}-identity-credential`,
        {
            resourceGroupName: settings.resourceGroupName,
            resourceName: identity.name,
            federatedIdentityCredentialResourceName: `${settings.namespace}-${serviceAccount}`,
            issuer: settings.oidcIssuerUrl,
            subject: federatedSubject(settings.namespace, serviceAccount),
            audiences: [tokenExchangeAudience],
        },
        opts,
    );
    const resource = "the collector's identity (UserAssignedIdentity)";
    const publisher = createRoleAssignment(
        `${name}-metrics-publisher`,
        {
            principalId: requiredOutput(
                name,
                resource,
                "principalId",
                identity.principalId,
                "the Monitoring Metrics Publisher role assignment",
            ),
            scope: rule.id,
            roleId: builtInRoles.monitoringMetricsPublisher,
        },
        opts,
    );
    const workloadId = "the collector's Workload ID (its ServiceAccount's annotations)";
    return {
        identity,
        credential,
        publisher,
        clientId: requiredOutput(name, resource, "clientId", identity.clientId, workloadId),
        tenantId: requiredOutput(name, resource, "tenantId", identity.tenantId, workloadId),
    };
}
