// The per-environment program's configuration: one structured key per stack,
// `ama-metrics-istio:environment`, checked with messages that name the key and the fix.

import * as pulumi from "@pulumi/pulumi";
import { AmaMetricsIstioArgs, IstioArgs } from "./components";

/** `ama-metrics-istio:environment` in `stacks/Pulumi.<stack>.yaml`. */
export interface EnvironmentConfig {
    /** Subscription of the Azure Monitor resources. */
    subscriptionId: string;
    /** Resource group of the Azure Monitor resources. */
    resourceGroupName: string;
    /**
     * The cluster: `stack` names the cluster's stack (`org/project/stack`), whose outputs
     * `clusterResourceId`, `location`, `kubernetesVersion`, `kubeconfig` and `istioRevision` feed this one;
     * or give `resourceId`, `location` and `kubernetesVersion` here and the kubeconfig as the secret
     * `ama-metrics-istio:kubeconfig`. Values given here win over the cluster stack's.
     */
    cluster: {
        stack?: string;
        resourceId?: string;
        location?: string;
        kubernetesVersion?: string;
        private?: boolean;
    };
    namespace?: string;
    workspace?: AmaMetricsIstioArgs["workspace"];
    recordingRules?: AmaMetricsIstioArgs["recordingRules"];
    grafana?: { principalId: string };
    chart?: AmaMetricsIstioArgs["chart"];
    istio?: IstioArgs;
    tags?: Record<string, string>;
}

const configKey = "ama-metrics-istio:environment";

/** Stack configuration the program cannot use; names the key, the value and the fix. */
export class StackConfigError extends Error {
    constructor(path: string, value: unknown, wrong: string, fix: string) {
        super(`stack config ${configKey}${path ? `.${path}` : ""} = ${JSON.stringify(value)}: ${wrong}; ${fix}`);
        this.name = "StackConfigError";
    }
}

const knownKeys = [
    "subscriptionId",
    "resourceGroupName",
    "cluster",
    "namespace",
    "workspace",
    "recordingRules",
    "grafana",
    "chart",
    "istio",
    "tags",
];
const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Checks the shape of the stack's config; the component checks the values it is given. */
export function parseEnvironment(raw: unknown): EnvironmentConfig {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new StackConfigError("", raw, "not a map", "see stacks/Pulumi.dev.yaml for the expected shape");
    }
    const env = raw as Record<string, unknown>;
    for (const key of Object.keys(env)) {
        if (!knownKeys.includes(key)) {
            throw new StackConfigError(key, env[key], "unknown key", `use only ${knownKeys.join(", ")}`);
        }
    }
    if (typeof env.subscriptionId !== "string" || !guid.test(env.subscriptionId)) {
        throw new StackConfigError(
            "subscriptionId",
            env.subscriptionId,
            "not a subscription id",
            "give the GUID of the subscription that holds the Azure Monitor resources",
        );
    }
    if (typeof env.resourceGroupName !== "string" || env.resourceGroupName.length === 0) {
        throw new StackConfigError(
            "resourceGroupName",
            env.resourceGroupName,
            "missing",
            "give the resource group for the Azure Monitor resources",
        );
    }
    const cluster = env.cluster as EnvironmentConfig["cluster"] | undefined;
    if (typeof cluster !== "object" || cluster === null) {
        throw new StackConfigError(
            "cluster",
            cluster,
            "missing",
            "give cluster.stack (the cluster's stack) or cluster.resourceId, cluster.location and cluster.kubernetesVersion",
        );
    }
    if (cluster.stack !== undefined && (typeof cluster.stack !== "string" || cluster.stack.split("/").length !== 3)) {
        throw new StackConfigError(
            "cluster.stack",
            cluster.stack,
            "not a fully qualified stack name",
            "use <organization>/<project>/<stack>, e.g. acme/aks-cluster/prod",
        );
    }
    if (cluster.stack === undefined) {
        for (const key of ["resourceId", "location", "kubernetesVersion"] as const) {
            if (cluster[key] === undefined) {
                throw new StackConfigError(
                    `cluster.${key}`,
                    undefined,
                    "missing while cluster.stack is not set",
                    `give cluster.${key}, or cluster.stack to read it from the cluster's stack`,
                );
            }
        }
    }
    for (const key of ["namespace"] as const) {
        if (env[key] !== undefined && typeof env[key] !== "string") {
            throw new StackConfigError(key, env[key], "not a string", "give a namespace name, e.g. monitoring");
        }
    }
    for (const key of ["workspace", "recordingRules", "grafana", "chart", "istio", "tags"] as const) {
        if (env[key] !== undefined && (typeof env[key] !== "object" || env[key] === null || Array.isArray(env[key]))) {
            throw new StackConfigError(key, env[key], "not a map", "see stacks/Pulumi.dev.yaml for the expected shape");
        }
    }
    return env as unknown as EnvironmentConfig;
}

export interface ClusterInputs {
    resourceId: pulumi.Input<string>;
    location: string;
    kubernetesVersion: pulumi.Input<string>;
    kubeconfig: pulumi.Input<string>;
    istioRevision?: string;
}

/** The cluster, from its stack and this stack's config. Location and revision must be plain values. */
export async function clusterInputs(env: EnvironmentConfig, config: pulumi.Config): Promise<ClusterInputs> {
    const own = env.cluster;
    if (own.stack === undefined) {
        return {
            resourceId: own.resourceId!,
            location: own.location!,
            kubernetesVersion: own.kubernetesVersion!,
            kubeconfig: config.requireSecret("kubeconfig"),
            istioRevision: env.istio?.revision,
        };
    }
    const clusterStack = new pulumi.StackReference(own.stack);
    // Location and revision name resources and decide labels: read them as plain values (a cluster
    // stack may have exported them as secrets).
    const plainOutput = async (name: string) => {
        const details = await clusterStack.getOutputDetails(name);
        return details.value ?? details.secretValue;
    };
    const location = own.location ?? (await plainOutput("location"));
    if (typeof location !== "string") {
        throw new StackConfigError(
            "cluster.location",
            location,
            `the cluster stack ${own.stack} has no output "location"`,
            "export the cluster's region from that stack, or set cluster.location here",
        );
    }
    const revision = env.istio?.revision ?? (await plainOutput("istioRevision"));
    return {
        resourceId: own.resourceId ?? clusterStack.requireOutput("clusterResourceId").apply(String),
        location,
        kubernetesVersion: own.kubernetesVersion ?? clusterStack.requireOutput("kubernetesVersion").apply(String),
        kubeconfig: clusterStack.requireOutput("kubeconfig").apply(String),
        istioRevision: typeof revision === "string" && revision.length > 0 ? revision : undefined,
    };
}
