// Which kinds the relocation knows the scope of: the built-in kinds any version of the ama-metrics
// chart renders (read from every revision of its templates in Azure/prometheus-collector), the kinds
// the input's own CustomResourceDefinitions define, and what the caller declares (`--kind-scope`).
// Anything else is refused: moving an object of unknown scope could put it where nothing finds it.

import * as v from "valibot";
import { kindKey } from "../core/kubernetes";
import { mapOf, picklist, Schema } from "../core/shapes";

export type Scope = "Namespaced" | "Cluster";
const scopes: readonly Scope[] = ["Namespaced", "Cluster"];

/** The chart's built-in kinds (Arc-only and OpenShift-only kinds come with the CRDs or `--kind-scope`). */
export const chartKinds: ReadonlyMap<string, Scope> = new Map([
    [kindKey("", "ConfigMap"), "Namespaced"],
    [kindKey("", "Secret"), "Namespaced"],
    [kindKey("", "Service"), "Namespaced"],
    [kindKey("", "ServiceAccount"), "Namespaced"],
    [kindKey("apps", "DaemonSet"), "Namespaced"],
    [kindKey("apps", "Deployment"), "Namespaced"],
    [kindKey("autoscaling", "HorizontalPodAutoscaler"), "Namespaced"],
    [kindKey("policy", "PodDisruptionBudget"), "Namespaced"],
    [kindKey("networking.k8s.io", "NetworkPolicy"), "Namespaced"],
    [kindKey("rbac.authorization.k8s.io", "Role"), "Namespaced"],
    [kindKey("rbac.authorization.k8s.io", "RoleBinding"), "Namespaced"],
    [kindKey("rbac.authorization.k8s.io", "ClusterRole"), "Cluster"],
    [kindKey("rbac.authorization.k8s.io", "ClusterRoleBinding"), "Cluster"],
    [kindKey("apiextensions.k8s.io", "CustomResourceDefinition"), "Cluster"],
]);

/** Cluster-scoped kinds whose names the API server derives or checks (`<plural>.<group>` for a CRD). */
export const structurallyNamed: ReadonlySet<string> = new Set([kindKey("apiextensions.k8s.io", "CustomResourceDefinition")]);

/** Why a declared scope for `key` is refused: the relocation knows that kind, and a second scope would only be a guess. */
export function knownKindProblem(key: string): { wrong: string; fix: string } | undefined {
    const scope = chartKinds.get(key);
    return scope === undefined
        ? undefined
        : { wrong: `the relocation knows this kind (${scope})`, fix: "declare only kinds it refuses as unknown, or drop it" };
}

/** The component's `chart.kindScopes`: `<group>/<Kind>` (`/<Kind>` for the core group) → scope, unknown kinds only. */
export const kindScopesSchema: Schema = mapOf(
    v.pipe(
        v.string(),
        v.check(
            (key: string) => /^[a-z0-9.-]*\/[A-Z][A-Za-z0-9]*$/.test(key),
            'not a kind; give "<group>/<Kind>", e.g. "autoscaling.k8s.io/VerticalPodAutoscaler" ("/<Kind>" for the core group)',
        ),
        v.rawCheck(({ dataset, addIssue }) => {
            const problem = dataset.typed ? knownKindProblem(dataset.value) : undefined;
            if (problem !== undefined) addIssue({ message: `${problem.wrong}; ${problem.fix}` });
        }),
    ),
    picklist(scopes, "not a scope"),
    'not a map; give { "<group>/<Kind>": "Namespaced" | "Cluster" }',
);

/** Parses `<group>/<Kind>=<Namespaced|Cluster>` (core group: `/<Kind>` or `<Kind>`); undefined when malformed. */
export function parseKindScope(text: string): { key: string; scope: Scope } | undefined {
    const match = /^(?:([a-z0-9.-]*)\/)?([A-Z][A-Za-z0-9]*)=(Namespaced|Cluster)$/.exec(text);
    return match ? { key: kindKey(match[1] ?? "", match[2]), scope: match[3] as Scope } : undefined;
}
