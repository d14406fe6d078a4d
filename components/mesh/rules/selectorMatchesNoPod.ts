import { describeObject, getPath, KubernetesObject, labelsMatch } from "../../core/kubernetes";
import { isIstioGroup, formatLabels, stringMap, rootNamespacesOf } from "./helpers";
import { selectorPaths } from "./istio";
import type { MeshRuleContext, MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "selector-matches-no-pod";

/**
 * A selector that matches no pod of its namespace (IST0127 for AuthorizationPolicies): the object has no
 * effect, and whatever it was meant to do does not happen. Judged only in namespaces whose pods are known;
 * objects in a root namespace select across the mesh and are not judged.
 */
function check(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
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
                rule: id,
                object: describeObject(object),
                message: `selector ${formatLabels(selector)} matches none of the ${pods.length} pod label set(s) known in namespace ${namespace}: the object has no effect`,
                fix: "select the pod template labels of the workload it is meant for, or remove the object",
            });
        }
    }
    return violations;
}

export const selectorMatchesNoPodRule: MeshRuleDefinition = {
    id,
    // Advisory for the organisation: a stack may not hold every pod of a namespace.
    description: "Istio selectors match a pod known in their namespace.",
    upstream: "pkg/config/analysis/analyzers/authz/authorizationpolicies.go (IST0127), extended to every selector-bearing kind",
    check,
    inputs: ["rootNamespaces", "podLabels"],
    policy: { name: "selectors-match-pods", enforcementLevel: "advisory", scope: "stack" },
};
