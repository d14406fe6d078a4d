// Relocation of the published ama-metrics chart out of kube-system. The chart hard-codes
// `namespace: kube-system` and names its cluster-scoped objects like the managed add-on does
// (Azure/prometheus-collector, otelcollector/deploy/addon-chart), so its rendered manifests are
// rewritten before they reach the cluster: namespaced objects move, cluster-scoped objects get a
// per-namespace name, and every reference follows. A pure function over parsed manifests, plus a
// YAML-in, YAML-out wrapper.

import * as YAML from "yaml";
import { defaultTokenSecret, tokenAdapterContainer } from "./agent";
import {
    apiGroup,
    findBuiltInKind,
    hasStructuralName,
    isDnsLabel,
    isDnsSubdomain,
    isList,
    Manifest,
    kindKey,
} from "./kubernetesApi";
import {
    applyPodMesh,
    Container,
    meshedWorkloads,
    PodMeshOptions,
    PodTemplate,
    proxyResourceFields,
    workloadOfPod,
} from "./podMesh";
import { meshModes } from "./types";

export interface RelocationOptions {
    /** Target namespace of every namespaced object. */
    namespace: string;
    /** Where the token adapter reads its secret. */
    tokenSecret: { name: string; namespace: string };
    /** Pod-level mesh settings. */
    mesh: PodMeshOptions;
}

/** The namespace the chart hard-codes. */
export const chartNamespace = "kube-system";

/** Env variables the chart sets to the literal `kube-system` (target allocator, config reader). */
export const namespaceEnvVars: readonly string[] = ["OTELCOL_NAMESPACE", "POD_NAMESPACE"];

/** Containers of the token adapter (Linux and Windows), whose args name the token secret. */
export const tokenAdapterContainers: readonly string[] = [tokenAdapterContainer, `${tokenAdapterContainer}-win`];

/** Kubernetes' limit for object names (DNS subdomain, RFC 1123). */
export const maxNameLength = 253;

const rbacGroup = "rbac.authorization.k8s.io";

/** The name a cluster-scoped object gets in the target namespace; names already suffixed stay as they are. */
export function clusterScopedName(name: string, namespace: string): string {
    const suffix = `-${namespace}`;
    return name.endsWith(suffix) ? name : `${name}${suffix}`;
}

/**
 * Moves the manifests into `options.namespace`. Returns new objects in the same order; the input is
 * not modified. Throws on a kind whose scope is unknown and on names that would become invalid.
 */
export function relocate(manifests: Manifest[], options: RelocationOptions): Manifest[] {
    validateRelocationOptions(options);
    const context = buildContext(manifests, options);
    return manifests.map(manifest => relocateManifest(manifest, context));
}

/**
 * `relocate` over multi-document YAML (as Helm renders it). Documents keep their order, empty
 * documents are dropped, and every value the relocation does not change keeps its text.
 */
export function relocateYaml(text: string, options: RelocationOptions): string {
    const documents = YAML.parseAllDocuments(text, { prettyErrors: true });
    const parsed: { document: YAML.Document; manifest: Manifest }[] = [];
    documents.forEach((document, index) => {
        const error = document.errors[0];
        if (error) {
            throw new Error(`The manifests are not valid YAML (document ${index + 1}): ${error.message}`);
        }
        const manifest: unknown = document.toJS();
        if (manifest === null || manifest === undefined) {
            return;
        }
        if (!isRecord(manifest)) {
            throw new Error(
                `Document ${index + 1} of the manifests is not a Kubernetes object ` +
                    `(a mapping with apiVersion and kind).`,
            );
        }
        parsed.push({ document, manifest: manifest as Manifest });
    });
    const relocated = relocate(
        parsed.map(p => p.manifest),
        options,
    );
    return parsed.map((p, i) => updateDocument(p.document, relocated[i]).toString(stringifyOptions)).join("");
}

/** Checks the options; errors name the option, the bad value and the fix. */
export function validateRelocationOptions(options: RelocationOptions): void {
    if (!isDnsLabel(options.namespace)) {
        throw new Error(
            `Invalid namespace ${JSON.stringify(options.namespace)}: a namespace name has at most 63 characters, ` +
                `lowercase letters, digits and '-', and starts and ends with a letter or digit (e.g. "monitoring").`,
        );
    }
    if (!isDnsSubdomain(options.tokenSecret.name)) {
        throw new Error(
            `Invalid tokenSecret.name ${JSON.stringify(options.tokenSecret.name)}: use a Secret name such as ` +
                `"${defaultTokenSecret.name}" (lowercase letters, digits, '-' and '.', at most 253 characters).`,
        );
    }
    if (!isDnsLabel(options.tokenSecret.namespace)) {
        throw new Error(
            `Invalid tokenSecret.namespace ${JSON.stringify(options.tokenSecret.namespace)}: use a namespace name ` +
                `such as "${defaultTokenSecret.namespace}".`,
        );
    }
    const mesh = options.mesh;
    if (!meshModes.includes(mesh.mode)) {
        throw new Error(`Invalid mesh mode ${JSON.stringify(mesh.mode)}: use one of ${meshModes.join(", ")}.`);
    }
    if (mesh.revision !== undefined && !isLabelValue(mesh.revision)) {
        throw new Error(
            `Invalid Istio revision ${JSON.stringify(mesh.revision)}: a revision is a label value such as ` +
                `"asm-1-27" (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter ` +
                `or digit); leave it out for a default-revision install.`,
        );
    }
    for (const [workload, resources] of Object.entries(mesh.proxyResources)) {
        if (!(meshedWorkloads as readonly string[]).includes(workload)) {
            throw new Error(
                `Invalid proxyResources workload ${JSON.stringify(workload)}: use one of ` +
                    `${meshedWorkloads.join(", ")} (Istio does not run on the Windows node pods).`,
            );
        }
        for (const [field, value] of Object.entries(resources ?? {})) {
            if (!(proxyResourceFields as readonly string[]).includes(field)) {
                throw new Error(
                    `Invalid proxyResources.${workload} field ${JSON.stringify(field)}: use one of ` +
                        `${proxyResourceFields.join(", ")}.`,
                );
            }
            if (value !== undefined && (typeof value !== "string" || !isQuantity(value))) {
                throw new Error(
                    `Invalid proxyResources.${workload}.${field} ${JSON.stringify(value)}: use a Kubernetes ` +
                        `quantity string such as "100m" (CPU) or "128Mi" (memory).`,
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the relocation knows about the whole input before it rewrites any object.

interface Context {
    options: RelocationOptions;
    /** Scope of custom kinds, from the CRDs in the input: kindKey → namespaced. */
    customScopes: Map<string, boolean>;
    /** New names of renamed cluster-scoped objects: objectKey(group, kind, "", name) → new name. */
    renames: Map<string, string>;
    /** Original locations of the input's namespaced objects: objectKey(group, kind, namespace, name). */
    moved: Set<string>;
    /** Workloads an autoscaler of the input scales: objectKey(group, kind, namespace, name). */
    autoscaled: Set<string>;
}

function objectKey(group: string, kind: string, namespace: string, name: string): string {
    return `${group}/${kind}/${namespace}/${name}`;
}

/** The objects in the input, lists expanded. */
function objectsOf(manifests: Manifest[]): Manifest[] {
    return manifests.flatMap(m => (isList(m) ? objectsOf((m.items as unknown[]).filter(isRecord)) : [m]));
}

function buildContext(manifests: Manifest[], options: RelocationOptions): Context {
    const objects = objectsOf(manifests);
    const customScopes = new Map<string, boolean>();
    const crds = objects.filter(o => o.kind === "CustomResourceDefinition" && apiGroupOf(o) === "apiextensions.k8s.io");
    for (const crd of crds) {
        const spec = isRecord(crd.spec) ? crd.spec : {};
        const names = isRecord(spec.names) ? spec.names : {};
        const scope = spec.scope;
        const validScope = scope === "Namespaced" || scope === "Cluster";
        if (typeof spec.group !== "string" || typeof names.kind !== "string" || !validScope) {
            throw new Error(
                `CustomResourceDefinition "${crd.metadata?.name}" lacks spec.group, spec.names.kind or a ` +
                    `spec.scope of Namespaced or Cluster, so the scope of its objects is unknown; ` +
                    `fix the CRD in the chart.`,
            );
        }
        customScopes.set(kindKey(spec.group, names.kind), scope === "Namespaced");
    }
    const context: Context = { options, customScopes, renames: new Map(), moved: new Set(), autoscaled: autoscaledWorkloads(objects) };

    const newNames = new Map<string, string>();
    for (const object of objects) {
        const group = apiGroupOf(object);
        const kind = object.kind as string;
        const name = object.metadata?.name;
        if (name === undefined) {
            continue;
        }
        if (isNamespaced(object, context)) {
            context.moved.add(objectKey(group, kind, object.metadata?.namespace ?? "", name));
            continue;
        }
        if (hasStructuralName(group, kind)) {
            continue;
        }
        const newName = clusterScopedName(name, options.namespace);
        if (newName.length > maxNameLength) {
            throw new Error(
                `${kind} "${name}" would be renamed "${newName}" (${newName.length} characters), longer than ` +
                    `Kubernetes' ${maxNameLength}-character limit for names; choose a shorter namespace.`,
            );
        }
        const clash = newNames.get(objectKey(group, kind, "", newName));
        if (clash !== undefined && clash !== name) {
            throw new Error(
                `${kind} "${clash}" and "${name}" would both be named "${newName}" in namespace ` +
                    `"${options.namespace}"; rename one of them in the chart.`,
            );
        }
        newNames.set(objectKey(group, kind, "", newName), name);
        context.renames.set(objectKey(group, kind, "", name), newName);
    }
    return context;
}

/** The workloads that HorizontalPodAutoscalers of the input scale. */
function autoscaledWorkloads(objects: Manifest[]): Set<string> {
    const scaled = new Set<string>();
    for (const hpa of objects.filter(o => o.kind === "HorizontalPodAutoscaler" && apiGroupOf(o) === "autoscaling")) {
        const target = getPath(hpa, ["spec", "scaleTargetRef"]);
        if (isRecord(target) && typeof target.kind === "string" && typeof target.name === "string") {
            const group = typeof target.apiVersion === "string" ? apiGroup(target.apiVersion) : "";
            scaled.add(objectKey(group, target.kind, hpa.metadata?.namespace ?? "", target.name));
        }
    }
    return scaled;
}

function apiGroupOf(object: Manifest): string {
    return typeof object.apiVersion === "string" ? apiGroup(object.apiVersion) : "";
}

function isNamespaced(object: Manifest, context: Context): boolean {
    const name = object.metadata?.name ?? object.metadata?.generateName ?? "(unnamed)";
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
        throw new Error(
            `An object named "${name}" has no apiVersion or kind; every manifest needs both ` +
                `(e.g. apiVersion: v1, kind: ConfigMap).`,
        );
    }
    const group = apiGroup(object.apiVersion);
    const builtIn = findBuiltInKind(group, object.kind);
    if (builtIn) {
        return builtIn.namespaced;
    }
    const custom = context.customScopes.get(kindKey(group, object.kind));
    if (custom !== undefined) {
        return custom;
    }
    throw new Error(
        `Cannot relocate ${object.apiVersion} ${object.kind} "${name}": whether it is namespaced is unknown. ` +
            `It is not a built-in Kubernetes kind, and no CustomResourceDefinition in the same manifests defines ` +
            `${object.kind} in group "${group}". Render its CustomResourceDefinition with the chart, or, if it is ` +
            `a built-in kind of a newer Kubernetes release, add it to the kind table in kubernetesApi.ts.`,
    );
}

/** The new name of a cluster-scoped object of the input, or the name unchanged. */
function renamed(context: Context, group: string, kind: string, name: string): string {
    return context.renames.get(objectKey(group, kind, "", name)) ?? name;
}

/** The namespace an object of the input that was in `namespace` is in now; other namespaces stay. */
function movedNamespace(context: Context, group: string, kind: string, namespace: string, name: string): string {
    return context.moved.has(objectKey(group, kind, namespace, name)) ? context.options.namespace : namespace;
}

// ---------------------------------------------------------------------------------------------
// One object.

function relocateManifest(manifest: Manifest, context: Context): Manifest {
    if (isList(manifest)) {
        return {
            ...manifest,
            items: (manifest.items as unknown[]).map(item =>
                isRecord(item) ? relocateManifest(item as Manifest, context) : item,
            ),
        };
    }
    const object = structuredClone(manifest);
    const group = apiGroupOf(object);
    const kind = object.kind as string;
    const metadata = { ...object.metadata };
    if (isNamespaced(object, context)) {
        object.metadata = withKey(metadata, "namespace", context.options.namespace, "name");
    } else {
        // The API server ignores a namespace on cluster-scoped objects; drop it rather than keep kube-system.
        delete metadata.namespace;
        if (metadata.name !== undefined) {
            metadata.name = renamed(context, group, kind, metadata.name);
        }
        object.metadata = metadata;
    }
    leaveReplicasToAutoscaler(object, group, kind, manifest.metadata?.namespace ?? "", context);
    rewriteBindings(object, group, kind, context);
    rewriteClassReferences(object, group, kind, context);
    rewriteServiceReferences(object, group, kind, context);
    rewriteDependsOn(object, context);
    for (const pod of podTemplatesOf(object, group, kind)) {
        pod.set(relocatePod(pod.get(), context));
    }
    return object;
}

/** A new object with `key` set: in place if present, else after `after` (or last). */
function withKey<T extends object>(object: T, key: string, value: unknown, after: string): T {
    if (key in object) {
        return { ...object, [key]: value };
    }
    const entries = Object.entries(object);
    const at = entries.findIndex(([k]) => k === after);
    entries.splice(at < 0 ? entries.length : at + 1, 0, [key, value]);
    return Object.fromEntries(entries) as T;
}

/**
 * A workload that an autoscaler of the input scales loses `spec.replicas`. Helm keeps the current
 * count through the chart's `lookup` of kube-system, which finds nothing once the chart is relocated,
 * so the rendered count would reset the autoscaler's on every update. Without the field, the
 * Kubernetes provider's server-side apply leaves the count to the autoscaler.
 */
function leaveReplicasToAutoscaler(object: Manifest, group: string, kind: string, namespace: string, context: Context): void {
    const spec = object.spec;
    if (isRecord(spec) && "replicas" in spec && context.autoscaled.has(objectKey(group, kind, namespace, object.metadata?.name ?? ""))) {
        delete spec.replicas;
    }
}

/** RBAC: ServiceAccount subjects of the chart's namespace, and roleRefs to renamed ClusterRoles. */
function rewriteBindings(object: Manifest, group: string, kind: string, context: Context): void {
    if (group !== rbacGroup || (kind !== "RoleBinding" && kind !== "ClusterRoleBinding")) {
        return;
    }
    if (Array.isArray(object.subjects)) {
        for (const subject of object.subjects.filter(isRecord)) {
            if (subject.kind === "ServiceAccount" && subject.namespace === chartNamespace) {
                subject.namespace = context.options.namespace;
            }
        }
    }
    const roleRef = object.roleRef;
    if (isRecord(roleRef) && roleRef.kind === "ClusterRole" && typeof roleRef.name === "string") {
        roleRef.name = renamed(context, rbacGroup, "ClusterRole", roleRef.name);
    }
}

/** A field that names a cluster-scoped object: the path to it and the kind it names. */
interface ClassReference {
    path: string[];
    group: string;
    kind: string;
}

const storageClassRefs = (base: string[]): ClassReference[] => [
    { path: [...base, "storageClassName"], group: "storage.k8s.io", kind: "StorageClass" },
    { path: [...base, "volumeAttributesClassName"], group: "storage.k8s.io", kind: "VolumeAttributesClass" },
];

const claimRefs = (base: string[]): ClassReference[] => [
    ...storageClassRefs(base),
    { path: [...base, "volumeName"], group: "", kind: "PersistentVolume" },
];

/** References to cluster-scoped objects, per kind (outside pod specs, which are handled per pod). */
const classReferences: Record<string, ClassReference[]> = {
    [kindKey("", "PersistentVolumeClaim")]: claimRefs(["spec"]),
    [kindKey("", "PersistentVolume")]: storageClassRefs(["spec"]),
    [kindKey("networking.k8s.io", "Ingress")]: [
        { path: ["spec", "ingressClassName"], group: "networking.k8s.io", kind: "IngressClass" },
    ],
    [kindKey("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding")]: [
        { path: ["spec", "policyName"], group: "admissionregistration.k8s.io", kind: "ValidatingAdmissionPolicy" },
    ],
    [kindKey("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding")]: [
        { path: ["spec", "policyName"], group: "admissionregistration.k8s.io", kind: "MutatingAdmissionPolicy" },
    ],
    [kindKey("flowcontrol.apiserver.k8s.io", "FlowSchema")]: [
        {
            path: ["spec", "priorityLevelConfiguration", "name"],
            group: "flowcontrol.apiserver.k8s.io",
            kind: "PriorityLevelConfiguration",
        },
    ],
    [kindKey("storage.k8s.io", "VolumeAttachment")]: [
        { path: ["spec", "source", "persistentVolumeName"], group: "", kind: "PersistentVolume" },
    ],
};

function rewriteClassReferences(object: Manifest, group: string, kind: string, context: Context): void {
    for (const ref of classReferences[kindKey(group, kind)] ?? []) {
        rewriteReference(object, ref, context);
    }
    if (group === "apps" && kind === "StatefulSet") {
        const templates = (object.spec as { volumeClaimTemplates?: unknown } | undefined)?.volumeClaimTemplates;
        for (const template of Array.isArray(templates) ? templates.filter(isRecord) : []) {
            for (const ref of claimRefs(["spec"])) {
                rewriteReference(template, ref, context);
            }
        }
    }
    if (group === "resource.k8s.io" && (kind === "ResourceClaim" || kind === "ResourceClaimTemplate")) {
        const spec = kind === "ResourceClaim" ? object.spec : getPath(object, ["spec", "spec"]);
        const requests = getPath(spec, ["devices", "requests"]);
        for (const request of Array.isArray(requests) ? requests.filter(isRecord) : []) {
            const alternatives = Array.isArray(request.firstAvailable) ? request.firstAvailable.filter(isRecord) : [];
            const ref = { path: ["deviceClassName"], group: "resource.k8s.io", kind: "DeviceClass" };
            for (const holder of [request, getPath(request, ["exactly"]), ...alternatives]) {
                rewriteReference(holder, ref, context);
            }
        }
    }
}

function rewriteReference(holder: unknown, ref: ClassReference, context: Context): void {
    const parent = getPath(holder, ref.path.slice(0, -1));
    const field = ref.path[ref.path.length - 1];
    if (isRecord(parent) && typeof parent[field] === "string") {
        parent[field] = renamed(context, ref.group, ref.kind, parent[field] as string);
    }
}

/** Webhook, APIService and CRD conversion clients that call a Service of the input follow it. */
function rewriteServiceReferences(object: Manifest, group: string, kind: string, context: Context): void {
    const services: unknown[] = [];
    if (group === "admissionregistration.k8s.io" && kind.endsWith("WebhookConfiguration")) {
        const webhooks = Array.isArray(object.webhooks) ? object.webhooks : [];
        services.push(...webhooks.map(w => getPath(w, ["clientConfig", "service"])));
    } else if (group === "apiregistration.k8s.io" && kind === "APIService") {
        services.push(getPath(object, ["spec", "service"]));
    } else if (group === "apiextensions.k8s.io" && kind === "CustomResourceDefinition") {
        services.push(getPath(object, ["spec", "conversion", "webhook", "clientConfig", "service"]));
    }
    for (const service of services.filter(isRecord)) {
        if (typeof service.namespace === "string" && typeof service.name === "string") {
            service.namespace = movedNamespace(context, "", "Service", service.namespace, service.name);
        }
    }
}

/**
 * Pulumi's explicit dependencies between a chart's objects (annotation `config.kubernetes.io/depends-on`,
 * references `<group>/namespaces/<namespace>/<kind>/<name>` or `<group>/<kind>/<name>`) follow the objects.
 */
const dependsOnAnnotation = "config.kubernetes.io/depends-on";

function rewriteDependsOn(object: Manifest, context: Context): void {
    const annotations = object.metadata?.annotations;
    const value = annotations?.[dependsOnAnnotation];
    if (annotations === undefined || typeof value !== "string") {
        return;
    }
    const rewritten = value.split(",").map(reference => {
        const parts = reference.trim().split("/");
        if (parts.length === 5 && parts[1] === "namespaces") {
            const [group, , namespace, kind, name] = parts;
            return `${group}/namespaces/${movedNamespace(context, group, kind, namespace, name)}/${kind}/${name}`;
        }
        if (parts.length === 3) {
            const [group, kind, name] = parts;
            return `${group}/${kind}/${renamed(context, group, kind, name)}`;
        }
        return reference;
    });
    object.metadata = {
        ...object.metadata,
        annotations: { ...annotations, [dependsOnAnnotation]: rewritten.join(",") },
    };
}

// ---------------------------------------------------------------------------------------------
// Pods.

/** Kinds whose pod template is `spec.template`. */
const workloadKinds = [
    kindKey("apps", "Deployment"),
    kindKey("apps", "DaemonSet"),
    kindKey("apps", "StatefulSet"),
    kindKey("apps", "ReplicaSet"),
    kindKey("batch", "Job"),
    kindKey("", "ReplicationController"),
];

interface PodSlot {
    get(): PodTemplate;
    set(pod: PodTemplate): void;
}

/** The pod templates of a workload object (or the Pod itself). */
function podTemplatesOf(object: Manifest, group: string, kind: string): PodSlot[] {
    const slot = (holder: unknown, field: string): PodSlot[] =>
        isRecord(holder) && isRecord(holder[field])
            ? [{ get: () => holder[field] as PodTemplate, set: pod => (holder[field] = pod) }]
            : [];
    if (workloadKinds.includes(kindKey(group, kind))) {
        return slot(object.spec, "template");
    }
    if (group === "batch" && kind === "CronJob") {
        return slot(getPath(object, ["spec", "jobTemplate", "spec"]), "template");
    }
    if (group === "" && kind === "PodTemplate") {
        return slot(object, "template");
    }
    if (group === "" && kind === "Pod") {
        return [{ get: () => object as PodTemplate, set: pod => Object.assign(object, pod) }];
    }
    return [];
}

function relocatePod(pod: PodTemplate, context: Context): PodTemplate {
    const spec = pod.spec;
    if (spec) {
        for (const ref of [
            { path: ["priorityClassName"], group: "scheduling.k8s.io", kind: "PriorityClass" },
            { path: ["runtimeClassName"], group: "node.k8s.io", kind: "RuntimeClass" },
        ]) {
            rewriteReference(spec, ref, context);
        }
        for (const volume of Array.isArray(spec.volumes) ? spec.volumes : []) {
            for (const ref of storageClassRefs(["ephemeral", "volumeClaimTemplate", "spec"])) {
                rewriteReference(volume, ref, context);
            }
        }
        for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
            relocateContainer(container, context);
        }
    }
    return applyPodMesh(workloadOfPod(pod), pod, context.options.mesh);
}

function relocateContainer(container: Container, context: Context): void {
    // Literal namespace values only: `valueFrom` (the downward API) already follows the pod.
    for (const env of Array.isArray(container.env) ? container.env.filter(isRecord) : []) {
        if (namespaceEnvVars.includes(env.name as string) && env.value === chartNamespace) {
            env.value = context.options.namespace;
        }
    }
    // The token secret stays where AKS writes it (kube-system unless configured otherwise).
    if (tokenAdapterContainers.includes(container.name) && Array.isArray(container.args)) {
        const { name, namespace } = context.options.tokenSecret;
        container.args = container.args.map(arg =>
            typeof arg !== "string"
                ? arg
                : arg.startsWith("--secret-namespace=")
                  ? `--secret-namespace=${namespace}`
                  : arg.startsWith("--secret-name=")
                    ? `--secret-name=${name}`
                    : arg,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// YAML output: the parsed document is updated in place, so unchanged values keep their text.

const stringifyOptions: YAML.ToStringOptions = { lineWidth: 0, indentSeq: false };

function updateDocument(document: YAML.Document, value: Manifest): YAML.Document {
    let hasAlias = false;
    YAML.visit(document, {
        Alias() {
            hasAlias = true;
            return YAML.visit.BREAK;
        },
    });
    if (hasAlias) {
        // An anchor's node may be shared: rebuild the whole document from the relocated value.
        const rebuilt = new YAML.Document();
        rebuilt.contents = createNode(rebuilt, value) as YAML.Document["contents"];
        rebuilt.commentBefore = document.commentBefore;
        if (rebuilt.directives) rebuilt.directives.docStart = true;
        return rebuilt;
    }
    document.contents = reconcile(document, document.contents, value) as YAML.Document["contents"];
    if (document.directives) document.directives.docStart = true;
    return document;
}

/** A node for `value` that reuses `node` (and its text, style and comments) wherever the value is unchanged. */
function reconcile(document: YAML.Document, node: unknown, value: unknown): unknown {
    if (isRecord(value) && YAML.isMap(node)) {
        const pairs = node.items;
        node.items = Object.entries(value).map(([key, item]) => {
            const pair = pairs.find(p => YAML.isScalar(p.key) && String(p.key.value) === key);
            if (pair) {
                pair.value = reconcile(document, pair.value, item);
                return pair;
            }
            return new YAML.Pair(createNode(document, key), createNode(document, item));
        });
        return node;
    }
    if (Array.isArray(value) && YAML.isSeq(node)) {
        const items = node.items;
        node.items = value.map((item, i) =>
            i < items.length ? reconcile(document, items[i], item) : createNode(document, item),
        );
        return node;
    }
    if (YAML.isScalar(node)) {
        if (node.value === value) {
            return node;
        }
        // A changed string keeps its quotes (and any comment on its line).
        const quoted = node.type === YAML.Scalar.QUOTE_DOUBLE || node.type === YAML.Scalar.QUOTE_SINGLE;
        if (quoted && typeof node.value === "string" && typeof value === "string") {
            node.value = value;
            return node;
        }
    }
    return createNode(document, value);
}

/**
 * A node for a new value. Strings that a YAML 1.1 reader (Helm and the Kubernetes tooling use one)
 * would take for something else, such as `yes` or `0777`, are quoted.
 */
function createNode(document: YAML.Document, value: unknown): YAML.Node {
    const node = document.createNode(value);
    YAML.visit(node, {
        Scalar(_, scalar) {
            if (typeof scalar.value === "string" && !readsBackAsString(scalar.value)) {
                scalar.type = YAML.Scalar.QUOTE_DOUBLE;
            }
        },
    });
    return node;
}

function readsBackAsString(text: string): boolean {
    try {
        return YAML.parse(text, { version: "1.1" }) === text && YAML.parse(text) === text;
    } catch {
        return false;
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function getPath(value: unknown, path: string[]): unknown {
    let current = value;
    for (const key of path) {
        if (!isRecord(current)) {
            return undefined;
        }
        current = current[key];
    }
    return current;
}

function isLabelValue(value: unknown): boolean {
    return typeof value === "string" && value.length <= 63 && /^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$/.test(value);
}

function isQuantity(value: string): boolean {
    // Kubernetes resource quantities: a decimal number with an optional SI, binary or exponent suffix.
    return /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+)?$/.test(value);
}
