// What the collector's two workloads share: a locked-down pod (non-root, no privilege, read-only root,
// RuntimeDefault seccomp: Kubernetes' "restricted" Pod Security Standard), the mesh mode's pod settings, and
// names with labels.

import * as pulumi from "@pulumi/pulumi";
import type { MeshedWorkload } from "../core/args";
import type { PodTemplate } from "../core/kubernetes";
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
    workload: MeshedWorkload,
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
