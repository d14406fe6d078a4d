// Plumbing of the mesh rules' tests: each rule has a table of cases, a base object and patches
// (kustomize-style: objects merge, arrays and scalars replace, null deletes) that make the nearest object
// it flags and the nearest it lets through, run the way the component and the policy pack run the rules
// (checkMeshObjects over every rule).

import * as assert from "node:assert/strict";
import { isRecord, KubernetesObject } from "../../../components/core/kubernetes";
import { checkMeshObjects, MeshRuleContext, podLabelsOf } from "../../../components/mesh/rules";
import { fixtureObjects } from "../../harness";

/** Kustomize-style patch: records merge, arrays and scalars replace, null deletes. */
export function patch<T>(base: T, changes: unknown): T {
    if (!isRecord(changes) || !isRecord(base)) {
        return structuredClone(changes) as T;
    }
    const merged: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
    for (const [key, value] of Object.entries(changes)) {
        if (value === null) {
            delete merged[key];
        } else {
            merged[key] = key in merged ? patch(merged[key], value) : structuredClone(value);
        }
    }
    return merged as T;
}

/** The objects one rule flags, as `Kind namespace/name`. */
export function flagged(rule: string, objects: readonly KubernetesObject[], context: MeshRuleContext = {}): string[] {
    return checkMeshObjects(objects, context)
        .filter((v) => v.rule === rule)
        .map((v) => v.object);
}

export function messages(rule: string, objects: readonly KubernetesObject[], context: MeshRuleContext = {}): string[] {
    return checkMeshObjects(objects, context)
        .filter((v) => v.rule === rule)
        .map((v) => `${v.message} Fix: ${v.fix}`);
}

export interface Case {
    name: string;
    objects: KubernetesObject[];
    context?: MeshRuleContext;
    /** The objects the rule flags (`Kind namespace/name`); empty for a valid case. */
    flags: string[];
}

/**
 * The table of one rule: one `it` per case (the rule flags exactly the listed objects), and one that the
 * table has a case the rule flags and one it lets through. test/unit/meshRules.test.ts requires a table per
 * rule of the registry.
 */
export function table(rule: string, cases: Case[]) {
    it("has a case the rule flags and a case it lets through", () => {
        assert.ok(cases.some((c) => c.flags.length > 0) && cases.some((c) => c.flags.length === 0));
    });
    for (const c of cases) {
        it(`${c.flags.length > 0 ? "flags" : "accepts"}: ${c.name}`, () => {
            assert.deepEqual(flagged(rule, c.objects, c.context).sort(), [...c.flags].sort());
        });
    }
}

export const seedObjects = () => fixtureObjects("seed", "istio-objects.yaml");

export function seed(kind: string, name: string): KubernetesObject {
    const found = seedObjects().find((o) => o.kind === kind && o.metadata.name === name);
    assert.ok(found, `the seed has no ${kind} ${name}`);
    return found;
}

export const chartObjects = () => fixtureObjects("ama-metrics-chart", "rendered-aks.yaml");

// The chart's pod label sets, as they run in `monitoring` once relocated.
export const chartPods = () => ({ monitoring: podLabelsOf(chartObjects())["kube-system"] });

export const context: MeshRuleContext = { rootNamespace: "istio-system", podLabels: chartPods() };

export const object = (apiVersion: string, kind: string, namespace: string | undefined, name: string, spec: unknown): KubernetesObject => ({
    apiVersion,
    kind,
    metadata: namespace === undefined ? { name } : { name, namespace },
    spec,
});

export const serviceEntry = (name: string, spec: unknown, namespace = "shop") =>
    object("networking.istio.io/v1", "ServiceEntry", namespace, name, spec);
export const destinationRule = (name: string, spec: unknown, namespace = "shop") =>
    object("networking.istio.io/v1", "DestinationRule", namespace, name, spec);
export const peerAuthentication = (name: string, namespace: string, spec: unknown) =>
    object("security.istio.io/v1", "PeerAuthentication", namespace, name, spec);
export const authorizationPolicy = (name: string, namespace: string, spec: unknown) =>
    object("security.istio.io/v1", "AuthorizationPolicy", namespace, name, spec);
export const namespaceObject = (name: string, labels: Record<string, string>): KubernetesObject => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels },
});

// ---- the seed --------------------------------------------------------------------------------------------
