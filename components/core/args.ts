import * as pulumi from "@pulumi/pulumi";

/**
 * How the ama-metrics workloads join the Istio mesh.
 * - `sidecar`: every Linux workload is meshed (namespace injection label), STRICT mTLS in the namespace.
 * - `certificates`: only the collector gets a sidecar, which intercepts nothing and hands the collector
 *   its Istio certificate for mTLS scrapes (Istio's "scrape with Istio certs" pattern).
 * - `off`: no workload is meshed and no Istio object is created.
 */
export type MeshMode = "sidecar" | "certificates" | "off";

export const meshModes: readonly MeshMode[] = ["sidecar", "certificates", "off"];

/** Istio proxy resources for one workload (the `sidecar.istio.io/proxy*` pod annotations). */
export interface ProxyResources {
    /** CPU request of the proxy, e.g. "100m". */
    cpu?: string;
    /** Memory request of the proxy, e.g. "128Mi". */
    memory?: string;
    /** CPU limit of the proxy. */
    cpuLimit?: string;
    /** Memory limit of the proxy. */
    memoryLimit?: string;
}

/** The chart's workloads, by the name the component uses for them. */
export type Workload = "collector" | "targetAllocator" | "kubeStateMetrics" | "node" | "windowsNode";

export interface ClusterArgs {
    /**
     * The AKS cluster's resource id:
     * `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>`.
     * The agent fetches its data collection rule for this id, and the rule is associated with it.
     */
    resourceId: pulumi.Input<string>;
    /**
     * The cluster's Azure region, e.g. `westeurope`. A plain string: it names Azure resources and decides
     * whether a private cluster needs an endpoint of its own.
     */
    location: string;
    /** The cluster's Kubernetes version, e.g. `1.33.7`. The chart shapes RBAC, HPA and PDB by it. */
    kubernetesVersion: pulumi.Input<string>;
    /**
     * The cluster is private (API server without public access). With a workspace in another region, the
     * component then adds a data collection endpoint in the cluster's region (Microsoft's requirement).
     */
    private?: boolean;
    /** The chart's cloud setting. Default `azurepubliccloud`. */
    cloudEnvironment?: string;
    /** The cluster's DNS domain. Default `cluster.local`. */
    clusterDomain?: string;
}

export interface WorkspaceArgs {
    /**
     * Use this existing Azure Monitor workspace (resource id
     * `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Monitor/accounts/<name>`); the
     * component then creates no workspace.
     */
    resourceId?: pulumi.Input<string>;
    /** Name of the workspace to create. Default: `amw-<cluster name>`, cut to Azure's limit. */
    name?: string;
    /**
     * Region of the workspace, created or existing. Default: the cluster's region. The data collection
     * endpoint, rule and recording rules go to this region, as in Microsoft's template.
     */
    location?: string;
    /** Mark the created workspace `protect`ed: Pulumi then refuses to delete or replace it. Default false. */
    protect?: boolean;
}

export interface RecordingRulesArgs {
    /** Create Microsoft's recording rule groups. Default true. */
    enabled?: boolean;
    /** Also create the three Windows groups (for clusters with Windows node pools). Default false. */
    windows?: boolean;
}

export interface GrafanaArgs {
    /**
     * Principal id of an Azure Managed Grafana's managed identity. It gets "Monitoring Data Reader" on the
     * workspace.
     */
    principalId: pulumi.Input<string>;
}

export interface ChartArgs {
    /**
     * Chart reference: an OCI reference, a repository chart name or a local path. Default: the published
     * `oci://mcr.microsoft.com/azuremonitor/containerinsights/ciprod/ama-metrics`.
     */
    chart?: string;
    /** Chart version. Default: the version this package is tested with. */
    version?: string;
    /**
     * Release tag of the agent images; the four image tags derive from it (`<tag>`, `<tag>-win`,
     * `<tag>-targetallocator`, `<tag>-cfg`). Default: the chart version, as Microsoft publishes them.
     */
    imageTag?: string;
    /** Extra chart values, merged last (they win over the component's own values). No secrets here. */
    values?: pulumi.Input<Record<string, unknown>>;
    /** Do not wait for the chart's workloads to become ready. Default false. */
    skipAwait?: boolean;
    /**
     * Let the node agent receive OpenTelemetry metrics from applications (OTLP on the node's ports
     * 28333/28334; the chart's `AppmonitoringAgent.isOpenTelemetryMetricsEnabled`). In the sidecar mode
     * the component then opens those ports to clients outside the mesh. Default false.
     */
    openTelemetryMetrics?: boolean;
}

export interface TokenSecretArgs {
    /** Name of the secret AKS writes the agent's token to. Default `aad-msi-auth-token`. */
    name?: string;
    /** Namespace of that secret. Default `kube-system`. */
    namespace?: string;
}

export interface AuthorizationPolicyTarget {
    /** Namespace of the scraped workload; it must already be default-deny for this policy to matter. */
    namespace: string;
    /** Pod labels of the scraped workload (the policy's selector). At least one label. */
    selector: Record<string, string>;
    /** Container ports the collector may reach (the metrics ports). */
    ports: number[];
}

export interface IstioArgs {
    /** Mesh mode. Default `sidecar`. */
    mode?: MeshMode;
    /**
     * Istio revision (e.g. `asm-1-27` on the AKS add-on). Absent: a default-revision install, injected
     * through `istio-injection=enabled`.
     */
    revision?: string;
    /** Istio's root namespace. Default `istio-system`; `aks-istio-system` on the AKS add-on. */
    rootNamespace?: string;
    /** The mesh's trust domain, used in the collector's principal. Default `cluster.local`. */
    trustDomain?: string;
    /** sidecar mode: mesh the Linux node DaemonSet too. Default true. */
    meshNodeDaemonSet?: boolean;
    /**
     * sidecar mode: proxy resources per workload. Defaults: collector 100m/128Mi, node 200m/256Mi, the
     * others the mesh's defaults.
     */
    proxyResources?: Partial<Record<Exclude<Workload, "windowsNode">, ProxyResources>>;
    /** sidecar mode: create the egress ServiceEntry for the agent's Azure endpoints. Default true. */
    egressServiceEntry?: boolean;
    /**
     * sidecar mode: a mesh-wide DestinationRule forces `ISTIO_MUTUAL` for every host. The component then
     * adds DestinationRules with `tls.mode: DISABLE` for the agent's Azure endpoints. Default false.
     */
    meshWideIstioMutual?: boolean;
    /**
     * certificates mode: namespaces that are already default-deny, with the workloads the collector
     * scrapes there over mTLS. Each gets a selector-scoped ALLOW AuthorizationPolicy for the collector.
     */
    authorizationPolicies?: AuthorizationPolicyTarget[];
    /** certificates mode: restrict the mTLS scrape job to these namespaces. Default: all namespaces. */
    scrapeNamespaces?: string[];
}

export interface AmaMetricsIstioArgs {
    /** The AKS cluster. */
    cluster: ClusterArgs;
    /** Resource group for the Azure Monitor resources the component creates. */
    resourceGroupName: pulumi.Input<string>;
    /** Namespace of the agent. Default `monitoring`. Never `kube-system` or `default`. */
    namespace?: string;
    /** Create the namespace (default), or adopt an existing one (false): its labels are then patched. */
    createNamespace?: boolean;
    /** The Azure Monitor workspace: created by default, or an existing one. */
    workspace?: WorkspaceArgs;
    /** Microsoft's Prometheus recording rules. */
    recordingRules?: RecordingRulesArgs;
    /** Grant an Azure Managed Grafana read access to the workspace. */
    grafana?: GrafanaArgs;
    /** The ama-metrics Helm chart. */
    chart?: ChartArgs;
    /** The agent's token secret, which AKS keeps in kube-system. */
    tokenSecret?: TokenSecretArgs;
    /** The Istio side. */
    istio?: IstioArgs;
    /** Tags for the Azure resources the component creates. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}
