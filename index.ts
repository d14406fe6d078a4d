// The per-environment program: `pulumi up --stack <dev|staging|prod>`. It reads one structured
// config key, takes the cluster from the cluster's own stack (or from plain config), builds explicit
// providers and creates one AmaMetricsIstio. The stacks disable default providers.

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import { AmaMetricsIstio } from "./components";
import { clusterInputs, parseEnvironment } from "./environment";

export = async () => {
    const config = new pulumi.Config();
    const env = parseEnvironment(config.requireObject<unknown>("environment"));
    const cluster = await clusterInputs(env, config);

    // Explicit providers only: nothing may deploy to an ambient kubeconfig or subscription.
    const kubernetes = new k8s.Provider("aks", { kubeconfig: cluster.kubeconfig });
    const azure = new AzureProvider("azure", { subscriptionId: env.subscriptionId });
    const randomProvider = new random.Provider("random");

    const metrics = new AmaMetricsIstio(
        "ama-metrics",
        {
            cluster: {
                resourceId: cluster.resourceId,
                location: cluster.location,
                kubernetesVersion: cluster.kubernetesVersion,
                private: env.cluster.private,
            },
            resourceGroupName: env.resourceGroupName,
            namespace: env.namespace,
            workspace: env.workspace,
            recordingRules: env.recordingRules,
            grafana: env.grafana,
            chart: env.chart,
            istio: { ...env.istio, revision: cluster.istioRevision },
            tags: env.tags,
        },
        { providers: { kubernetes, "azure-native": azure, random: randomProvider } },
    );

    return {
        workspaceId: metrics.workspaceId,
        prometheusQueryEndpoint: metrics.prometheusQueryEndpoint,
        dataCollectionEndpointId: metrics.dataCollectionEndpointId,
        dataCollectionRuleId: metrics.dataCollectionRuleId,
        namespace: metrics.namespace,
        collectorPrincipal: metrics.collectorPrincipal,
    };
};
