// The semantic rules of Istio configuration that the CRD schemas do not check. istiod's validating
// webhook and `istioctl analyze` hold most of them, but neither runs where this package is planned
// (previews, CI), and a webhook only sees objects its revision selects. The component checks
// everything it is about to emit with these rules, and the CrossGuard policy pack (policy/) runs the
// same rules on whole stacks: the module is pure and works on plain objects.
//
// Upstream sources are istio/istio at 86c9f01f (master, 1.31.0-alpha) unless a tag is named.

import { chartNamespace, chartWorkloads } from "../amaMetrics/facts";
import { azureTlsHosts } from "../azure/clouds";
import { apiGroup, describeObject, getPath, isRecord, KubernetesObject, labelsMatch, podTemplatesOf } from "../core/kubernetes";
import { dataplaneModeLabel, namespaceInjectionLabel, podAnnotations, revisionLabel } from "./pod";

/** What the rules know about the cluster. Every field is optional: a rule that lacks what it needs judges less. */
export interface MeshRuleContext {
    /** Istio's root namespace (`istio-system`, `aks-istio-system` on the AKS add-on). */
    rootNamespace?: string;
    /**
     * The root namespaces of every mesh the objects may belong to (the policy pack: the organisation's).
     * Together with `rootNamespace`; when both are absent, the well-known ones.
     */
    rootNamespaces?: readonly string[];
    /** The pod label sets known per namespace. Namespaces absent here are not judged by selector rules. */
    podLabels?: Record<string, Array<Record<string, string>>>;
    /**
     * The control plane injects only through `istio.io/rev` (the AKS add-on; an upstream revisioned
     * install without a default revision or `default` tag).
     */
    revisionedControlPlane?: boolean;
    /** MeshConfig `defaultConfig.proxyMetadata`, as far as known (IST0134 reads it). */
    meshProxyMetadata?: Record<string, string>;
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

type MeshRule = (objects: readonly KubernetesObject[], context?: MeshRuleContext) => MeshRuleViolation[];

/** The AKS Istio add-on's root namespace. */
export const aksAddonRootNamespace = "aks-istio-system";
/** The root namespaces upstream Istio and the AKS add-on use. */
export const wellKnownRootNamespaces: readonly string[] = ["istio-system", aksAddonRootNamespace];

export const ruleIds = {
    wildcardHostDnsResolution: "wildcard-host-dns-resolution",
    tlsOriginationOnTlsPort: "tls-origination-on-tls-port",
    rootNamespaceAllowPolicy: "root-namespace-allow-policy",
    allowPolicyWithoutSelector: "allow-policy-without-selector",
    twoInjectionLabels: "two-injection-labels",
    istioInjectionOnRevisionedControlPlane: "istio-injection-on-revisioned-control-plane",
    portLevelMtlsWithoutSelector: "port-level-mtls-without-selector",
    peerAuthenticationPrecedence: "peer-authentication-precedence",
    strictMtlsForPartOfNamespace: "strict-mtls-for-part-of-namespace",
    selectorMatchesNoPod: "selector-matches-no-pod",
    deprecatedInjectAnnotation: "deprecated-inject-annotation",
    agentWorkloadInKubeSystem: "agent-workload-in-kube-system",
    externalNamePortProtocol: "external-name-port-protocol",
    authorizationOnIstioPort: "authorization-on-istio-port",
    serviceEntryAddressesRequired: "service-entry-addresses-required",
    conflictingServiceEntryProtocol: "conflicting-service-entry-protocol",
} as const;

/**
 * A ServiceEntry with a wildcard host and DNS resolution needs endpoints: a wildcard cannot be resolved.
 * istiod rejects it (IST0106), and a `workloadSelector` does not exempt it — the check reads only the
 * endpoints (pkg/config/validation/validation.go, `ValidateServiceEntry`):
 *
 *     case networking.ServiceEntry_DNS, networking.ServiceEntry_DNS_ROUND_ROBIN:
 *         if len(serviceEntry.Endpoints) == 0 {
 *             for _, hostname := range serviceEntry.Hosts {
 *                 if err := agent.ValidateFQDN(hostname); err != nil {
 *
 * (and a selector excludes endpoints: "only one of WorkloadSelector or Endpoints is allowed"). Where no
 * validator selects the object it is admitted and broken.
 */
function wildcardHostDnsResolution(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const object of objects.filter((o) => isIstio(o, "ServiceEntry"))) {
        const spec = specOf(object);
        const resolution = text(spec.resolution);
        if ((resolution !== "DNS" && resolution !== "DNS_ROUND_ROBIN") || list(spec.endpoints).length > 0) {
            continue;
        }
        const wildcards = strings(spec.hosts).filter((host) => host.includes("*"));
        if (wildcards.length > 0) {
            const selector = isRecord(spec.workloadSelector) ? " (a workloadSelector does not count as endpoints)" : "";
            violations.push({
                rule: ruleIds.wildcardHostDnsResolution,
                object: describeObject(object),
                message: `resolution ${resolution} with wildcard host(s) ${wildcards.join(", ")} and no endpoints${selector}: a wildcard cannot be resolved; istiod rejects it ("hosts must be FQDN … if no endpoints are provided for resolution mode ${resolution}", IST0106)`,
                fix: "set `resolution: NONE` (the sidecar forwards to the address the application resolved), or list exact hosts (Istio ≥ 1.28 also offers `resolution: DYNAMIC_DNS` for wildcard hosts on HTTP and TLS ports)",
            });
        }
    }
    return violations;
}

/**
 * TLS origination towards a port that already carries TLS. The application speaks TLS; a DestinationRule
 * with `tls.mode` SIMPLE or MUTUAL makes the sidecar wrap it again (Istio's "double TLS" failure, `wrong
 * version number`), and ISTIO_MUTUAL towards a mesh-external host wraps it in Istio mTLS for a server
 * that is no sidecar. Only *auto* mTLS skips mesh-external hosts; a user-supplied ISTIO_MUTUAL is applied
 * first (pilot/pkg/networking/core/cluster_tls.go, `buildUpstreamTLSSettings`):
 *
 *     if tls != nil {
 *         …
 *         if tls.Mode != networking.ClientTLSSettings_ISTIO_MUTUAL { return tls, userSupplied }
 *         …
 *         return cb.buildIstioMutualTLS(subjectAltNamesToUse, sniToUse, tls.InsecureSkipVerify), userSupplied
 *     }
 *     if meshExternal || !autoMTLSEnabled || … { return nil, userSupplied }
 *
 * A port is known to carry TLS when a ServiceEntry among the objects declares it with protocol TLS or
 * HTTPS (mesh-external unless `location: MESH_INTERNAL`), and for the agent's Azure hosts (TLS on 443,
 * mesh-external). For ISTIO_MUTUAL the Azure hosts count only for rules naming them (or hosts under
 * them): a mesh-wide `*` rule reaches them only through a ServiceEntry. A DestinationRule with a more
 * specific host for a TLS host takes it over (Istio picks the most specific host; namespace lookup
 * order and exportTo are not modelled).
 */
function tlsOriginationOnTlsPort(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const tlsPorts: TlsPort[] = azureTlsHosts.map((host) => ({
        host,
        port: 443,
        external: true,
        implicit: true,
        source: "an Azure Monitor host",
    }));
    for (const entry of objects.filter((o) => isIstio(o, "ServiceEntry"))) {
        const spec = specOf(entry);
        const external = text(spec.location) !== "MESH_INTERNAL";
        const ports = list(spec.ports)
            .filter((port) => ["TLS", "HTTPS"].includes((text(getPath(port, ["protocol"])) ?? "").toUpperCase()))
            .map((port) => Number(getPath(port, ["number"])));
        for (const host of strings(spec.hosts)) {
            for (const port of ports) {
                tlsPorts.push({ host, port, external, implicit: false, source: describeObject(entry) });
            }
        }
    }

    const rules = objects.filter((o) => isIstio(o, "DestinationRule"));
    const ruleHosts = rules.map((rule) => text(specOf(rule).host)).filter((host): host is string => host !== undefined);
    const violations: MeshRuleViolation[] = [];
    for (const rule of rules) {
        const spec = specOf(rule);
        const host = text(spec.host);
        if (host === undefined) {
            continue;
        }
        // A rule with a more specific host that covers the TLS host is the one Istio picks for it.
        const takenOver = (known: TlsPort) =>
            ruleHosts.some(
                (other) => other !== host && hostMatches(other, known.host) && hostMatches(host, other) && !hostMatches(other, host),
            );
        const doubleTls = new Set<string>();
        const istioMutual = new Set<string>();
        for (const policy of [spec.trafficPolicy, ...list(spec.subsets).map((subset) => getPath(subset, ["trafficPolicy"]))]) {
            for (const known of tlsPorts.filter((k) => hostsOverlap(host, k.host) && !takenOver(k))) {
                const mode = effectiveTlsMode(policy, known.port);
                const where = `${known.host} port ${known.port} (TLS per ${known.source})`;
                if (mode === "SIMPLE" || mode === "MUTUAL") {
                    doubleTls.add(`tls.mode ${mode} for ${where}`);
                } else if (mode === "ISTIO_MUTUAL" && known.external && (!known.implicit || hostMatches(known.host, host))) {
                    istioMutual.add(`tls.mode ISTIO_MUTUAL for mesh-external ${where}`);
                }
            }
        }
        const findings = [
            ...(doubleTls.size > 0 ? [`${[...doubleTls].join("; ")}: the sidecar would wrap TLS in TLS`] : []),
            ...(istioMutual.size > 0
                ? [
                      `${[...istioMutual].join("; ")}: istiod applies a user-supplied ISTIO_MUTUAL before it checks for mesh-external hosts, so the sidecar would wrap the application's TLS in Istio mTLS towards a server that is no sidecar`,
                  ]
                : []),
        ];
        if (findings.length > 0) {
            violations.push({
                rule: ruleIds.tlsOriginationOnTlsPort,
                object: describeObject(rule),
                message: `originates TLS on a port the application already speaks TLS on: ${findings.join("; ")}`,
                fix: "remove the tls setting for these hosts (auto mTLS already leaves mesh-external hosts alone); where a broader rule forces ISTIO_MUTUAL (a mesh-wide `*` DestinationRule), add a DestinationRule for these hosts with `tls.mode: DISABLE`",
            });
        }
    }
    return violations;
}

/**
 * An ALLOW AuthorizationPolicy in a root namespace applies to every workload in the mesh, and every
 * request it does not match is then denied: a mesh-wide outage. Flagged in the context's root namespaces
 * and in every well-known one (`istio-system`, `aks-istio-system`): a policy there is mesh-wide on
 * whichever mesh uses that namespace as its root.
 */
function rootNamespaceAllowPolicy(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const roots = new Set([...rootNamespacesOf(context), ...wellKnownRootNamespaces]);
    return objects
        .filter((o) => isIstio(o, "AuthorizationPolicy") && isAllow(o) && roots.has(o.metadata?.namespace ?? ""))
        .map((object) => ({
            rule: ruleIds.rootNamespaceAllowPolicy,
            object: describeObject(object),
            message: `ALLOW policy in the root namespace ${object.metadata.namespace}: it applies to every workload in the mesh and denies whatever it does not match`,
            fix: "put a selector-scoped policy in the namespace of the workload it protects",
        }));
}

/**
 * An ALLOW AuthorizationPolicy without a selector (or target reference) applies to every workload of its
 * namespace, and denies every request it does not match there. A documented Istio pattern when meant
 * (hence advisory in the policy pack); the component never emits one.
 */
function allowPolicyWithoutSelector(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
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
 * A namespace with more than one kind of injection label (IST0123 NamespaceMultipleInjectionLabels),
 * exactly as the analyzer counts them (pkg/config/analysis/analyzers/injection/injection.go, `Analyze`):
 * `istio-injection` with any value; `istio.io/rev` and the ambient `istio.io/dataplane-mode` only when
 * `istio-injection` is absent or `enabled`; the namespace literally named `istio-system` is skipped.
 *
 *     for _, l := range []string{RevisionInjectionLabelName, label.IoIstioDataplaneMode.Name} {
 *         if _, ok := r.Metadata.Labels[l]; ok && (!okInjectionLabel || injectionLabel == "enabled") {
 */
function twoInjectionLabels(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const object of objects.filter((o) => isKind(o, "", "Namespace") && o.metadata?.name !== "istio-system")) {
        const labels = object.metadata.labels ?? {};
        const injection = labels[namespaceInjectionLabel];
        const counted = injection === undefined ? [] : [`${namespaceInjectionLabel}=${injection}`];
        for (const label of [revisionLabel, dataplaneModeLabel]) {
            if (labels[label] !== undefined && (injection === undefined || injection === "enabled")) {
                counted.push(`${label}=${labels[label]}`);
            }
        }
        if (counted.length > 1) {
            violations.push({
                rule: ruleIds.twoInjectionLabels,
                object: describeObject(object),
                message: `more than one kind of injection label: ${counted.join(", ")} (IST0123); which webhook or data plane takes the namespace is undefined`,
                fix: "keep only `istio.io/rev=<revision>` on a revisioned control plane (the AKS add-on), only `istio-injection=enabled` on a default-revision install, or only `istio.io/dataplane-mode` for ambient",
            });
        }
    }
    return violations;
}

/**
 * `istio-injection=enabled` on a control plane that injects only through revisions: the revision's
 * webhook selects `istio.io/rev In [<revision>]` *and* `istio-injection DoesNotExist`
 * (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml), and only a
 * default-revision install renders the `istio-injection In [enabled]` webhook. The AKS add-on says so:
 * "The default `istio-injection=enabled` label will not work and will cause the sidecar injection to skip
 * the namespace" (azure-aks-docs articles/aks/istio-deploy-addon.md). Judged only when the context says
 * the control plane is revisioned.
 */
function istioInjectionOnRevisionedControlPlane(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    if (!context.revisionedControlPlane) {
        return [];
    }
    return objects
        .filter((o) => isKind(o, "", "Namespace") && o.metadata?.labels?.[namespaceInjectionLabel] === "enabled")
        .map((object) => ({
            rule: ruleIds.istioInjectionOnRevisionedControlPlane,
            object: describeObject(object),
            message: `labelled istio-injection=enabled on a control plane that injects only through istio.io/rev: the revision's webhook requires istio-injection to be absent, so no pod of the namespace gets a sidecar`,
            fix: "label the namespace `istio.io/rev=<revision>` (e.g. `asm-1-27` on the AKS add-on) and remove `istio-injection`",
        }));
}

/**
 * `portLevelMtls` is only valid on a PeerAuthentication with a selector; istiod rejects it otherwise
 * ("mesh/namespace peer authentication cannot have port level mTLS", validation.go `ValidatePeerAuthentication`).
 */
function portLevelMtlsWithoutSelector(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    return objects
        .filter((o) => isIstio(o, "PeerAuthentication"))
        .filter((o) => Object.keys(record(specOf(o).portLevelMtls)).length > 0 && !hasSelector(specOf(o).selector))
        .map((object) => ({
            rule: ruleIds.portLevelMtlsWithoutSelector,
            object: describeObject(object),
            message: `portLevelMtls on ports ${Object.keys(record(specOf(object).portLevelMtls)).join(", ")} without a selector (istiod rejects it)`,
            fix: "keep the namespace-wide policy without portLevelMtls, and put port exceptions in a separate PeerAuthentication whose selector names the workload",
        }));
}

/**
 * PeerAuthentications that istiod ignores, by its precedence (pilot/pkg/security/authn/policy_applier.go,
 * `ComposePeerAuthentication`; pilot/pkg/model/authentication.go, `addPeerAuthentication`):
 * - a policy with a selector in the root namespace is never read ("Workload-level configs should not be
 *   in root namespace … they will be safely ignored": only `} else if cfg.Namespace != rootNamespace {`
 *   takes selector policies);
 * - of several namespace-wide policies (no selector) in one namespace, only the oldest applies
 *   ("Namespace/mesh-level PeerAuthentication is already defined … Ignore %q"); the name `default`
 *   plays no part;
 * - of several selector policies that select one workload, only the oldest applies, as a whole (its mode
 *   and its portLevelMtls). Flagged where the selectors are nested (every pod the narrower selects gets
 *   both) or where a known pod of the namespace matches both.
 * "Oldest" is by creation time in seconds, then by name: which policy loses cannot be known before the
 * objects are created.
 */
function peerAuthenticationPrecedence(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const roots = new Set(rootNamespacesOf(context));
    const policies = objects.filter((o) => isIstio(o, "PeerAuthentication"));
    const violations: MeshRuleViolation[] = [];
    for (const policy of policies) {
        const namespace = policy.metadata?.namespace ?? "";
        const selector = matchLabels(specOf(policy).selector);
        if (roots.has(namespace) && Object.keys(selector).length > 0) {
            violations.push({
                rule: ruleIds.peerAuthenticationPrecedence,
                object: describeObject(policy),
                message: `selector ${formatLabels(selector)} on a PeerAuthentication in the root namespace ${namespace}: istiod ignores selector policies there, so it has no effect`,
                fix: "move it to the namespace of the workloads it selects, or drop the selector to make it the mesh-wide policy",
            });
        }
    }
    const byNamespace = groupBy(policies, (o) => o.metadata?.namespace ?? "");
    for (const [namespace, inNamespace] of byNamespace) {
        const wide = inNamespace.filter((o) => Object.keys(matchLabels(specOf(o).selector)).length === 0);
        if (wide.length > 1) {
            const names = wide.map((o) => o.metadata.name).join(", ");
            for (const policy of wide) {
                violations.push({
                    rule: ruleIds.peerAuthenticationPrecedence,
                    object: describeObject(policy),
                    message: `one of ${wide.length} namespace-wide PeerAuthentications in ${roots.has(namespace) ? "the root namespace " : "namespace "}${namespace} (${names}): istiod applies only the oldest and ignores the others, whatever their names; which one is ignored depends on creation time (then name) and cannot be known before they are created`,
                    fix: "keep one namespace-wide PeerAuthentication per namespace and put exceptions in selector-scoped ones",
                });
            }
        }
        if (roots.has(namespace)) {
            continue;
        }
        const scoped = inNamespace.filter((o) => Object.keys(matchLabels(specOf(o).selector)).length > 0);
        const pods = context.podLabels?.[namespace] ?? [];
        for (const policy of scoped) {
            const selector = matchLabels(specOf(policy).selector);
            const rivals = scoped.filter((other) => {
                if (other === policy) {
                    return false;
                }
                const otherSelector = matchLabels(specOf(other).selector);
                return (
                    labelsMatch(selector, otherSelector) ||
                    labelsMatch(otherSelector, selector) ||
                    pods.some((labels) => labelsMatch(selector, labels) && labelsMatch(otherSelector, labels))
                );
            });
            if (rivals.length > 0) {
                violations.push({
                    rule: ruleIds.peerAuthenticationPrecedence,
                    object: describeObject(policy),
                    message: `selects pods ${formatLabels(selector)} that ${rivals.map((o) => describeObject(o)).join(", ")} also select${rivals.length === 1 ? "s" : ""}: istiod applies only the oldest of them to a workload, as a whole (mode and portLevelMtls), and which one that is cannot be known before they are created`,
                    fix: "give each workload one selector-scoped PeerAuthentication: merge the policies, or make their selectors disjoint",
                });
            }
        }
    }
    return violations;
}

/**
 * STRICT mTLS set by a selector for part of a namespace, with no namespace-wide PeerAuthentication and no
 * STRICT mesh-wide one among the objects: the namespace's other pods keep the mesh-wide mode (PERMISSIVE
 * unless the root namespace says otherwise; "UNSET is treated as permissive for mesh-policy",
 * pilot/pkg/model/authentication.go). Judged only in namespaces whose pods are known.
 */
function strictMtlsForPartOfNamespace(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const roots = new Set(rootNamespacesOf(context));
    const policies = objects.filter((o) => isIstio(o, "PeerAuthentication"));
    const namespaceWide = (namespace: string) =>
        policies.some((o) => o.metadata?.namespace === namespace && Object.keys(matchLabels(specOf(o).selector)).length === 0);
    const meshStrict = policies.some(
        (o) =>
            roots.has(o.metadata?.namespace ?? "") &&
            Object.keys(matchLabels(specOf(o).selector)).length === 0 &&
            text(getPath(o, ["spec", "mtls", "mode"])) === "STRICT",
    );
    const violations: MeshRuleViolation[] = [];
    for (const policy of policies) {
        const namespace = policy.metadata?.namespace ?? "";
        const selector = matchLabels(specOf(policy).selector);
        const pods = context.podLabels?.[namespace];
        if (
            meshStrict ||
            roots.has(namespace) ||
            Object.keys(selector).length === 0 ||
            text(getPath(policy, ["spec", "mtls", "mode"])) !== "STRICT" ||
            pods === undefined ||
            namespaceWide(namespace)
        ) {
            continue;
        }
        const matched = pods.filter((labels) => labelsMatch(selector, labels)).length;
        if (matched < pods.length) {
            violations.push({
                rule: ruleIds.strictMtlsForPartOfNamespace,
                object: describeObject(policy),
                message: `STRICT only for pods ${formatLabels(selector)} (${matched} of ${pods.length} pod label set(s) known in namespace ${namespace}), and no namespace-wide PeerAuthentication among the objects: the namespace's other pods keep the mesh-wide mode, PERMISSIVE unless the root namespace says otherwise`,
                fix: "set STRICT in one namespace-wide PeerAuthentication (no selector), and keep selector-scoped ones for port-level exceptions",
            });
        }
    }
    return violations;
}

/**
 * A selector that matches no pod of its namespace (IST0127 for AuthorizationPolicies): the object has no
 * effect, and whatever it was meant to do does not happen. Judged only in namespaces whose pods are known;
 * objects in a root namespace select across the mesh and are not judged.
 */
function selectorMatchesNoPod(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const roots = new Set(rootNamespacesOf(context));
    const violations: MeshRuleViolation[] = [];
    for (const object of objects) {
        const path = selectorPaths[object.kind];
        const namespace = object.metadata?.namespace;
        if (path === undefined || !isIstioGroup(object) || namespace === undefined || roots.has(namespace)) {
            continue;
        }
        const pods = context.podLabels?.[namespace];
        const selector = stringMap(getPath(object, ["spec", path.field, path.labels]));
        if (pods === undefined || selector === undefined || Object.keys(selector).length === 0) {
            continue;
        }
        if (!pods.some((labels) => labelsMatch(selector, labels))) {
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
 * The `sidecar.istio.io/inject` annotation on a pod (template) is deprecated in favour of the label
 * (IST0135), and on a revisioned control plane it does not select a webhook.
 */
function deprecatedInjectAnnotation(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const object of objects) {
        const value = podTemplatesOf(object)
            .map((slot) => slot.get().metadata?.annotations?.[podAnnotations.inject])
            .find((v) => v !== undefined);
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

/** An ama-metrics workload, by the chart's workload names or its pods' labels. */
export function isAgentWorkload(object: KubernetesObject): boolean {
    const agents = Object.values(chartWorkloads);
    return (
        agents.some((agent) => agent.kind === object.kind && agent.name === object.metadata.name) ||
        podTemplatesOf(object).some((slot) => {
            const labels = stringMap(slot.get().metadata?.labels) ?? {};
            return agents.some((agent) => labelsMatch(agent.podLabels, labels));
        })
    );
}

/**
 * An ama-metrics workload in kube-system: Istio never injects there, and the agent's mesh identity would be
 * a kube-system one. This is what the relocation exists to prevent; a chart rendered without it lands
 * there. The verify command finds the managed add-on's workloads by the same test.
 */
function agentWorkloadInKubeSystem(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    return objects
        .filter((o) => o.metadata?.namespace === chartNamespace)
        .filter(isAgentWorkload)
        .map((object) => ({
            rule: ruleIds.agentWorkloadInKubeSystem,
            object: describeObject(object),
            message:
                "an ama-metrics workload in kube-system: Istio never injects sidecars there, and the agent would carry a kube-system identity",
            fix: "deploy the agent into a namespace of its own (the component's `namespace`, `monitoring` by default)",
        }));
}

/**
 * Ports of an ExternalName Service whose protocol Istio cannot tell (IST0150
 * ExternalNameServiceTypeInvalidPortName), as the analyzer decides it
 * (pkg/config/analysis/analyzers/service/portname.go, `analyzeService`):
 *
 *     instance := configKube.ConvertProtocol(port.Port, port.Name, port.Protocol, port.AppProtocol)
 *     if instance.IsUnsupported() || port.Name == "tcp" && svc.Type == "ExternalName" {
 *
 * `ConvertProtocol` (pkg/config/kube/conversion.go): UDP → UDP; `appProtocol`, when set, replaces the name
 * (`kubernetes.io/h2c`, `kubernetes.io/ws`, `kubernetes.io/wss` are known); a `grpc-web` prefix; else the
 * text before the first `-`, parsed case-insensitively (pkg/config/protocol/instance.go `Parse`); an
 * unknown protocol on port 25, 53, 3306 or 27017 is TCP. The name exactly `tcp` is flagged whatever the
 * rest. Services labelled `istio` or `release=istio` and gateway-managed ones are skipped, as upstream.
 */
function externalNamePortProtocol(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const service of objects.filter((o) => isKind(o, "", "Service") && text(specOf(o).type) === "ExternalName")) {
        const labels = service.metadata.labels ?? {};
        if (
            "istio" in labels ||
            labels.release === "istio" ||
            managedGatewayControllers.includes(labels["gateway.istio.io/managed"] ?? "")
        ) {
            continue;
        }
        const bad = list(specOf(service).ports)
            .map(record)
            .filter((port) => {
                const name = text(port.name) ?? "";
                return (
                    name === "tcp" ||
                    servicePortProtocol(Number(port.port), name, text(port.protocol), text(port.appProtocol)) === undefined
                );
            })
            .map((port) => `${port.port}${text(port.name) === undefined ? " (unnamed)" : ` (${text(port.name)})`}`);
        if (bad.length > 0) {
            violations.push({
                rule: ruleIds.externalNamePortProtocol,
                object: describeObject(service),
                message: `ExternalName Service port(s) ${bad.join(", ")} do not name a protocol Istio accepts (IST0150): the sidecar may not forward their traffic correctly`,
                fix: `name each port \`<protocol>\` or \`<protocol>-<suffix>\` with protocol one of ${servicePortPrefixes.join(", ")} (e.g. \`https\` for TLS on 443), or set \`appProtocol\`; the name \`tcp\` alone is refused too`,
            });
        }
    }
    return violations;
}

/**
 * AuthorizationPolicy rules on Istio's own ports (15000–15090): no istiod validation refuses them
 * (validation.go only checks `security.ValidatePorts`, 0–65535), they just never take effect. The injector
 * excludes 15090, 15021 and the status port (15020 by default) from inbound capture
 * (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml, istio-init
 * `- "-d"` / `- "15090,15021,{{ excludeInboundPort … }}"`), so their traffic never reaches the inbound
 * listener where authorization is enforced; the rest of the range is the sidecar's own (istio.io "Ports
 * used by Istio": applications must not listen there), so no application traffic arrives on it.
 */
function authorizationOnIstioPort(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const policy of objects.filter((o) => isIstio(o, "AuthorizationPolicy"))) {
        const ports = new Set<number>();
        for (const rule of list(specOf(policy).rules)) {
            for (const to of list(getPath(rule, ["to"]))) {
                for (const port of list(getPath(to, ["operation", "ports"]))) {
                    const number = Number(port);
                    if (Number.isInteger(number) && number >= istioPortRange.from && number <= istioPortRange.to) {
                        ports.add(number);
                    }
                }
            }
        }
        if (ports.size === 0) {
            continue;
        }
        const reasons = [...ports]
            .sort((a, b) => a - b)
            .map((port) =>
                uncapturedPorts.includes(port)
                    ? `${port}: the injector excludes it from inbound capture, so its traffic never reaches the sidecar that enforces authorization`
                    : `${port}: Istio reserves 15000–15090 for the sidecar itself, so no application traffic arrives there`,
            );
        violations.push({
            rule: ruleIds.authorizationOnIstioPort,
            object: describeObject(policy),
            message: `to.operation.ports names Istio's own ports, where the policy never takes effect (istiod accepts it): ${reasons.join("; ")}`,
            fix: "name the application's own ports; drop rules for Istio's ports (the merged metrics on 15020 are reachable without one)",
        });
    }
    return violations;
}

/**
 * IST0134 ServiceEntryAddressesRequired, as the analyzer decides it
 * (pkg/config/analysis/analyzers/serviceentry/protocoladdresses.go):
 *
 *     if se.Addresses == nil && !addressAllocated(r) && !metaDNSAutoAllocated {
 *         for index, port := range se.Ports {
 *             if port.Protocol == "" || strings.EqualFold(port.Protocol, "TCP") {
 *
 * `addressAllocated` reads `status.addresses` (istiod's IP auto-allocation, written after creation and
 * never for resolution NONE); `metaDNSAutoAllocated` reads MeshConfig `defaultConfig.proxyMetadata`:
 * `ISTIO_META_DNS_CAPTURE` and (`ISTIO_META_DNS_AUTO_ALLOCATE` or `PILOT_ENABLE_IP_AUTOALLOCATE`) all
 * "true". Objects alone show neither, unless given: the status when the object carries one, the mesh
 * config through `context.meshProxyMetadata`.
 */
function serviceEntryAddressesRequired(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const metadata = context.meshProxyMetadata ?? {};
    const dnsAutoAllocated =
        metadata.ISTIO_META_DNS_CAPTURE === "true" &&
        (metadata.ISTIO_META_DNS_AUTO_ALLOCATE === "true" || metadata.PILOT_ENABLE_IP_AUTOALLOCATE === "true");
    if (dnsAutoAllocated) {
        return [];
    }
    const violations: MeshRuleViolation[] = [];
    for (const entry of objects.filter((o) => isIstio(o, "ServiceEntry"))) {
        const spec = specOf(entry);
        if (list(spec.addresses).length > 0 || list(getPath(entry, ["status", "addresses"])).length > 0) {
            continue;
        }
        const ports = list(spec.ports)
            .map(record)
            .filter((port) => {
                const protocol = text(port.protocol) ?? "";
                return protocol === "" || protocol.toUpperCase() === "TCP";
            })
            .map((port) => `${port.number}${text(port.protocol) ? "" : " (protocol unset)"}`);
        if (ports.length > 0) {
            violations.push({
                rule: ruleIds.serviceEntryAddressesRequired,
                object: describeObject(entry),
                message: `port(s) ${ports.join(", ")} serve TCP or an unset protocol and the entry has no addresses (IST0134): without a virtual IP the sidecar cannot tell this host's TCP traffic from any other on the port. Not visible from the objects: an address istiod auto-allocates into status.addresses after creation (never for resolution NONE), or the mesh's DNS auto-allocation (MeshConfig defaultConfig.proxyMetadata ISTIO_META_DNS_CAPTURE with ISTIO_META_DNS_AUTO_ALLOCATE or PILOT_ENABLE_IP_AUTOALLOCATE)`,
                fix: "declare the port's real protocol (`TLS` or `HTTPS` for TLS traffic, which needs no address), or give the entry `addresses`",
            });
        }
    }
    return violations;
}

/**
 * IST0177 ConflictingServiceEntryProtocol (Istio ≥ 1.31.0-alpha only; absent from 1.30.0), as the analyzer
 * decides it (pkg/config/analysis/analyzers/serviceentry/conflictingserviceentries.go): ServiceEntries are
 * keyed by (scope, host, port), the scope being each exportTo value (`.` → the entry's namespace; empty
 * or containing `*` → `*`); a non-`*` key also takes the `*` entries of the same host and port; the key
 * conflicts when the upper-cased protocols differ (`TLS` vs `HTTPS`, `""` vs `TCP`). Hosts match by exact
 * string.
 */
function conflictingServiceEntryProtocol(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const index = new Map<
        string,
        { scope: string; host: string; port: number; entries: Array<{ entry: KubernetesObject; protocol: string }> }
    >();
    for (const entry of objects.filter((o) => isIstio(o, "ServiceEntry"))) {
        const spec = specOf(entry);
        const namespace = entry.metadata?.namespace ?? "";
        const exportTo = strings(spec.exportTo);
        const scopes =
            exportTo.length === 0 || exportTo.includes("*") ? ["*"] : [...new Set(exportTo.map((e) => (e === "." ? namespace : e)))];
        for (const scope of scopes) {
            for (const host of strings(spec.hosts)) {
                for (const port of list(spec.ports).map(record)) {
                    const number = Number(port.number);
                    const key = JSON.stringify([scope, host, number]);
                    const slot = index.get(key) ?? { scope, host, port: number, entries: [] };
                    slot.entries.push({ entry, protocol: text(port.protocol) ?? "" });
                    index.set(key, slot);
                }
            }
        }
    }
    const conflicts = new Map<KubernetesObject, string[]>();
    for (const { scope, host, port, entries } of index.values()) {
        const all = scope === "*" ? entries : [...entries, ...(index.get(JSON.stringify(["*", host, port]))?.entries ?? [])];
        const protocols = [...new Set(all.map((e) => e.protocol.toUpperCase()))].sort();
        if (protocols.length < 2) {
            continue;
        }
        const names = [...new Set(all.map((e) => fullName(e.entry)))].sort();
        const finding = `host ${host} port ${port} is defined by ${names.join(", ")} with conflicting protocols ${protocols.map((p) => p || '""').join(", ")}`;
        for (const { entry } of all) {
            const findings = conflicts.get(entry) ?? [];
            if (!findings.includes(finding)) {
                findings.push(finding);
            }
            conflicts.set(entry, findings);
        }
    }
    return [...conflicts].map(([entry, findings]) => ({
        rule: ruleIds.conflictingServiceEntryProtocol,
        object: describeObject(entry),
        message: `${findings.join("; ")} (IST0177, reported by istioctl ≥ 1.31.0-alpha): which protocol the sidecar uses for the port is undefined`,
        fix: "declare one protocol per host and port across ServiceEntries (`TLS` and `HTTPS` count as different), or merge the entries",
    }));
}

/** Whether a rule runs on one object at a time or relates the objects of a whole stack to each other. */
type MeshRuleScope = "resource" | "stack";

/** What a rule reads from the context; the policy pack offers each as configuration, except pod labels. */
export type MeshRuleInput = "rootNamespaces" | "podLabels" | "revisionedControlPlane" | "meshProxyMetadata";

/** One rule, and how the component and the organisation's policy pack apply it. */
export interface MeshRuleDefinition {
    /** The rule's stable id, as violations name it. */
    id: string;
    description: string;
    /** What the rule mirrors upstream, or why it exists. */
    upstream: string;
    check: MeshRule;
    /** What the rule reads besides the objects. */
    inputs: readonly MeshRuleInput[];
    /** The component refuses every violation in what it emits itself. */
    component: "refuse";
    /** The CrossGuard policy this rule becomes. */
    policy: { name: string; enforcementLevel: "mandatory" | "advisory"; scope: MeshRuleScope };
}

/** Every rule, with its policy: policy/policies.ts builds the policy pack from this list alone. */
export const meshRules: readonly MeshRuleDefinition[] = [
    {
        id: ruleIds.wildcardHostDnsResolution,
        description: "ServiceEntries with wildcard hosts and DNS resolution have endpoints (else resolution NONE).",
        upstream: "pkg/config/validation/validation.go ValidateServiceEntry (IST0106)",
        check: wildcardHostDnsResolution,
        inputs: [],
        component: "refuse",
        policy: { name: "no-wildcard-service-entry-with-dns", enforcementLevel: "mandatory", scope: "resource" },
    },
    {
        id: ruleIds.tlsOriginationOnTlsPort,
        description:
            "No DestinationRule originates TLS (SIMPLE, MUTUAL, or ISTIO_MUTUAL to mesh-external hosts) towards a port that already carries TLS.",
        upstream: "pilot/pkg/networking/core/cluster_tls.go buildUpstreamTLSSettings",
        check: tlsOriginationOnTlsPort,
        inputs: [],
        component: "refuse",
        policy: { name: "no-tls-origination-on-tls-ports", enforcementLevel: "mandatory", scope: "stack" },
    },
    {
        id: ruleIds.rootNamespaceAllowPolicy,
        description: "No ALLOW AuthorizationPolicy in an Istio root namespace: it would apply to every workload of the mesh.",
        upstream: "AuthorizationPolicy semantics (root namespace policies are mesh-wide)",
        check: rootNamespaceAllowPolicy,
        inputs: ["rootNamespaces"],
        component: "refuse",
        policy: { name: "no-root-namespace-allow-policy", enforcementLevel: "mandatory", scope: "resource" },
    },
    {
        id: ruleIds.allowPolicyWithoutSelector,
        // Advisory for the organisation: a namespace-wide ALLOW is a documented Istio pattern. The
        // component still refuses it in what it emits.
        description: "ALLOW AuthorizationPolicies name the workloads they open up with a selector.",
        upstream: "AuthorizationPolicy semantics (an ALLOW policy denies what it does not match)",
        check: allowPolicyWithoutSelector,
        inputs: [],
        component: "refuse",
        policy: { name: "no-selectorless-allow-policy", enforcementLevel: "advisory", scope: "resource" },
    },
    {
        id: ruleIds.twoInjectionLabels,
        description: "A namespace carries one kind of injection label (istio-injection, istio.io/rev or istio.io/dataplane-mode).",
        upstream: "pkg/config/analysis/analyzers/injection/injection.go (IST0123)",
        check: twoInjectionLabels,
        inputs: [],
        component: "refuse",
        policy: { name: "one-injection-label-per-namespace", enforcementLevel: "mandatory", scope: "resource" },
    },
    {
        id: ruleIds.istioInjectionOnRevisionedControlPlane,
        description: "On a control plane that injects only through revisions, namespaces use istio.io/rev, not istio-injection=enabled.",
        upstream: "manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml; AKS istio-deploy-addon.md",
        check: istioInjectionOnRevisionedControlPlane,
        inputs: ["revisionedControlPlane"],
        component: "refuse",
        policy: { name: "revision-label-on-revisioned-control-plane", enforcementLevel: "mandatory", scope: "resource" },
    },
    {
        id: ruleIds.portLevelMtlsWithoutSelector,
        description: "portLevelMtls only on PeerAuthentications with a selector.",
        upstream: "pkg/config/validation/validation.go ValidatePeerAuthentication",
        check: portLevelMtlsWithoutSelector,
        inputs: [],
        component: "refuse",
        policy: { name: "port-level-mtls-needs-selector", enforcementLevel: "mandatory", scope: "resource" },
    },
    {
        id: ruleIds.peerAuthenticationPrecedence,
        description:
            "No PeerAuthentication that istiod ignores: selector policies in the root namespace, or several for one namespace or workload.",
        upstream:
            "pilot/pkg/security/authn/policy_applier.go ComposePeerAuthentication; pilot/pkg/model/authentication.go addPeerAuthentication",
        check: peerAuthenticationPrecedence,
        inputs: ["rootNamespaces", "podLabels"],
        component: "refuse",
        policy: { name: "one-peer-authentication-per-scope", enforcementLevel: "mandatory", scope: "stack" },
    },
    {
        id: ruleIds.strictMtlsForPartOfNamespace,
        description: "STRICT mTLS is set namespace-wide, not by a selector for part of a namespace.",
        upstream: "pilot/pkg/model/authentication.go (mesh-wide UNSET is PERMISSIVE); the seed's collector-only PeerAuthentication",
        check: strictMtlsForPartOfNamespace,
        inputs: ["rootNamespaces", "podLabels"],
        component: "refuse",
        policy: { name: "namespace-wide-strict-mtls", enforcementLevel: "advisory", scope: "stack" },
    },
    {
        id: ruleIds.selectorMatchesNoPod,
        // Advisory for the organisation: a stack may not hold every pod of a namespace.
        description: "Istio selectors match a pod known in their namespace.",
        upstream: "pkg/config/analysis/analyzers/authz/authorizationpolicies.go (IST0127), extended to every selector-bearing kind",
        check: selectorMatchesNoPod,
        inputs: ["rootNamespaces", "podLabels"],
        component: "refuse",
        policy: { name: "selectors-match-pods", enforcementLevel: "advisory", scope: "stack" },
    },
    {
        id: ruleIds.deprecatedInjectAnnotation,
        description: "No sidecar.istio.io/inject annotation on pods: the label replaces it.",
        upstream: "pkg/config/analysis/analyzers/deprecation (IST0135); pkg/kube/inject/inject.go injectRequired",
        check: deprecatedInjectAnnotation,
        inputs: [],
        component: "refuse",
        policy: { name: "no-inject-annotation", enforcementLevel: "advisory", scope: "resource" },
    },
    {
        id: ruleIds.agentWorkloadInKubeSystem,
        description:
            "No ama-metrics workload runs in kube-system: Istio never injects it and the agent would carry a kube-system identity.",
        upstream: "pkg/kube/inject/initializer.go (kube-system is never injected)",
        check: agentWorkloadInKubeSystem,
        inputs: [],
        component: "refuse",
        policy: { name: "ama-metrics-outside-kube-system", enforcementLevel: "mandatory", scope: "resource" },
    },
    {
        id: ruleIds.externalNamePortProtocol,
        description: "ExternalName Service ports name a protocol Istio accepts.",
        upstream: "pkg/config/analysis/analyzers/service/portname.go (IST0150); pkg/config/kube/conversion.go ConvertProtocol",
        check: externalNamePortProtocol,
        inputs: [],
        component: "refuse",
        policy: { name: "external-name-service-port-protocol", enforcementLevel: "advisory", scope: "resource" },
    },
    {
        id: ruleIds.authorizationOnIstioPort,
        description: "AuthorizationPolicies do not name Istio's own ports (15000–15090), where they never take effect.",
        upstream:
            "manifests/charts/istio-control/istio-discovery/files/injection-template.yaml (istio-init -d); istio.io Ports used by Istio",
        check: authorizationOnIstioPort,
        inputs: [],
        component: "refuse",
        policy: { name: "no-authorization-on-istio-ports", enforcementLevel: "advisory", scope: "resource" },
    },
    {
        id: ruleIds.serviceEntryAddressesRequired,
        description: "ServiceEntries with TCP (or unset) protocol ports have addresses.",
        upstream: "pkg/config/analysis/analyzers/serviceentry/protocoladdresses.go (IST0134)",
        check: serviceEntryAddressesRequired,
        inputs: ["meshProxyMetadata"],
        component: "refuse",
        policy: { name: "service-entry-addresses-for-tcp", enforcementLevel: "advisory", scope: "resource" },
    },
    {
        id: ruleIds.conflictingServiceEntryProtocol,
        description: "ServiceEntries agree on the protocol of each host and port.",
        upstream: "pkg/config/analysis/analyzers/serviceentry/conflictingserviceentries.go (IST0177, Istio ≥ 1.31.0-alpha)",
        check: conflictingServiceEntryProtocol,
        inputs: [],
        component: "refuse",
        policy: { name: "one-protocol-per-service-entry-port", enforcementLevel: "advisory", scope: "stack" },
    },
];

/** Runs every rule over the objects. */
export function checkMeshObjects(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    return meshRules.flatMap((rule) => rule.check(objects, context));
}

/** Throws one error listing every violation, if any: the component refuses what breaks any rule. */
export function assertMeshObjects(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): void {
    const violations = meshRules.filter((rule) => rule.component === "refuse").flatMap((rule) => rule.check(objects, context));
    if (violations.length > 0) {
        throw new Error(formatViolations(violations));
    }
}

/** One violation on one line: `[rule] Kind namespace/name: what is wrong. Fix: the fix.` */
export function formatViolation(violation: MeshRuleViolation): string {
    return `[${violation.rule}] ${violation.object}: ${violation.message}. Fix: ${violation.fix}.`;
}

function formatViolations(violations: readonly MeshRuleViolation[]): string {
    const lines = violations.map((v) => `- ${formatViolation(v)}`);
    return `${violations.length} Istio configuration rule violation(s):\n${lines.join("\n")}`;
}

/** The root namespaces a context names: `rootNamespace` and `rootNamespaces`, else the well-known ones. */
function rootNamespacesOf(context: MeshRuleContext): string[] {
    const named = [...(context.rootNamespace === undefined ? [] : [context.rootNamespace]), ...(context.rootNamespaces ?? [])];
    return [...new Set(named.length > 0 ? named : wellKnownRootNamespaces)];
}

/** The pod label sets of the objects' pods and pod templates, per namespace (objects without one are skipped). */
export function podLabelsOf(objects: readonly KubernetesObject[]): Record<string, Array<Record<string, string>>> {
    const byNamespace: Record<string, Array<Record<string, string>>> = {};
    for (const object of objects) {
        const namespace = object.metadata?.namespace;
        if (namespace === undefined) {
            continue;
        }
        for (const slot of podTemplatesOf(object)) {
            (byNamespace[namespace] ??= []).push(stringMap(slot.get().metadata?.labels) ?? {});
        }
    }
    return byNamespace;
}

/**
 * Whether a host pattern matches a host, as Istio matches them: `*.example.com` matches `a.example.com`,
 * `a.b.example.com` and `*.b.example.com`; `*` matches everything.
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
function hostsOverlap(a: string, b: string): boolean {
    return hostMatches(a, b) || hostMatches(b, a);
}

/**
 * The protocol Istio derives for a Service port, or undefined where it cannot (pkg/config/kube/conversion.go
 * `ConvertProtocol` with pkg/config/protocol/instance.go `Parse`).
 */
export function servicePortProtocol(port: number, name: string, protocol?: string, appProtocol?: string): string | undefined {
    if (protocol === "UDP") {
        return "UDP";
    }
    let value = name;
    if (appProtocol !== undefined) {
        value = appProtocol;
        const known: Record<string, string> = { "kubernetes.io/h2c": "HTTP2", "kubernetes.io/ws": "HTTP", "kubernetes.io/wss": "HTTPS" };
        if (known[value] !== undefined) {
            return known[value];
        }
    }
    if (value.toLowerCase().startsWith("grpc-web")) {
        return "GRPC-Web";
    }
    const prefix = value.split("-")[0].toLowerCase();
    const parsed = parsedProtocols[prefix];
    if (parsed === undefined && wellKnownTcpPorts.includes(port)) {
        return "TCP";
    }
    return parsed;
}

interface TlsPort {
    host: string;
    port: number;
    /** Not served by a sidecar: MESH_EXTERNAL (a ServiceEntry's default) or an Azure host. */
    external: boolean;
    /** Known from the package's list of Azure hosts rather than from a ServiceEntry among the objects. */
    implicit: boolean;
    source: string;
}

// A traffic policy's TLS mode on one port: the port-level setting's, else the policy's own.
function effectiveTlsMode(policy: unknown, port: number): string | undefined {
    const portLevel = list(getPath(policy, ["portLevelSettings"])).find((setting) => Number(getPath(setting, ["port", "number"])) === port);
    const portMode = text(getPath(portLevel, ["tls", "mode"]));
    return portMode ?? text(getPath(policy, ["tls", "mode"]));
}

// pkg/config/constants/constants.go: the gateway controllers whose Services the port name analyzer skips.
const managedGatewayControllers = ["istio.io-gateway-controller", "istio.io-mesh-controller", "istio.io-eastwest-controller"];

// pkg/config/protocol/instance.go `Parse` (lower-cased input; its `DoubleHBONE` case never matches).
const parsedProtocols: Record<string, string> = {
    tcp: "TCP",
    udp: "UDP",
    grpc: "GRPC",
    "grpc-web": "GRPC-Web",
    http: "HTTP",
    http_proxy: "HTTP_PROXY",
    http2: "HTTP2",
    https: "HTTPS",
    tls: "TLS",
    mongo: "Mongo",
    redis: "Redis",
    mysql: "MySQL",
};

/** The port name prefixes Istio accepts on a Service (`http_proxy` parses, but no port name may hold `_`). */
const servicePortPrefixes: readonly string[] = Object.keys(parsedProtocols).filter((p) => p !== "http_proxy");

// pkg/config/kube/conversion.go `wellKnownPorts`: SMTP, DNS, MySQL, MongoDB default to TCP.
const wellKnownTcpPorts = [25, 53, 3306, 27017];

// The range istio.io's "Ports used by Istio" covers for the sidecar (never captured, so authorization on
// them has no effect), and the ports the injector keeps out of inbound capture by default (15090, 15021, and
// the status port 15020).
export const istioPortRange = { from: 15000, to: 15090 };
const uncapturedPorts = [15020, 15021, 15090];

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
    return apiGroup(object.apiVersion ?? "").endsWith(".istio.io");
}

function isIstio(object: KubernetesObject, kind: string): boolean {
    return object.kind === kind && isIstioGroup(object);
}

function isKind(object: KubernetesObject, group: string, kind: string): boolean {
    return object.kind === kind && apiGroup(object.apiVersion ?? "") === group;
}

/**
 * An ALLOW policy (an absent action is ALLOW, Istio's default) that allows something. An ALLOW policy
 * without rules allows nothing: it is Istio's documented deny-all (`allow-nothing`, `spec: {}`), which
 * default-deny namespaces and meshes rely on.
 */
function isAllow(object: KubernetesObject): boolean {
    const action = text(specOf(object).action);
    return (action === undefined || action === "ALLOW") && list(specOf(object).rules).length > 0;
}

function matchLabels(selector: unknown): Record<string, string> {
    return stringMap(getPath(selector, ["matchLabels"])) ?? {};
}

function hasSelector(selector: unknown): boolean {
    return Object.keys(matchLabels(selector)).length > 0;
}

function hasTarget(object: KubernetesObject): boolean {
    const spec = specOf(object);
    return hasSelector(spec.selector) || isRecord(spec.targetRef) || list(spec.targetRefs).length > 0;
}

function formatLabels(labels: Record<string, string>): string {
    return `{${Object.entries(labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(", ")}}`;
}

// `namespace/name`, as istioctl names resources.
function fullName(object: KubernetesObject): string {
    return `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? "<unnamed>"}`;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        const k = key(item);
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
    }
    return groups;
}

function specOf(object: KubernetesObject): Record<string, unknown> {
    return record(object.spec);
}

function record(value: unknown): Record<string, unknown> {
    return isRecord(value) ? value : {};
}

function list(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

function strings(value: unknown): string[] {
    return list(value).filter((v): v is string => typeof v === "string");
}

// Labels and annotations are strings; any other value (one not known yet, a Pulumi Output) is left out
// rather than turned into text.
function stringMap(value: unknown): Record<string, string> | undefined {
    if (!isRecord(value)) {
        return undefined;
    }
    return Object.fromEntries(
        Object.entries(value)
            .filter(([, v]) => typeof v === "string" || typeof v === "number" || typeof v === "boolean")
            .map(([key, v]) => [key, String(v)]),
    );
}
