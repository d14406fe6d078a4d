// The component's arguments: the public contract. Values that can come from other resources or
// stacks are `pulumi.Input`s; values that decide which resources exist, or name them, are plain.

import * as pulumi from "@pulumi/pulumi";

/**
 * What collects the metrics.
 * - `prometheus`: Prometheus in agent mode, remote-writing with Microsoft Entra Workload ID
 *   (Microsoft's documented path for a self-managed collector).
 * - `ama-metrics`: Microsoft's published ama-metrics chart, relocated out of kube-system. Unsupported by
 *   Microsoft there, and it borrows the AKS add-on's token (see the README).
 */
export type Collector = "prometheus" | "ama-metrics";

/**
 * How the collector joins the Istio mesh.
 * - `sidecar`: the namespace is meshed, STRICT mTLS in it; the collector's calls to services are mTLS.
 * - `certificates`: only the collector gets a sidecar, which intercepts nothing and hands the collector
 *   its Istio certificate for mTLS scrapes (Istio's "scrape with Istio certs" pattern).
 * - `off`: no workload is meshed and no Istio object is created.
 */
export type MeshMode = "sidecar" | "certificates" | "off";

/** The chart's cloud setting; the collector's Azure endpoints follow it. */
export type CloudEnvironment = "azurepubliccloud" | "azureusgovernmentcloud" | "azurechinacloud";

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

/**
 * The collectors' workloads that can carry a sidecar. The prometheus collector has `collector` (its
 * shards) and `kubeStateMetrics`; ama-metrics has all four (Istio never injects its Windows DaemonSet).
 */
export type MeshableWorkloadRole = "collector" | "targetAllocator" | "kubeStateMetrics" | "node";

/** @deprecated The earlier name of {@link MeshableWorkloadRole}. */
export type MeshedWorkload = MeshableWorkloadRole;

/** CPU and memory, as a container's `resources` takes them. */
export interface ResourceQuantities {
    cpu?: string;
    memory?: string;
}

export interface ClusterArgs {
    /**
     * The AKS cluster's resource id:
     * `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>`.
     * Its last segment is the `cluster` label of every series, as Microsoft's recording rules expect.
     */
    resourceId: pulumi.Input<string>;
    /** The cluster's Azure region, e.g. `westeurope`. Plain: it names Azure resources. */
    location: string;
    /** ama-metrics: the cluster's Kubernetes version, e.g. `1.33.7`. The chart shapes RBAC, HPA and PDB by it. */
    kubernetesVersion?: pulumi.Input<string>;
    /**
     * prometheus (and ama-metrics with `prometheusIdentity`): the cluster's OIDC issuer URL (`az aks show --query oidcIssuerProfile.issuerUrl`). The
     * collector's federated credential trusts tokens from this issuer. The cluster needs the OIDC issuer and
     * Workload ID enabled.
     */
    oidcIssuerUrl?: pulumi.Input<string>;
    /**
     * The cluster's service CIDR. In the `sidecar` mode the collector's proxies capture only traffic to
     * services; everything else (nodes, pods, Azure) bypasses them. Default AKS's `10.0.0.0/16`.
     */
    serviceCidr?: string;
    /**
     * The collector ingests through private link (Azure Monitor Private Link Scope, `privateLinkScopeId`).
     * ama-metrics with the workspace in another region then also gets a data collection endpoint in the
     * cluster's region for its configuration (Microsoft's private link requirement).
     */
    private?: boolean;
    /**
     * ama-metrics, private: an existing data collection endpoint in the cluster's region that the cluster is
     * already associated with as `configurationAccessEndpoint` (for example by Container Insights). The
     * component then creates neither that endpoint nor the association.
     */
    configurationAccessEndpointId?: pulumi.Input<string>;
    /** The Azure cloud. Default `azurepubliccloud`. */
    cloudEnvironment?: CloudEnvironment;
    /** The cluster's DNS domain. Default `cluster.local`. */
    clusterDomain?: string;
}

/**
 * The `cluster` fields that have a default (`clusterArgumentDefaults` in arguments/schema.ts).
 * @internal
 */
export type ClusterDefaultedKey = "serviceCidr" | "private" | "cloudEnvironment" | "clusterDomain";

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
    /**
     * Protect the created workspace: Pulumi `protect` (it refuses to delete or replace it) and
     * `retainOnDelete` (a delete leaves it in Azure). Default true: a workspace has no soft delete, its
     * metrics go with it. `false` is the explicit opt-out.
     */
    protect?: boolean;
}

/**
 * The `workspace` fields that have a default (`workspaceArgumentDefaults` in arguments/schema.ts); `location`'s,
 * the cluster's region, is filled in by arguments/settings.ts.
 * @internal
 */
export type WorkspaceDefaultedKey = "protect";

export interface RecordingRulesArgs {
    /** Create Microsoft's recording rule groups. Default true. */
    enabled?: boolean;
    /**
     * Also create the three Windows groups (for clusters with Windows node pools). ama-metrics only: they
     * read windows-exporter series, which the prometheus collector does not scrape. Default false.
     */
    windows?: boolean;
}

/**
 * The `recordingRules` fields that have a default (`recordingRulesArgumentDefaults` in arguments/schema.ts).
 * @internal
 */
export type RecordingRulesDefaultedKey = "enabled" | "windows";

export interface AlertsArgs {
    /**
     * Create the collector's health alert rules in the workspace (remote write failing or behind, a shard
     * down, default job targets down) and, for a workspace the component creates, metric alerts on its
     * ingestion limits. Default true.
     */
    enabled?: boolean;
    /** Action groups (resource ids) every alert notifies. Default: none (alerts show in the portal only). */
    actionGroupIds?: pulumi.Input<string>[];
    /** Also create Microsoft's recommended Prometheus alert rules for AKS. Default false. */
    recommended?: boolean;
}

/**
 * The `alerts` fields that have a default (`alertsArgumentDefaults` in arguments/schema.ts).
 * @internal
 */
export type AlertsDefaultedKey = "enabled" | "actionGroupIds" | "recommended";

export interface GrafanaArgs {
    /** Principal id of an Azure Managed Grafana's managed identity: it gets "Monitoring Data Reader" on the workspace. */
    principalId: pulumi.Input<string>;
}

export interface PrometheusArgs {
    /** The Prometheus image. Default: the release this package is tested with (at least v3.14.0, see the README). */
    image?: string;
    /** Number of shards; each scrapes 1/N of the targets (Prometheus `hashmod`). Default 1, at most 32. */
    shards?: number;
    /** Requests and limits of each shard's Prometheus container. */
    resources?: { requests?: ResourceQuantities; limits?: ResourceQuantities };
    /** Scrape interval of the default jobs. Default `30s`, as the managed add-on. */
    scrapeInterval?: string;
    /**
     * Keep each shard's write-ahead log on a PersistentVolumeClaim of this size (and class; default: the
     * cluster's default StorageClass) instead of an emptyDir, so that samples not yet sent survive a restart
     * of the shard's pod. Turning it on or off, or changing it, replaces each shard's StatefulSet, one shard
     * after another (README "Data safety").
     */
    walVolume?: { size: string; storageClassName?: string };
    /**
     * An existing PriorityClass for the shards and kube-state-metrics. Default: the component creates its own,
     * `ama-metrics-istio-<namespace>` (README "Workloads").
     */
    priorityClassName?: string;
    /**
     * Run one kube-state-metrics per shard (`--shard`/`--total-shards`), each scraped by its shard alone, so
     * that no shard carries all of kube-state-metrics' series. Needs more than one shard (refused with one).
     * Default false.
     */
    shardKubeStateMetrics?: boolean;
    /**
     * The managed add-on's scrape targets, by the names of its `default-scrape-settings-enabled` settings, on
     * or off. Defaults as the add-on's; targets this collector cannot scrape are refused with the reason (see
     * the README's target table).
     */
    targets?: Partial<Record<PrometheusTarget, boolean>>;
    /**
     * A regular expression over namespace names: pods there annotated `prometheus.io/scrape: "true"` are
     * scraped (the add-on's `podannotationnamespaceregex`, job `kubernetes-pods`). Default: no such job.
     */
    podAnnotationNamespaces?: string;
    /** Scrape the kubelet of Windows nodes too (the add-on does so only with its Windows DaemonSet). Default false. */
    windowsKubelet?: boolean;
}

/**
 * The `prometheus` fields that have a default (its value next to the schema, `prometheusArgumentDefaults` in
 * prometheus/arguments.ts): the settings a builder reads have them filled in; the other fields stay optional.
 * @internal
 */
export type PrometheusDefaultedKey = "image" | "shards" | "scrapeInterval" | "shardKubeStateMetrics" | "windowsKubelet";

/** The add-on's scrape targets, as its settings ConfigMap names them. */
export type PrometheusTarget =
    | "kubelet"
    | "cadvisor"
    | "kubestate"
    | "nodeexporter"
    | "kappiebasic"
    | "networkobservabilityRetina"
    | "networkobservabilityHubble"
    | "networkobservabilityCilium"
    | "acstor-capacity-provisioner"
    | "acstor-metrics-exporter"
    | "coredns"
    | "kubeproxy"
    | "apiserver";

export interface ChartArgs {
    /**
     * Chart reference: an OCI reference, a repository chart name or a local path. Default: the published
     * `oci://mcr.microsoft.com/azuremonitor/containerinsights/ciprod/ama-metrics`.
     */
    chart?: string;
    /** Chart version. Default: the version this package is tested with. `-arc` versions are refused. */
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
     * 28333/28334; the chart's `AppmonitoringAgent.isOpenTelemetryMetricsEnabled`). Default false.
     */
    openTelemetryMetrics?: boolean;
    /**
     * The agent's settings: the data of the ConfigMap `ama-metrics-settings-configmap`, which the agent reads
     * from its own namespace (Microsoft's documentation puts it in kube-system, where the relocated agent
     * never looks). Keys of Microsoft's schema v2, as the stacks use them (Azure/prometheus-collector
     * otelcollector/configmaps/ama-metrics-settings-configmap-v2.yaml), e.g. `{ "schema-version": "v2",
     * "config-version": "1", "cluster-metrics": "default-targets-scrape-enabled: |-\n  coredns = true" }`.
     */
    settings?: Record<string, string>;
    /**
     * The scope of each kind a newer chart version renders that the relocation does not know, keyed
     * `<group>/<Kind>` (`/<Kind>` for the core group), e.g. `{ "autoscaling.k8s.io/VerticalPodAutoscaler":
     * "Namespaced" }`: the post-renderer's `--kind-scope`. Kinds the relocation knows are refused.
     */
    kindScopes?: Record<`${string}/${string}`, "Namespaced" | "Cluster">;
    /**
     * Bounds of the collector's autoscaler (`ama-metrics-hpa`), each from 2 to 30. Default: the chart's, 2
     * and 30. Microsoft's `kubectl patch hpa ama-metrics-hpa -n kube-system` does not reach the relocated
     * autoscaler, and a patch in the agent's namespace is undone by the next update: set them here.
     */
    collectorReplicas?: { min?: number; max?: number };
}

/**
 * The `chart` fields that have a default (its value next to the schema, `chartArgumentDefaults` in
 * amaMetrics/arguments.ts): the settings a builder reads have them filled in; the other fields stay optional.
 * @internal
 */
export type ChartDefaultedKey = "chart" | "version" | "skipAwait" | "openTelemetryMetrics";

export interface TokenSecretArgs {
    /** Name of the secret AKS writes the agent's token to. Default `aad-msi-auth-token`. */
    name?: string;
    /** Namespace of that secret. Default `kube-system`. */
    namespace?: string;
}

/**
 * The `tokenSecret` fields that have a default (`tokenSecretArgumentDefaults` in amaMetrics/arguments.ts).
 * @internal
 */
export type TokenSecretDefaultedKey = "name" | "namespace";

export interface AuthorizationPolicyTarget {
    /** Namespace of the scraped workload. */
    namespace: string;
    /** Pod labels of the scraped workload (the policy's selector). At least one label. */
    selector: Record<string, string>;
    /** Container ports the collector may reach (the metrics ports). */
    ports: number[];
    /**
     * Required, `true`: the workload is already default-deny. An ALLOW policy on a workload that is not
     * denies every request it does not match: the workload would be cut off from everything else.
     */
    acknowledgeDefaultDeny: boolean;
}

export interface IstioArgs {
    /** Mesh mode. Default `sidecar`. */
    mode?: MeshMode;
    /**
     * Istio revision (e.g. `asm-1-27` on the AKS add-on). Absent: a default-revision install, injected
     * through `istio-injection=enabled` (sidecar) or the pod label `sidecar.istio.io/inject` (certificates).
     */
    revision?: string;
    /**
     * certificates mode without a revision: `true` says that a default revision (or the `default` tag)
     * exists. Without one nothing would inject the collector, silently.
     */
    acknowledgeDefaultRevision?: boolean;
    /** Istio's root namespace. Default `istio-system`; `aks-istio-system` on the AKS add-on. */
    rootNamespace?: string;
    /** The mesh's trust domain, used in the collector's principal. Default `cluster.local`. */
    trustDomain?: string;
    /**
     * ama-metrics, sidecar mode: mesh the Linux node DaemonSet too. Default false: its only in-mesh peer is
     * the API server, and it would cost one proxy per node.
     */
    meshNodeDaemonSet?: boolean;
    /** Proxy resources per meshed workload. Defaults: collector 100m/128Mi, node 200m/256Mi. */
    proxyResources?: Partial<Record<MeshableWorkloadRole, ProxyResources>>;
    /**
     * sidecar mode: further ranges the proxies must not capture inside `cluster.serviceCidr`. Per-pod
     * capture annotations replace the mesh-wide ones.
     */
    extraExcludeOutboundIPRanges?: string[];
    /** sidecar mode: outbound ports the proxies must not capture. */
    extraExcludeOutboundPorts?: number[];
    /**
     * certificates mode: workloads in default-deny namespaces that the collector scrapes over mTLS. Each
     * gets a selector-scoped ALLOW AuthorizationPolicy for the collector's principal.
     */
    authorizationPolicies?: AuthorizationPolicyTarget[];
    /** certificates mode: restrict the mTLS scrape job to these namespaces. Default: all namespaces. */
    scrapeNamespaces?: string[];
}

/**
 * The `istio` fields that have a default (`istioArgumentDefaults` in mesh/arguments.ts); `proxyResources` is
 * merged per workload by mesh/settings.ts.
 * @internal
 */
export type IstioDefaultedKey =
    | "mode"
    | "acknowledgeDefaultRevision"
    | "rootNamespace"
    | "trustDomain"
    | "meshNodeDaemonSet"
    | "extraExcludeOutboundIPRanges"
    | "extraExcludeOutboundPorts"
    | "authorizationPolicies"
    | "scrapeNamespaces";

/**
 * The `istio` arguments that shape the collector's pods: the component applies them, and `relocate` and the
 * post-renderer's flags take exactly these (a key added here does not compile until each of them has it).
 */
export type PodMeshKey =
    "mode" | "revision" | "meshNodeDaemonSet" | "proxyResources" | "extraExcludeOutboundIPRanges" | "extraExcludeOutboundPorts";

/** The pod-level mesh arguments, as `istio` spells them. */
export type PodMeshArgs = Pick<IstioArgs, PodMeshKey>;

/** A Prometheus `scrape_config` (https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config). */
export type ScrapeConfig = Record<string, unknown> & { job_name: string };

export interface AmaMetricsIstioArgs {
    /** The collector. Default `prometheus`. */
    collector?: Collector;
    /** The AKS cluster. */
    cluster: ClusterArgs;
    /** Resource group for the Azure Monitor resources the component creates. */
    resourceGroupName: pulumi.Input<string>;
    /** The collector's namespace. Default `monitoring`. Never `kube-system`, `default` or Istio's. */
    namespace?: string;
    /** Create the namespace (default), or adopt an existing one (false): its labels are then patched. */
    createNamespace?: boolean;
    /** The Azure Monitor workspace: created by default, or an existing one. */
    workspace?: WorkspaceArgs;
    /** Microsoft's Prometheus recording rules. */
    recordingRules?: RecordingRulesArgs;
    /**
     * Grant an Azure Managed Grafana read access to the workspace the component creates (with an existing
     * workspace, grant it where that workspace is created: Azure allows one such assignment).
     */
    grafana?: GrafanaArgs;
    /** Alerts on the collector's health and the workspace's ingestion limits. */
    alerts?: AlertsArgs;
    /**
     * An Azure Monitor Private Link Scope (resource id). Every data collection endpoint the component creates
     * is linked to it. Requires `cluster.private`.
     */
    privateLinkScopeId?: pulumi.Input<string>;
    /** prometheus: the collector's image, shards, resources and scrape interval. */
    prometheus?: PrometheusArgs;
    /**
     * Extra Prometheus scrape jobs, for both collectors (ama-metrics: in its custom configuration ConfigMap in
     * the agent's namespace). A job may not reuse a default job's name. prometheus: a job without
     * `sample_limit` gets 50,000 samples per target.
     */
    scrapeConfigs?: ScrapeConfig[];
    /** ama-metrics: the Helm chart. */
    chart?: ChartArgs;
    /** ama-metrics: the agent's token secret, which AKS keeps in kube-system. */
    tokenSecret?: TokenSecretArgs;
    /** The Istio side. */
    istio?: IstioArgs;
    /** Tags for the Azure resources the component creates. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * ama-metrics: also create the prometheus collector's identity, federated credential and role assignment
     * (under the names the prometheus collector gives them), so that a later switch to `collector:
     * "prometheus"` finds its role already applied (README "Switching collectors"). Needs
     * `cluster.oidcIssuerUrl`. Default false.
     */
    prometheusIdentity?: boolean;
}

/**
 * The fields of `AmaMetricsIstioArgs` that are groups of their own, each with its settings type (core/settings.ts):
 * every other field is a top-level field, and reaches the settings as given or with its default.
 * @internal
 */
export type ArgumentGroupKey = "cluster" | "workspace" | "recordingRules" | "alerts" | "prometheus" | "chart" | "tokenSecret" | "istio";

/**
 * The top-level fields that have a default (`topLevelArgumentDefaults` in arguments/schema.ts).
 * @internal
 */
export type TopLevelDefaultedKey = "collector" | "namespace" | "createNamespace" | "scrapeConfigs";
