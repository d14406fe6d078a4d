import { describeObject, getPath, KubernetesObject, labelsMatch } from "../../core/kubernetes";
import { analyzedByIstioctl, formatSelector, isIstioGroup, rootNamespacesOf, stringMap } from "./helpers";
import { selectorPaths } from "./istio";
import type { MeshRuleContext, MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "selector-matches-no-pod";

/**
 * A selector that matches no known pod (IST0127 NoMatchingWorkloadsFound for AuthorizationPolicies, as
 * pkg/config/analysis/analyzers/authz/authorizationpolicies.go `analyzeNoMatchingWorkloads` decides it,
 * extended to every selector-bearing kind): the object has no effect, and whatever it was meant to do
 * does not happen.
 * - A selector is judged against the pods of its namespace, when they are known.
 * - An AuthorizationPolicy in a root namespace selects across the mesh: its selector is judged against the
 *   known pods of every namespace ("If there is at least one pod matching the selector within the whole
 *   mesh"); other kinds are not judged there.
 * - A selector-less AuthorizationPolicy outside a root namespace is reported when its namespace is known
 *   to hold no pod.
 * Namespaces istioctl never analyzes (kube-system, kube-public, kube-node-lease, local-path-storage) are
 * skipped, as it skips them. istioctl counts only pods in the mesh; the rule counts the pods it is given.
 */
function check(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const roots = new Set(rootNamespacesOf(context));
    const known = context.podLabels;
    const violations: MeshRuleViolation[] = [];
    for (const object of objects) {
        const path = selectorPaths[object.kind];
        const namespace = object.metadata?.namespace;
        if (path === undefined || !isIstioGroup(object) || namespace === undefined || known === undefined || !analyzedByIstioctl(object)) {
            continue;
        }
        const selector = stringMap(getPath(object, ["spec", path.field, path.labels])) ?? {};
        const authorization = object.kind === "AuthorizationPolicy";
        const meshWide = roots.has(namespace);
        if (meshWide && !authorization) {
            continue;
        }
        const pods = meshWide ? Object.values(known).flat() : known[namespace];
        if (pods === undefined) {
            continue;
        }
        if (Object.keys(selector).length === 0) {
            if (authorization && !meshWide && pods.length === 0) {
                violations.push({
                    rule: id,
                    object: describeObject(object),
                    message: `no selector, and namespace ${namespace} is known to hold no pod: the policy applies to no workload (IST0127)`,
                    fix: "deploy the workloads it is meant for into the namespace, or remove the policy",
                });
            }
            continue;
        }
        if (!pods.some((labels) => labelsMatch(selector, labels))) {
            const where = meshWide ? `any namespace (a root-namespace policy selects across the mesh)` : `namespace ${namespace}`;
            violations.push({
                rule: id,
                object: describeObject(object),
                message: `selector ${formatSelector(selector)} matches none of the ${pods.length} pod label set(s) known in ${where}: the object has no effect`,
                fix: "select the pod template labels of the workload it is meant for, or remove the object",
            });
        }
    }
    return violations;
}

export const selectorMatchesNoPodRule: MeshRuleDefinition = {
    id,
    // Advisory for the organisation: a stack may not hold every pod of a namespace.
    description: "Istio selectors match a known pod: of their namespace, or of the mesh for root-namespace AuthorizationPolicies.",
    upstream: "pkg/config/analysis/analyzers/authz/authorizationpolicies.go (IST0127), extended to every selector-bearing kind",
    check,
    inputs: ["rootNamespaces", "podLabels"],
    policy: { name: "selectors-match-pods", enforcementLevel: "advisory", scope: "stack" },
};
