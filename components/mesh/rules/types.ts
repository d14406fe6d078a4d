// The shape of a mesh rule, and what rules know and report.

import type { KubernetesObject } from "../../core/kubernetes";

/** What the rules know about the cluster. Every field is optional: a rule that lacks what it needs judges less. */
export interface MeshRuleContext {
    /** Istio's root namespace (`istio-system`, `aks-istio-system` on the AKS add-on). */
    rootNamespace?: string;
    /**
     * The root namespaces of every mesh the objects may belong to (the policy pack: the organisation's).
     * Together with `rootNamespace`; when both are absent, the well-known ones.
     */
    rootNamespaces?: readonly string[];
    /** The pod label sets known per namespace. Namespaces absent here are not judged by selector rules. */
    podLabels?: Record<string, Array<Record<string, string>>>;
    /**
     * The control plane injects only through `istio.io/rev` (the AKS add-on; an upstream revisioned
     * install without a default revision or `default` tag).
     */
    revisionedControlPlane?: boolean;
    /** MeshConfig `defaultConfig.proxyMetadata`, as far as known (IST0134 reads it). */
    meshProxyMetadata?: Record<string, string>;
}

export interface MeshRuleViolation {
    /** The rule's stable id, e.g. `wildcard-host-dns-resolution`. */
    rule: string;
    /** The object, as `Kind namespace/name`. */
    object: string;
    /** What is wrong. */
    message: string;
    /** How to fix it. */
    fix: string;
}

/** Whether a rule runs on one object at a time or relates the objects of a whole stack to each other. */
export type MeshRuleScope = "resource" | "stack";

/** What a rule reads from the context; the policy pack offers each as configuration, except pod labels. */
export type MeshRuleInput = "rootNamespaces" | "podLabels" | "revisionedControlPlane" | "meshProxyMetadata";

/**
 * One rule, and how the organisation's policy pack applies it. The component refuses every violation of
 * every rule in what it emits itself.
 */
export interface MeshRuleDefinition {
    /** The rule's stable id, as violations name it. */
    id: string;
    description: string;
    /** What the rule mirrors upstream, or why it exists. */
    upstream: string;
    check: (objects: readonly KubernetesObject[], context?: MeshRuleContext) => MeshRuleViolation[];
    /** What the rule reads besides the objects. */
    inputs: readonly MeshRuleInput[];
    /** The CrossGuard policy this rule becomes. */
    policy: { name: string; enforcementLevel: "mandatory" | "advisory"; scope: MeshRuleScope };
}
