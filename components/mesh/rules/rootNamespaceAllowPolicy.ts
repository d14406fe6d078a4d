import { describeObject, KubernetesObject } from "../../core/kubernetes";
import { isIstio, isAllow, rootNamespacesOf } from "./helpers";
import { wellKnownRootNamespaces } from "./istio";
import type { MeshRuleContext, MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "root-namespace-allow-policy";

/**
 * An ALLOW AuthorizationPolicy in a root namespace applies to every workload in the mesh, and every
 * request it does not match is then denied: a mesh-wide outage. Flagged in the context's root namespaces
 * and in every well-known one (`istio-system`, `aks-istio-system`): a policy there is mesh-wide on
 * whichever mesh uses that namespace as its root.
 */
function check(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const roots = new Set([...rootNamespacesOf(context), ...wellKnownRootNamespaces]);
    return objects
        .filter((o) => isIstio(o, "AuthorizationPolicy") && isAllow(o) && roots.has(o.metadata?.namespace ?? ""))
        .map((object) => ({
            rule: id,
            object: describeObject(object),
            message: `ALLOW policy in the root namespace ${object.metadata.namespace}: it applies to every workload in the mesh and denies whatever it does not match`,
            fix: "put a selector-scoped policy in the namespace of the workload it protects",
        }));
}

export const rootNamespaceAllowPolicyRule: MeshRuleDefinition = {
    id,
    description: "No ALLOW AuthorizationPolicy in an Istio root namespace: it would apply to every workload of the mesh.",
    upstream: "AuthorizationPolicy semantics (root namespace policies are mesh-wide)",
    check,
    inputs: ["rootNamespaces"],
    policy: { name: "no-root-namespace-allow-policy", enforcementLevel: "mandatory", scope: "resource" },
};
