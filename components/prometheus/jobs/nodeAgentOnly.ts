// The add-on's targets that only its per-node DaemonSet scrapes. Each job file discovers a marker Service in
// kube-system (`kappie-svc`, or `network-observability` with one port per component) and rewrites the target
// to `$$NODE_IP$$`, the IP of the node the agent runs on: every node's agent scrapes its own node, on the
// port the Service names. Its ReplicaSet skips them ("not supported to be scrapped automatically outside ds",
// prometheus-config-merger.go). One Prometheus cannot turn one Service into one target per node, and a node
// discovery on the port would report every node down where the component is absent: refused.

import type { PrometheusTarget } from "../../core/args";
import type { RefusedTarget } from "./types";

const reason =
    "the add-on scrapes it only from its per-node DaemonSet (each node's agent scrapes its own node IP on the port of a marker Service); one Prometheus cannot expand that Service into one target per node";
const fix = "leave it off, and add a scrapeConfigs job that discovers the component's own pods (role pod) on their metrics port";

function nodeAgentOnly(target: PrometheusTarget, name: string, file: string, keepListVariable: string): RefusedTarget {
    return { target, name, addOnDefault: true, upstream: { file, keepListVariable }, reason, fix };
}

export const nodeAgentOnlyTargets: readonly RefusedTarget[] = [
    nodeAgentOnly("kappiebasic", "kappie-basic", "kappieBasicDefaultDs.yml", "kappiebasicRegex"),
    nodeAgentOnly(
        "networkobservabilityRetina",
        "networkobservability-retina",
        "networkobservabilityRetinaDefaultDs.yml",
        "networkobservabilityRetinaRegex",
    ),
    nodeAgentOnly(
        "networkobservabilityHubble",
        "networkobservability-hubble",
        "networkobservabilityHubbleDefaultDs.yml",
        "networkobservabilityHubbleRegex",
    ),
    nodeAgentOnly(
        "networkobservabilityCilium",
        "networkobservability-cilium",
        "networkobservabilityCiliumDefaultDs.yml",
        "networkobservabilityCiliumRegex",
    ),
];
