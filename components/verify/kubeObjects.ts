// The parts of Kubernetes and Istio objects the checks read, as the API server serves them (JSON:
// timestamps are RFC 3339 strings), and small readers over them.

import type { Container as PlainContainer, ObjectMeta as PlainMeta, PodTemplate } from "../core/kubernetes";

interface ObjectMeta extends PlainMeta {
    creationTimestamp?: string;
    deletionTimestamp?: string;
    generation?: number;
}

/** An object as the API server serves it (the verify command reads live objects; core/kubernetes.ts `KubernetesObject` is one the package emits). */
export interface ServedObject {
    apiVersion?: string;
    kind?: string;
    metadata?: ObjectMeta;
}

interface EnvVar {
    name: string;
    value?: string;
}

export interface Container extends PlainContainer {
    env?: EnvVar[];
    /** `Always` on an init container makes it a native sidecar. */
    restartPolicy?: string;
}

export interface Volume {
    name: string;
    emptyDir?: { medium?: string };
    projected?: {
        sources?: { serviceAccountToken?: { audience?: string; path?: string; expirationSeconds?: number } }[];
    };
    [key: string]: unknown;
}

type PlainPodSpec = NonNullable<PodTemplate["spec"]>;

interface PodSpec extends PlainPodSpec {
    serviceAccountName?: string;
    containers?: Container[];
    initContainers?: Container[];
    volumes?: Volume[];
}

/** A Pod as the API serves it: core's pod template (its helpers read it), with a status. */
export interface Pod extends ServedObject, PodTemplate {
    metadata?: ObjectMeta;
    spec?: PodSpec;
    status?: { phase?: string; startTime?: string };
}

/** A Deployment, StatefulSet or DaemonSet. */
export interface WorkloadObject extends ServedObject {
    spec?: { replicas?: number; template?: { metadata?: ObjectMeta; spec?: PodSpec } };
    status?: {
        observedGeneration?: number;
        replicas?: number;
        readyReplicas?: number;
        updatedReplicas?: number;
        desiredNumberScheduled?: number;
        numberReady?: number;
        updatedNumberScheduled?: number;
    };
}

export interface PeerAuthentication extends ServedObject {
    spec?: { selector?: { matchLabels?: Record<string, string> }; mtls?: { mode?: string } };
}

export interface Secret extends ServedObject {
    type?: string;
    data?: Record<string, string>;
}

export interface Service extends ServedObject {
    spec?: { type?: string; externalName?: string; clusterIP?: string; clusterIPs?: string[] };
}

interface PolicyRule {
    apiGroups?: string[];
    resources?: string[];
    resourceNames?: string[];
    verbs?: string[];
}

export interface Role extends ServedObject {
    rules?: PolicyRule[];
}

export interface RoleBinding extends ServedObject {
    roleRef?: { apiGroup?: string; kind?: string; name?: string };
    subjects?: { kind?: string; name?: string; namespace?: string }[];
}

/** Istio's proxy container name, as a regular container or a native sidecar. */
const sidecarContainer = "istio-proxy";

/** The pod runs an Istio proxy: a container `istio-proxy`, or an init container of that name that keeps running. */
export function hasSidecar(pod: Pod): boolean {
    return (
        (pod.spec?.containers ?? []).some((c) => c.name === sidecarContainer) ||
        (pod.spec?.initContainers ?? []).some((c) => c.name === sidecarContainer && c.restartPolicy === "Always")
    );
}

/** Pods that run or will run: not finished and not being deleted (a rollout's leftovers are the rollout check's concern). */
export function livePods(pods: readonly Pod[]): Pod[] {
    return pods.filter(
        (p) => p.metadata?.deletionTimestamp === undefined && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed",
    );
}

/** When the kubelet started the pod (`status.startTime`), if it has. */
export function startedAt(pod: Pod): Date | undefined {
    const time = Date.parse(pod.status?.startTime ?? "");
    return Number.isNaN(time) ? undefined : new Date(time);
}

export function nameOf(object: ServedObject): string {
    return object.metadata?.name ?? "(unnamed)";
}

/** `key=value` pairs for a message. */
export function formatLabels(labels: Record<string, string>): string {
    const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
    return pairs.length > 0 ? pairs.join(", ") : "none";
}
