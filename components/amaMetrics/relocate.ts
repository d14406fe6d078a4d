// Relocation of the published ama-metrics chart out of kube-system. The chart hard-codes
// `namespace: kube-system` and names its cluster-scoped objects as the managed add-on does, so its
// rendered manifests are rewritten before they reach the cluster: namespaced objects move, cluster-scoped
// objects get a per-namespace name, every reference follows, and the mesh mode's pod settings apply.
// A pure function over parsed manifests, plus a YAML-in, YAML-out wrapper for the post-renderer.

import { isDeepStrictEqual } from "node:util";
import {
    apiGroup,
    Container,
    containersOf,
    getPath,
    isRecord,
    keyOf,
    kindKey,
    KubernetesObject,
    labelsMatch,
    PodTemplate,
    podTemplatesOf,
} from "../core/kubernetes";
import type { ChartArgs, PodMeshArgs, TokenSecretArgs } from "../core/args";
import { defaults, PodMeshSettings, withDefaults } from "../core/settings";
import { resolvePodMeshSettings } from "../mesh/settings";
import { applyPodMesh } from "../mesh/pod";
import { WorkloadRole } from "../core/facts/workloads";
import { chartFacts, chartNamespace, chartWorkloads, defaultTokenSecret } from "./facts";
import { chartKinds, Scope, structurallyNamed } from "./kinds";
import { assertNoKubeSystem } from "./kubeSystemReferences";
import { ReplicaBounds, setCollectorReplicas } from "./collectorReplicas";
import { assertReliedOnParts } from "./reliedOn";
import { parseManifests, writeManifests } from "./yamlText";

/**
 * What `relocate` and `relocateYaml` take, spelled as the component's arguments; what is left out takes the
 * component's default.
 */
export interface RelocationOptions {
    /** The namespace every namespaced object moves to (the component's `namespace`). Default `monitoring`. */
    namespace?: string;
    /** Where the token adapter reads its secret (the component's `tokenSecret`). */
    tokenSecret?: TokenSecretArgs;
    /** The pod-level mesh arguments (the component's `istio`). Default: the sidecar mode. */
    istio?: PodMeshArgs;
    /** The cluster's service CIDR, the only range the sidecar mode's proxies capture (the component's `cluster.serviceCidr`). */
    serviceCidr?: string;
    /** Scopes of kinds the chart renders that the relocation does not know (the component's `chart.kindScopes`). */
    kindScopes?: ChartArgs["kindScopes"];
    /** Bounds of the collector's autoscaler (the component's `chart.collectorReplicas`); absent: as the chart renders them. */
    collectorReplicas?: ChartArgs["collectorReplicas"];
}

/** The relocation's settings from its public options: the component's defaults filled in. @internal */
export function relocationSettings(options: RelocationOptions): RelocationSettings {
    return {
        namespace: options.namespace ?? defaults.namespace,
        tokenSecret: withDefaults(options.tokenSecret ?? {}, defaultTokenSecret),
        mesh: resolvePodMeshSettings("ama-metrics", options.istio ?? {}, options.serviceCidr ?? defaults.serviceCidr),
        ...(options.kindScopes !== undefined ? { kindScopes: options.kindScopes } : {}),
        ...(options.collectorReplicas !== undefined ? { collectorReplicas: options.collectorReplicas } : {}),
    };
}

/**
 * Moves the ama-metrics chart's rendered manifests out of kube-system, as the component's post-renderer
 * does (see `relocateObjects`). Returns new objects in the same order; the input is not modified.
 */
export function relocate(manifests: readonly KubernetesObject[], options: RelocationOptions = {}): KubernetesObject[] {
    return relocateObjects(manifests, relocationSettings(options));
}

/** `relocate` over multi-document YAML, as Helm renders it; every value the relocation does not change keeps its text. */
export function relocateYaml(text: string, options: RelocationOptions = {}): string {
    return relocateText(text, relocationSettings(options));
}

/** What the relocation needs, defaults filled in: a subset of the component's settings, which the post-renderer's flags carry. @internal */
export interface RelocationSettings {
    /** Target namespace of every namespaced object. */
    namespace: string;
    /** Where the token adapter reads its secret. */
    tokenSecret: { name: string; namespace: string };
    /** Pod-level mesh settings. */
    mesh: PodMeshSettings;
    /** Scopes of kinds the chart renders that the relocation does not know, keyed `group/Kind`. */
    kindScopes?: Readonly<Record<string, Scope>>;
    /** Bounds of the collector's autoscaler; absent: as the chart renders them. */
    collectorReplicas?: ReplicaBounds;
}

/** Kubernetes' limit for object names (DNS subdomain). */
const maxNameLength = 253;

const rbacGroup = "rbac.authorization.k8s.io";

/** The containers of each workload that read the custom scrape configuration (and so its certificate files). @internal */
export const certificateReaders: Partial<Record<WorkloadRole, string[]>> = {
    collector: [chartFacts.collectorContainer],
    // The config reader validates the custom configuration, stat()s its certificate files and drops the
    // whole custom configuration when they are missing (configmapparser.go, promconfigvalidator).
    targetAllocator: [chartFacts.configReaderContainer],
};

/** The name a cluster-scoped object gets in the target namespace; names already suffixed stay. @internal */
export function clusterScopedName(name: string, namespace: string): string {
    const suffix = `-${namespace}`;
    return name.endsWith(suffix) ? name : `${name}${suffix}`;
}

/**
 * Moves the manifests into `options.namespace`, with the target allocator's app-level HTTPS off. Returns new
 * objects in the same order; the input is not modified. Throws on empty input, on a rendering that lacks
 * what the relocation relies on (reliedOn.ts), on a kind of unknown scope, on an object in a namespace other than kube-system or the target, on names that would become invalid, and
 * on any `kube-system` left in the output that is not the token secret's.
 * @internal
 */
export function relocateObjects(manifests: readonly KubernetesObject[], options: RelocationSettings): KubernetesObject[] {
    if (manifests.length === 0) {
        // Helm would take an empty rendering for a release without objects, and delete the chart's.
        throw new Error(
            "The manifests hold no Kubernetes object: nothing to relocate, and Helm would remove every object of the release. " +
                "Check the chart's rendering (`helm template …`) and what feeds the post-renderer's stdin.",
        );
    }
    assertReliedOnParts(manifests);
    // One copy of each object, which the steps below change in place.
    const input = manifests.map((manifest) => withHttpsOff(structuredClone(manifest)));
    const context = buildContext(input, options);
    const relocated = input.map((manifest) => relocateObject(manifest, context));
    if (options.collectorReplicas !== undefined) {
        setCollectorReplicas(relocated, options.collectorReplicas);
    }
    relocated.forEach((object) => assertNoKubeSystem(object, options.tokenSecret));
    return relocated;
}

/**
 * `relocateObjects` over multi-document YAML (as Helm renders it). Documents keep their order, empty documents
 * are dropped, and every value the relocation does not change keeps its text.
 * @internal
 */
export function relocateText(text: string, options: RelocationSettings): string {
    const parsed = parseManifests(text);
    return writeManifests(
        parsed,
        relocateObjects(
            parsed.map((p) => p.object),
            options,
        ),
    );
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
    options: RelocationSettings;
    /** Scope of every kind of the input: kindKey → scope. */
    scopes: Map<string, Scope>;
    /** New names of renamed cluster-scoped objects: kindKey/name → new name. */
    renames: Map<string, string>;
    /** The ServiceAccounts the input moves out of kube-system. */
    movedServiceAccounts: Set<string>;
    /** Workloads an autoscaler of the input scales: kindKey/name. */
    autoscaled: Set<string>;
}

function buildContext(objects: readonly KubernetesObject[], options: RelocationSettings): Context {
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
function workloadOfPod(pod: PodTemplate): WorkloadRole | undefined {
    const found = Object.entries(chartWorkloads).find(([, facts]) => labelsMatch(facts.podLabels, pod.metadata?.labels));
    return found?.[0] as WorkloadRole | undefined;
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
