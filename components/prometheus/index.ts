// The prometheus collector: Prometheus in agent mode in the collector's namespace, remote-writing to the
// component's data collection rule with Microsoft Entra Workload ID, and what it scrapes with.

import * as pulumi from "@pulumi/pulumi";
import type { AzureMonitor } from "../azure";
import { KubernetesObject } from "../core/kubernetes";
import { createObject } from "../core/register";
import type { PrometheusCollectorSettings } from "../core/settings";
import { meshObjects, MeshProfile } from "../mesh/objects";
import { CollectorIdentity, createCollectorIdentity } from "./identity";
import { prometheusNames } from "./facts";

/** The Azure values the collector's objects carry. */
export interface CollectorRefs {
    clientId: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
    remoteWriteUrl: pulumi.Input<string>;
}

/**
 * The remote-write URL of a data collection rule, as Microsoft documents it for Prometheus remote write:
 * `<endpoint's metrics ingestion URL>/dataCollectionRules/<rule's immutable id>/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24`.
 */
export function remoteWriteUrl(metricsIngestionEndpoint: string, immutableId: string): string {
    return `${metricsIngestionEndpoint.replace(/\/+$/, "")}/dataCollectionRules/${immutableId}/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24`;
}

/** The mesh objects' view of the collector. */
export function prometheusMeshProfile(): MeshProfile {
    return { serviceAccount: prometheusNames.serviceAccount, permissivePorts: [] };
}

/** Every Kubernetes object of the collector. */
export function prometheusObjects(settings: PrometheusCollectorSettings, refs: CollectorRefs): KubernetesObject[] {
    return [
        ...meshObjects(settings.namespace, settings.istio, prometheusMeshProfile()),
        {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: {
                name: prometheusNames.serviceAccount,
                namespace: settings.namespace,
                annotations: { "azure.workload.identity/client-id": refs.clientId as string },
            },
        },
    ];
}

/** The pod label sets of the collector's workloads, for the mesh rules' selector checks. */
export const prometheusPodLabels: Array<Record<string, string>> = [];

export interface PrometheusCollector {
    identity: CollectorIdentity;
    objects: pulumi.CustomResource[];
}

export function createPrometheusCollector(
    name: string,
    settings: PrometheusCollectorSettings,
    azure: AzureMonitor,
    opts: { parent: pulumi.Resource; namespace: pulumi.Resource[] },
): PrometheusCollector {
    const parent = opts.parent;
    const identity = createCollectorIdentity(name, settings, prometheusNames.serviceAccount, azure.rule, { parent });
    const refs: CollectorRefs = {
        clientId: identity.identity.clientId,
        tenantId: identity.identity.tenantId,
        remoteWriteUrl: pulumi
            .all([azure.endpoint.metricsIngestion, azure.rule.immutableId])
            .apply(([ingestion, immutableId]) => remoteWriteUrl(ingestion?.endpoint ?? "", immutableId)),
    };
    const objects = prometheusObjects(settings, refs).map((object) =>
        createObject(name, object, { parent, dependsOn: object.metadata.namespace === settings.namespace ? opts.namespace : [] }),
    );
    return { identity, objects };
}
