import { describeObject, KubernetesObject } from "../../core/kubernetes";
import { allowEffect, hasTarget, isIstio } from "./helpers";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "allow-policy-without-selector";

/**
 * An ALLOW AuthorizationPolicy without a selector (or target reference) applies to every workload of its
 * namespace, and denies every request it does not match there. A documented Istio pattern when meant
 * (hence advisory in the policy pack); the component never emits one. Neither the deny-all (`spec: {}`,
 * Istio's default-deny pattern) nor the allow-all (`rules: [{}]`) is flagged: they deny all or nothing.
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    return objects
        .filter((o) => isIstio(o, "AuthorizationPolicy") && allowEffect(o) === "allow-matched" && !hasTarget(o))
        .map((object) => ({
            rule: id,
            object: describeObject(object),
            message:
                "ALLOW policy without a selector or targetRef: it applies to every workload of the namespace and denies whatever it does not match",
            fix: "add `selector.matchLabels` with the pod labels of the workload it is meant for",
        }));
}

export const allowPolicyWithoutSelectorRule: MeshRuleDefinition = {
    id,
    // Advisory for the organisation: a namespace-wide ALLOW is a documented Istio pattern. The
    // component still refuses it in what it emits.
    description: "ALLOW AuthorizationPolicies name the workloads they open up with a selector.",
    upstream: "AuthorizationPolicy semantics (an ALLOW policy denies what it does not match)",
    check,
    inputs: [],
    policy: { name: "no-selectorless-allow-policy", enforcementLevel: "advisory", scope: "resource" },
};
