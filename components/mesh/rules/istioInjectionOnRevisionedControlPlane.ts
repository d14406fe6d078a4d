import { describeObject, KubernetesObject } from "../../core/kubernetes";
import { namespaceInjectionLabel } from "../pod";
import { isKind } from "./helpers";
import type { MeshRuleContext, MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "istio-injection-on-revisioned-control-plane";

/**
 * `istio-injection=enabled` on a control plane that injects only through revisions: the revision's
 * webhook selects `istio.io/rev In [<revision>]` *and* `istio-injection DoesNotExist`
 * (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml), and only a
 * default-revision install renders the `istio-injection In [enabled]` webhook. The AKS add-on says so:
 * "The default `istio-injection=enabled` label will not work and will cause the sidecar injection to skip
 * the namespace" (azure-aks-docs articles/aks/istio-deploy-addon.md). Judged only when the context says
 * the control plane is revisioned.
 */
function check(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    if (!context.revisionedControlPlane) {
        return [];
    }
    return objects
        .filter((o) => isKind(o, "", "Namespace") && o.metadata?.labels?.[namespaceInjectionLabel] === "enabled")
        .map((object) => ({
            rule: id,
            object: describeObject(object),
            message: `labelled istio-injection=enabled on a control plane that injects only through istio.io/rev: the revision's webhook requires istio-injection to be absent, so no pod of the namespace gets a sidecar`,
            fix: "label the namespace `istio.io/rev=<revision>` (e.g. `asm-1-27` on the AKS add-on) and remove `istio-injection`",
        }));
}

export const istioInjectionOnRevisionedControlPlaneRule: MeshRuleDefinition = {
    id,
    description: "On a control plane that injects only through revisions, namespaces use istio.io/rev, not istio-injection=enabled.",
    upstream: "manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml; AKS istio-deploy-addon.md",
    check,
    inputs: ["revisionedControlPlane"],
    policy: { name: "revision-label-on-revisioned-control-plane", enforcementLevel: "mandatory", scope: "resource" },
};
