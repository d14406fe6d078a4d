// Mesh settings that would be created but could not take effect: refused, since nothing else would tell.

import { chartWorkloads } from "../amaMetrics/facts";
import { workloadsWithSidecar } from "../core/facts/workloads";
import { kubeStateMetricsPodLabels } from "../prometheus/kubeStateMetrics";
import type { AmaMetricsIstioArgs, Collector } from "../core/args";
import { Problem, problem } from "../core/errors";
import { labelsMatch } from "../core/kubernetes";
import { defaults } from "../core/settings";

/** Kubernetes' own namespaces: the component creates nothing there (README, "Arguments"). */
const systemNamespaces = ["kube-system", "kube-public", "kube-node-lease"];

export function ineffectiveMeshProblems(args: AmaMetricsIstioArgs, collector: Collector): Problem[] {
    const istio = args.istio ?? {};
    const mode = istio.mode ?? defaults.meshMode;
    const problems: Problem[] = [];
    const ownKsm = collector === "prometheus" ? kubeStateMetricsPodLabels : chartWorkloads.kubeStateMetrics.podLabels;
    const ksmMeshed = workloadsWithSidecar(collector, mode, false).includes("kubeStateMetrics");
    (istio.authorizationPolicies ?? []).forEach((target, i) => {
        const argument = `istio.authorizationPolicies[${i}]`;
        if (systemNamespaces.includes(target.namespace)) {
            problems.push(
                problem(
                    `${argument}.namespace`,
                    target.namespace,
                    "the component creates no policy in Kubernetes' system namespaces, and Istio injects no sidecar there to enforce one",
                    "name the namespace of a meshed workload",
                ),
            );
        }
        const selectsKsm =
            target.namespace === (args.namespace ?? defaults.namespace) &&
            Object.keys(target.selector).length > 0 &&
            labelsMatch(target.selector, ownKsm);
        if (selectsKsm && !ksmMeshed) {
            problems.push(
                problem(
                    `${argument}.selector`,
                    target.selector,
                    `that selects the component's kube-state-metrics, which has no sidecar in the mode "${mode}": nothing would enforce the policy`,
                    "drop the entry: the collector scrapes kube-state-metrics in plain text inside its own namespace",
                ),
            );
        }
    });
    if (istio.scrapeNamespaces !== undefined && istio.scrapeNamespaces.length === 0) {
        problems.push(
            problem(
                "istio.scrapeNamespaces",
                [],
                "an empty list would mean every namespace, as leaving it out does",
                "list the namespaces to scrape, or drop it to scrape every namespace",
            ),
        );
    }
    return problems;
}
