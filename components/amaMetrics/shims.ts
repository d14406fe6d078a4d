// What cannot move out of kube-system, stood in for by small objects the component creates and owns
// there: an alias for the target allocator (the agent images dial its kube-system address), and read
// access to the one token secret AKS keeps in kube-system. Plain objects, tested directly.

import { KubernetesObject } from "../core/kubernetes";
import type { AmaMetricsCollectorSettings } from "../core/settings";
import { chartFacts, chartNamespace } from "./facts";

/** The Role and RoleBinding that let the agent read its token: `ama-metrics-token-reader-<namespace>`. */
export function tokenReaderName(namespace: string): string {
    return `ama-metrics-token-reader-${namespace}`;
}

export function shimObjects(settings: Pick<AmaMetricsCollectorSettings, "namespace" | "tokenSecret" | "cluster">): KubernetesObject[] {
    const { namespace, tokenSecret } = settings;
    const service = chartFacts.targetAllocatorService;
    const reader = tokenReaderName(namespace);
    return [
        {
            // With OperatorTargetsHttpsEnabled false the agent calls http://<service>.kube-system.svc on port
            // 80 only. Istio reads the protocol from the port name (IST0150 for ExternalName Services).
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: service, namespace: chartNamespace },
            spec: {
                type: "ExternalName",
                externalName: `${service}.${namespace}.svc.${settings.cluster.clusterDomain}`,
                ports: [
                    {
                        name: "http-targetallocation",
                        port: chartFacts.targetAllocatorServicePort,
                        protocol: "TCP",
                        targetPort: chartFacts.targetAllocatorPort,
                    },
                ],
            },
        },
        {
            // The verbs of the chart's own rule for this secret.
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: { name: reader, namespace: tokenSecret.namespace },
            rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [tokenSecret.name], verbs: ["get", "watch"] }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: reader, namespace: tokenSecret.namespace },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: reader },
            subjects: [{ kind: "ServiceAccount", name: chartFacts.serviceAccount, namespace }],
        },
    ];
}
