// The ClusterRole the README documents for the command, derived from what it can read (reads.ts): one
// rule per API group, verbs and names, so a new read reaches the documented role by construction.

import { defaultTokenSecret } from "../amaMetrics/facts";
import { kubeReads } from "./reads";
import type { VerifyOptions } from "./types";

export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    resourceNames?: string[];
    verbs: string[];
}

/** The ClusterRole `ama-metrics-istio-verify`: every read of every configuration, with the default token secret. */
export function verifyClusterRole(): { apiVersion: string; kind: string; metadata: { name: string }; rules: PolicyRule[] } {
    const defaults = { tokenSecret: defaultTokenSecret } as VerifyOptions;
    const rules = new Map<string, PolicyRule>();
    for (const { rbac } of Object.values(kubeReads)) {
        const names = "resourceNames" in rbac ? rbac.resourceNames(defaults) : undefined;
        const verbs = [...rbac.verbs];
        const key = JSON.stringify([rbac.group, verbs, names]);
        const rule = rules.get(key) ?? { apiGroups: [rbac.group], resources: [], ...(names && { resourceNames: names }), verbs };
        if (!rule.resources.includes(rbac.resource)) rule.resources.push(rbac.resource);
        rules.set(key, rule);
    }
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "ama-metrics-istio-verify" },
        rules: [...rules.values()],
    };
}
