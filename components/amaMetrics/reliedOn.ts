// What the relocation and the component's own objects rely on in the chart's rendering, checked before
// anything is rewritten. A new chart version that renames one of these would otherwise pass silently: a
// renamed `rsName` label leaves the allocator's AuthorizationPolicy selecting nothing and
// ALLOW_INSECURE_AUTH_SECRETS unset, a renamed container misses its certificate mount (and the config
// reader then drops the whole custom configuration), a renamed Service leaves the kube-system alias
// pointing at nothing. Everything here is read from chartFacts and chartWorkloads, the one place that
// names the chart's parts.

import { Container, containersOf, isRecord, keyOf, kindKey, KubernetesObject, labelsMatch, podTemplatesOf } from "../core/kubernetes";
import type { WorkloadRole } from "../core/facts/workloads";
import { chartFacts, chartWorkloads, defaultChart } from "./facts";

/** What the containers of each workload must be, and why. */
const reliedOnContainers: Record<WorkloadRole, { name: string; env?: string; why: string }[]> = {
    collector: [
        {
            name: chartFacts.collectorContainer,
            env: chartFacts.operatorTargetsHttps.env,
            why: "it reads the certificates mode's certificate, and its app-level TLS to the allocator is turned off by this env",
        },
        { name: chartFacts.tokenAdapterContainers[0], why: "it reads the token secret" },
    ],
    targetAllocator: [
        { name: chartFacts.targetAllocatorContainer, why: "it gets ALLOW_INSECURE_AUTH_SECRETS in the sidecar mode" },
        {
            name: chartFacts.configReaderContainer,
            env: chartFacts.operatorTargetsHttps.env,
            why: "it reads the certificates mode's certificate, and its app-level TLS is turned off by this env",
        },
    ],
    kubeStateMetrics: [],
    node: [{ name: chartFacts.tokenAdapterContainers[0], why: "it reads the token secret" }],
    windowsNode: [{ name: chartFacts.tokenAdapterContainers[1], why: "it reads the token secret" }],
};

const described: Record<WorkloadRole, string> = {
    collector: "collector",
    targetAllocator: "target allocator",
    kubeStateMetrics: "kube-state-metrics",
    node: "Linux node agent",
    windowsNode: "Windows node agent",
};

/** The workloads that run as the chart's ServiceAccount, the identity of the component's policies and token Role. */
const runAsServiceAccount: readonly WorkloadRole[] = ["collector", "targetAllocator", "node", "windowsNode"];

const tokenAdapterArgs = ["--secret-namespace=", "--secret-name="];

const labelText = (labels: Record<string, string>) =>
    Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");

/** What of `objects` the relocation relies on is missing, one line each (empty: nothing). */
function missingParts(objects: readonly KubernetesObject[]): string[] {
    const missing: string[] = [];
    const podLabelsOf: Partial<Record<WorkloadRole, Record<string, string>[]>> = {};
    for (const [workload, facts] of Object.entries(chartWorkloads) as [WorkloadRole, (typeof chartWorkloads)[WorkloadRole]][]) {
        const labels = labelText(facts.podLabels);
        const pods = objects
            .filter((o) => keyOf(o) === kindKey("apps", facts.kind))
            .flatMap((o) => podTemplatesOf(o).map((slot) => ({ object: o, pod: slot.get() })))
            .filter(({ pod }) => labelsMatch(facts.podLabels, pod.metadata?.labels));
        if (pods.length === 0) {
            missing.push(
                `a ${facts.kind} whose pods carry the labels ${labels} (${facts.name}): the mesh settings and the component's ` +
                    `policies find the ${described[workload]} by them`,
            );
            continue;
        }
        podLabelsOf[workload] = pods.map(({ pod }) => pod.metadata?.labels ?? {});
        for (const { object, pod } of pods) {
            const where = `${facts.kind} "${object.metadata.name}"`;
            const containers = containersOf(pod);
            for (const expected of reliedOnContainers[workload]) {
                const container = containers.find((c) => c.name === expected.name);
                if (container === undefined) {
                    missing.push(`the container "${expected.name}" in ${where}: ${expected.why}`);
                    continue;
                }
                if (expected.env !== undefined && !envNames(container).includes(expected.env)) {
                    missing.push(`the env ${expected.env} of the container "${expected.name}" in ${where}: ${expected.why}`);
                }
                if (chartFacts.tokenAdapterContainers.includes(expected.name)) {
                    const args = Array.isArray(container.args) ? container.args : [];
                    for (const prefix of tokenAdapterArgs.filter((p) => !args.some((a) => typeof a === "string" && a.startsWith(p)))) {
                        missing.push(`the argument ${prefix}… of the container "${expected.name}" in ${where}: it names the token secret`);
                    }
                }
            }
            if (runAsServiceAccount.includes(workload) && pod.spec?.serviceAccountName !== chartFacts.serviceAccount) {
                missing.push(
                    `serviceAccountName ${chartFacts.serviceAccount} in ${where}: the component's policies and token Role ` +
                        `admit that identity`,
                );
            }
        }
    }
    if (!objects.some((o) => keyOf(o) === kindKey("", "ServiceAccount") && o.metadata.name === chartFacts.serviceAccount)) {
        missing.push(`the ServiceAccount "${chartFacts.serviceAccount}": the agent's identity, which the component's policies name`);
    }
    const service = objects.find((o) => keyOf(o) === kindKey("", "Service") && o.metadata.name === chartFacts.targetAllocatorService);
    const selector = isRecord(service?.spec) ? service.spec.selector : undefined;
    const ports = isRecord(service?.spec) && Array.isArray(service.spec.ports) ? service.spec.ports.filter(isRecord) : [];
    const allocatorLabels = chartWorkloads.targetAllocator.podLabels;
    const selectsAllocator =
        isRecord(selector) &&
        Object.keys(selector).length > 0 &&
        (podLabelsOf.targetAllocator ?? [allocatorLabels]).some((labels) => labelsMatch(selector as Record<string, string>, labels));
    if (
        service === undefined ||
        !selectsAllocator ||
        !ports.some((p) => p.port === chartFacts.targetAllocatorServicePort && Number(p.targetPort) === chartFacts.targetAllocatorPort)
    ) {
        missing.push(
            `the Service "${chartFacts.targetAllocatorService}" selecting ${labelText(allocatorLabels)} on port ${chartFacts.targetAllocatorServicePort} → ` +
                `${chartFacts.targetAllocatorPort}: the agent images dial it by that name, through the component's kube-system alias`,
        );
    }
    return missing;
}

function envNames(container: Container): unknown[] {
    return (Array.isArray(container.env) ? container.env.filter(isRecord) : []).map((e) => e.name);
}

/** Throws, listing every missing part, when the relocation cannot rely on `objects`. */
export function assertReliedOnParts(objects: readonly KubernetesObject[]): void {
    const missing = missingParts(objects);
    if (missing.length > 0) {
        throw new Error(
            [
                "The chart's rendering lacks what the relocation relies on:",
                ...missing.map((line) => `  - ${line}`),
                `A chart version that renames or drops these cannot be relocated safely: deploy chart version ` +
                    `${defaultChart.version} (the version this package is tested with) and report the new version's names ` +
                    `so the package can follow them. With the Helm CLI, check also that your values render AKS mode ` +
                    `(global.commonGlobals.Customer.AzureResourceID set to the AKS cluster's id): Arc mode renders other parts.`,
            ].join("\n"),
        );
    }
}
