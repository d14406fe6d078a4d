// The add-on's `networkobservability-hubble` job (default-prom-configs/networkobservabilityHubbleDefaultDs.yml):
// Hubble's metrics, served on every node by the Retina agent (clusters without Cilium) or the Cilium agent. The
// add-on scrapes `$$NODE_IP$$` on the `hubble` port of the marker Service kube-system/network-observability
// from its DaemonSet; here both agents' pods are discovered (common.ts agentPodTarget). Port 9965 and plain
// HTTP: Retina's chart `hubble.metrics.port: 9965` (microsoft/retina deploy/hubble/manifests/controller/helm/
// retina/values.yaml; its network-observability-svc.yaml names `hubble` 9965), Cilium's `hubble-metrics-server:
// ":9965"` (cilium/cilium install/kubernetes/cilium); both agents run with hostNetwork in kube-system, labelled
// `k8s-app: retina` and `k8s-app: cilium`.

// Linux nodes only, as the add-on (prometheus-config-merger.go: `OS_TYPE` "linux"), by the node labels pod
// discovery attaches.

import { agentPodTarget, keepRule, kubeSystemPods, limits, targetOn } from "./common";
import type { ScrapeJob } from "./types";

const hubbleMetricsPort = 9_965;

export const networkObservabilityHubble: ScrapeJob = {
    name: "networkobservability-hubble",
    target: "networkobservabilityHubble",
    addOnDefault: true,
    upstream: { file: "networkobservabilityHubbleDefaultDs.yml", keepListVariable: "networkobservabilityHubbleRegex" },
    /** PC networkobservabilityHubbleRegex_minimal_mac. */
    keepList: "hubble_dns_queries_total|hubble_dns_responses_total|hubble_drop_total|hubble_tcp_flags_total",
    sampleLimit: 20_000,
    sizing: "4 names by source and destination pod: pods on the node × their peers × DNS types, drop reasons, TCP flags",
    sharded: true,
    enabled: targetOn("networkobservabilityHubble"),
    build: () => ({
        job_name: "networkobservability-hubble",
        scheme: "http",
        ...limits(networkObservabilityHubble.sampleLimit),
        kubernetes_sd_configs: kubeSystemPods("linux"),
        relabel_configs: agentPodTarget("retina|cilium", hubbleMetricsPort, "linux"),
        metric_relabel_configs: keepRule(networkObservabilityHubble.keepList!),
    }),
};
