// The policies of the pack, kept apart from `new PolicyPack` (which starts a policy server) so
// that tests can call them directly. Each one runs a rule the component applies to itself: the
// rules live in components/meshRules.ts and are not written twice.

import { Policies, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import {
    agentWorkloadInKubeSystem,
    allowPolicyWithoutSelector,
    describeObject,
    formatViolation,
    KubernetesObject,
    MeshRuleViolation,
    rootNamespaceAllowPolicy,
    tlsOriginationOnTlsPort,
    twoInjectionLabels,
    wildcardHostDnsResolution,
} from "../components/meshRules";

export interface PolicyConfig {
    /** Istio root namespaces in use across the organisation. */
    rootNamespaces: string[];
}

export const defaultRootNamespaces = ["istio-system", "aks-istio-system"];

const rootNamespacesSchema = {
    properties: {
        rootNamespaces: {
            type: "array" as const,
            items: { type: "string" as const },
            default: defaultRootNamespaces,
        },
    },
};

/**
 * The Kubernetes object behind a Pulumi resource of the Kubernetes provider (typed resources, custom
 * resources and the children of Helm charts alike), or undefined for anything else.
 */
export function kubernetesObject(type: string, props: Record<string, any>): KubernetesObject | undefined {
    const match = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
    if (!match || !props || typeof props.metadata !== "object" || props.metadata === null) {
        return undefined;
    }
    // Type tokens spell the core group as "core/v1"; objects say "v1".
    const apiVersion = props.apiVersion ?? match[1].replace(/^core\//, "");
    return { ...props, apiVersion, kind: props.kind ?? match[2], metadata: props.metadata } as KubernetesObject;
}

function report(violations: MeshRuleViolation[], reportViolation: ReportViolation, urn?: string) {
    for (const violation of violations) {
        reportViolation(formatViolation(violation), urn);
    }
}

type ObjectRule = (objects: readonly KubernetesObject[], context: { rootNamespace: string }) => MeshRuleViolation[];

function objectPolicy(name: string, description: string, rule: ObjectRule, perRootNamespace = false): Policies[number] {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        ...(perRootNamespace ? { configSchema: rootNamespacesSchema } : {}),
        validateResource: (args, reportViolation) => {
            const object = kubernetesObject(args.type, args.props);
            if (!object) return;
            const roots = perRootNamespace ? (args.getConfig<PolicyConfig>().rootNamespaces ?? defaultRootNamespaces) : [""];
            const violations = roots.flatMap((rootNamespace) => rule([object], { rootNamespace }));
            report(violations, reportViolation);
        },
    };
}

/** Objects of the whole stack, for rules that relate one object to another. */
export function stackObjects(args: Pick<StackValidationArgs, "resources">): Array<{ object: KubernetesObject; urn: string }> {
    return args.resources.flatMap((r) => {
        const object = kubernetesObject(r.type, r.props);
        return object ? [{ object, urn: r.urn }] : [];
    });
}

export const policies: Policies = [
    objectPolicy(
        "ama-metrics-outside-kube-system",
        "No ama-metrics workload runs in kube-system: Istio never injects it and the agent would carry a kube-system identity.",
        agentWorkloadInKubeSystem,
    ),
    objectPolicy(
        "no-root-namespace-allow-policy",
        "No ALLOW AuthorizationPolicy in Istio's root namespace: it would apply to every workload of the mesh.",
        rootNamespaceAllowPolicy,
        true,
    ),
    objectPolicy(
        "no-selectorless-allow-policy",
        "ALLOW AuthorizationPolicies name the workloads they open up with a selector.",
        allowPolicyWithoutSelector,
    ),
    objectPolicy(
        "no-wildcard-service-entry-with-dns",
        "ServiceEntries with wildcard hosts use resolution NONE: DNS cannot resolve a wildcard.",
        wildcardHostDnsResolution,
    ),
    objectPolicy(
        "one-injection-label-per-namespace",
        "A namespace carries istio-injection or istio.io/rev, never both.",
        twoInjectionLabels,
    ),
    {
        name: "no-tls-origination-on-tls-ports",
        description: "No DestinationRule originates TLS towards a port that already carries TLS (double TLS).",
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation) => {
            const objects = stackObjects(args);
            const urns = new Map(objects.map(({ object, urn }) => [describeObject(object), urn]));
            for (const violation of tlsOriginationOnTlsPort(objects.map((o) => o.object))) {
                report([violation], reportViolation, urns.get(violation.object));
            }
        },
    },
];
