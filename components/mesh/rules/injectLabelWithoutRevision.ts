import { describeObject, KubernetesObject, podTemplatesOf } from "../../core/kubernetes";
import { injectLabel, namespaceInjectionLabel, revisionLabel } from "../pod";
import { isKind } from "./helpers";
import type { MeshRuleContext, MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "inject-label-without-revision";

/**
 * A pod labelled `sidecar.istio.io/inject=true`, without `istio.io/rev`, in a namespace with neither
 * `istio.io/rev` nor `istio-injection`, on a control plane that injects only through revisions (the AKS
 * add-on): no webhook selects it. The revision's webhooks need `istio.io/rev` on the namespace
 * (`rev.namespace.`) or on the pod (`rev.object.`); only a default-revision install renders the `object.`
 * webhook that selects `sidecar.istio.io/inject In [true]` with `istio.io/rev DoesNotExist`
 * (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml, `{{- if (eq
 * .Values.revision "") }}`). The pod runs without a sidecar. Judged only when the context says the control
 * plane is revisioned and the pod's Namespace is among the objects.
 */
function check(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    if (!context.revisionedControlPlane) {
        return [];
    }
    const unlabelled = new Set(
        objects
            .filter((o) => isKind(o, "", "Namespace"))
            .filter((o) => o.metadata.labels?.[revisionLabel] === undefined && o.metadata.labels?.[namespaceInjectionLabel] === undefined)
            .map((o) => o.metadata.name),
    );
    return objects
        .filter((object) => unlabelled.has(object.metadata?.namespace ?? ""))
        .filter((object) =>
            podTemplatesOf(object).some((slot) => {
                const labels = slot.get().metadata?.labels ?? {};
                return labels[injectLabel] === "true" && labels[revisionLabel] === undefined;
            }),
        )
        .map((object) => ({
            rule: id,
            object: describeObject(object),
            message: `pods labelled ${injectLabel}=true without ${revisionLabel}, in namespace ${object.metadata.namespace} that carries no injection label, on a control plane that injects only through ${revisionLabel}: only a default revision's webhook selects that label, so no sidecar is injected`,
            fix: `label the pods \`${revisionLabel}=<revision>\` (e.g. \`asm-1-27\` on the AKS add-on) instead of \`${injectLabel}=true\`, or label the namespace \`${revisionLabel}=<revision>\``,
        }));
}

export const injectLabelWithoutRevisionRule: MeshRuleDefinition = {
    id,
    description: "On a control plane that injects only through revisions, pods opt in with istio.io/rev, not sidecar.istio.io/inject=true.",
    upstream:
        "manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml (the object. webhook exists only for the default revision)",
    check,
    inputs: ["revisionedControlPlane"],
    policy: { name: "revision-label-on-pods-of-revisioned-control-plane", enforcementLevel: "mandatory", scope: "stack" },
};
