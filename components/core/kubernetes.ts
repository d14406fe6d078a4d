// Kubernetes objects as plain data: the one object type the package builds, relocates and checks, and the
// helpers to read them. No Pulumi here: the post-renderer and the verify command use these.

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

/** @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at `path`, or undefined where the path leaves the object. @internal */
export function getPath(value: unknown, path: readonly string[]): unknown {
    return path.reduce<unknown>((current, key) => (isRecord(current) ? current[key] : undefined), value);
}

/** Whether `labels` carry every key and value of `selector`, a `matchLabels` selector (an empty one matches everything). @internal */
export function labelsMatch(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
    return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** `apps/v1` → `apps`; `v1` → `` (the core group). @internal */
export function apiGroup(apiVersion: string): string {
    const slash = apiVersion.indexOf("/");
    return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** A map key for a group and kind, e.g. `apps/Deployment`, `/Service`. @internal */
export function kindKey(group: string, kind: string): string {
    return `${group}/${kind}`;
}

/** An object's `kindKey`. @internal */
export function keyOf(object: Pick<KubernetesObject, "apiVersion" | "kind">): string {
    return kindKey(apiGroup(object.apiVersion), object.kind);
}

/** `Kind namespace/name`, or `Kind name` for objects without a namespace. @internal */
export function describeObject(object: Pick<KubernetesObject, "kind" | "metadata">): string {
    const name = object.metadata?.name ?? "<unnamed>";
    const namespace = object.metadata?.namespace;
    return namespace === undefined ? `${object.kind} ${name}` : `${object.kind} ${namespace}/${name}`;
}

/** Kinds whose pod template is `spec.template`. */
const workloadKinds: readonly string[] = [
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

/** The pod templates of an object: a workload's, a CronJob's, a PodTemplate's, or the Pod itself. @internal */
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

/** The containers and init containers of a pod. @internal */
export function containersOf(pod: PodTemplate): Container[] {
    return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
}
