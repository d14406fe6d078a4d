// The policies of the pack, kept apart from `new PolicyPack` (which starts a policy server) so that tests
// can call them directly. They are generated from the mesh rules' registry (components/mesh/rules/index.ts
// `meshRules`): each rule's id, policy name, description, enforcement level and scope live in the rule's
// own file and nowhere else; this file only maps them to @pulumi/policy.

import {
    Policies,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { describeObject, KubernetesObject } from "../components/core/kubernetes";
import {
    formatViolation,
    MeshRuleContext,
    MeshRuleDefinition,
    MeshRuleInput,
    meshRules,
    MeshRuleViolation,
    podLabelsOf,
    wellKnownRootNamespaces,
} from "../components/mesh/rules";

/** The configuration a policy accepts, for the context its rule reads. */
export interface PolicyConfig {
    /** Istio root namespaces in use across the organisation. */
    rootNamespaces?: string[];
    /** The organisation's control planes inject only through `istio.io/rev` (the AKS add-on). */
    revisionedControlPlane?: boolean;
    /** MeshConfig `defaultConfig.proxyMetadata` of the organisation's meshes. */
    meshProxyMetadata?: Record<string, string>;
}

const defaultRootNamespaces: string[] = [...wellKnownRootNamespaces];

// The configuration property behind each context input; pod labels come from the stack itself.
const configProperties: Record<Exclude<MeshRuleInput, "podLabels">, PolicyConfigSchema["properties"][string]> = {
    rootNamespaces: { type: "array", items: { type: "string" }, default: defaultRootNamespaces },
    revisionedControlPlane: { type: "boolean", default: false },
    meshProxyMetadata: { type: "object", additionalProperties: { type: "string" }, default: {} },
};

/**
 * The Kubernetes object behind a Pulumi resource of the Kubernetes provider (typed resources, custom
 * resources and the children of Helm charts alike), or undefined for anything else.
 */
function kubernetesObject(type: string, props: Record<string, any>): KubernetesObject | undefined {
    const match = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
    if (!match || !props || typeof props.metadata !== "object" || props.metadata === null) {
        return undefined;
    }
    // Type tokens spell the core group as "core/v1"; objects say "v1".
    const apiVersion = props.apiVersion ?? match[1].replace(/^core\//, "");
    return { ...props, apiVersion, kind: props.kind ?? match[2], metadata: props.metadata } as KubernetesObject;
}

/** Objects of the whole stack, for rules that relate one object to another. */
function stackObjects(args: Pick<StackValidationArgs, "resources">): Array<{ object: KubernetesObject; urn: string }> {
    return args.resources.flatMap((r) => {
        const object = kubernetesObject(r.type, r.props);
        return object ? [{ object, urn: r.urn }] : [];
    });
}

/** The rule's context from the policy's configuration (defaults where unset). */
function contextOf(config: PolicyConfig): MeshRuleContext {
    return {
        rootNamespaces: config.rootNamespaces ?? defaultRootNamespaces,
        revisionedControlPlane: config.revisionedControlPlane ?? false,
        meshProxyMetadata: config.meshProxyMetadata ?? {},
    };
}

function report(violations: MeshRuleViolation[], reportViolation: ReportViolation, urnOf: (object: string) => string | undefined) {
    for (const violation of violations) {
        reportViolation(formatViolation(violation), urnOf(violation.object));
    }
}

/** The policy of one rule, as its table row says. */
function policyOf(rule: MeshRuleDefinition): ResourceValidationPolicy | StackValidationPolicy {
    const configurable = rule.inputs.filter((input): input is Exclude<MeshRuleInput, "podLabels"> => input !== "podLabels");
    const common = {
        name: rule.policy.name,
        description: rule.description,
        enforcementLevel: rule.policy.enforcementLevel,
        ...(configurable.length > 0
            ? { configSchema: { properties: Object.fromEntries(configurable.map((input) => [input, configProperties[input]])) } }
            : {}),
    };
    if (rule.policy.scope === "resource") {
        return {
            ...common,
            validateResource: (args, reportViolation) => {
                const object = kubernetesObject(args.type, args.props);
                if (object) {
                    report(rule.check([object], contextOf(args.getConfig<PolicyConfig>())), reportViolation, () => undefined);
                }
            },
        };
    }
    return {
        ...common,
        validateStack: (args, reportViolation) => {
            const found = stackObjects(args);
            const objects = found.map(({ object }) => object);
            const urns = new Map(found.map(({ object, urn }) => [describeObject(object), urn]));
            const context = { ...contextOf(args.getConfig<PolicyConfig>()), podLabels: podLabelsOf(objects) };
            report(rule.check(objects, context), reportViolation, (object) => urns.get(object));
        },
    };
}

export const policies: Policies = meshRules.map(policyOf);
