// Everything the Kubernetes checks read, fetched once with bounded concurrency. The checks are pure
// functions of this snapshot.

import { chartFacts, chartNamespace } from "../amaMetrics/facts";
import { tokenReaderName } from "../amaMetrics/shims";
import { prometheusNames } from "../prometheus/facts";
import type { KubeReader, KubeResponse } from "./kubeClient";
import { KubeList, KubeObject, PeerAuthentication, Pod, Role, RoleBinding, Secret, Service, WorkloadObject } from "./kubeObjects";
import { Limit, limiter } from "./limit";
import type { VerifyOptions } from "./types";
import { livePodsOf, shardWorkloads } from "./workloads";

/** One read: the object, its absence (404), or the API's refusal or failure. */
export type Fetched<T> =
    | { state: "found"; value: T; date?: Date }
    | { state: "missing"; path: string }
    | { state: "error"; path: string; status: number; reason: string };

export interface KubeSnapshot {
    namespace: Fetched<KubeObject>;
    /** The namespace's workloads and pods; absent when the namespace does not exist. */
    inNamespace?: {
        deployments: Fetched<WorkloadObject[]>;
        statefulSets: Fetched<WorkloadObject[]>;
        daemonSets: Fetched<WorkloadObject[]>;
        pods: Fetched<Pod[]>;
        /** sidecar mode only. */
        peerAuthentications?: Fetched<PeerAuthentication[]>;
        /** prometheus only. */
        serviceAccount?: Fetched<KubeObject>;
        /** prometheus only: each running shard pod's `/metrics`, by pod name. */
        metrics?: Record<string, Fetched<string>>;
    };
    kubeSystemDeployments: Fetched<WorkloadObject[]>;
    kubeSystemDaemonSets: Fetched<WorkloadObject[]>;
    /** sidecar mode only: the API server's own Service, whose cluster IP lies in the cluster's service range. */
    kubernetesService?: Fetched<Service>;
    /** ama-metrics only. */
    amaMetrics?: {
        tokenSecret: Fetched<Secret>;
        alias: Fetched<Service>;
        tokenReaderRole: Fetched<Role>;
        tokenReaderBinding: Fetched<RoleBinding>;
    };
}

const paths = {
    namespace: (ns: string) => `/api/v1/namespaces/${ns}`,
    apps: (ns: string, plural: "deployments" | "statefulsets" | "daemonsets") => `/apis/apps/v1/namespaces/${ns}/${plural}`,
    pods: (ns: string) => `/api/v1/namespaces/${ns}/pods`,
    peerAuthentications: (ns: string) => `/apis/security.istio.io/v1/namespaces/${ns}/peerauthentications`,
    serviceAccount: (ns: string, name: string) => `/api/v1/namespaces/${ns}/serviceaccounts/${name}`,
    podMetrics: (ns: string, pod: string, port: number) => `/api/v1/namespaces/${ns}/pods/${pod}:${port}/proxy/metrics`,
    secret: (ns: string, name: string) => `/api/v1/namespaces/${ns}/secrets/${name}`,
    service: (ns: string, name: string) => `/api/v1/namespaces/${ns}/services/${name}`,
    role: (ns: string, name: string) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles/${name}`,
    roleBinding: (ns: string, name: string) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/${name}`,
};

/** The Service the API server keeps for itself: the first address of the cluster's service range. */
export const apiServerService = { namespace: "default", name: "kubernetes" };

/** Reads everything the checks need, at most `concurrency` requests at once. */
export async function fetchSnapshot(reader: KubeReader, options: VerifyOptions, concurrency = 6): Promise<KubeSnapshot> {
    const read = reading(reader, limiter(concurrency));
    const ns = options.namespace;

    // First alone: a wrong context or a dead server shows here, before a burst of requests.
    const namespace = await read.object<KubeObject>(paths.namespace(ns));

    const [kubeSystemDeployments, kubeSystemDaemonSets, kubernetesService, amaMetrics, inNamespace] = await Promise.all([
        read.list<WorkloadObject>(paths.apps(chartNamespace, "deployments")),
        read.list<WorkloadObject>(paths.apps(chartNamespace, "daemonsets")),
        options.meshMode === "sidecar" && namespace.state !== "missing"
            ? read.object<Service>(paths.service(apiServerService.namespace, apiServerService.name))
            : undefined,
        options.collector === "ama-metrics" ? fetchAmaMetricsShims(read, options) : undefined,
        namespace.state === "missing" ? undefined : fetchNamespaced(read, options),
    ]);
    return {
        namespace,
        ...(inNamespace && { inNamespace }),
        kubeSystemDeployments,
        kubeSystemDaemonSets,
        ...(kubernetesService && { kubernetesService }),
        ...(amaMetrics && { amaMetrics }),
    };
}

interface Reading {
    object<T>(path: string): Promise<Fetched<T>>;
    list<T>(path: string): Promise<Fetched<T[]>>;
    text(path: string): Promise<Fetched<string>>;
}

function reading(reader: KubeReader, limit: Limit): Reading {
    const object = <T>(path: string) => limit(() => reader.get(path, "json")).then((r) => toFetched<T>(path, r));
    return {
        object,
        list: <T>(path: string) =>
            object<KubeList<T>>(path).then((f): Fetched<T[]> => (f.state === "found" ? { ...f, value: f.value.items ?? [] } : f)),
        text: (path) => limit(() => reader.get(path, "text")).then((r) => toText(path, r)),
    };
}

/** The token secret and what the ama-metrics collector keeps next to it and in kube-system. */
async function fetchAmaMetricsShims(read: Reading, options: VerifyOptions): Promise<NonNullable<KubeSnapshot["amaMetrics"]>> {
    const { namespace, name } = options.tokenSecret;
    const reader = tokenReaderName(options.namespace);
    const [secret, alias, role, binding] = await Promise.all([
        read.object<Secret>(paths.secret(namespace, name)),
        read.object<Service>(paths.service(chartNamespace, chartFacts.targetAllocatorService)),
        read.object<Role>(paths.role(namespace, reader)),
        read.object<RoleBinding>(paths.roleBinding(namespace, reader)),
    ]);
    return { tokenSecret: secret, alias, tokenReaderRole: role, tokenReaderBinding: binding };
}

async function fetchNamespaced(read: Reading, options: VerifyOptions): Promise<NonNullable<KubeSnapshot["inNamespace"]>> {
    const ns = options.namespace;
    const prometheus = options.collector === "prometheus";
    const podsAndMetrics = read.list<Pod>(paths.pods(ns)).then(async (pods) => ({
        pods,
        metrics: prometheus ? await fetchMetrics(read, pods, options) : undefined,
    }));
    const [deployments, statefulSets, daemonSets, { pods, metrics }, peerAuthentications, serviceAccount] = await Promise.all([
        read.list<WorkloadObject>(paths.apps(ns, "deployments")),
        read.list<WorkloadObject>(paths.apps(ns, "statefulsets")),
        read.list<WorkloadObject>(paths.apps(ns, "daemonsets")),
        podsAndMetrics,
        options.meshMode === "sidecar" ? read.list<PeerAuthentication>(paths.peerAuthentications(ns)) : undefined,
        prometheus ? read.object<KubeObject>(paths.serviceAccount(ns, prometheusNames.serviceAccount)) : undefined,
    ]);
    return {
        deployments,
        statefulSets,
        daemonSets,
        pods,
        ...(metrics && { metrics }),
        ...(peerAuthentications && { peerAuthentications }),
        ...(serviceAccount && { serviceAccount }),
    };
}

/** `/metrics` of every running shard pod, through the API server's pod proxy. */
async function fetchMetrics(read: Reading, pods: Fetched<Pod[]>, options: VerifyOptions): Promise<Record<string, Fetched<string>>> {
    if (pods.state !== "found") {
        return {};
    }
    const shardPods = livePodsOf(shardWorkloads(options.shards), pods.value).filter((p) => p.status?.phase === "Running");
    const entries = await Promise.all(
        shardPods.map(async (pod): Promise<[string, Fetched<string>]> => {
            const name = pod.metadata?.name ?? "";
            return [name, await read.text(paths.podMetrics(options.namespace, name, prometheusNames.webPort))];
        }),
    );
    return Object.fromEntries(entries);
}

function toFetched<T>(path: string, response: KubeResponse): Fetched<T> {
    if (response.status === 404) {
        return { state: "missing", path };
    }
    if (response.status < 200 || response.status >= 300) {
        return { state: "error", path, status: response.status, reason: statusReason(response) };
    }
    try {
        return { state: "found", value: JSON.parse(response.body) as T, ...(response.date && { date: response.date }) };
    } catch {
        return { state: "error", path, status: response.status, reason: "the answer is not JSON" };
    }
}

function toText(path: string, response: KubeResponse): Fetched<string> {
    if (response.status < 200 || response.status >= 300) {
        return { state: "error", path, status: response.status, reason: statusReason(response) };
    }
    return { state: "found", value: response.body, ...(response.date && { date: response.date }) };
}

/** The API server's `Status` message, or the start of whatever else came back. */
function statusReason(response: KubeResponse): string {
    try {
        const status = JSON.parse(response.body) as { message?: string };
        if (typeof status.message === "string" && status.message !== "") {
            return status.message;
        }
    } catch {
        // Not a Status object: a proxied error page, say.
    }
    const text = response.body.trim().replace(/\s+/g, " ");
    return text === "" ? `HTTP ${response.status}` : text.slice(0, 200);
}
