// The ama-metrics collector: Microsoft's published chart, relocated by the package's post-renderer, with
// what it needs around it: the rule's association with the cluster, the kube-system shims, the agent's
// settings and custom scrape jobs in its own namespace, and the protection of its target allocator.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { createAssociation } from "../azure/dataCollection";
import type { AzureMonitor } from "../azure";
import { KubernetesObject } from "../core/kubernetes";
import { CollectorRegistration, createCollectorObject } from "../core/register";
import { podMeshSettingsOf, type AmaMetricsCollectorSettings } from "../core/settings";
import { collectorOnlyAccess, meshObjects, MeshProfile } from "../mesh/objects";
import { mtlsScrapeJob } from "../mesh/scrapeJob";
import { chartFacts, chartNamespace, chartWorkloads } from "./facts";
import { postRendererCommand } from "./postRenderer";
import type { RelocationSettings } from "./relocate";
import { shimObjects } from "./shims";
import { componentValues, mergeValues, Values } from "./values";

/** The mesh objects' view of ama-metrics: its identity, and the node agent's OTLP ports for senders outside the mesh. */
function amaMetricsMeshProfile(settings: AmaMetricsCollectorSettings): MeshProfile {
    const mesh = settings.istio;
    return {
        serviceAccount: chartFacts.serviceAccount,
        // The collector Deployment scrapes kube-state-metrics (the chart's kubestateDefault job).
        collectorPodLabels: chartWorkloads.collector.podLabels,
        kubeStateMetrics: {
            name: chartWorkloads.kubeStateMetrics.name,
            selector: chartWorkloads.kubeStateMetrics.podLabels,
            // The ama-metrics-ksm Service's port and container port (test/fixtures/ama-metrics-chart).
            port: 8080,
        },
        permissivePorts:
            mesh.meshNodeDaemonSet && mesh.otlpIngestion
                ? [{ name: "ama-metrics-node-otlp", selector: chartWorkloads.node.podLabels, ports: chartFacts.nodeOtlpPorts }]
                : [],
        // The collector dials the target allocator at its kube-system address (the shims' alias Service).
        egressHosts: [`${chartNamespace}/${chartFacts.targetAllocatorService}.${chartNamespace}.svc.${settings.cluster.clusterDomain}`],
    };
}

/**
 * The target allocator hands out scrape targets, and with app-level TLS off the secrets of monitors too:
 * only the collector may call it. In the sidecar mode Istio enforces that with the collector's identity;
 * in the others, outside the mesh, a NetworkPolicy admits only the collector's pods (its health port stays
 * open to the kubelet's probes).
 */
export function targetAllocatorProtection(settings: AmaMetricsCollectorSettings): KubernetesObject {
    return collectorOnlyAccess(
        {
            name: chartFacts.targetAllocatorService,
            namespace: settings.namespace,
            selector: chartWorkloads.targetAllocator.podLabels,
            port: chartFacts.targetAllocatorPort,
            // Liveness probes of both containers (health-ta).
            openPorts: [8081],
        },
        settings.istio,
        amaMetricsMeshProfile(settings),
    );
}

/**
 * The agent's settings and custom scrape jobs, in its own namespace: it reads them only from there, as
 * optional volumes. The certificates mode's mTLS job comes after the user's jobs.
 */
export function configMaps(settings: AmaMetricsCollectorSettings): KubernetesObject[] {
    const objects: KubernetesObject[] = [];
    const names = chartFacts.configMaps;
    if (settings.chart.settings !== undefined) {
        objects.push({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: names.settings, namespace: settings.namespace },
            data: { ...settings.chart.settings },
        });
    }
    const jobs = [
        ...settings.scrapeConfigs,
        ...(settings.istio.mode === "certificates" ? [mtlsScrapeJob(settings.istio.scrapeNamespaces)] : []),
    ];
    if (jobs.length > 0) {
        objects.push({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: names.collectorConfig, namespace: settings.namespace },
            data: { [chartFacts.scrapeConfigKey]: YAML.stringify({ scrape_configs: jobs }, { lineWidth: 0 }) },
        });
    }
    return objects;
}

/** Every Kubernetes object the component itself registers for ama-metrics (the chart renders the rest). */
export function amaMetricsObjects(settings: AmaMetricsCollectorSettings): KubernetesObject[] {
    return [
        ...meshObjects(
            { namespace: settings.namespace, clusterDomain: settings.cluster.clusterDomain },
            settings.istio,
            amaMetricsMeshProfile(settings),
        ),
        targetAllocatorProtection(settings),
        ...configMaps(settings),
        ...shimObjects(settings),
    ];
}

/** The pod label sets of the chart's workloads, for the mesh rules' selector checks. */
export const amaMetricsPodLabels = Object.values(chartWorkloads).map((w) => w.podLabels);

/** The relocation the post-renderer applies, from the component's settings. */
export function relocationOptions(settings: AmaMetricsCollectorSettings): RelocationSettings {
    return {
        namespace: settings.namespace,
        tokenSecret: settings.tokenSecret,
        mesh: podMeshSettingsOf(settings.istio),
        ...(settings.chart.kindScopes !== undefined ? { kindScopes: settings.chart.kindScopes } : {}),
        ...(settings.chart.collectorReplicas !== undefined ? { collectorReplicas: settings.chart.collectorReplicas } : {}),
    };
}

export interface AmaMetricsCollector {
    association: pulumi.CustomResource;
    objects: pulumi.CustomResource[];
    chart: k8s.helm.v4.Chart;
}

/**
 * Registers the collector. `namespace` is what the objects of the agent's namespace wait for. The chart
 * waits for everything the agent needs at start: its namespace, its mesh policy, its settings, its
 * kube-system shims and its data collection rule association.
 */
export function createAmaMetricsCollector(
    name: string,
    settings: AmaMetricsCollectorSettings,
    azure: AzureMonitor,
    opts: CollectorRegistration,
): AmaMetricsCollector {
    const parent = opts.parent;
    const association = createAssociation(name, settings, azure.rule, { parent });
    const registered = amaMetricsObjects(settings).map((object) => ({
        object,
        resource: createCollectorObject(name, object, settings.namespace, opts),
    }));
    // AuthorizationPolicies in the scraped workloads' namespaces wait for nothing, and nothing waits for them.
    const neededAtStart = registered.filter(
        ({ object }) => object.metadata.namespace === settings.namespace || object.metadata.namespace === chartNamespace,
    );
    const values = pulumi
        .all([settings.cluster.id, settings.kubernetesVersion, settings.chart.values ?? {}])
        .apply(([cluster, kubernetesVersion, userValues]) =>
            mergeValues(
                componentValues({
                    clusterResourceId: cluster.id,
                    kubernetesVersion,
                    location: settings.cluster.location,
                    cloudEnvironment: settings.cluster.cloudEnvironment,
                    imageTag: settings.chart.imageTag,
                    openTelemetryMetrics: settings.chart.openTelemetryMetrics,
                }),
                userValues as Values,
            ),
        );
    const chart = new k8s.helm.v4.Chart(
        `${name}-chart`,
        {
            chart: settings.chart.chart,
            version: settings.chart.version,
            name: "ama-metrics",
            // Fills in namespaces the chart leaves out; the post-renderer moves the rest.
            namespace: settings.namespace,
            values,
            postRenderer: postRendererCommand(relocationOptions(settings)),
            skipAwait: settings.chart.skipAwait,
        },
        {
            parent,
            dependsOn: [...opts.namespace, ...neededAtStart.map(({ resource }) => resource), association, ...azure.collectorNeeds],
        },
    );
    return { association, objects: registered.map(({ resource }) => resource), chart };
}
