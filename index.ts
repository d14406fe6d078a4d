// The per-environment program: `pulumi up --stack <dev|staging|prod>`. It reads one structured config
// key, takes the cluster from the cluster's own stack (or from plain config), builds explicit providers
// and creates one AmaMetricsIstio. The stacks disable default providers.

// First: the compiled program refuses to run older than its sources, before it loads anything they built.
import "./freshBuild";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import { AmaMetricsIstio, AmaMetricsIstioArgumentError } from "ama-metrics-istio";
import {
    clusterInputs,
    EnvironmentConfig,
    parseEnvironment,
    providerEnvironment,
    runsPrometheus,
    stackConfigError,
    stackFileOf,
} from "./environment";

/** The component, its argument errors named by the stack's config key and file. */
function named(env: EnvironmentConfig, create: () => AmaMetricsIstio): AmaMetricsIstio {
    try {
        return create();
    } catch (error) {
        throw error instanceof AmaMetricsIstioArgumentError ? stackConfigError(error, env, stackFileOf(pulumi.getStack())) : error;
    }
}

export = async () => {
    const config = new pulumi.Config();
    const env = parseEnvironment(config.requireObject<unknown>("environment"));
    const { cluster, kubeconfig, istioRevision } = await clusterInputs(env, config);
    const { subscriptionId, cluster: _given, ...args } = env;

    // Explicit providers only: nothing may deploy to an ambient kubeconfig or subscription.
    const kubernetes = new k8s.Provider("aks", { kubeconfig });
    // The stack's cloud decides the ARM endpoint: a government or China stack never deploys to the public one.
    const azure = new AzureProvider("azure", { subscriptionId, environment: providerEnvironment(env) });

    const metrics = named(
        env,
        () =>
            new AmaMetricsIstio(
                // The name every child's name derives from: renaming it replaces everything (see the README).
                "ama-metrics",
                { ...args, cluster, istio: { ...args.istio, revision: istioRevision } },
                { providers: { kubernetes, "azure-native": azure } },
            ),
    );

    return {
        workspaceId: metrics.workspaceId,
        prometheusQueryEndpoint: metrics.prometheusQueryEndpoint,
        dataCollectionEndpointId: metrics.dataCollectionEndpointId,
        dataCollectionRuleId: metrics.dataCollectionRuleId,
        namespace: metrics.namespace,
        collectorPrincipal: metrics.collectorPrincipal,
        // The prometheus collector's identity; ama-metrics has none.
        ...(runsPrometheus(env) ? { collectorIdentityClientId: metrics.collectorIdentityClientId } : {}),
        clusterResourceId: cluster.resourceId,
        // Run `npx ama-metrics-istio-verify $(pulumi stack output verifyArgs --json | jq -r '.[]')` after `pulumi up`.
        verifyArgs: metrics.verifyArgs,
    };
};
