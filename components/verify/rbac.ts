// The roles the README documents for the command, derived from what it can read (reads.ts): a ClusterRole
// for the reads granted cluster-wide and a Role in the collector's namespace for the rest (the
// port-forwards), one rule per API group, verbs and names, so a new read reaches the documented roles by
// construction.

import { defaultTokenSecret } from "../amaMetrics/facts";
import type { KubernetesObject } from "../core/kubernetes";
import { defaults } from "../core/settings";
import { kubeReads, RbacScope } from "./reads";
import type { VerifyOptions } from "./types";

interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    resourceNames?: string[];
    verbs: string[];
}

/** A ClusterRole or Role: the package's Kubernetes object type with its name and rules. */
type RoleObject = KubernetesObject & { metadata: { name: string }; rules: PolicyRule[] };

/** The name of both roles (and the README's bindings). */
export const verifyRoleName = "ama-metrics-istio-verify";

const rbacApiVersion = "rbac.authorization.k8s.io/v1";

/** The rules of every read granted in `scope`, of every configuration, with the default token secret. */
function rulesIn(scope: RbacScope): PolicyRule[] {
    const options = { tokenSecret: defaultTokenSecret } as VerifyOptions;
    const rules = new Map<string, PolicyRule>();
    for (const { rbac } of Object.values(kubeReads)) {
        if (("scope" in rbac ? rbac.scope : "cluster") !== scope) continue;
        const names = "resourceNames" in rbac ? rbac.resourceNames(options) : undefined;
        const verbs = [...rbac.verbs];
        const key = JSON.stringify([rbac.group, verbs, names]);
        const rule = rules.get(key) ?? { apiGroups: [rbac.group], resources: [], ...(names && { resourceNames: names }), verbs };
        if (!rule.resources.includes(rbac.resource)) rule.resources.push(rbac.resource);
        rules.set(key, rule);
    }
    return [...rules.values()];
}

/** The ClusterRole `ama-metrics-istio-verify`: every read granted cluster-wide. */
export function verifyClusterRole(): RoleObject {
    return { apiVersion: rbacApiVersion, kind: "ClusterRole", metadata: { name: verifyRoleName }, rules: rulesIn("cluster") };
}

/** The Role `ama-metrics-istio-verify` in the collector's namespace: the reads granted only there (the port-forwards). */
export function verifyNamespaceRole(namespace: string = defaults.namespace): RoleObject & { metadata: { namespace: string } } {
    return {
        apiVersion: rbacApiVersion,
        kind: "Role",
        metadata: { name: verifyRoleName, namespace },
        rules: rulesIn("collectorNamespace"),
    };
}
