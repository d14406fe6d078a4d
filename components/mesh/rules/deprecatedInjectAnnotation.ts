import { describeObject, KubernetesObject, podTemplatesOf } from "../../core/kubernetes";
import { podAnnotations } from "../pod";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "deprecated-inject-annotation";

/**
 * The `sidecar.istio.io/inject` annotation on a pod (template) is deprecated in favour of the label
 * (IST0135), and on a revisioned control plane it does not select a webhook.
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const object of objects) {
        const value = podTemplatesOf(object)
            .map((slot) => slot.get().metadata?.annotations?.[podAnnotations.inject])
            .find((v) => v !== undefined);
        if (value !== undefined) {
            violations.push({
                rule: id,
                object: describeObject(object),
                message: `pod template annotation sidecar.istio.io/inject: "${value}" is deprecated (IST0135) and does not select a revision`,
                fix: 'use the pod label `sidecar.istio.io/inject` ("false" to opt out), or the pod label `istio.io/rev=<revision>` to opt in',
            });
        }
    }
    return violations;
}

export const deprecatedInjectAnnotationRule: MeshRuleDefinition = {
    id,
    description: "No sidecar.istio.io/inject annotation on pods: the label replaces it.",
    upstream: "pkg/config/analysis/analyzers/deprecation (IST0135); pkg/kube/inject/inject.go injectRequired",
    check,
    inputs: [],
    policy: { name: "no-inject-annotation", enforcementLevel: "advisory", scope: "resource" },
};
