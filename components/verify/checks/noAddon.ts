import { KubernetesObject } from "../../core/kubernetes";
import { isAgentWorkload } from "../../mesh/rules";
import { nameOf, WorkloadObject } from "../kubeObjects";
import type { Fetched } from "../reads";
import type { WorkloadKind } from "../workloads";
import { defineCheck, fail, pass, unreadable } from "./check";

/**
 * Never `az aks update --disable-azure-monitor-metrics`: azure-cli (acs/azuremonitormetrics/dc/delete.py)
 * deletes every association of the cluster whose rule's first data flow streams Microsoft-PrometheusMetrics,
 * with that rule and its endpoint, and (recordingrules/delete.py) the rule groups
 * NodeRecordingRulesRuleGroup-<cluster>, KubernetesRecordingRulesRuleGroup-<cluster> and their -Win- twins in
 * the cluster's resource group, whoever created them.
 */
const disableSafely =
    "turn the managed add-on off where the cluster is defined, without touching its Azure Monitor resources: set the managed " +
    "cluster's azureMonitorProfile.metrics.enabled to false (Pulumi/Bicep/ARM/Terraform) and apply it. Do not run " +
    "az aks update --disable-azure-monitor-metrics: it also deletes every association of the cluster whose rule streams " +
    "Microsoft-PrometheusMetrics, with that rule and its endpoint, and the recording rule groups *RecordingRulesRuleGroup-<cluster> " +
    "in the cluster's resource group";

const afterwards = {
    "ama-metrics":
        "; the component's own association, rule and endpoint are of that kind: if that command already ran, run pulumi refresh, then pulumi up to recreate them",
    prometheus:
        "; the prometheus collector remote-writes without an association, but its recording rule groups would go if they carry those names in that group: " +
        "if that command already ran, run pulumi refresh, then pulumi up",
} as const;

export const noAddon = defineCheck({
    id: "kube-system.no-addon",
    when: "always",
    passes:
        "no ama-metrics Deployment or DaemonSet in kube-system: an enabled managed add-on means double ingestion and name clashes; the fix " +
        "turns the add-on off in the cluster's definition, never with `az aks update --disable-azure-monitor-metrics`, which deletes the " +
        "Prometheus associations, rules, endpoints and recording rule groups it recognises",
    appliesTo: () => true,
    reads: ["kubeSystemDeployments", "kubeSystemDaemonSets"],
    run({ kubeSystemDeployments: deployments, kubeSystemDaemonSets: daemonSets }, options) {
        for (const [kind, list] of [
            ["Deployments", deployments],
            ["DaemonSets", daemonSets],
        ] as const) {
            if (list.state === "error") return [unreadable(`${kind} in kube-system`, list)];
        }
        // List items come without apiVersion and kind: the list says them.
        const inKubeSystem = (kind: WorkloadKind, list: Fetched<WorkloadObject[]>): KubernetesObject[] =>
            list.state === "found" ? list.value.map((o) => ({ ...o, apiVersion: "apps/v1", kind, metadata: { ...o.metadata } })) : [];
        const found = [...inKubeSystem("Deployment", deployments), ...inKubeSystem("DaemonSet", daemonSets)].filter(isAgentWorkload);
        if (found.length === 0) {
            return [pass("no ama-metrics Deployment or DaemonSet in kube-system")];
        }
        return [
            fail(
                `kube-system runs ${found.map((o) => `${o.kind} ${nameOf(o)}`).join(", ")}: an enabled managed add-on means double ingestion and name clashes`,
                `${disableSafely}${afterwards[options.collector]}`,
            ),
        ];
    },
});
