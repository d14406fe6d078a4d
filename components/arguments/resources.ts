// Requests and limits compared as the API server compares them, after the component's defaults are
// merged: a request above its limit makes the pod invalid ("must be less than or equal to ... limit"),
// which would only show at `up`, after the Azure side exists.

import type { AmaMetricsIstioArgs, Collector, MeshableWorkloadRole, ResourceQuantities } from "../core/args";
import { Problem, problem } from "../core/errors";
import { proxyResourcesOf } from "../mesh/settings";
import { prometheusResources } from "../prometheus/arguments";

// Kubernetes quantity suffixes (apimachinery resource.Quantity): binary, decimal, and exponents.
const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity's value in base units, for a string of `formats.quantity`. */
function quantityValue(quantity: string): number {
    const match = /^([\d.]+)(.*)$/.exec(quantity)!;
    const [, number, suffix] = match;
    const scale = binary[suffix] ?? decimal[suffix] ?? Number(`1${suffix}`);
    return Number(number) * scale;
}

function pairProblems(
    requests: ResourceQuantities,
    limits: ResourceQuantities,
    argument: (key: "cpu" | "memory", limit: boolean) => string,
): Problem[] {
    const problems: Problem[] = [];
    for (const key of ["cpu", "memory"] as const) {
        const request = requests[key];
        const limit = limits[key];
        if (request !== undefined && limit !== undefined && quantityValue(request) > quantityValue(limit)) {
            problems.push(
                problem(
                    argument(key, true),
                    limit,
                    `below the ${key} request ${request} (defaults included): the API server refuses such a pod`,
                    `give a limit of at least ${request}, or lower ${argument(key, false)}`,
                ),
            );
        }
    }
    return problems;
}

/** Requests above limits, once the defaults are merged: the Prometheus shards' and each sidecar's. */
export function resourceProblems(args: AmaMetricsIstioArgs, collector: Collector): Problem[] {
    const shards = prometheusResources(args.prometheus?.resources);
    const prometheus =
        collector === "prometheus"
            ? pairProblems(shards.requests, shards.limits, (key, limit) => `prometheus.resources.${limit ? "limits" : "requests"}.${key}`)
            : [];
    const proxies = Object.entries(args.istio?.proxyResources ?? {}).flatMap(([workload, resources]) => {
        const merged = proxyResourcesOf(workload as MeshableWorkloadRole, resources);
        return pairProblems(
            { cpu: merged.cpu, memory: merged.memory },
            { cpu: merged.cpuLimit, memory: merged.memoryLimit },
            (key, limit) => `istio.proxyResources.${workload}.${key}${limit ? "Limit" : ""}`,
        );
    });
    return [...prometheus, ...proxies];
}
