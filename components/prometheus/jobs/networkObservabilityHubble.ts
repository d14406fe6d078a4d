// The add-on's `networkobservability-hubble` job (default-prom-configs/networkobservabilityHubbleDefaultDs.yml):
// Hubble's metrics, served on every node by the Retina agent (clusters without Cilium) or the Cilium agent. The
// add-on scrapes `$$NODE_IP$$` on the `hubble` port of the marker Service kube-system/network-observability
// from its DaemonSet; here both agents' pods are discovered (common.ts agentPodTarget), on Linux nodes only, as
// the add-on (prometheus-config-merger.go: `OS_TYPE` "linux"). Port 9965, plain HTTP: Retina's chart
// `hubble.metrics.port: 9965` (microsoft/retina deploy/hubble/manifests/controller/helm/retina/values.yaml; its
// network-observability-svc.yaml names `hubble` 9965) and AKS's Cilium with Hubble, `hubble-metrics-server: :9965`
// (Azure/azure-container-networking test/integration/manifests/cilium/v1.19/cilium-config/cilium-config-hubble.yaml);
// both agents run with hostNetwork in kube-system, labelled `k8s-app: retina` and `k8s-app: cilium`.
// Unlike the add-on, whose marker Service names a `hubble` port only where Hubble is on, the agents' pods do
// not say whether Hubble serves metrics (Cilium declares no port for it): on a cluster whose agent runs without
// Hubble (Cilium without Advanced Container Networking Services, Retina in its basic mode) this job's targets
// are down, one `up` of 0 per Linux node, and nothing else (the collector's target-down alert does not cover
// this job); switch it off there with `prometheus.targets.networkobservabilityHubble: false`.

import { agentPodTarget, kubeSystemPods, limits, targetOn } from "./common";
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
        scheme: "http",
        ...limits(networkObservabilityHubble.sampleLimit),
        kubernetes_sd_configs: kubeSystemPods("linux"),
        relabel_configs: agentPodTarget("retina|cilium", hubbleMetricsPort, "linux"),
    }),
};
