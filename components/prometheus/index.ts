// The prometheus collector: Prometheus in agent mode in the collector's namespace, remote-writing to the
// component's data collection rule with Microsoft Entra Workload ID, and the kube-state-metrics it scrapes.
// Nothing in kube-system.

import * as pulumi from "@pulumi/pulumi";
import type { AzureMonitor } from "../azure";
import { prometheusStream } from "../azure/facts";
import { requiredOutput } from "../azure/outputs";
import { KubernetesObject } from "../core/kubernetes";
import { CollectorRegistration, createCollectorObject } from "../core/register";
import type { PrometheusCollectorSettings } from "../core/settings";
import { meshObjects, MeshProfile } from "../mesh/objects";
import {
    agentDiscoveryRbac,
    agentDisruptionBudget,
    agentPodLabels,
    agentService,
    agentServiceAccount,
    shardConfigMap,
    shardStatefulSet,
} from "./agent";
import { configText, prometheusConfig } from "./config";
import { kubeStateMetricsFacts, prometheusNames } from "./facts";
import { CollectorIdentity, createCollectorIdentity } from "./identity";
import {
    kubeStateMetricsInstances,
    kubeStateMetricsPodLabels,
    kubeStateMetricsRbac,
    kubeStateMetricsServiceAccount,
} from "./kubeStateMetrics";
import { priorityClass } from "./pods";

/** The Azure values the collector's objects carry. */
export interface CollectorRefs {
    clientId: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
    remoteWriteUrl: pulumi.Input<string>;
}

/** Learn's form of the ingestion URL ("Connect self-managed Prometheus to Azure Monitor managed service for Prometheus"). */
const ingestionApiVersion = "2023-04-24";

/**
 * The remote-write URL of a data collection rule, as Microsoft documents it for Prometheus remote write:
 * `<endpoint's metrics ingestion URL>/dataCollectionRules/<rule's immutable id>/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24`.
 */
function remoteWriteUrl(metricsIngestionEndpoint: string, immutableId: string): string {
    return `${metricsIngestionEndpoint.replace(/\/+$/, "")}/dataCollectionRules/${immutableId}/streams/${prometheusStream}/api/v1/write?api-version=${ingestionApiVersion}`;
}

/**
 * The mesh objects' view of the collector: no plaintext port exception. The verify command reads each
 * agent's `/metrics` through a port-forward, which arrives on the pod's loopback and is not captured by the
 * sidecar, so the shards stay STRICT on every port (their web port serves /debug/pprof and /api/v1/targets).
 */
function prometheusMeshProfile(): MeshProfile {
    return {
        serviceAccount: prometheusNames.serviceAccount,
        collectorPodLabels: { "app.kubernetes.io/name": prometheusNames.agent },
        kubeStateMetrics: {
            name: prometheusNames.kubeStateMetrics,
            selector: { "app.kubernetes.io/name": prometheusNames.kubeStateMetrics },
            port: kubeStateMetricsFacts.metricsPort,
        },
        permissivePorts: [],
    };
}

/** The collector's objects, by role. */
interface CollectorObjects {
    /** The mesh mode's Istio objects. */
    mesh: KubernetesObject[];
    /** The component's PriorityClass, unless the user names one. */
    priorityClass?: KubernetesObject;
    agent: {
        serviceAccount: KubernetesObject;
        service: KubernetesObject;
        disruptionBudget: KubernetesObject;
        clusterRole: KubernetesObject;
        clusterRoleBinding: KubernetesObject;
        shards: Array<{ configMap: KubernetesObject; statefulSet: KubernetesObject }>;
    };
    kubeStateMetrics: {
        serviceAccount: KubernetesObject;
        clusterRole: KubernetesObject;
        clusterRoleBinding: KubernetesObject;
        /** One, or one per shard. */
        instances: Array<{ service: KubernetesObject; deployment: KubernetesObject }>;
    };
}

/**
 * The collector's objects. Each shard's configuration carries the Azure values and the cluster's name: it
 * (and the checksum that rolls the shard) is computed once they are known.
 */
function collectorObjects(settings: PrometheusCollectorSettings, refs: CollectorRefs): CollectorObjects {
    const values = pulumi
        .all([refs.clientId, refs.tenantId, refs.remoteWriteUrl, settings.cluster.id])
        .apply(([clientId, tenantId, url, cluster]) => ({ clientId, tenantId, remoteWriteUrl: url, clusterName: cluster.clusterName }));
    const shards = Array.from({ length: settings.prometheus.shards }, (_, shard) => {
        const config = values.apply((known) => configText(prometheusConfig(settings, shard, known)));
        return { configMap: shardConfigMap(settings, shard, config), statefulSet: shardStatefulSet(settings, shard, config) };
    });
    const [agentRole, agentBinding] = agentDiscoveryRbac(settings);
    const [ksmRole, ksmBinding] = kubeStateMetricsRbac(settings);
    return {
        mesh: meshObjects(
            { namespace: settings.namespace, clusterDomain: settings.cluster.clusterDomain },
            settings.istio,
            prometheusMeshProfile(),
        ),
        priorityClass: settings.prometheus.priorityClassName === undefined ? priorityClass(settings) : undefined,
        agent: {
            serviceAccount: agentServiceAccount(settings, refs),
            service: agentService(settings),
            disruptionBudget: agentDisruptionBudget(settings),
            clusterRole: agentRole,
            clusterRoleBinding: agentBinding,
            shards,
        },
        kubeStateMetrics: {
            serviceAccount: kubeStateMetricsServiceAccount(settings),
            clusterRole: ksmRole,
            clusterRoleBinding: ksmBinding,
            instances: kubeStateMetricsInstances(settings),
        },
    };
}

/** Every Kubernetes object of the collector, in registration order. */
export function prometheusObjects(settings: PrometheusCollectorSettings, refs: CollectorRefs): KubernetesObject[] {
    const { mesh, priorityClass, agent, kubeStateMetrics: ksm } = collectorObjects(settings, refs);
    return [
        ...mesh,
        ...(priorityClass ? [priorityClass] : []),
        agent.clusterRole,
        agent.clusterRoleBinding,
        agent.serviceAccount,
        agent.service,
        ksm.clusterRole,
        ksm.clusterRoleBinding,
        ksm.serviceAccount,
        ...ksm.instances.flatMap((instance) => [instance.service, instance.deployment]),
        ...agent.shards.flatMap((shard) => [shard.configMap, shard.statefulSet]),
        agent.disruptionBudget,
    ];
}

/**
 * The pod label sets of the collector's workloads, for the mesh rules' selector checks: the labels every
 * shard's pods carry (each adds its shard number), and kube-state-metrics'.
 */
export const prometheusPodLabels: Array<Record<string, string>> = [agentPodLabels, kubeStateMetricsPodLabels];

export interface PrometheusCollector {
    identity: CollectorIdentity;
    /** Every object with its resource. */
    objects: Array<{ object: KubernetesObject; resource: pulumi.CustomResource }>;
}

/**
 * Registers the collector. Objects of the namespace wait for it. Each workload waits for what it needs at
 * start: its ServiceAccount (Workload ID's webhook reads it when the pod is created), RBAC, Service, the
 * PriorityClass and the mesh policy of the namespace; the shards also for their configuration, the role
 * assignment and the federated credential (without them the first writes fail). Nothing else waits on Azure:
 * kube-state-metrics does not use it.
 *
 * Shard k+1's StatefulSet also waits for shard k's. Pulumi registers a resource once those it depends on are
 * done, and pulumi-kubernetes finishes a StatefulSet's create or update only once its rollout has (its
 * StatefulSet awaiter, provider/pkg/await/statefulset.go: ready replicas and `currentRevision` equal to
 * `updateRevision`, unless the `pulumi.com/skipAwait` annotation is set, which the component never sets).
 * So a change that touches every shard (the configuration, the image, the Istio revision annotation on the
 * pod template) rolls them one at a time, each after the previous one is ready again.
 */
export function createPrometheusCollector(
    name: string,
    settings: PrometheusCollectorSettings,
    azure: AzureMonitor,
    opts: CollectorRegistration,
): PrometheusCollector {
    const parent = opts.parent;
    const identity = createCollectorIdentity(name, settings, prometheusNames.serviceAccount, azure.rule, { parent });
    const refs: CollectorRefs = {
        clientId: identity.clientId,
        tenantId: identity.tenantId,
        remoteWriteUrl: pulumi
            .all([
                requiredOutput(
                    name,
                    "the data collection endpoint",
                    "metricsIngestion.endpoint",
                    azure.endpoint.metricsIngestion.apply((ingestion) => ingestion?.endpoint),
                    "Prometheus's remote-write URL",
                ),
                requiredOutput(name, "the data collection rule", "immutableId", azure.rule.immutableId, "Prometheus's remote-write URL"),
            ])
            .apply(([endpoint, immutableId]) => remoteWriteUrl(endpoint, immutableId)),
    };
    const objects: PrometheusCollector["objects"] = [];
    const register = (object: KubernetesObject, dependsOn: pulumi.Resource[] = []) => {
        const resource = createCollectorObject(name, object, settings.namespace, opts, dependsOn);
        objects.push({ object, resource });
        return resource;
    };

    const { mesh, priorityClass, agent, kubeStateMetrics: ksm } = collectorObjects(settings, refs);
    // AuthorizationPolicies in the scraped workloads' namespaces wait for nothing, and nothing waits for them.
    const meshPolicy = mesh
        .map((object) => ({ object, resource: register(object) }))
        .filter(({ object }) => object.metadata.namespace === settings.namespace)
        .map(({ resource }) => resource);
    const podNeeds = [...(priorityClass ? [register(priorityClass)] : []), ...meshPolicy];

    const agentNeeds = [
        register(agent.clusterRole),
        register(agent.clusterRoleBinding),
        register(agent.serviceAccount),
        register(agent.service),
        ...podNeeds,
    ];
    const ksmNeeds = [register(ksm.clusterRole), register(ksm.clusterRoleBinding), register(ksm.serviceAccount), ...podNeeds];
    for (const instance of ksm.instances) {
        register(instance.deployment, [...ksmNeeds, register(instance.service)]);
    }
    let previous: pulumi.Resource | undefined;
    for (const shard of agent.shards) {
        const configMap = register(shard.configMap);
        previous = register(shard.statefulSet, [
            ...agentNeeds,
            configMap,
            identity.publisher,
            identity.credential,
            ...azure.collectorNeeds,
            ...(previous ? [previous] : []),
        ]);
    }
    register(agent.disruptionBudget);
    return { identity, objects };
}
