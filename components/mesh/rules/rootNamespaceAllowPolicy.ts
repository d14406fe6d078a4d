import { describeObject, KubernetesObject } from "../../core/kubernetes";
import { allowEffect, anyRootNamespaceOf, hasTarget, isIstio } from "./helpers";
import type { MeshRuleContext, MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "root-namespace-allow-policy";

/**
 * A root-namespace AuthorizationPolicy without a selector or targetRef applies to every workload of the
 * mesh: istiod looks policies up in the root namespace and the workload's own, then attaches those whose
 * selector matches (pilot/pkg/model/authorization.go `ListAuthorizationPolicies`: `lookupInNamespaces :=
 * []string{policy.RootNamespace, …}` and `ShouldAttachPolicy`). So:
 * - without rules (`spec: {}`) it denies every request to every workload: the worst mesh-wide outage;
 * - with rules it denies every request they do not match, mesh-wide;
 * - `rules: [{}]` allows everything and denies nothing, and a policy with a selector applies only to the
 *   workloads it selects (an ingress gateway's IP allow-list, say): neither is flagged.
 * Flagged in the context's root namespaces and in every well-known one (`istio-system`,
 * `aks-istio-system`): a policy there is mesh-wide on whichever mesh uses that namespace as its root.
 */
function check(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const roots = anyRootNamespaceOf(context);
    const violations: MeshRuleViolation[] = [];
    for (const object of objects.filter((o) => isIstio(o, "AuthorizationPolicy") && roots.has(o.metadata?.namespace ?? ""))) {
        const effect = allowEffect(object);
        if (hasTarget(object) || (effect !== "deny-all" && effect !== "allow-matched")) {
            continue;
        }
        violations.push({
            rule: id,
            object: describeObject(object),
            message:
                effect === "deny-all"
                    ? `ALLOW policy without rules, selector or targetRef in the root namespace ${object.metadata.namespace}: it allows nothing and applies to every workload in the mesh, so it denies every request mesh-wide`
                    : `ALLOW policy without a selector or targetRef in the root namespace ${object.metadata.namespace}: it applies to every workload in the mesh and denies whatever it does not match`,
            fix: "put a selector-scoped policy in the namespace of the workload it protects, or give this one a selector",
        });
    }
    return violations;
}

export const rootNamespaceAllowPolicyRule: MeshRuleDefinition = {
    id,
    description:
        "No selector-less ALLOW AuthorizationPolicy that denies anything in an Istio root namespace: it would apply to every workload of the mesh.",
    upstream: "pilot/pkg/model/authorization.go ListAuthorizationPolicies (root namespace policies attach by selector to every workload)",
    check,
    inputs: ["rootNamespaces"],
    policy: { name: "no-root-namespace-allow-policy", enforcementLevel: "mandatory", scope: "resource" },
};
