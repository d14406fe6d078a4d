// The add-on's `networkobservability-cilium` job (default-prom-configs/networkobservabilityCiliumDefaultDs.yml):
// the Cilium agent's own metrics on clusters with Azure CNI powered by Cilium. The add-on scrapes `$$NODE_IP$$`
// on the `cilium` port of the marker Service kube-system/network-observability from its DaemonSet; here the
// agent's pods are discovered (common.ts agentPodTarget). AKS's Cilium as Azure deploys it
// (Azure/azure-container-networking test/integration/manifests/cilium/v1.19, vendored under test/fixtures/prometheus/
// cilium): the agent in kube-system on Linux nodes, `hostNetwork: true`, pod label `k8s-app: cilium`,
// `prometheus-serve-addr: :9962` (":Port" binds every interface, cilium's option text), plain HTTP, with or
// without Hubble. The port is Cilium's, not read from the marker Service, whose `cilium` port no public source
// gives. Linux nodes only, as the add-on (prometheus-config-merger.go: `OS_TYPE` "linux").

import { agentPodTarget, kubeSystemPods, limits, targetOn } from "./common";
import type { ScrapeJob } from "./types";

const ciliumMetricsPort = 9_962;

export const networkObservabilityCilium: ScrapeJob = {
    name: "networkobservability-cilium",
    target: "networkobservabilityCilium",
    addOnDefault: true,
    upstream: { file: "networkobservabilityCiliumDefaultDs.yml", keepListVariable: "networkobservabilityCiliumRegex" },
    /** PC networkobservabilityCiliumRegex_minimal_mac. */
    keepList: "cilium_drop.*|cilium_forward.*",
    sampleLimit: 5_000,
    sizing: "drops by reason × direction and forwards by direction: tens to a few hundred per agent",
    sharded: true,
    enabled: targetOn("networkobservabilityCilium"),
    build: () => ({
        scheme: "http",
        ...limits(networkObservabilityCilium.sampleLimit),
        kubernetes_sd_configs: kubeSystemPods("linux"),
        relabel_configs: agentPodTarget("cilium", ciliumMetricsPort, "linux"),
    }),
};
