// Everything the command can read from the API server, once each: where (path), what comes back, and the
// RBAC rule that allows it. The checks name the reads they need (checks/), the snapshot fetches what the
// applicable checks name, and the README's ClusterRole and namespaced Role are derived from this table (rbac.ts).

import { chartFacts, chartNamespace } from "../amaMetrics/facts";
import { tokenReaderName } from "../amaMetrics/shims";
import { dataplaneModeLabel } from "../mesh/pod";
import { prometheusNames } from "../prometheus/facts";
import type { AzureSnapshot } from "./azure";
import type { ServedObject, PeerAuthentication, Pod, Role, RoleBinding, Secret, Service, WorkloadObject } from "./kubeObjects";
import type { VerifyOptions } from "./types";
import { ExpectedWorkload, expectedWorkloads, shardWorkloads } from "./workloads";

/** One read: the object, its absence (404), or the API's refusal, failure or an answer of the wrong shape. */
export type Fetched<T> =
    | { state: "found"; value: T; date?: Date }
    | { state: "missing"; path: string }
    | { state: "error"; path: string; status: number; reason: string };

/** What RBAC sees of a request: API group, resource (with subresource), verb and, for a get, the name. */
interface RbacRule {
    group: string;
    resource: string;
    verbs: readonly ("get" | "list" | "create")[];
    /** Only these names (a secret, say); every name when absent. */
    resourceNames?: (options: VerifyOptions) => string[];
    /** Why the role has this rule, for its comment. */
    why?: string;
    /**
     * Where it is granted: cluster-wide (the ClusterRole, the default) or only in the collector's namespace
     * (the Role there), for a read that only ever goes to that namespace and would reach too far cluster-wide.
     */
    scope?: RbacScope;
}

export type RbacScope = "cluster" | "collectorNamespace";

type KubeRead = JsonRead | PodHttpRead;

/** A JSON object or list from the API server; only a read in the collector's namespace may be granted only there. */
type JsonRead = {
    shape: "object" | "list";
    path: (options: VerifyOptions) => string;
} & (
    | {
          /** In the collector's namespace: not read when that namespace does not exist. */
          namespaced: true;
          rbac: RbacRule;
      }
    | { namespaced: false; rbac: RbacRule & { scope?: "cluster" } }
);

/** A GET on a port of each running pod of some of the collector's workloads, through a port-forward, by pod name. */
export interface PodHttpRead {
    shape: "podHttp";
    namespaced: true;
    workloads: (options: VerifyOptions) => ExpectedWorkload[];
    port: number;
    /** The HTTP path on the pod. */
    path: string;
    rbac: RbacRule;
}

/**
 * Port-forwards are a websocket GET, authorized as get and, from Kubernetes 1.35, create (see shardMetrics).
 * Granted in the collector's namespace only: every forward goes to a pod there (snapshot.ts), and
 * cluster-wide it would open every pod's loopback, Envoy's admin port included (15000, pod-internal only:
 * istio.io, "Application Requirements", Ports used by Istio).
 */
const portForwardRule = {
    group: "",
    resource: "pods/portforward",
    verbs: ["get", "create"],
    scope: "collectorNamespace",
    why: "remote-write.healthy and target-allocator.collectors read the pods' own /metrics through a port-forward, which arrives on the pod's loopback",
} as const;

const apps = (plural: string) => (ns: string) => `/apis/apps/v1/namespaces/${ns}/${plural}`;

const ambientSelector = encodeURIComponent(`${dataplaneModeLabel}=ambient`);

/** The Service the API server keeps for itself: the first address of the cluster's service range. */
export const apiServerService = { namespace: "default", name: "kubernetes" };

export const kubeReads = {
    namespace: {
        shape: "object",
        namespaced: false,
        path: (o) => `/api/v1/namespaces/${o.namespace}`,
        rbac: { group: "", resource: "namespaces", verbs: ["get"] },
    },
    deployments: {
        shape: "list",
        namespaced: true,
        path: (o) => apps("deployments")(o.namespace),
        rbac: { group: "apps", resource: "deployments", verbs: ["list"] },
    },
    statefulSets: {
        shape: "list",
        namespaced: true,
        path: (o) => apps("statefulsets")(o.namespace),
        rbac: { group: "apps", resource: "statefulsets", verbs: ["list"] },
    },
    daemonSets: {
        shape: "list",
        namespaced: true,
        path: (o) => apps("daemonsets")(o.namespace),
        rbac: { group: "apps", resource: "daemonsets", verbs: ["list"] },
    },
    pods: {
        shape: "list",
        namespaced: true,
        path: (o) => `/api/v1/namespaces/${o.namespace}/pods`,
        rbac: { group: "", resource: "pods", verbs: ["list"] },
    },
    peerAuthentications: {
        shape: "list",
        namespaced: true,
        path: (o) => `/apis/security.istio.io/v1/namespaces/${o.namespace}/peerauthentications`,
        rbac: { group: "security.istio.io", resource: "peerauthentications", verbs: ["list"] },
    },
    serviceAccount: {
        shape: "object",
        namespaced: true,
        path: (o) => `/api/v1/namespaces/${o.namespace}/serviceaccounts/${prometheusNames.serviceAccount}`,
        rbac: { group: "", resource: "serviceaccounts", verbs: ["get"] },
    },
    /** Each running shard pod's `/metrics`, by pod name; the list of pods comes first. */
    shardMetrics: {
        shape: "podHttp",
        namespaced: true,
        workloads: (o) => shardWorkloads(o.shards),
        port: prometheusNames.webPort,
        path: "/metrics",
        // A websocket port-forward is a GET upgrade, authorized as `get` on pods/portforward; from Kubernetes
        // 1.35 also as `create` (kubernetes/kubernetes #134577, gate AuthorizePodWebsocketUpgradeCreatePermission,
        // KEP-4006, on by default). It opens no write path into the cluster: the command sends only GET /metrics.
        rbac: portForwardRule,
    },
    /** The ama-metrics target allocator's own `/metrics` (its HTTP server, otel-allocator server/server.go). */
    allocatorMetrics: {
        shape: "podHttp",
        namespaced: true,
        workloads: (o) => expectedWorkloads(o).filter((w) => w.role === "targetAllocator"),
        port: chartFacts.targetAllocatorPort,
        path: "/metrics",
        rbac: portForwardRule,
    },
    /** Namespaces that Istio's ambient data plane captures, cluster-wide. */
    ambientNamespaces: {
        shape: "list",
        namespaced: false,
        path: () => `/api/v1/namespaces?labelSelector=${ambientSelector}`,
        rbac: { group: "", resource: "namespaces", verbs: ["list"] },
    },
    /** Pods that opt into ambient themselves, cluster-wide. */
    ambientPods: {
        shape: "list",
        namespaced: false,
        path: () => `/api/v1/pods?labelSelector=${ambientSelector}`,
        rbac: { group: "", resource: "pods", verbs: ["list"] },
    },
    kubeSystemDeployments: {
        shape: "list",
        namespaced: false,
        path: () => apps("deployments")(chartNamespace),
        rbac: { group: "apps", resource: "deployments", verbs: ["list"] },
    },
    kubeSystemDaemonSets: {
        shape: "list",
        namespaced: false,
        path: () => apps("daemonsets")(chartNamespace),
        rbac: { group: "apps", resource: "daemonsets", verbs: ["list"] },
    },
    kubernetesService: {
        shape: "object",
        namespaced: false,
        path: () => `/api/v1/namespaces/${apiServerService.namespace}/services/${apiServerService.name}`,
        rbac: { group: "", resource: "services", verbs: ["get"] },
    },
    tokenSecret: {
        shape: "object",
        namespaced: false,
        path: (o) => `/api/v1/namespaces/${o.tokenSecret.namespace}/secrets/${o.tokenSecret.name}`,
        rbac: {
            group: "",
            resource: "secrets",
            verbs: ["get"],
            resourceNames: (o) => [o.tokenSecret.name],
            why: "token.expiry reads the borrowed token's expiry (ama-metrics only); the token is never printed. With --token-secret, name that secret here instead",
        },
    },
    alias: {
        shape: "object",
        namespaced: false,
        path: () => `/api/v1/namespaces/${chartNamespace}/services/${chartFacts.targetAllocatorService}`,
        rbac: { group: "", resource: "services", verbs: ["get"] },
    },
    tokenReaderRole: {
        shape: "object",
        namespaced: false,
        path: (o) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${o.tokenSecret.namespace}/roles/${tokenReaderName(o.namespace)}`,
        rbac: { group: "rbac.authorization.k8s.io", resource: "roles", verbs: ["get"] },
    },
    tokenReaderBinding: {
        shape: "object",
        namespaced: false,
        path: (o) =>
            `/apis/rbac.authorization.k8s.io/v1/namespaces/${o.tokenSecret.namespace}/rolebindings/${tokenReaderName(o.namespace)}`,
        rbac: { group: "rbac.authorization.k8s.io", resource: "rolebindings", verbs: ["get"] },
    },
} as const satisfies Record<string, KubeRead>;

export type KubeReadId = keyof typeof kubeReads;

/** What each read gives. `azure` is the whole Azure side (azure.ts), read with `--azure`. */
export interface ReadValues {
    namespace: ServedObject;
    deployments: WorkloadObject[];
    statefulSets: WorkloadObject[];
    daemonSets: WorkloadObject[];
    pods: Pod[];
    peerAuthentications: PeerAuthentication[];
    serviceAccount: ServedObject;
    shardMetrics: Record<string, Fetched<string>>;
    allocatorMetrics: Record<string, Fetched<string>>;
    ambientNamespaces: ServedObject[];
    ambientPods: Pod[];
    kubeSystemDeployments: WorkloadObject[];
    kubeSystemDaemonSets: WorkloadObject[];
    kubernetesService: Service;
    tokenSecret: Secret;
    alias: Service;
    tokenReaderRole: Role;
    tokenReaderBinding: RoleBinding;
    azure: AzureSnapshot;
}

export type ReadId = keyof ReadValues;

/** Everything that was read; a read no applicable check names is absent. */
export type Snapshot = { [K in ReadId]?: Fetched<ReadValues[K]> };
