import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { agentServiceAccount, workloads } from "./agent";
import { createAzureMonitor } from "./azureMonitor";
import { componentValues, createChart, createShims, mergeValues, shimManifests, Values } from "./chart";
import { meshObjects, namespaceLabels, registerMeshObjects } from "./istio";
import { assertMeshObjects, KubernetesObject } from "./meshRules";
import { collectorPrincipal, Settings } from "./settings";
import { AmaMetricsIstioArgs } from "./types";
import { aksResourceIdProblem, checkedInput, kubernetesVersionProblem, principalIdProblem, validateArgs, workspaceIdProblem } from "./validation";

export const componentType = "ama-metrics-istio:index:AmaMetricsIstio";

/**
 * Azure Monitor managed Prometheus (the ama-metrics agent) on an AKS cluster, deployed outside
 * kube-system into a namespace of its own, with the Istio objects its mesh mode needs.
 *
 * Azure: workspace (or an existing one) → data collection endpoint → rule → association with the
 * cluster, plus recording rules and optional Grafana access. Kubernetes: the namespace, the kube-system
 * shims, the mesh objects, then the published chart relocated by the package's post-renderer.
 */
export class AmaMetricsIstio extends pulumi.ComponentResource {
    /** Resource id of the Azure Monitor workspace (created or given). */
    public readonly workspaceId: pulumi.Output<string>;
    /** The workspace's Prometheus query endpoint, for Grafana and PromQL clients. */
    public readonly prometheusQueryEndpoint: pulumi.Output<string>;
    /** Resource id of the data collection endpoint the agent ingests through. */
    public readonly dataCollectionEndpointId: pulumi.Output<string>;
    /** Resource id of the data collection rule associated with the cluster. */
    public readonly dataCollectionRuleId: pulumi.Output<string>;
    /** The agent's namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** The collector's mesh identity, `<trust domain>/ns/<namespace>/sa/ama-metrics-serviceaccount`. */
    public readonly collectorPrincipal: pulumi.Output<string>;

    constructor(name: string, args: AmaMetricsIstioArgs, opts?: pulumi.ComponentResourceOptions) {
        // Every argument is checked before the component (or anything under it) is registered.
        const settings = checkDeferredInputs(name, validateArgs(name, args));
        const mesh = meshObjects({ namespace: settings.namespace, mesh: settings.istio });
        const labels = namespaceLabels(settings.istio);
        // Everything the component emits goes through the same rules it offers the whole organisation.
        const shims = Object.values(shimManifests(settings)) as KubernetesObject[];
        assertMeshObjects([namespaceManifest(settings.namespace, labels), ...mesh, ...shims], {
            rootNamespace: settings.istio.rootNamespace,
            podLabels: { [settings.namespace]: Object.values(workloads).map((w) => w.podLabels) },
        });

        super(componentType, name, {}, opts);

        const azure = createAzureMonitor(name, settings, { parent: this });

        const namespace = createNamespace(name, settings.namespace, labels, settings.createNamespace, this);
        const inNamespace: pulumi.CustomResourceOptions = { parent: this, dependsOn: namespace ? [namespace] : [] };
        const meshResources = registerMeshObjects(name, mesh, (object) =>
            object.metadata.namespace === settings.namespace ? inNamespace : { parent: this },
        );
        const shimResources = createShims(name, settings, inNamespace);

        const values = pulumi
            .all([settings.cluster.resourceId, settings.cluster.kubernetesVersion, settings.chart.values ?? {}])
            .apply(([clusterResourceId, kubernetesVersion, userValues]) =>
                mergeValues(
                    componentValues({
                        clusterResourceId,
                        kubernetesVersion,
                        location: settings.cluster.location,
                        cloudEnvironment: settings.cluster.cloudEnvironment,
                        imageTag: settings.chart.imageTag,
                        openTelemetryMetrics: settings.chart.openTelemetryMetrics,
                    }),
                    userValues as Values,
                ),
            );
        const inAgentNamespace = meshResources.filter((_, i) => mesh[i].metadata.namespace === settings.namespace);
        createChart(name, settings, values, {
            parent: this,
            // The agent starts with its namespace, its kube-system shims, its mesh policy and its data
            // collection rule association in place.
            dependsOn: [...(namespace ? [namespace] : []), ...shimResources, ...inAgentNamespace, azure.association],
        });

        this.workspaceId = azure.workspaceId;
        this.prometheusQueryEndpoint = azure.prometheusQueryEndpoint;
        this.dataCollectionEndpointId = azure.dataCollectionEndpoint.id;
        this.dataCollectionRuleId = azure.dataCollectionRule.id;
        this.namespace = namespace instanceof k8s.core.v1.Namespace ? namespace.metadata.name : pulumi.output(settings.namespace);
        this.collectorPrincipal = pulumi.output(collectorPrincipal(settings.istio.trustDomain, settings.namespace, agentServiceAccount));
        this.registerOutputs({
            workspaceId: this.workspaceId,
            prometheusQueryEndpoint: this.prometheusQueryEndpoint,
            dataCollectionEndpointId: this.dataCollectionEndpointId,
            dataCollectionRuleId: this.dataCollectionRuleId,
            namespace: this.namespace,
            collectorPrincipal: this.collectorPrincipal,
        });
    }
}

/** Inputs that may only be known later (outputs of other resources or stacks) get checked when known. */
function checkDeferredInputs(name: string, settings: Settings): Settings {
    return {
        ...settings,
        cluster: {
            ...settings.cluster,
            resourceId: checkedInput(name, settings.cluster.resourceId, aksResourceIdProblem),
            kubernetesVersion: checkedInput(name, settings.cluster.kubernetesVersion, kubernetesVersionProblem),
        },
        workspace: {
            ...settings.workspace,
            resourceId: settings.workspace.resourceId === undefined ? undefined : checkedInput(name, settings.workspace.resourceId, workspaceIdProblem),
        },
        grafana: settings.grafana ? { principalId: checkedInput(name, settings.grafana.principalId, principalIdProblem) } : undefined,
    };
}

function namespaceManifest(name: string, labels: Record<string, string>): KubernetesObject {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, ...(Object.keys(labels).length ? { labels } : {}) } };
}

/**
 * Creates the namespace, or adopts an existing one: a server-side apply patch then owns just the mesh
 * labels (pulumi-kubernetes refuses to create an object that already exists).
 */
function createNamespace(
    name: string,
    namespace: string,
    labels: Record<string, string>,
    create: boolean,
    parent: pulumi.Resource,
): pulumi.CustomResource | undefined {
    const metadata = namespaceManifest(namespace, labels).metadata;
    if (create) {
        return new k8s.core.v1.Namespace(`${name}-namespace`, { metadata }, { parent });
    }
    if (Object.keys(labels).length === 0) {
        return undefined;
    }
    // The injection label is the component's to decide: take it over from whoever set it before
    // (an older revision's label, say) instead of failing on the field manager conflict.
    const patch = { ...metadata, annotations: { "pulumi.com/patchForce": "true" } };
    return new k8s.core.v1.NamespacePatch(`${name}-namespace-labels`, { metadata: patch }, { parent });
}
