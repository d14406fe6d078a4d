import { chartNamespace, chartWorkloads } from "../../amaMetrics/facts";
import { describeObject, KubernetesObject, labelsMatch, podTemplatesOf } from "../../core/kubernetes";
import { stringMap } from "./helpers";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "agent-workload-in-kube-system";

/** An ama-metrics workload, by the chart's workload names or its pods' labels. */
export function isAgentWorkload(object: KubernetesObject): boolean {
    const agents = Object.values(chartWorkloads);
    return (
        agents.some((agent) => agent.kind === object.kind && agent.name === object.metadata.name) ||
        podTemplatesOf(object).some((slot) => {
            const labels = stringMap(slot.get().metadata?.labels) ?? {};
            return agents.some((agent) => labelsMatch(agent.podLabels, labels));
        })
    );
}

/**
 * An ama-metrics workload in kube-system: Istio never injects there, and the agent's mesh identity would be
 * a kube-system one. This is what the relocation exists to prevent; a chart rendered without it lands
 * there. The verify command finds the managed add-on's workloads by the same test.
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    return objects
        .filter((o) => o.metadata?.namespace === chartNamespace)
        .filter(isAgentWorkload)
        .map((object) => ({
            rule: id,
            object: describeObject(object),
            message:
                "an ama-metrics workload in kube-system: Istio never injects sidecars there, and the agent would carry a kube-system identity",
            fix: "deploy the agent into a namespace of its own (the component's `namespace`, `monitoring` by default)",
        }));
}

export const agentWorkloadInKubeSystemRule: MeshRuleDefinition = {
    id,
    description: "No ama-metrics workload runs in kube-system: Istio never injects it and the agent would carry a kube-system identity.",
    upstream: "pkg/kube/inject/initializer.go (kube-system is never injected)",
    check,
    inputs: [],
    policy: { name: "ama-metrics-outside-kube-system", enforcementLevel: "mandatory", scope: "resource" },
};
