import { describeObject, getPath, KubernetesObject, labelsMatch } from "../../core/kubernetes";
import { hasSelector, isIstio, matchLabels, formatSelector, specOf, text, rootNamespacesOf } from "./helpers";
import type { MeshRuleContext, MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "strict-mtls-for-part-of-namespace";

/**
 * STRICT mTLS set by a selector for part of a namespace, with no namespace-wide PeerAuthentication and no
 * STRICT mesh-wide one among the objects: the namespace's other pods keep the mesh-wide mode (PERMISSIVE
 * unless the root namespace says otherwise; "UNSET is treated as permissive for mesh-policy",
 * pilot/pkg/model/authentication.go). Judged only in namespaces whose pods are known.
 */
function check(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const roots = new Set(rootNamespacesOf(context));
    const policies = objects.filter((o) => isIstio(o, "PeerAuthentication"));
    const namespaceWide = (namespace: string) =>
        policies.some((o) => o.metadata?.namespace === namespace && !hasSelector(specOf(o).selector));
    const meshStrict = policies.some(
        (o) =>
            roots.has(o.metadata?.namespace ?? "") &&
            !hasSelector(specOf(o).selector) &&
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
                rule: id,
                object: describeObject(policy),
                message: `STRICT only for pods ${formatSelector(selector)} (${matched} of ${pods.length} pod label set(s) known in namespace ${namespace}), and no namespace-wide PeerAuthentication among the objects: the namespace's other pods keep the mesh-wide mode, PERMISSIVE unless the root namespace says otherwise`,
                fix: "set STRICT in one namespace-wide PeerAuthentication (no selector), and keep selector-scoped ones for port-level exceptions",
            });
        }
    }
    return violations;
}

export const strictMtlsForPartOfNamespaceRule: MeshRuleDefinition = {
    id,
    description: "STRICT mTLS is set namespace-wide, not by a selector for part of a namespace.",
    upstream: "pilot/pkg/model/authentication.go (mesh-wide UNSET is PERMISSIVE); the seed's collector-only PeerAuthentication",
    check,
    inputs: ["rootNamespaces", "podLabels"],
    policy: { name: "namespace-wide-strict-mtls", enforcementLevel: "advisory", scope: "stack" },
};
