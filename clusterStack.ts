// The cluster stack's outputs the per-environment program reads (environment.ts `cluster.stack`), stated
// once: the program reads them, names them in its errors, and `npm run plan` asks for their stand-ins.
// A module of its own, without imports, so that the offline scripts can read it without loading the program.

/**
 * Each output the program reads from the cluster stack, in the order the stand-ins file lists them: the
 * component argument it fills (none for `kubeconfig`, the Kubernetes provider's), and whether the cluster
 * stack may leave it out.
 */
export const clusterStackOutputs = {
    clusterResourceId: { argument: "cluster.resourceId" },
    location: { argument: "cluster.location" },
    kubernetesVersion: { argument: "cluster.kubernetesVersion" },
    oidcIssuerUrl: { argument: "cluster.oidcIssuerUrl" },
    istioRevision: { argument: "istio.revision" },
    kubeconfig: {},
    serviceCidr: { argument: "cluster.serviceCidr", optional: true },
} as const satisfies Record<string, { argument?: string; optional?: true }>;

export type ClusterStackOutput = keyof typeof clusterStackOutputs;
