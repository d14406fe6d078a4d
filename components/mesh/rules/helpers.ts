// Plain-object access shared by the rules: Istio kinds, selectors, and typed reads of unknown values.

import { apiGroup, getPath, isRecord, KubernetesObject, podTemplatesOf } from "../../core/kubernetes";
import { wellKnownRootNamespaces } from "../../core/facts/istio";
import { istioctlIgnoredNamespaces } from "./istio";
import type { MeshRuleContext } from "./types";

/** The root namespaces a context names: `rootNamespace` and `rootNamespaces`, else the well-known ones. */
export function rootNamespacesOf(context: MeshRuleContext): string[] {
    const named = [...(context.rootNamespace === undefined ? [] : [context.rootNamespace]), ...(context.rootNamespaces ?? [])];
    return [...new Set(named.length > 0 ? named : wellKnownRootNamespaces)];
}

/**
 * The context's root namespaces and every well-known one, for rules that flag a policy in any namespace
 * some mesh may use as its root.
 */
export function anyRootNamespaceOf(context: MeshRuleContext): Set<string> {
    return new Set([...rootNamespacesOf(context), ...wellKnownRootNamespaces]);
}

/** The pod label sets of the objects' pods and pod templates, per namespace (objects without one are skipped). */
export function podLabelsOf(objects: readonly KubernetesObject[]): Record<string, Array<Record<string, string>>> {
    const byNamespace: Record<string, Array<Record<string, string>>> = {};
    for (const object of objects) {
        const namespace = object.metadata?.namespace;
        if (namespace === undefined) {
            continue;
        }
        for (const slot of podTemplatesOf(object)) {
            (byNamespace[namespace] ??= []).push(stringMap(slot.get().metadata?.labels) ?? {});
        }
    }
    return byNamespace;
}

export function isIstioGroup(object: KubernetesObject): boolean {
    return apiGroup(object.apiVersion ?? "").endsWith(".istio.io");
}

export function isIstio(object: KubernetesObject, kind: string): boolean {
    return object.kind === kind && isIstioGroup(object);
}

export function isKind(object: KubernetesObject, group: string, kind: string): boolean {
    return object.kind === kind && apiGroup(object.apiVersion ?? "") === group;
}

/**
 * What an ALLOW AuthorizationPolicy (an absent action is ALLOW, Istio's default) does to the workloads it
 * applies to, or undefined for other actions. Without rules it allows nothing: Istio's documented deny-all
 * (`allow-nothing`, `spec: {}`). A rule without `from`, `to` and `when` matches every request: `rules:
 * [{}]` is the documented allow-all, which denies nothing. Otherwise it allows what its rules match and
 * denies the rest.
 */
export function allowEffect(object: KubernetesObject): "deny-all" | "allow-all" | "allow-matched" | undefined {
    const action = text(specOf(object).action);
    if (action !== undefined && action !== "ALLOW") {
        return undefined;
    }
    const rules = asList(specOf(object).rules);
    if (rules.length === 0) {
        return "deny-all";
    }
    const matchesAll = (rule: unknown) => ["from", "to", "when"].every((field) => asList(getPath(rule, [field])).length === 0);
    return rules.some(matchesAll) ? "allow-all" : "allow-matched";
}

export function matchLabels(selector: unknown): Record<string, string> {
    return stringMap(getPath(selector, ["matchLabels"])) ?? {};
}

export function hasSelector(selector: unknown): boolean {
    return Object.keys(matchLabels(selector)).length > 0;
}

/**
 * The `to[].operation.ports` of an AuthorizationPolicy, per rule and per `to` entry (an entry without
 * ports has an empty list; values as written).
 */
export function operationPorts(policy: KubernetesObject): unknown[][][] {
    return asList(specOf(policy).rules).map((rule) =>
        asList(getPath(rule, ["to"])).map((to) => asList(getPath(to, ["operation", "ports"]))),
    );
}

export function hasTarget(object: KubernetesObject): boolean {
    const spec = specOf(object);
    return hasSelector(spec.selector) || isRecord(spec.targetRef) || asList(spec.targetRefs).length > 0;
}

export function formatSelector(labels: Record<string, string>): string {
    return `{${Object.entries(labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(", ")}}`;
}

// `namespace/name`, as istioctl names resources.
export function fullName(object: KubernetesObject): string {
    return `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? "<unnamed>"}`;
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        const k = key(item);
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
    }
    return groups;
}

export function specOf(object: KubernetesObject): Record<string, unknown> {
    return record(object.spec);
}

export function record(value: unknown): Record<string, unknown> {
    return isRecord(value) ? value : {};
}

export function asList(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

export function strings(value: unknown): string[] {
    return asList(value).filter((v): v is string => typeof v === "string");
}

// Labels and annotations are strings; any other value (one not known yet, a Pulumi Output) is left out
// rather than turned into text.
export function stringMap(value: unknown): Record<string, string> | undefined {
    if (!isRecord(value)) {
        return undefined;
    }
    return Object.fromEntries(
        Object.entries(value)
            .filter(([, v]) => typeof v === "string" || typeof v === "number" || typeof v === "boolean")
            .map(([key, v]) => [key, String(v)]),
    );
}

/**
 * Whether `istioctl analyze` reads the object at all: it drops objects in (and Namespaces named) kube-system,
 * kube-public, kube-node-lease and local-path-storage (pkg/config/analysis/local/istiod_analyze.go, the
 * namespaces filter over `inject.IgnoredNamespaces`). The rules that mirror an analyzer skip them too.
 */
export function analyzedByIstioctl(object: KubernetesObject): boolean {
    const namespace =
        object.kind === "Namespace" && apiGroup(object.apiVersion ?? "") === "" ? object.metadata?.name : object.metadata?.namespace;
    return !istioctlIgnoredNamespaces.includes(namespace ?? "");
}
