// Kubernetes objects as plain data: the one object type the package builds, relocates and checks, the
// helpers to read them, and their registration as Pulumi resources.

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

export interface ObjectMeta {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
}

/** A Kubernetes object: what a chart renders, what the package builds, what a policy sees. */
export interface KubernetesObject {
    apiVersion: string;
    kind: string;
    metadata: ObjectMeta;
    [key: string]: unknown;
}

export interface Container {
    name: string;
    volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean; [key: string]: unknown }>;
    [key: string]: unknown;
}

/** A pod template (`spec.template` of a workload), or a Pod. */
export interface PodTemplate {
    metadata?: ObjectMeta;
    spec?: {
        containers?: Container[];
        initContainers?: Container[];
        volumes?: Array<{ name: string; [key: string]: unknown }>;
        hostNetwork?: boolean;
        [key: string]: unknown;
    };
    [key: string]: unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at `path`, or undefined where the path leaves the object. */
export function getPath(value: unknown, path: readonly string[]): unknown {
    return path.reduce<unknown>((current, key) => (isRecord(current) ? current[key] : undefined), value);
}

/** Whether `labels` carry every key and value of `selector`, a `matchLabels` selector (an empty one matches everything). */
export function labelsMatch(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
    return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** `apps/v1` → `apps`; `v1` → `` (the core group). */
export function apiGroup(apiVersion: string): string {
    const slash = apiVersion.indexOf("/");
    return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** A map key for a group and kind, e.g. `apps/Deployment`, `/Service`. */
export function kindKey(group: string, kind: string): string {
    return `${group}/${kind}`;
}

/** `Kind namespace/name`, or `Kind name` for objects without a namespace. */
export function describeObject(object: Pick<KubernetesObject, "kind" | "metadata">): string {
    const name = object.metadata?.name ?? "<unnamed>";
    const namespace = object.metadata?.namespace;
    return namespace === undefined ? `${object.kind} ${name}` : `${object.kind} ${namespace}/${name}`;
}

/** Kinds whose pod template is `spec.template`. */
export const workloadKinds: readonly string[] = [
    kindKey("apps", "Deployment"),
    kindKey("apps", "DaemonSet"),
    kindKey("apps", "StatefulSet"),
    kindKey("apps", "ReplicaSet"),
    kindKey("batch", "Job"),
    kindKey("", "ReplicationController"),
];

/** A place that holds a pod template, to read it and to replace it. */
export interface PodSlot {
    get(): PodTemplate;
    set(pod: PodTemplate): void;
}

/** The pod templates of an object: a workload's, a CronJob's, a PodTemplate's, or the Pod itself. */
export function podTemplatesOf(object: KubernetesObject): PodSlot[] {
    const group = apiGroup(object.apiVersion);
    const slot = (holder: unknown, field: string): PodSlot[] =>
        isRecord(holder) && isRecord(holder[field])
            ? [{ get: () => holder[field] as PodTemplate, set: (pod) => (holder[field] = pod) }]
            : [];
    const key = kindKey(group, object.kind);
    if (workloadKinds.includes(key)) {
        return slot(object.spec, "template");
    }
    if (key === kindKey("batch", "CronJob")) {
        return slot(getPath(object, ["spec", "jobTemplate", "spec"]), "template");
    }
    if (key === kindKey("", "PodTemplate")) {
        return slot(object, "template");
    }
    if (key === kindKey("", "Pod")) {
        return [{ get: () => object as PodTemplate, set: (pod) => Object.assign(object, pod) }];
    }
    return [];
}

/** The containers and init containers of a pod. */
export function containersOf(pod: PodTemplate): Container[] {
    return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
}

type Constructor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

// The typed classes of the kinds the package builds itself: previews show their kind and schema.
const typedKinds: Record<string, Constructor> = {
    "v1/ConfigMap": k8s.core.v1.ConfigMap,
    "v1/Namespace": k8s.core.v1.Namespace,
    "v1/Service": k8s.core.v1.Service,
    "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
    "apps/v1/Deployment": k8s.apps.v1.Deployment,
    "apps/v1/StatefulSet": k8s.apps.v1.StatefulSet,
    "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
    "rbac.authorization.k8s.io/v1/ClusterRole": k8s.rbac.v1.ClusterRole,
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": k8s.rbac.v1.ClusterRoleBinding,
    "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
};

/**
 * The Pulumi name of an object the component builds: the component's name, the kind, and the object's
 * namespace and name, so that each is stable and unique.
 */
export function objectResourceName(component: string, object: KubernetesObject): string {
    const { name, namespace } = object.metadata;
    return namespace === undefined ? `${component}:${object.kind}:${name}` : `${component}:${object.kind}:${namespace}/${name}`;
}

/**
 * Registers a plain object as a Pulumi resource: a typed class for the kinds above, a CustomResource for
 * anything else (Istio's kinds). The object may carry Outputs in its fields.
 */
export function createObject(component: string, object: KubernetesObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    const name = objectResourceName(component, object);
    const typed = typedKinds[`${object.apiVersion}/${object.kind}`];
    if (typed) {
        const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
        return new typed(name, rest, opts);
    }
    return new k8s.apiextensions.CustomResource(name, object as k8s.apiextensions.CustomResourceArgs, opts);
}
