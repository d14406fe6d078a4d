// Facts of Istio that the arguments' checks and the mesh rules both read (istio/istio at 86c9f01f).

import type { ProxyResources } from "../args";

/** The AKS Istio add-on's root namespace. */
export const aksAddonRootNamespace = "aks-istio-system";
/** The root namespaces upstream Istio and the AKS add-on use. */
export const wellKnownRootNamespaces: readonly string[] = ["istio-system", aksAddonRootNamespace];

// The range istio.io's "Ports used by Istio" covers for the sidecar (never captured, so authorization on
// them has no effect).
export const istioPortRange = { from: 15000, to: 15090 };

/**
 * The pod annotation of each proxy resource field (istio.io "Resource Annotations"). The argument's schema,
 * the pod settings and the post-renderer's flags iterate it: a field of `ProxyResources` is added here only.
 */
export const proxyResourceAnnotations = {
    cpu: "sidecar.istio.io/proxyCPU",
    memory: "sidecar.istio.io/proxyMemory",
    cpuLimit: "sidecar.istio.io/proxyCPULimit",
    memoryLimit: "sidecar.istio.io/proxyMemoryLimit",
} satisfies Record<keyof ProxyResources, string>;

/** The fields of `ProxyResources`, in the order of the annotations above. */
export const proxyResourceFields = Object.keys(proxyResourceAnnotations) as (keyof ProxyResources)[];
