import { describeObject, KubernetesObject, labelsMatch } from "../../core/kubernetes";
import { hasSelector, isIstio, matchLabels, formatSelector, groupBy, specOf, rootNamespacesOf } from "./helpers";
import type { MeshRuleContext, MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "peer-authentication-precedence";

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
 *   both) or where a known pod of the namespace matches both. Policies with the same effect (equal
 *   `mtls` and `portLevelMtls`) are not rivals: whichever istiod applies, the workload gets the same.
 * "Oldest" is by creation time in seconds, then by name: which policy loses cannot be known before the
 * objects are created.
 */
function check(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const roots = new Set(rootNamespacesOf(context));
    const policies = objects.filter((o) => isIstio(o, "PeerAuthentication"));
    const violations: MeshRuleViolation[] = [];
    for (const policy of policies) {
        const namespace = policy.metadata?.namespace ?? "";
        const selector = matchLabels(specOf(policy).selector);
        if (roots.has(namespace) && Object.keys(selector).length > 0) {
            violations.push({
                rule: id,
                object: describeObject(policy),
                message: `selector ${formatSelector(selector)} on a PeerAuthentication in the root namespace ${namespace}: istiod ignores selector policies there, so it has no effect`,
                fix: "move it to the namespace of the workloads it selects, or drop the selector to make it the mesh-wide policy",
            });
        }
    }
    const byNamespace = groupBy(policies, (o) => o.metadata?.namespace ?? "");
    for (const [namespace, inNamespace] of byNamespace) {
        const wide = inNamespace.filter((o) => !hasSelector(specOf(o).selector));
        if (wide.length > 1) {
            const names = wide.map((o) => o.metadata.name).join(", ");
            for (const policy of wide) {
                violations.push({
                    rule: id,
                    object: describeObject(policy),
                    message: `one of ${wide.length} namespace-wide PeerAuthentications in ${roots.has(namespace) ? "the root namespace " : "namespace "}${namespace} (${names}): istiod applies only the oldest and ignores the others, whatever their names; which one is ignored depends on creation time (then name) and cannot be known before they are created`,
                    fix: "keep one namespace-wide PeerAuthentication per namespace and put exceptions in selector-scoped ones",
                });
            }
        }
        if (roots.has(namespace)) {
            continue;
        }
        const scoped = inNamespace.filter((o) => hasSelector(specOf(o).selector));
        const pods = context.podLabels?.[namespace] ?? [];
        for (const policy of scoped) {
            const selector = matchLabels(specOf(policy).selector);
            const rivals = scoped.filter((other) => {
                if (other === policy || sameEffect(policy, other)) {
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
                    rule: id,
                    object: describeObject(policy),
                    message: `selects pods ${formatSelector(selector)} that ${rivals.map((o) => describeObject(o)).join(", ")} also select${rivals.length === 1 ? "s" : ""}: istiod applies only the oldest of them to a workload, as a whole (mode and portLevelMtls), and which one that is cannot be known before they are created`,
                    fix: "give each workload one selector-scoped PeerAuthentication: merge the policies, or make their selectors disjoint",
                });
            }
        }
    }
    return violations;
}

/** Whether two PeerAuthentications set the same modes (`mtls` and `portLevelMtls`), whatever their selectors. */
function sameEffect(a: KubernetesObject, b: KubernetesObject): boolean {
    const effect = (o: KubernetesObject) => canonical({ mtls: specOf(o).mtls ?? null, portLevelMtls: specOf(o).portLevelMtls ?? null });
    return effect(a) === effect(b);
}

/** JSON with object keys sorted, so that equal values give equal text. */
function canonical(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(canonical).join(",")}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

export const peerAuthenticationPrecedenceRule: MeshRuleDefinition = {
    id,
    description:
        "No PeerAuthentication that istiod ignores: selector policies in the root namespace, or several for one namespace or workload.",
    upstream:
        "pilot/pkg/security/authn/policy_applier.go ComposePeerAuthentication; pilot/pkg/model/authentication.go addPeerAuthentication",
    check,
    inputs: ["rootNamespaces", "podLabels"],
    policy: { name: "one-peer-authentication-per-scope", enforcementLevel: "mandatory", scope: "stack" },
};
