// The add-on's targets this collector refuses. `kappie-basic` (default-prom-configs/kappieBasicDefaultDs.yml)
// keeps the marker Service kube-system/kappie-svc and scrapes `$$NODE_IP$$:10093` from the add-on's per-node
// DaemonSet (its ReplicaSet skips it: "Kappie is not supported to be scrapped automatically outside ds",
// prometheus-config-merger.go). The network-observability jobs do the same and are reproduced here by
// discovering their agents' pods, whose label and port Retina's and Cilium's public charts name
// (networkObservability*.ts). Kappie's agent is AKS's own: no public manifest names its pods' labels, so
// this collector cannot find them, and it cannot turn the Service into one target per node either; scraping
// every node on 10093 would report every node down where Kappie is absent, and double-scrape Retina, which
// serves the same port.

import type { PrometheusTarget } from "../../core/args";
import type { RefusedTarget } from "./types";

const reason =
    "the add-on scrapes it only from its per-node DaemonSet (each node's agent scrapes its own node IP on port 10093 while the marker Service kube-system/kappie-svc exists); no public manifest names the Kappie agent's pods, so this collector cannot discover them, and scraping every node on 10093 would report every node down where Kappie is absent";
const fix =
    "leave it off (networkobservabilityRetina scrapes AKS's current network-observability agent, Retina, on the same port), or add a scrapeConfigs job that discovers the Kappie agent's pods (role pod in kube-system) on port 10093";

function nodeAgentOnly(target: PrometheusTarget, name: string, file: string, keepListVariable: string): RefusedTarget {
    return { target, name, addOnDefault: true, upstream: { file, keepListVariable }, reason, fix };
}

export const nodeAgentOnlyTargets: readonly RefusedTarget[] = [
    nodeAgentOnly("kappiebasic", "kappie-basic", "kappieBasicDefaultDs.yml", "kappiebasicRegex"),
];
