import { describeObject, KubernetesObject, podTemplatesOf } from "../../core/kubernetes";
import { injectLabel, podAnnotations } from "../pod";
import { analyzedByIstioctl } from "./helpers";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "deprecated-inject-annotation";

/**
 * The `sidecar.istio.io/inject` annotation is deprecated in favour of the label (IST0135), and on a
 * revisioned control plane it does not select a webhook. Read, as istioctl reads it
 * (pkg/config/analysis/analyzers/annotations/annotations.go `allowAnnotations`), on the metadata of a Pod
 * or Deployment; beyond istioctl, also on every pod template. Skipped where the same metadata also carries
 * the `sidecar.istio.io/inject` label, as istioctl skips it ("Skip to avoid noise; the user has the
 * deprecated annotation but they also have the replacement").
 * Skips the namespaces istioctl never analyzes (`analyzedByIstioctl`).
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    const annotated = (metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined) =>
        metadata?.labels?.[injectLabel] === undefined ? metadata?.annotations?.[podAnnotations.inject] : undefined;
    for (const object of objects.filter(analyzedByIstioctl)) {
        const own = object.kind === "Deployment" ? [{ where: "annotation", value: annotated(object.metadata) }] : [];
        const templates = podTemplatesOf(object).map((slot) => ({
            where: slot.get() === (object as unknown) ? "annotation" : "pod template annotation",
            value: annotated(slot.get().metadata),
        }));
        const found = [...own, ...templates].find((entry) => entry.value !== undefined);
        if (found !== undefined) {
            violations.push({
                rule: id,
                object: describeObject(object),
                message: `${found.where} sidecar.istio.io/inject: "${found.value}" is deprecated (IST0135) and does not select a revision`,
                fix: 'use the pod label `sidecar.istio.io/inject` ("false" to opt out), or the pod label `istio.io/rev=<revision>` to opt in',
            });
        }
    }
    return violations;
}

export const deprecatedInjectAnnotationRule: MeshRuleDefinition = {
    id,
    description: "No sidecar.istio.io/inject annotation on pods: the label replaces it.",
    upstream: "pkg/config/analysis/analyzers/annotations/annotations.go (IST0135); pkg/kube/inject/inject.go injectRequired",
    check,
    inputs: [],
    policy: { name: "no-inject-annotation", enforcementLevel: "advisory", scope: "resource" },
};
