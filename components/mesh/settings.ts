// The mesh settings: the `istio` argument with its defaults (mesh/arguments.ts), shared by the component,
// `relocate` and the post-renderer, which builds `istio` from its flags.

import type { Collector, IstioArgs, MeshableWorkloadRole, PodMeshArgs, ProxyResources } from "../core/args";
import { workloadsWithSidecar } from "../core/facts/workloads";
import { defaults, MeshSettings, PodMeshSettings, podMeshSettingsOf, withDefaults } from "../core/settings";
import { istioArgumentDefaults } from "./arguments";

/** The mesh settings from the `istio` argument and the cluster's service CIDR. */
export function resolveMeshSettings(collector: Collector, istio: IstioArgs, serviceCidr: string): Omit<MeshSettings, "otlpIngestion"> {
    const filled = withDefaults(istio, istioArgumentDefaults);
    const meshed = workloadsWithSidecar(collector, filled.mode, filled.meshNodeDaemonSet);
    return { ...filled, proxyResources: proxyResourcesWithDefaults(meshed, istio.proxyResources ?? {}), serviceCidr };
}

/** The pod-level mesh settings (what `PodMeshOptions` reads) from the pod mesh keys of `istio`. */
export function resolvePodMeshSettings(collector: Collector, istio: PodMeshArgs, serviceCidr: string): PodMeshSettings {
    return podMeshSettingsOf(resolveMeshSettings(collector, istio, serviceCidr));
}

/** The default proxy resources of each meshed workload, overridden field by field. */
function proxyResourcesWithDefaults(
    meshed: readonly MeshableWorkloadRole[],
    given: Partial<Record<MeshableWorkloadRole, ProxyResources>>,
): Partial<Record<MeshableWorkloadRole, ProxyResources>> {
    const result: Partial<Record<MeshableWorkloadRole, ProxyResources>> = {};
    for (const workload of meshed) {
        const merged = proxyResourcesOf(workload, given[workload]);
        if (Object.keys(merged).length > 0) {
            result[workload] = merged;
        }
    }
    return result;
}

/** One workload's proxy resources: the given fields over its defaults. */
export function proxyResourcesOf(workload: MeshableWorkloadRole, given: ProxyResources | undefined): ProxyResources {
    return { ...defaults.proxyResources[workload], ...given };
}
