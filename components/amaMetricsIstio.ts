import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { amaMetricsObjects, amaMetricsPodLabels, createAmaMetricsCollector } from "./amaMetrics";
import { chartFacts } from "./amaMetrics/facts";
import { createAzureMonitor } from "./azure";
import { AmaMetricsIstioArgs } from "./core/args";
import { AmaMetricsIstioArgumentError, problem } from "./core/errors";
import { KubernetesObject } from "./core/kubernetes";
import { validateArgs } from "./arguments/validate";
import { ComponentSettings } from "./core/settings";
import { collectorPrincipal, namespaceLabels } from "./mesh/objects";
import { assertMeshObjects } from "./mesh/rules";
import { createPrometheusCollector, prometheusObjects, prometheusPodLabels } from "./prometheus";
import { prometheusNames } from "./prometheus/facts";
import { createCollectorIdentity } from "./prometheus/identity";
import { verifyArgs } from "./verify/args";

export const componentType = "ama-metrics-istio:index:AmaMetricsIstio";

/** The provider packages the component registers resources of: each must come from the caller. */
const requiredProviders = ["kubernetes", "azure-native"] as const;

/**
 * Azure Monitor managed Prometheus for an AKS cluster, collected from a namespace of its own inside an
 * Istio mesh: the Azure side (workspace, data collection endpoint and rule, recording rules, Grafana
 * access), the collector (Prometheus with Workload ID, or the relocated ama-metrics chart), and the mesh
 * objects of the chosen mode.
 */
export class AmaMetricsIstio extends pulumi.ComponentResource {
    /** Resource id of the Azure Monitor workspace (created or given). */
    public readonly workspaceId: pulumi.Output<string>;
    /** The workspace's Prometheus query endpoint, for Grafana and PromQL clients. */
    public readonly prometheusQueryEndpoint: pulumi.Output<string>;
    /** Resource id of the data collection endpoint the collector ingests through. */
    public readonly dataCollectionEndpointId: pulumi.Output<string>;
    /** Resource id of the data collection rule the collector writes through. */
    public readonly dataCollectionRuleId: pulumi.Output<string>;
    /** The collector's namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** The collector's mesh identity, `<trust domain>/ns/<namespace>/sa/<service account>`. */
    public readonly collectorPrincipal: pulumi.Output<string>;
    /** prometheus: the client id of the collector's user-assigned identity; undefined for ama-metrics. */
    public readonly collectorIdentityClientId: pulumi.Output<string | undefined>;
    /**
     * The arguments of `ama-metrics-istio-verify` that check this installation, the Azure side included:
     * `npx ama-metrics-istio-verify $(pulumi stack output verifyArgs --json | jq -r '.[]')`.
     */
    public readonly verifyArgs: pulumi.Output<string[]>;

    constructor(name: string, args: AmaMetricsIstioArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Every argument is checked before the component (or anything under it) is registered.
        const settings = validateArgs(name, args);
        checkProviders(name, opts);
        // Everything the component emits goes through the mesh rules it offers the whole organisation.
        assertMeshObjects([namespaceObject(settings), ...plannedObjects(settings)], {
            rootNamespace: settings.istio.rootNamespace,
            podLabels: { [settings.namespace]: settings.collector === "prometheus" ? prometheusPodLabels : amaMetricsPodLabels },
        });

        super(componentType, name, {}, opts);

        const azure = createAzureMonitor(name, settings, { parent: this });
        const namespace = createNamespace(name, settings, this);
        const inNamespace = { parent: this, namespace: namespace ? [namespace] : [] };
        const collector =
            settings.collector === "prometheus"
                ? createPrometheusCollector(name, settings, azure, inNamespace)
                : createAmaMetricsCollector(name, settings, azure, inNamespace);
        // ama-metrics with prometheusIdentity: the prometheus collector's identity, as that collector registers it.
        if (settings.collector === "ama-metrics" && settings.prometheusIdentity) {
            createCollectorIdentity(name, { ...settings, ...settings.prometheusIdentity }, prometheusNames.serviceAccount, azure.rule, {
                parent: this,
            });
        }

        this.workspaceId = azure.workspace.id;
        this.prometheusQueryEndpoint = azure.workspace.prometheusQueryEndpoint;
        this.dataCollectionEndpointId = azure.endpoint.id;
        this.dataCollectionRuleId = azure.rule.id;
        this.namespace = namespace instanceof k8s.core.v1.Namespace ? namespace.metadata.name : pulumi.output(settings.namespace);
        this.collectorPrincipal = pulumi.output(
            collectorPrincipal(settings.istio.trustDomain, settings.namespace, serviceAccountOf(settings)),
        );
        this.collectorIdentityClientId = "identity" in collector ? collector.identity.identity.clientId : pulumi.output(undefined);
        this.verifyArgs = pulumi.all([settings.cluster.id, azure.workspace.id]).apply(([cluster, workspaceId]) =>
            verifyArgs({
                namespace: settings.namespace,
                collector: settings.collector,
                meshMode: settings.istio.mode,
                revision: settings.istio.revision,
                meshNode: settings.istio.meshNodeDaemonSet,
                shards: settings.collector === "prometheus" ? settings.prometheus.shards : undefined,
                shardedKubeStateMetrics: settings.collector === "prometheus" ? settings.prometheus.shardKubeStateMetrics : undefined,
                tokenSecret: settings.collector === "ama-metrics" ? settings.tokenSecret : undefined,
                azure: { clusterId: cluster.id, workspaceId },
            }),
        );
        this.registerOutputs({
            workspaceId: this.workspaceId,
            prometheusQueryEndpoint: this.prometheusQueryEndpoint,
            dataCollectionEndpointId: this.dataCollectionEndpointId,
            dataCollectionRuleId: this.dataCollectionRuleId,
            namespace: this.namespace,
            collectorPrincipal: this.collectorPrincipal,
            collectorIdentityClientId: this.collectorIdentityClientId,
            verifyArgs: this.verifyArgs,
        });
    }
}

/**
 * The component refuses to fall back to default providers: an ambient kubeconfig or subscription is how a
 * library deploys to the wrong cluster.
 */
function checkProviders(name: string, opts: pulumi.ComponentResourceOptions): void {
    // The SDK's own resolution: explicit providers (a map or a list), else the parent's.
    const packageOf = (provider: pulumi.ProviderResource) => (provider as unknown as { getPackage(): string }).getPackage();
    const providers = opts.providers ?? {};
    const given = (pkg: string) =>
        (Array.isArray(providers) ? providers.some((p) => packageOf(p) === pkg) : pkg in providers) ||
        (opts.provider !== undefined && packageOf(opts.provider) === pkg) ||
        opts.parent?.getProvider(`${pkg}::`) !== undefined;
    const missing = requiredProviders.filter((pkg) => !given(pkg));
    if (missing.length > 0) {
        throw new AmaMetricsIstioArgumentError(
            name,
            missing.map((pkg) =>
                problem(
                    `opts.providers["${pkg}"]`,
                    undefined,
                    "missing: the component never falls back to a default provider, since an ambient kubeconfig or subscription is how a library deploys to the wrong place",
                    'pass explicit providers: { providers: { kubernetes, "azure-native": azure } }',
                ),
            ),
        );
    }
}

function serviceAccountOf(settings: ComponentSettings): string {
    return settings.collector === "prometheus" ? prometheusNames.serviceAccount : chartFacts.serviceAccount;
}

/**
 * The collector's objects as they will be registered, for the mesh rules. The prometheus collector's carry
 * Azure values that exist only once its identity does; the rules read none of them.
 */
function plannedObjects(settings: ComponentSettings): KubernetesObject[] {
    if (settings.collector === "prometheus") {
        const pending = "(known after the identity is created)";
        return prometheusObjects(settings, { clientId: pending, tenantId: pending, remoteWriteUrl: pending });
    }
    return amaMetricsObjects(settings);
}

function namespaceObject(settings: ComponentSettings): KubernetesObject {
    const labels = namespaceLabels(settings.istio);
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: settings.namespace, ...(Object.keys(labels).length ? { labels } : {}) },
    };
}

/**
 * Creates the namespace, or adopts an existing one: a server-side apply patch then owns just the mesh label
 * (pulumi-kubernetes refuses to create an object that already exists). Nothing, when there is nothing to own.
 */
function createNamespace(name: string, settings: ComponentSettings, parent: pulumi.Resource): pulumi.CustomResource | undefined {
    const { metadata } = namespaceObject(settings);
    if (settings.createNamespace) {
        return new k8s.core.v1.Namespace(`${name}-namespace`, { metadata }, { parent });
    }
    if (metadata.labels === undefined) {
        return undefined;
    }
    // The injection label is the component's to decide: take it over from whoever set it before (an older
    // revision's label, say) instead of failing on the field manager conflict.
    return new k8s.core.v1.NamespacePatch(
        `${name}-namespace-labels`,
        { metadata: { ...metadata, annotations: { "pulumi.com/patchForce": "true" } } },
        { parent },
    );
}
