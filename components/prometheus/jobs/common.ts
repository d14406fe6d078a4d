// Pieces several jobs share: the add-on's per-job limits, its keep rule, the kubelet client, and the node
// targeting that replaces the add-on's per-node `$$NODE_IP$$` substitution.

import type { PrometheusTarget } from "../../core/args";
import { scrapeFacts } from "../facts";
import type { JobSettings } from "./types";

type RelabelConfig = Record<string, unknown>;

/** The label limits the add-on sets on its jobs (every default-prom-configs file that sets any sets these). */
export const addOnLimits = { label_limit: 63, label_name_length_limit: 511, label_value_length_limit: 1023 };

/** The job's limits: the add-on's label limits and its own `sample_limit`. */
export function limits(sampleLimit: number) {
    return { sample_limit: sampleLimit, ...addOnLimits };
}

/** The add-on's keep rule (PC prometheus-config-merger.go AppendMetricRelabelConfig). */
export function keepRule(regex: string): RelabelConfig[] {
    return [{ source_labels: ["__name__"], action: "keep", regex }];
}

/** The target's setting, defaults filled in. */
export function targetOn(target: PrometheusTarget) {
    return (settings: JobSettings) => settings.prometheus.targets[target];
}

export const nodeLabel = (name: string) => `__meta_kubernetes_node_${name}`;
const internalIp = nodeLabel("address_InternalIP");

/** Keeps the targets of Linux nodes: the add-on's Linux DaemonSet scrapes only its own (Linux) node. */
export const linuxNodesOnly: RelabelConfig = { source_labels: [nodeLabel("label_kubernetes_io_os")], regex: "linux", action: "keep" };

/**
 * The add-on scrapes `$$NODE_IP$$:<port>` (the node's IP, status.hostIP) and sets `instance` to `$$NODE_NAME$$`
 * from a per-node DaemonSet. Prometheus expands no variables in relabel rules, so one Prometheus discovers
 * the nodes (role `node`) and rewrites each target to the node's InternalIP on the job's port (IPv6 in
 * brackets), with `instance` = the node's name.
 */
export function nodeTarget(port: number): RelabelConfig[] {
    return addressOn(internalIp, port);
}

/** Keeps targets with an IP in `label` and scrapes that IP on `port`, an IPv6 one in brackets. */
function addressOn(label: string, port: number): RelabelConfig[] {
    return [
        { source_labels: [label], regex: ".+", action: "keep" },
        { source_labels: [label], regex: "([^:]+)", replacement: `$1:${port}`, target_label: "__address__", action: "replace" },
        { source_labels: [label], regex: "(.+:.+)", replacement: `[$1]:${port}`, target_label: "__address__", action: "replace" },
    ];
}

export const instanceIsNodeName: RelabelConfig = { source_labels: [nodeLabel("name")], target_label: "instance", action: "replace" };

/** The add-on's own rule, as written in kubeletDefaultDs.yml and nodeexporterDefaultDs.yml. */
export const metricsPathLabel: RelabelConfig = { source_labels: ["__metrics_path__"], regex: "(.*)", target_label: "metrics_path" };

/** The kubelet's (and the API server's) client settings of the add-on: the pod's token, the in-cluster CA, verification skipped. */
export const inClusterClient = {
    scheme: "https",
    tls_config: { ca_file: scrapeFacts.serviceAccountCa, insecure_skip_verify: true },
    bearer_token_file: scrapeFacts.serviceAccountToken,
};

/**
 * The add-on's per-node network-observability jobs scrape `$$NODE_IP$$:<port>` from its DaemonSet, on every
 * node. Here the agent's own pods are discovered instead (role `pod` in kube-system, by their `k8s-app` label)
 * and each is scraped on its host's IP (`__meta_kubernetes_pod_host_ip`, status.hostIP, the add-on's
 * NODE_IP) on the job's port, `instance` = the pod's node: the same address and label as the add-on's, but
 * only where the agent runs, so a cluster without the component has no target (no `up` of 0, no alert). The
 * agents run with hostNetwork and listen on every interface, so the host IP answers from other nodes too.
 * A pod declaring several container ports gives several discovered targets that relabel to one address and
 * one label set; Prometheus keeps one of identical targets.
 */
export function agentPodTarget(k8sApp: string, port: number, os: "linux" | "any"): RelabelConfig[] {
    return [
        {
            source_labels: ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_k8s_app"],
            regex: `kube-system;(?:${k8sApp})`,
            action: "keep",
        },
        { source_labels: ["__meta_kubernetes_pod_phase"], regex: "Running", action: "keep" },
        // The add-on's Windows DaemonSet skips the Linux-only jobs (prometheus-config-merger.go: OS_TYPE == "linux").
        ...(os === "linux" ? [linuxNodesOnly] : []),
        ...addressOn("__meta_kubernetes_pod_host_ip", port),
        { source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "instance", action: "replace" },
    ];
}

/** Pod discovery in kube-system only, where AKS runs the network-observability agents, with each pod's node's labels. */
export const kubeSystemPods = (os: "linux" | "any") => [
    { role: "pod", namespaces: { names: ["kube-system"] }, ...(os === "linux" ? { attach_metadata: { node: true } } : {}) },
];
