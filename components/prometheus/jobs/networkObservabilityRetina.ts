// The add-on's `networkobservability-retina` job (default-prom-configs/networkobservabilityRetinaDefaultDs.yml):
// the node-level metrics of the Retina agent that AKS's network observability runs on clusters without
// Cilium. The add-on scrapes `$$NODE_IP$$` on the `retina` port of the marker Service
// kube-system/network-observability (10093) from its DaemonSet; here the agent's pods are discovered
// (common.ts agentPodTarget). Retina's chart (microsoft/retina deploy/hubble/manifests/controller/helm/retina:
// templates/agent/daemonset.yaml, values.yaml) runs the agent in kube-system with `hostNetwork: true`, pod label
// `k8s-app: retina`, and serves /metrics on `apiServer.host: 0.0.0.0`, port 10093, plain HTTP; the Service
// (deploy/legacy/prometheus/network-observability/network-observability-svc.yaml) has no selector, only
// the ports `hubble` 9965 and `retina` 10093. Both of the add-on's DaemonSets, Linux and Windows, run it
// (prometheus-config-merger.go checks no OS_TYPE for it), and Retina's Windows agent serves the same port.

import { agentPodTarget, kubeSystemPods, limits, targetOn } from "./common";
import type { ScrapeJob } from "./types";

const retinaPort = 10_093;

export const networkObservabilityRetina: ScrapeJob = {
    name: "networkobservability-retina",
    target: "networkobservabilityRetina",
    addOnDefault: true,
    upstream: { file: "networkobservabilityRetinaDefaultDs.yml", keepListVariable: "networkobservabilityRetinaRegex" },
    /** PC networkobservabilityRetinaRegex_minimal_mac. */
    keepList: "networkobservability.*",
    sampleLimit: 20_000,
    sizing: "a few hundred node-level series per agent (forward, drop, TCP, interface, DNS); the pod-level ones grow with pods per node",
    sharded: true,
    enabled: targetOn("networkobservabilityRetina"),
    build: () => ({
        scheme: "http",
        ...limits(networkObservabilityRetina.sampleLimit),
        kubernetes_sd_configs: kubeSystemPods("any"),
        relabel_configs: agentPodTarget("retina", retinaPort, "any"),
    }),
};
