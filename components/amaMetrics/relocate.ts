// Relocation of the published ama-metrics chart out of kube-system. The chart hard-codes
// `namespace: kube-system` and names its cluster-scoped objects as the managed add-on does, so its
// rendered manifests are rewritten before they reach the cluster: namespaced objects move, cluster-scoped
// objects get a per-namespace name, every reference follows, and the mesh mode's pod settings apply.
// A pure function over parsed manifests, plus a YAML-in, YAML-out wrapper for the post-renderer.

import { isDeepStrictEqual } from "node:util";
import * as YAML from "yaml";
import {
    apiGroup,
    Container,
    containersOf,
    getPath,
    isRecord,
    kindKey,
    KubernetesObject,
    PodTemplate,
    podTemplatesOf,
} from "../core/kubernetes";
import type { PodMeshOptions } from "../mesh/pod";
import { applyPodMesh } from "../mesh/pod";
import { Workload } from "../mesh/workloads";
import { chartFacts, chartNamespace, chartWorkloads } from "./facts";
import { chartKinds, Scope, structurallyNamed } from "./kinds";

/** What the relocation needs: a subset of the component's settings, which the post-renderer's flags carry. */
export interface RelocationOptions {
    /** Target namespace of every namespaced object. */
    namespace: string;
    /** Where the token adapter reads its secret. */
    tokenSecret: { name: string; namespace: string };
    /** Pod-level mesh settings. */
    mesh: Omit<PodMeshOptions, "collector">;
    /** Scopes of kinds the chart renders that the relocation does not know, keyed `group/Kind`. */
    kindScopes?: Readonly<Record<string, Scope>>;
}

/** Kubernetes' limit for object names (DNS subdomain). */
const maxNameLength = 253;

const rbacGroup = "rbac.authorization.k8s.io";

/** The containers of each workload that read the custom scrape configuration (and so its certificate files). */
export const certificateReaders: Partial<Record<Workload, string[]>> = {
    collector: [chartFacts.collectorContainer],
    // The config reader validates the custom configuration, stat()s its certificate files and drops the
    // whole custom configuration when they are missing (configmapparser.go, promconfigvalidator).
    targetAllocator: [chartFacts.configReaderContainer],
};

/** The name a cluster-scoped object gets in the target namespace; names already suffixed stay. */
export function clusterScopedName(name: string, namespace: string): string {
    const suffix = `-${namespace}`;
    return name.endsWith(suffix) ? name : `${name}${suffix}`;
}

/**
 * Moves the manifests into `options.namespace`, with the target allocator's app-level HTTPS off. Returns new
 * objects in the same order; the input is not modified. Throws on a kind of unknown scope,
 * on an object in a namespace other than kube-system or the target, on names that would become invalid, and
 * on any `kube-system` left in the output that is not the token secret's.
 */
export function relocate(manifests: readonly KubernetesObject[], options: RelocationOptions): KubernetesObject[] {
    // One copy of each object, which the steps below change in place.
    const input = manifests.map((manifest) => withHttpsOff(structuredClone(manifest)));
    const context = buildContext(input, options);
    const relocated = input.map((manifest) => relocateObject(manifest, context));
    relocated.forEach((object) => assertNoKubeSystem(object, options));
    return relocated;
}

/**
 * `relocate` over multi-document YAML (as Helm renders it). Documents keep their order, empty documents
 * are dropped, and every value the relocation does not change keeps its text.
 */
export function relocateYaml(text: string, options: RelocationOptions): string {
    const documents = YAML.parseAllDocuments(text, { prettyErrors: true });
    const parsed: { document: YAML.Document; object: KubernetesObject }[] = [];
    documents.forEach((document, index) => {
        const error = document.errors[0];
        if (error) {
            throw new Error(`The manifests are not valid YAML (document ${index + 1}): ${error.message}`);
        }
        const value: unknown = document.toJS();
        if (value === null || value === undefined) {
            return;
        }
        parsed.push({ document, object: asObject(value, index + 1) });
    });
    const relocated = relocate(
        parsed.map((p) => p.object),
        options,
    );
    return parsed.map((p, i) => updateDocument(p.document, relocated[i]).toString(stringifyOptions)).join("");
}

function asObject(value: unknown, documentNumber: number): KubernetesObject {
    const name = isRecord(value) && isRecord(value.metadata) ? value.metadata.name : undefined;
    if (!isRecord(value) || typeof value.apiVersion !== "string" || typeof value.kind !== "string" || !isRecord(value.metadata)) {
        throw new Error(
            `Document ${documentNumber} of the manifests${typeof name === "string" ? ` ("${name}")` : ""} is not a Kubernetes object: ` +
                `it needs apiVersion, kind and metadata.`,
        );
    }
    return value as KubernetesObject;
}

/**
 * Makes `object` (in place) what the chart renders with `OperatorTargetsHttpsEnabled` off, the only setting that works outside
 * kube-system: the allocator's config reader writes its TLS secrets to kube-system and signs its certificate for
 * the allocator's kube-system name, so relocated pods would mount empty (optional) secret volumes and the
 * collector could not reach the allocator over HTTPS (reference/ama-metrics.md). Helm's default turns it on; a
 * Helm CLI user who keeps it gets what the component deploys. Each change is one the chart's templates make
 * when the value is off (`chartFacts.operatorTargetsHttps`), so both renderings relocate alike.
 */
function withHttpsOff(object: KubernetesObject): KubernetesObject {
    const https = chartFacts.operatorTargetsHttps;
    if (object.kind === "ClusterRole" && Array.isArray(object.rules)) {
        object.rules = object.rules.filter((rule) => !https.clusterRoleRules.some((off) => isDeepStrictEqual(rule, off)));
    }
    const spec = object.spec;
    if (object.kind === "Service" && isRecord(spec) && Array.isArray(spec.ports)) {
        spec.ports = spec.ports.filter((port) => !(isRecord(port) && port.name === https.servicePort));
    }
    for (const pod of podTemplatesOf(object).map((slot) => slot.get())) {
        const tlsVolumes = new Set(
            (pod.spec?.volumes ?? [])
                .filter((volume) => https.secrets.includes(getPath(volume, ["secret", "secretName"]) as string))
                .map((volume) => volume.name),
        );
        if (pod.spec?.volumes) {
            pod.spec.volumes = pod.spec.volumes.filter((volume) => !tlsVolumes.has(volume.name));
        }
        for (const container of containersOf(pod)) {
            for (const env of Array.isArray(container.env) ? container.env.filter(isRecord) : []) {
                if (env.name === https.env && typeof env.value === "string") {
                    env.value = "false";
                }
            }
            if (container.volumeMounts) {
                container.volumeMounts = container.volumeMounts.filter((mount) => !tlsVolumes.has(mount.name));
            }
            if (container.name === chartFacts.targetAllocatorContainer && Array.isArray(container.ports)) {
                container.ports = container.ports.filter((port) => !(isRecord(port) && https.allocatorPorts.includes(port.name as string)));
            }
        }
    }
    return object;
}

// ---------------------------------------------------------------------------------------------
// What the relocation knows about the whole input before it rewrites any object.

interface Context {
    options: RelocationOptions;
    /** Scope of every kind of the input: kindKey → scope. */
    scopes: Map<string, Scope>;
    /** New names of renamed cluster-scoped objects: kindKey/name → new name. */
    renames: Map<string, string>;
    /** The ServiceAccounts the input moves out of kube-system. */
    movedServiceAccounts: Set<string>;
    /** Workloads an autoscaler of the input scales: kindKey/name. */
    autoscaled: Set<string>;
}

function keyOf(object: KubernetesObject): string {
    return kindKey(apiGroup(object.apiVersion), object.kind);
}

function buildContext(objects: readonly KubernetesObject[], options: RelocationOptions): Context {
    const scopes = new Map<string, Scope>(chartKinds);
    for (const [key, scope] of Object.entries(options.kindScopes ?? {})) {
        scopes.set(key, scope);
    }
    for (const crd of objects.filter((o) => keyOf(o) === kindKey("apiextensions.k8s.io", "CustomResourceDefinition"))) {
        const spec = isRecord(crd.spec) ? crd.spec : {};
        const kind = getPath(spec, ["names", "kind"]);
        if (typeof spec.group !== "string" || typeof kind !== "string" || (spec.scope !== "Namespaced" && spec.scope !== "Cluster")) {
            throw new Error(
                `CustomResourceDefinition "${crd.metadata.name}" lacks spec.group, spec.names.kind or a spec.scope of ` +
                    `Namespaced or Cluster, so the scope of its objects is unknown; fix the CRD in the chart.`,
            );
        }
        scopes.set(kindKey(spec.group, kind), spec.scope);
    }
    const context: Context = { options, scopes, renames: new Map(), movedServiceAccounts: new Set(), autoscaled: new Set() };

    const newNames = new Map<string, string>();
    for (const object of objects) {
        const name = object.metadata.name;
        const namespace = object.metadata.namespace;
        // The target namespace too: relocating relocated manifests (a mode switch) gives what one pass gives.
        if (namespace !== undefined && namespace !== chartNamespace && namespace !== options.namespace) {
            throw new Error(
                `${object.kind} "${name}" is in namespace "${namespace}": the chart renders its objects into ${chartNamespace} ` +
                    `(or none), and moving an object from elsewhere would be a guess; render it from another release.`,
            );
        }
        if (typeof name !== "string") {
            throw new Error(`A ${object.kind} has no metadata.name; the relocation renames and moves objects by name.`);
        }
        if (scopeOf(object, context) === "Namespaced") {
            if (keyOf(object) === kindKey("", "ServiceAccount")) {
                context.movedServiceAccounts.add(name);
            }
            if (keyOf(object) === kindKey("autoscaling", "HorizontalPodAutoscaler")) {
                const target = getPath(object, ["spec", "scaleTargetRef"]);
                if (isRecord(target) && typeof target.kind === "string" && typeof target.apiVersion === "string") {
                    context.autoscaled.add(`${kindKey(apiGroup(target.apiVersion), target.kind)}/${String(target.name)}`);
                }
            }
            continue;
        }
        if (structurallyNamed.has(keyOf(object))) {
            continue;
        }
        const newName = clusterScopedName(name, options.namespace);
        if (newName.length > maxNameLength) {
            throw new Error(
                `${object.kind} "${name}" would be renamed "${newName}" (${newName.length} characters), longer than ` +
                    `Kubernetes' ${maxNameLength}-character limit for names; choose a shorter namespace.`,
            );
        }
        const clash = newNames.get(`${keyOf(object)}/${newName}`);
        if (clash !== undefined && clash !== name) {
            throw new Error(`${object.kind} "${clash}" and "${name}" would both be named "${newName}"; rename one of them in the chart.`);
        }
        newNames.set(`${keyOf(object)}/${newName}`, name);
        context.renames.set(`${keyOf(object)}/${name}`, newName);
    }
    return context;
}

function scopeOf(object: KubernetesObject, context: Context): Scope {
    const scope = context.scopes.get(keyOf(object));
    if (scope === undefined) {
        const group = apiGroup(object.apiVersion);
        throw new Error(
            `Cannot relocate ${object.apiVersion} ${object.kind} "${object.metadata.name}": whether it is namespaced is unknown. ` +
                `No version of the ama-metrics chart rendered it, and no CustomResourceDefinition in the same manifests defines ` +
                `${object.kind} in group "${group}". If the chart now renders it, give its scope: ` +
                `--kind-scope ${group}/${object.kind}=Namespaced (or =Cluster).`,
        );
    }
    return scope;
}

function renamed(context: Context, group: string, kind: string, name: string): string {
    return context.renames.get(`${kindKey(group, kind)}/${name}`) ?? name;
}

// ---------------------------------------------------------------------------------------------
// One object.

/** Relocates `object` in place (relocate's own copy) and returns it. */
function relocateObject(object: KubernetesObject, context: Context): KubernetesObject {
    const metadata = { ...object.metadata };
    if (scopeOf(object, context) === "Namespaced") {
        object.metadata = withKey(metadata, "namespace", context.options.namespace, "name");
    } else {
        // The API server ignores a namespace on cluster-scoped objects; drop it rather than keep kube-system.
        delete metadata.namespace;
        metadata.name = renamed(context, apiGroup(object.apiVersion), object.kind, metadata.name!);
        object.metadata = metadata;
    }
    // Helm keeps an autoscaled count through the chart's `lookup` of kube-system, which finds nothing once
    // relocated: the rendered count would reset the autoscaler on every update. Without the field,
    // server-side apply leaves the count to the autoscaler.
    if (context.autoscaled.has(`${keyOf(object)}/${object.metadata.name}`) && isRecord(object.spec)) {
        delete object.spec.replicas;
    }
    rewriteBindings(object, context);
    for (const pod of podTemplatesOf(object)) {
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

/** RBAC: subjects that are ServiceAccounts the chart moved, and roleRefs to renamed ClusterRoles. */
function rewriteBindings(object: KubernetesObject, context: Context): void {
    const group = apiGroup(object.apiVersion);
    if (group !== rbacGroup || (object.kind !== "RoleBinding" && object.kind !== "ClusterRoleBinding")) {
        return;
    }
    for (const subject of Array.isArray(object.subjects) ? object.subjects.filter(isRecord) : []) {
        if (
            subject.kind === "ServiceAccount" &&
            subject.namespace === chartNamespace &&
            context.movedServiceAccounts.has(subject.name as string)
        ) {
            subject.namespace = context.options.namespace;
        }
    }
    const roleRef = object.roleRef;
    if (isRecord(roleRef) && roleRef.kind === "ClusterRole" && typeof roleRef.name === "string") {
        roleRef.name = renamed(context, rbacGroup, "ClusterRole", roleRef.name);
    }
}

/** Which of the chart's workloads a pod belongs to, by the labels its selector uses. */
function workloadOfPod(pod: PodTemplate): Workload | undefined {
    const labels = pod.metadata?.labels ?? {};
    const found = Object.entries(chartWorkloads).find(([, facts]) =>
        Object.entries(facts.podLabels).every(([key, value]) => labels[key] === value),
    );
    return found?.[0] as Workload | undefined;
}

function relocatePod(pod: PodTemplate, context: Context): PodTemplate {
    const workload = workloadOfPod(pod);
    const options = context.options;
    for (const container of containersOf(pod)) {
        relocateContainer(container, context);
        if (workload === "targetAllocator" && container.name === chartFacts.targetAllocatorContainer) {
            allowInsecureAuthSecrets(container, options.mesh.mode === "sidecar");
        }
    }
    return applyPodMesh(workload, pod, { ...options.mesh, collector: "ama-metrics" }, certificateReaders[workload!] ?? []);
}

function relocateContainer(container: Container, context: Context): void {
    // Literal namespace values only: `valueFrom` (the downward API) already follows the pod.
    for (const env of Array.isArray(container.env) ? container.env.filter(isRecord) : []) {
        if (chartFacts.namespaceEnvVars.includes(env.name as string) && env.value === chartNamespace) {
            env.value = context.options.namespace;
        }
    }
    // The token secret stays where AKS writes it (kube-system unless configured otherwise).
    if (chartFacts.tokenAdapterContainers.includes(container.name) && Array.isArray(container.args)) {
        const { name, namespace } = context.options.tokenSecret;
        container.args = container.args.map((arg) =>
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

/**
 * With app-level TLS off, the allocator hands secrets (basic auth and bearer tokens of ServiceMonitors and
 * PodMonitors) to plain-HTTP callers only when told to (otel-allocator server.go; its help: "only when the
 * endpoint is secured by a mesh"). The sidecar mode secures it: mTLS and an AuthorizationPolicy that admits
 * only the collector. In the other modes the secrets stay redacted.
 */
function allowInsecureAuthSecrets(container: Container, allow: boolean): void {
    const name = chartFacts.allowInsecureAuthSecretsEnv;
    const env = (Array.isArray(container.env) ? container.env : []).filter((e) => !(isRecord(e) && e.name === name));
    if (allow) {
        env.push({ name, value: "true" });
    }
    if (env.length > 0 || Array.isArray(container.env)) {
        container.env = env;
    }
}

/**
 * Fails on any string of the output that still names kube-system, but for the token adapters'
 * `--secret-namespace` argument: a reference the relocation does not understand must not pass silently.
 */
function assertNoKubeSystem(object: KubernetesObject, options: RelocationOptions): void {
    const allowed = `--secret-namespace=${options.tokenSecret.namespace}`;
    // The args of the token adapters, and no other list: the same text elsewhere is a reference like any other.
    const adapterArgs = new Set<unknown>(
        podTemplatesOf(object)
            .flatMap((pod) => containersOf(pod.get()))
            .filter((container) => chartFacts.tokenAdapterContainers.includes(container.name))
            .map((container) => container.args),
    );
    const fail = (path: string, text: string, what: string): never => {
        throw new Error(
            `${object.kind} "${object.metadata.name}" still names ${chartNamespace} ${what} ${path} (${JSON.stringify(text)}) after ` +
                `relocation: the relocation does not know this reference. Report it with the chart version; ` +
                `until then, override the value through chart values.`,
        );
    };
    const visit = (value: unknown, path: string, parent?: unknown): void => {
        if (typeof value === "string") {
            if (value.includes(chartNamespace) && !(value === allowed && adapterArgs.has(parent))) {
                fail(path, value, "at");
            }
        } else if (Array.isArray(value)) {
            value.forEach((item, i) => visit(item, `${path}[${i}]`, value));
        } else if (isRecord(value)) {
            for (const [key, item] of Object.entries(value)) {
                const itemPath = path ? `${path}.${key}` : key;
                if (key.includes(chartNamespace)) {
                    fail(itemPath, key, "in the key of");
                }
                visit(item, itemPath);
            }
        }
    };
    visit(object, "");
}

// ---------------------------------------------------------------------------------------------
// YAML output: the parsed document is updated in place, so unchanged values keep their text.

const stringifyOptions: YAML.ToStringOptions = { lineWidth: 0, indentSeq: false };

function updateDocument(document: YAML.Document, value: KubernetesObject): YAML.Document {
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
            const pair = pairs.find((p) => YAML.isScalar(p.key) && String(p.key.value) === key);
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
        node.items = value.map((item, i) => (i < items.length ? reconcile(document, items[i], item) : createNode(document, item)));
        return node;
    }
    if (YAML.isScalar(node)) {
        if (node.value === value) {
            return node;
        }
        // A changed string keeps its quotes (and any comment on its line) where they were a choice of style.
        // Quotes the old text needed (`""`, `"true"`) say nothing about the new one, which is written as a
        // new value is: then a mode switch over relocated manifests writes what a single pass writes.
        const quoted = node.type === YAML.Scalar.QUOTE_DOUBLE || node.type === YAML.Scalar.QUOTE_SINGLE;
        if (quoted && typeof node.value === "string" && typeof value === "string" && readsBackAsString(node.value)) {
            node.value = value;
            return node;
        }
    }
    const created = createNode(document, value);
    if (YAML.isNode(node)) {
        // The comments around a replaced value stay where they were.
        created.commentBefore = node.commentBefore;
        created.comment = node.comment;
        created.spaceBefore = node.spaceBefore;
    }
    return created;
}

/**
 * A node for a new value. Strings that a YAML 1.1 reader (Helm and the Kubernetes tooling use one) would
 * take for something else, such as `yes` or `0777`, are quoted.
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
