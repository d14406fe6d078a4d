// What the collector's two workloads share: a locked-down pod (non-root, no privilege, read-only root,
// RuntimeDefault seccomp: Kubernetes' "restricted" Pod Security Standard), the mesh mode's pod settings, and
// names with labels.

import * as pulumi from "@pulumi/pulumi";
import type { MeshableWorkloadRole } from "../core/args";
import type { KubernetesObject, PodTemplate } from "../core/kubernetes";
import type { PrometheusCollectorSettings } from "../core/settings";
import { applyPodMesh } from "../mesh/pod";
import { prometheusNames } from "./facts";

/** `nobody`, as Prometheus' and kube-state-metrics' own images run. */
const nobody = 65534;

export const podSecurityContext = {
    runAsNonRoot: true,
    runAsUser: nobody,
    runAsGroup: nobody,
    fsGroup: nobody,
    seccompProfile: { type: "RuntimeDefault" },
};

export const containerSecurityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
};

/** Both images are Linux-only. */
export const linuxOnly = { "kubernetes.io/os": "linux" };

/** The labels of every object of the collector: what it is and that this package manages it. */
export function objectLabels(name: string): Record<string, string> {
    return { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": prometheusNames.partOf };
}

/** The pod with the mesh mode's settings; `readers` get the Istio certificates in the certificates mode. */
export function meshPod(
    workload: MeshableWorkloadRole,
    pod: PodTemplate,
    settings: Pick<PrometheusCollectorSettings, "istio">,
    readers: readonly string[] = [],
): PodTemplate {
    return applyPodMesh(workload, pod, { ...settings.istio, collector: "prometheus" }, readers);
}

/** `f(value)`, plain when the value is plain and an Output when it is not yet known. */
export function mapInput(value: pulumi.Input<string>, f: (value: string) => string): pulumi.Input<string> {
    return typeof value === "string" ? f(value) : pulumi.output(value).apply(f);
}

/**
 * The component's PriorityClass for the shards and kube-state-metrics. The add-on runs its pods at
 * `system-node-critical`; a class of that name outside kube-system is admitted or refused by the cluster's
 * own policy (Kubernetes admits it in any namespace since kubernetes/kubernetes#76310 unless the
 * ResourceQuota admission limits it, as "Limit Priority Class consumption by default" describes), so the
 * component brings its own: 1,000,000,000, the highest a user-defined class may have (Kubernetes "Pod
 * Priority and Preemption": larger values are reserved for the built-in classes), so no user-defined
 * class outranks it and every system class does. The value of a class cannot change once created: it is
 * a constant. Named after the installation, as its ClusterRoles.
 */
const priorityClassValue = 1_000_000_000;

/** The component's own PriorityClass of the installation in `namespace`. */
function priorityClassName(namespace: string): string {
    return `${prometheusNames.partOf}-${namespace}`;
}

export function priorityClass(settings: Pick<PrometheusCollectorSettings, "namespace">): KubernetesObject {
    return {
        apiVersion: "scheduling.k8s.io/v1",
        kind: "PriorityClass",
        metadata: { name: priorityClassName(settings.namespace), labels: objectLabels(prometheusNames.partOf) },
        value: priorityClassValue,
        globalDefault: false,
        preemptionPolicy: "PreemptLowerPriority",
        description: "The ama-metrics-istio collector's shards and kube-state-metrics: metrics keep flowing when nodes are full.",
    };
}

/** The PriorityClass the pods run at: the user's, or the component's own. */
export function priorityClassNameOf(settings: Pick<PrometheusCollectorSettings, "namespace" | "prometheus">): string {
    return settings.prometheus.priorityClassName ?? priorityClassName(settings.namespace);
}
