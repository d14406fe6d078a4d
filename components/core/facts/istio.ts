// Facts of Istio that the arguments' checks and the mesh rules both read (istio/istio at 86c9f01f).

/** The AKS Istio add-on's root namespace. */
export const aksAddonRootNamespace = "aks-istio-system";
/** The root namespaces upstream Istio and the AKS add-on use. */
export const wellKnownRootNamespaces: readonly string[] = ["istio-system", aksAddonRootNamespace];

// The range istio.io's "Ports used by Istio" covers for the sidecar (never captured, so authorization on
// them has no effect).
export const istioPortRange = { from: 15000, to: 15090 };
