// The per-environment program's configuration: one structured key per stack,
// `ama-metrics-istio:environment`. This file checks what is the program's own (the subscription, where the
// cluster comes from); everything else is the component's arguments, which the component checks.

import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import { AmaMetricsIstioArgs, AmaMetricsIstioArgumentError, formatProblem, Problem } from "ama-metrics-istio";
import { ClusterStackOutput, clusterStackOutputs } from "./clusterStack";

const configKey = "ama-metrics-istio:environment";

/** `ama-metrics-istio:environment` in `stacks/Pulumi.<stack>.yaml`. */
export type EnvironmentConfig = Omit<AmaMetricsIstioArgs, "cluster" | "grafana" | "tags"> & {
    /** Subscription of the Azure Monitor resources. */
    subscriptionId: string;
    /**
     * The cluster: `stack` names the cluster's stack (`org/project/stack`), whose outputs feed this one
     * (`clusterStackOutputs` in clusterStack.ts);
     * values given here win over the cluster stack's, except `serviceCidr`, which must agree with the cluster
     * stack's when both are given. Without `stack`, give them here and the kubeconfig as
     * the secret `ama-metrics-istio:kubeconfig`.
     */
    cluster: Partial<AmaMetricsIstioArgs["cluster"]> & { stack?: string };
    grafana?: { principalId: string };
    tags?: Record<string, string>;
};

/**
 * The azure-native provider's `environment` for the stack's cloud (`cluster.cloudEnvironment`): its ARM
 * endpoint and Entra authority. The provider's values are `public`, `usgovernment` and `china`
 * (pulumi-azure-native, provider `environment`).
 */
export function providerEnvironment(env: EnvironmentConfig): "public" | "usgovernment" | "china" {
    const environments = { azurepubliccloud: "public", azureusgovernmentcloud: "usgovernment", azurechinacloud: "china" } as const;
    return environments[env.cluster.cloudEnvironment ?? "azurepubliccloud"];
}

/** Whether the stack runs the prometheus collector (the component's default). */
export const runsPrometheus = (env: EnvironmentConfig): boolean => (env.collector ?? "prometheus") === "prometheus";

/** Where Pulumi reads a stack's config (Pulumi.yaml's `stackConfigDir`). */
export const stackFileOf = (stack: string) => `stacks/Pulumi.${stack}.yaml`;

/**
 * Stack configuration the program cannot use: names the file, the key, the value and the fix. A RunError,
 * so Pulumi prints the message without a stack trace.
 */
class StackConfigError extends pulumi.RunError {
    constructor(stackFile: string, problems: readonly Problem[]) {
        super(`${stackFile}: stack config ${configKey} is not usable:\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);
        this.name = "StackConfigError";
    }
}

/** The cluster stack's output that fills each component argument. */
const fromStack: Record<string, string> = Object.fromEntries(
    Object.entries(clusterStackOutputs).flatMap(([output, fills]) => ("argument" in fills ? [[fills.argument, output]] : [])),
);

/**
 * The component's refusal, in the stack's terms: each argument under `ama-metrics-istio:environment`,
 * or, for a cluster fact this stack does not set, the cluster stack's output it came from.
 */
export function stackConfigError(error: AmaMetricsIstioArgumentError, env: EnvironmentConfig, stackFile: string): Error {
    return new StackConfigError(
        stackFile,
        error.problems.map((p) => {
            const output = fromStack[p.argument];
            const ownKey = p.argument.split(".")[1] as keyof EnvironmentConfig["cluster"];
            const given = p.argument.startsWith("cluster.") ? env.cluster[ownKey] !== undefined : env.istio?.revision !== undefined;
            return output !== undefined && env.cluster.stack !== undefined && !given
                ? { ...p, argument: `output ${output} of the cluster stack ${env.cluster.stack}` }
                : { ...p, argument: `${configKey}.${p.argument}` };
        }),
    );
}

const isGuid = (value: unknown) => v.is(v.pipe(v.string(), v.uuid()), value);
const isStackName = (value: unknown) => typeof value === "string" && /^[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(value);
const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Checks the program's own keys, and the shape of those it reads (`cluster`, `istio`); the component
 * checks the rest, and `stackConfigError` names its refusals in the stack's terms.
 */
export function parseEnvironment(raw: unknown, stackFile = stackFileOf(pulumi.getStack())): EnvironmentConfig {
    const problems: Problem[] = [];
    const at = (path: string) => (path ? `${configKey}.${path}` : configKey);
    if (!isMap(raw)) {
        throw new StackConfigError(stackFile, [
            { argument: at(""), value: raw, message: "not a map; see stacks/Pulumi.dev.yaml for the shape" },
        ]);
    }
    if (raw.istio !== undefined && !isMap(raw.istio)) {
        problems.push({
            argument: at("istio"),
            value: raw.istio,
            message: 'not a map; give the mesh settings as keys, e.g. istio: { mode: "sidecar" }',
        });
    }
    if (!isGuid(raw.subscriptionId)) {
        problems.push({
            argument: at("subscriptionId"),
            value: raw.subscriptionId,
            message: "not a GUID; give the id of the subscription that holds the Azure Monitor resources",
        });
    }
    const cluster = raw.cluster;
    if (!isMap(cluster)) {
        problems.push({
            argument: at("cluster"),
            value: cluster,
            message: `${cluster === undefined ? "missing" : "not a map"}; give cluster.stack (the cluster's stack), or the cluster's resourceId and location`,
        });
    } else if (cluster.stack !== undefined && !isStackName(cluster.stack)) {
        problems.push({
            argument: at("cluster.stack"),
            value: cluster.stack,
            message: "not a fully qualified stack name; use <organization>/<project>/<stack>, e.g. acme/aks-cluster/prod",
        });
    } else if (cluster.stack === undefined) {
        for (const key of ["resourceId", "location"]) {
            if (cluster[key] === undefined) {
                problems.push({
                    argument: at(`cluster.${key}`),
                    value: undefined,
                    message: `missing while cluster.stack is not set; give cluster.${key}, or cluster.stack to read it from the cluster's stack`,
                });
            }
        }
    }
    if (problems.length > 0) {
        throw new StackConfigError(stackFile, problems);
    }
    return raw as EnvironmentConfig;
}

export interface ClusterInputs {
    cluster: AmaMetricsIstioArgs["cluster"];
    kubeconfig: pulumi.Input<string>;
    istioRevision?: string;
}

/**
 * The cluster, from its stack and this stack's config. Location and revision must be plain values: they
 * name resources and decide labels. Each collector gets only the cluster facts it uses.
 */
export async function clusterInputs(env: EnvironmentConfig, config: pulumi.Config): Promise<ClusterInputs> {
    const { stack, ...own } = env.cluster;
    const prometheus = runsPrometheus(env);
    const mesh = env.istio?.mode !== "off";
    if (stack === undefined) {
        return {
            cluster: own as AmaMetricsIstioArgs["cluster"],
            kubeconfig: config.requireSecret("kubeconfig"),
            istioRevision: mesh ? env.istio?.revision : undefined,
        };
    }
    const stackFile = stackFileOf(pulumi.getStack());
    const clusterStack = new pulumi.StackReference(stack);
    // A cluster stack may export these as secrets: read them as plain values.
    const plainOutput = async (name: ClusterStackOutput) => {
        const details = await clusterStack.getOutputDetails(name);
        return details.value ?? details.secretValue;
    };
    const location = own.location ?? (await plainOutput("location"));
    if (typeof location !== "string") {
        throw new StackConfigError(stackFile, [
            {
                argument: `${configKey}.cluster.location`,
                value: location,
                message: `the cluster stack ${stack} has no output "location"; export the cluster's region from that stack, or set cluster.location here`,
            },
        ]);
    }
    const revision = env.istio?.revision ?? (await plainOutput("istioRevision"));
    // Optional: decides the sidecar mode's capture annotation, so it must be a plain value. Without it the
    // component assumes AKS's default range, and `verify` reports a cluster whose API server lies outside it.
    // The range is a fact of the cluster: when both name it, they must agree, or the captured range would
    // silently be whichever this file says (issue 21.6).
    const exported = await plainOutput("serviceCidr");
    if (own.serviceCidr !== undefined && exported !== undefined && own.serviceCidr !== exported) {
        throw new StackConfigError(stackFile, [
            {
                argument: `${configKey}.cluster.serviceCidr`,
                value: own.serviceCidr,
                message: `${stackFile} sets cluster.serviceCidr ${own.serviceCidr}, but the cluster stack ${stack} exports serviceCidr ${JSON.stringify(exported)}; the sidecar mode captures exactly this range, so only one can be right; remove cluster.serviceCidr here to take the cluster stack's, or correct whichever is wrong`,
            },
        ]);
    }
    const serviceCidr = own.serviceCidr ?? exported;
    if (serviceCidr !== undefined && typeof serviceCidr !== "string") {
        throw new StackConfigError(stackFile, [
            {
                argument: `${configKey}.cluster.serviceCidr`,
                value: serviceCidr,
                message: `the cluster stack ${stack} exports "serviceCidr" as something other than a CIDR string; export networkProfile.serviceCidr, or set cluster.serviceCidr here`,
            },
        ]);
    }
    const output = (name: ClusterStackOutput) => clusterStack.requireOutput(name).apply(String);
    return {
        cluster: {
            ...own,
            resourceId: own.resourceId ?? output("clusterResourceId"),
            location,
            ...(serviceCidr === undefined ? {} : { serviceCidr }),
            ...(prometheus
                ? { oidcIssuerUrl: own.oidcIssuerUrl ?? output("oidcIssuerUrl") }
                : { kubernetesVersion: own.kubernetesVersion ?? output("kubernetesVersion") }),
        },
        kubeconfig: output("kubeconfig"),
        istioRevision: mesh && typeof revision === "string" && revision.length > 0 ? revision : undefined,
    };
}
