// The semantic rules of Istio configuration that the CRD schemas do not check. istiod's validating
// webhook and `istioctl analyze` hold most of them, but neither runs where this package is planned
// (previews, CI), and a webhook only sees objects its revision selects. The component checks
// everything it is about to emit with these rules, and a CrossGuard policy pack can run the same
// rules on a whole stack: the module is pure and works on plain objects.

import { chartWorkloads } from "../amaMetrics/facts";
import { azureTlsHosts } from "../azure/clouds";
import { describeObject, KubernetesObject } from "../core/kubernetes";

/** What the rules know about the cluster. */
export interface MeshRuleContext {
    /** Istio's root namespace (`istio-system`, `aks-istio-system` on the AKS add-on). */
    rootNamespace: string;
    /** The pod label sets known per namespace. Namespaces absent here are not judged by selector rules. */
    podLabels?: Record<string, Array<Record<string, string>>>;
}

export interface MeshRuleViolation {
    /** The rule's stable id, e.g. `wildcard-host-dns-resolution`. */
    rule: string;
    /** The object, as `Kind namespace/name`. */
    object: string;
    /** What is wrong. */
    message: string;
    /** How to fix it. */
    fix: string;
}

export type MeshRule = (objects: readonly KubernetesObject[], context: MeshRuleContext) => MeshRuleViolation[];

export const ruleIds = {
    wildcardHostDnsResolution: "wildcard-host-dns-resolution",
    tlsOriginationOnTlsPort: "tls-origination-on-tls-port",
    rootNamespaceAllowPolicy: "root-namespace-allow-policy",
    allowPolicyWithoutSelector: "allow-policy-without-selector",
    twoInjectionLabels: "two-injection-labels",
    portLevelMtlsWithoutSelector: "port-level-mtls-without-selector",
    selectorMatchesNoPod: "selector-matches-no-pod",
    deprecatedInjectAnnotation: "deprecated-inject-annotation",
    agentWorkloadInKubeSystem: "agent-workload-in-kube-system",
} as const;

/**
 * 1. A ServiceEntry with a wildcard host and DNS resolution needs endpoints or a workload selector:
 * a wildcard cannot be resolved. istiod rejects it ("hosts must be FQDN if no endpoints are provided
 * for resolution mode DNS", IST0106); where no validator selects the object it is admitted and broken.
 */
export function wildcardHostDnsResolution(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const object of objects.filter((o) => isIstio(o, "ServiceEntry"))) {
        const spec = record(object.spec) ?? {};
        const resolution = text(spec.resolution);
        if (resolution !== "DNS" && resolution !== "DNS_ROUND_ROBIN") {
            continue;
        }
        if (list(spec.endpoints).length > 0 || record(spec.workloadSelector) !== undefined) {
            continue;
        }
        const wildcards = list(spec.hosts).filter((host): host is string => typeof host === "string" && host.includes("*"));
        if (wildcards.length > 0) {
            violations.push({
                rule: ruleIds.wildcardHostDnsResolution,
                object: describeObject(object),
                message: `resolution ${resolution} with wildcard host(s) ${wildcards.join(", ")} and no endpoints: a wildcard cannot be resolved (istiod rejects it, IST0106)`,
                fix: "set `resolution: NONE` (the sidecar forwards to the address the application resolved), or list exact hosts",
            });
        }
    }
    return violations;
}

/**
 * 2. TLS origination towards a port that already carries TLS: the application speaks TLS, a
 * DestinationRule with `tls.mode` SIMPLE or MUTUAL makes the sidecar wrap it again (Istio's "double
 * TLS" failure, `wrong version number`). A port is known to carry TLS when a ServiceEntry among the
 * objects declares it with protocol TLS or HTTPS, and for the agent's egress hosts (TLS on 443).
 */
export function tlsOriginationOnTlsPort(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const tlsPorts: Array<{ host: string; port: number; source: string }> = azureTlsHosts.map((host) => ({
        host,
        port: 443,
        source: "an Azure Monitor host",
    }));
    for (const entry of objects.filter((o) => isIstio(o, "ServiceEntry"))) {
        const spec = record(entry.spec) ?? {};
        const ports = list(spec.ports)
            .map(record)
            .filter((port) => ["TLS", "HTTPS"].includes((text(port?.protocol) ?? "").toUpperCase()))
            .map((port) => Number(port?.number));
        for (const host of list(spec.hosts).filter((h): h is string => typeof h === "string")) {
            for (const port of ports) {
                tlsPorts.push({ host, port, source: describeObject(entry) });
            }
        }
    }

    const violations: MeshRuleViolation[] = [];
    for (const rule of objects.filter((o) => isIstio(o, "DestinationRule"))) {
        const spec = record(rule.spec) ?? {};
        const host = text(spec.host);
        if (host === undefined) {
            continue;
        }
        const policies = [record(spec.trafficPolicy), ...list(spec.subsets).map((subset) => record(record(subset)?.trafficPolicy))];
        const findings = new Set<string>();
        for (const policy of policies) {
            const topMode = text(record(policy?.tls)?.mode);
            if (topMode === "SIMPLE" || topMode === "MUTUAL") {
                for (const known of tlsPorts.filter((k) => hostsOverlap(host, k.host))) {
                    findings.add(`tls.mode ${topMode} for ${known.host} port ${known.port} (TLS per ${known.source})`);
                }
            }
            for (const setting of list(policy?.portLevelSettings).map(record)) {
                const mode = text(record(setting?.tls)?.mode);
                const port = Number(record(setting?.port)?.number);
                if (mode !== "SIMPLE" && mode !== "MUTUAL") {
                    continue;
                }
                for (const known of tlsPorts.filter((k) => k.port === port && hostsOverlap(host, k.host))) {
                    findings.add(`port ${port} tls.mode ${mode} for ${known.host} (TLS per ${known.source})`);
                }
            }
        }
        if (findings.size > 0) {
            violations.push({
                rule: ruleIds.tlsOriginationOnTlsPort,
                object: describeObject(rule),
                message: `originates TLS on a port the application already speaks TLS on: ${[...findings].join("; ")}; the sidecar would wrap TLS in TLS`,
                fix: "remove the DestinationRule (Istio never applies ISTIO_MUTUAL to MESH_EXTERNAL hosts), or set `tls.mode: DISABLE` where a mesh-wide rule forces ISTIO_MUTUAL",
            });
        }
    }
    return violations;
}

/**
 * 3. An ALLOW AuthorizationPolicy in the root namespace applies to every workload in the mesh, and
 * every request it does not match is then denied: a mesh-wide outage.
 */
export function rootNamespaceAllowPolicy(objects: readonly KubernetesObject[], context: MeshRuleContext): MeshRuleViolation[] {
    return objects
        .filter((o) => isIstio(o, "AuthorizationPolicy") && isAllow(o) && o.metadata?.namespace === context.rootNamespace)
        .map((object) => ({
            rule: ruleIds.rootNamespaceAllowPolicy,
            object: describeObject(object),
            message: `ALLOW policy in the root namespace ${context.rootNamespace}: it applies to every workload in the mesh and denies whatever it does not match`,
            fix: "put a selector-scoped policy in the namespace of the workload it protects",
        }));
}

/**
 * 4. An ALLOW AuthorizationPolicy without a selector (or target reference) applies to every workload
 * of its namespace, and denies every request it does not match there.
 */
export function allowPolicyWithoutSelector(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    return objects
        .filter((o) => isIstio(o, "AuthorizationPolicy") && isAllow(o) && !hasTarget(o))
        .map((object) => ({
            rule: ruleIds.allowPolicyWithoutSelector,
            object: describeObject(object),
            message:
                "ALLOW policy without a selector or targetRef: it applies to every workload of the namespace and denies whatever it does not match",
            fix: "add `selector.matchLabels` with the pod labels of the workload it is meant for",
        }));
}

/**
 * 5. A namespace with both `istio-injection` and `istio.io/rev` (istioctl IST0123): `istio-injection`
 * wins, and on a revisioned control plane such as the AKS add-on no webhook then injects.
 */
export function twoInjectionLabels(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    return objects
        .filter(
            (o) =>
                o.kind === "Namespace" &&
                o.metadata?.labels?.["istio-injection"] !== undefined &&
                o.metadata?.labels?.["istio.io/rev"] !== undefined,
        )
        .map((object) => ({
            rule: ruleIds.twoInjectionLabels,
            object: describeObject(object),
            message: `labelled both istio-injection=${object.metadata.labels?.["istio-injection"]} and istio.io/rev=${object.metadata.labels?.["istio.io/rev"]} (IST0123)`,
            fix: "keep only `istio.io/rev=<revision>` on a revisioned control plane (the AKS add-on), or only `istio-injection=enabled` on a default-revision install",
        }));
}

/** 6. `portLevelMtls` is only valid on a PeerAuthentication with a selector; istiod rejects it otherwise. */
export function portLevelMtlsWithoutSelector(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    return objects
        .filter((o) => isIstio(o, "PeerAuthentication"))
        .filter((o) => Object.keys(record(record(o.spec)?.portLevelMtls) ?? {}).length > 0 && !hasSelector(record(o.spec)?.selector))
        .map((object) => ({
            rule: ruleIds.portLevelMtlsWithoutSelector,
            object: describeObject(object),
            message: `portLevelMtls on ports ${Object.keys(record(record(object.spec)?.portLevelMtls) ?? {}).join(", ")} without a selector (istiod rejects it)`,
            fix: "keep the namespace-wide policy without portLevelMtls, and put port exceptions in a separate PeerAuthentication whose selector names the workload",
        }));
}

/**
 * 7. A selector that matches no pod of its namespace (IST0127 for AuthorizationPolicies): the object
 * has no effect, and whatever it was meant to do does not happen. Judged only in namespaces whose pods
 * are known; objects in the root namespace select across the mesh and are not judged.
 */
export function selectorMatchesNoPod(objects: readonly KubernetesObject[], context: MeshRuleContext): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const object of objects) {
        const path = selectorPaths[object.kind];
        const namespace = object.metadata?.namespace;
        if (path === undefined || !isIstioGroup(object) || namespace === undefined || namespace === context.rootNamespace) {
            continue;
        }
        const pods = context.podLabels?.[namespace];
        const selector = stringMap(record(record(object.spec)?.[path.field])?.[path.labels]);
        if (pods === undefined || selector === undefined || Object.keys(selector).length === 0) {
            continue;
        }
        if (!pods.some((labels) => Object.entries(selector).every(([key, value]) => labels[key] === value))) {
            violations.push({
                rule: ruleIds.selectorMatchesNoPod,
                object: describeObject(object),
                message: `selector ${formatLabels(selector)} matches none of the ${pods.length} pod label set(s) known in namespace ${namespace}: the object has no effect`,
                fix: "select the pod template labels of the workload it is meant for, or remove the object",
            });
        }
    }
    return violations;
}

/**
 * 8. The `sidecar.istio.io/inject` annotation on a pod (template) is deprecated in favour of the
 * label (IST0135), and on a revisioned control plane it does not select a webhook.
 */
export function deprecatedInjectAnnotation(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const object of objects) {
        const annotations = podTemplateAnnotations(object);
        const value = annotations?.["sidecar.istio.io/inject"];
        if (value !== undefined) {
            violations.push({
                rule: ruleIds.deprecatedInjectAnnotation,
                object: describeObject(object),
                message: `pod template annotation sidecar.istio.io/inject: "${value}" is deprecated (IST0135) and does not select a revision`,
                fix: 'use the pod label `sidecar.istio.io/inject` ("false" to opt out), or the pod label `istio.io/rev=<revision>` to opt in',
            });
        }
    }
    return violations;
}

/**
 * 9. An ama-metrics workload (by the chart's workload names or pod labels) in kube-system: Istio
 * never injects there, and the agent's mesh identity would be a kube-system one. This is what the
 * relocation exists to prevent; a chart rendered without it lands there.
 */
export function agentWorkloadInKubeSystem(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const agents = Object.values(chartWorkloads);
    return objects
        .filter((o) => o.metadata?.namespace === "kube-system" && workloadKinds.includes(o.kind))
        .filter((o) => {
            const labels = podTemplateLabels(o) ?? {};
            return agents.some(
                (agent) =>
                    (agent.kind === o.kind && agent.name === o.metadata.name) ||
                    Object.entries(agent.podLabels).every(([key, value]) => labels[key] === value),
            );
        })
        .map((object) => ({
            rule: ruleIds.agentWorkloadInKubeSystem,
            object: describeObject(object),
            message:
                "an ama-metrics workload in kube-system: Istio never injects sidecars there, and the agent would carry a kube-system identity",
            fix: "deploy the agent into a namespace of its own (the component's `namespace`, `monitoring` by default)",
        }));
}

/** Every rule, by id. A policy pack can offer each as a policy of its own. */
export const meshRules: ReadonlyArray<{ id: string; description: string; check: MeshRule }> = [
    {
        id: ruleIds.wildcardHostDnsResolution,
        description: "ServiceEntry wildcard hosts need resolution NONE",
        check: wildcardHostDnsResolution,
    },
    {
        id: ruleIds.tlsOriginationOnTlsPort,
        description: "No TLS origination towards a port that already carries TLS",
        check: tlsOriginationOnTlsPort,
    },
    {
        id: ruleIds.rootNamespaceAllowPolicy,
        description: "No ALLOW AuthorizationPolicy in Istio's root namespace",
        check: rootNamespaceAllowPolicy,
    },
    {
        id: ruleIds.allowPolicyWithoutSelector,
        description: "ALLOW AuthorizationPolicies are selector-scoped",
        check: allowPolicyWithoutSelector,
    },
    { id: ruleIds.twoInjectionLabels, description: "A namespace carries one injection label", check: twoInjectionLabels },
    { id: ruleIds.portLevelMtlsWithoutSelector, description: "portLevelMtls needs a selector", check: portLevelMtlsWithoutSelector },
    { id: ruleIds.selectorMatchesNoPod, description: "Selectors match a known pod", check: selectorMatchesNoPod },
    {
        id: ruleIds.deprecatedInjectAnnotation,
        description: "No sidecar.istio.io/inject annotation on pods",
        check: deprecatedInjectAnnotation,
    },
    { id: ruleIds.agentWorkloadInKubeSystem, description: "No ama-metrics workload in kube-system", check: agentWorkloadInKubeSystem },
];

/** Runs every rule over the objects. */
export function checkMeshObjects(objects: readonly KubernetesObject[], context: MeshRuleContext): MeshRuleViolation[] {
    return meshRules.flatMap((rule) => rule.check(objects, context));
}

/** Throws one error listing every violation, if any. */
export function assertMeshObjects(objects: readonly KubernetesObject[], context: MeshRuleContext): void {
    const violations = checkMeshObjects(objects, context);
    if (violations.length > 0) {
        throw new Error(formatViolations(violations));
    }
}

/** One violation on one line: `[rule] Kind namespace/name: what is wrong. Fix: the fix.` */
export function formatViolation(violation: MeshRuleViolation): string {
    return `[${violation.rule}] ${violation.object}: ${violation.message}. Fix: ${violation.fix}.`;
}

export function formatViolations(violations: readonly MeshRuleViolation[]): string {
    const lines = violations.map((v) => `- ${formatViolation(v)}`);
    return `${violations.length} Istio configuration rule violation(s):\n${lines.join("\n")}`;
}

/**
 * Whether a host pattern matches a host, as Istio matches them: `*.example.com` matches
 * `a.example.com`, `a.b.example.com` and `*.b.example.com`; `*` matches everything.
 */
export function hostMatches(pattern: string, host: string): boolean {
    const p = pattern.toLowerCase();
    const h = host.toLowerCase();
    if (p === h || p === "*") {
        return true;
    }
    return p.startsWith("*") && h.endsWith(p.slice(1));
}

/** Whether two host patterns share at least one host. */
export function hostsOverlap(a: string, b: string): boolean {
    return hostMatches(a, b) || hostMatches(b, a);
}

// Where each selector-bearing Istio kind keeps its pod labels.
const selectorPaths: Record<string, { field: string; labels: string }> = {
    PeerAuthentication: { field: "selector", labels: "matchLabels" },
    AuthorizationPolicy: { field: "selector", labels: "matchLabels" },
    RequestAuthentication: { field: "selector", labels: "matchLabels" },
    Telemetry: { field: "selector", labels: "matchLabels" },
    WasmPlugin: { field: "selector", labels: "matchLabels" },
    DestinationRule: { field: "workloadSelector", labels: "matchLabels" },
    Sidecar: { field: "workloadSelector", labels: "labels" },
    EnvoyFilter: { field: "workloadSelector", labels: "labels" },
};

function isIstioGroup(object: KubernetesObject): boolean {
    const group = (object.apiVersion ?? "").split("/")[0];
    return group.endsWith(".istio.io");
}

function isIstio(object: KubernetesObject, kind: string): boolean {
    return object.kind === kind && isIstioGroup(object);
}

/**
 * An ALLOW policy (an absent action is ALLOW, Istio's default) that allows something. An ALLOW policy without rules allows nothing: it is Istio's
 * documented deny-all (`allow-nothing`, `spec: {}`), which default-deny namespaces and meshes rely on.
 */
function isAllow(object: KubernetesObject): boolean {
    const action = text(record(object.spec)?.action);
    return (action === undefined || action === "ALLOW") && list(record(object.spec)?.rules).length > 0;
}

function hasSelector(selector: unknown): boolean {
    return Object.keys(stringMap(record(selector)?.matchLabels) ?? {}).length > 0;
}

function hasTarget(object: KubernetesObject): boolean {
    const spec = record(object.spec) ?? {};
    return hasSelector(spec.selector) || record(spec.targetRef) !== undefined || list(spec.targetRefs).length > 0;
}

const workloadKinds = ["Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob"];

// The pod metadata of a Pod, or of a workload's pod template.
function podMetadata(object: KubernetesObject): Record<string, unknown> | undefined {
    if (object.kind === "Pod") {
        return record(object.metadata);
    }
    const spec = record(object.spec);
    const template = record(spec?.template) ?? record(record(record(spec?.jobTemplate)?.spec)?.template);
    return record(template?.metadata);
}

function podTemplateAnnotations(object: KubernetesObject): Record<string, string> | undefined {
    return stringMap(podMetadata(object)?.annotations);
}

function podTemplateLabels(object: KubernetesObject): Record<string, string> | undefined {
    return stringMap(podMetadata(object)?.labels);
}

function formatLabels(labels: Record<string, string>): string {
    return `{${Object.entries(labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(", ")}}`;
}

function record(value: unknown): Record<string, unknown> | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function list(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

// Labels and annotations are strings; any other value (one not known yet, a Pulumi Output) is left out
// rather than turned into text.
function stringMap(value: unknown): Record<string, string> | undefined {
    const map = record(value);
    if (map === undefined) {
        return undefined;
    }
    return Object.fromEntries(
        Object.entries(map)
            .filter(([, v]) => typeof v === "string" || typeof v === "number" || typeof v === "boolean")
            .map(([key, v]) => [key, String(v)]),
    );
}
