import { describeObject, KubernetesObject } from "../../core/kubernetes";
import { dataplaneModeLabel, namespaceInjectionLabel, revisionLabel } from "../pod";
import { analyzedByIstioctl, isKind } from "./helpers";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "two-injection-labels";

/**
 * A namespace with more than one kind of injection label (IST0123 NamespaceMultipleInjectionLabels),
 * exactly as the analyzer counts them (pkg/config/analysis/analyzers/injection/injection.go, `Analyze`):
 * `istio-injection` with any value; `istio.io/rev` and the ambient `istio.io/dataplane-mode` only when
 * `istio-injection` is absent or `enabled`; the namespace literally named `istio-system` is skipped.
 *
 *     for _, l := range []string{RevisionInjectionLabelName, label.IoIstioDataplaneMode.Name} {
 *         if _, ok := r.Metadata.Labels[l]; ok && (!okInjectionLabel || injectionLabel == "enabled") {
 * Skips the namespaces istioctl never analyzes (`analyzedByIstioctl`).
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const object of objects.filter(
        (o) => isKind(o, "", "Namespace") && o.metadata?.name !== "istio-system" && analyzedByIstioctl(o),
    )) {
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
                rule: id,
                object: describeObject(object),
                message: `more than one kind of injection label: ${counted.join(", ")} (IST0123); which webhook or data plane takes the namespace is undefined`,
                fix: "keep only `istio.io/rev=<revision>` on a revisioned control plane (the AKS add-on), only `istio-injection=enabled` on a default-revision install, or only `istio.io/dataplane-mode` for ambient",
            });
        }
    }
    return violations;
}

export const twoInjectionLabelsRule: MeshRuleDefinition = {
    id,
    description: "A namespace carries one kind of injection label (istio-injection, istio.io/rev or istio.io/dataplane-mode).",
    upstream: "pkg/config/analysis/analyzers/injection/injection.go (IST0123)",
    check,
    inputs: [],
    policy: { name: "one-injection-label-per-namespace", enforcementLevel: "mandatory", scope: "resource" },
};
