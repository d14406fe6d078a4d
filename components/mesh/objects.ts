// The Istio objects of each mesh mode (see the mode table in the README): pure builders returning
// plain objects. Both collectors use them; what differs between collectors comes in as a profile.

import { createHash } from "node:crypto";
import type { AuthorizationPolicyTarget } from "../core/args";
import { KubernetesObject } from "../core/kubernetes";
import type { MeshSettings } from "../core/settings";
import { namespaceInjectionLabel, revisionLabel } from "./pod";

const securityApi = "security.istio.io/v1";
const networkingApi = "networking.istio.io/v1";

/**
 * What the mesh objects need to know about a collector: its mesh identity and pods, the ports of its pods
 * that clients outside the mesh must reach in the sidecar mode, and its kube-state-metrics, which only the
 * collector may read.
 */
export interface MeshProfile {
    serviceAccount: string;
    /** The pod labels of the pods that scrape kube-state-metrics (for the NetworkPolicy outside the mesh). */
    collectorPodLabels: Record<string, string>;
    /** Port-level PERMISSIVE exceptions, each for the pods its selector names. */
    permissivePorts: Array<{ name: string; selector: Record<string, string>; ports: number[] }>;
    kubeStateMetrics: { name: string; selector: Record<string, string>; port: number };
    /**
     * Services outside the collector's namespace that its meshed pods dial by name, as Sidecar egress hosts
     * (`<namespace>/<host>`): the namespace's Sidecar keeps them in the proxies' registry.
     */
    egressHosts?: string[];
}

/** Where the collector's namespace is, for the objects that name cluster services. */
export interface MeshPlacement {
    namespace: string;
    /** The cluster's DNS domain (`cluster.local`). */
    clusterDomain: string;
}

/**
 * The injection label of the collector's namespace. A revisioned control plane (the AKS add-on) injects
 * only through `istio.io/rev`, and `istio-injection` would make its webhook skip the namespace, so exactly
 * one of the two (istioctl IST0123). Only the sidecar mode meshes the namespace.
 */
export function namespaceLabels(mesh: Pick<MeshSettings, "mode" | "revision">): Record<string, string> {
    if (mesh.mode !== "sidecar") {
        return {};
    }
    return mesh.revision ? { [revisionLabel]: mesh.revision } : { [namespaceInjectionLabel]: "enabled" };
}

/** The collector's mesh identity (SPIFFE path without the scheme), as AuthorizationPolicies name it. */
export function collectorPrincipal(trustDomain: string, namespace: string, serviceAccount: string): string {
    return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** The mesh objects a mesh mode needs (Istio's, and the NetworkPolicy that stands in outside the mesh), in a stable order. */
export function meshObjects(placement: MeshPlacement, mesh: MeshSettings, profile: MeshProfile): KubernetesObject[] {
    const { namespace } = placement;
    const ksm = profile.kubeStateMetrics;
    return [...modeObjects(placement, mesh, profile), collectorOnlyAccess({ ...ksm, namespace }, mesh, profile)];
}

/** The objects of the mode itself, before the kube-state-metrics protection every mode has. */
function modeObjects(placement: MeshPlacement, mesh: MeshSettings, profile: MeshProfile): KubernetesObject[] {
    switch (mesh.mode) {
        case "sidecar":
            return [...sidecarObjects(placement.namespace, profile), egressSidecar(placement, profile)];
        case "certificates":
            return authorizationPolicies(placement.namespace, mesh, profile);
        case "off":
            return [];
    }
}

/** The API server's Service as Istio's registry names it: `kubernetes` in `default`. */
function apiServerHost(clusterDomain: string): string {
    return `kubernetes.default.svc.${clusterDomain}`;
}

/**
 * The collector namespace's own Sidecar (sidecar mode): the egress its proxies need, whatever a root
 * namespace's default Sidecar narrows the mesh to. The API server's address is in the service range the
 * proxies capture, so discovery and kube-state-metrics reach it through Envoy; with a root Sidecar of
 * `./*` and the Istio namespace (Istio's own example) and `outboundTrafficPolicy: REGISTRY_ONLY`, that
 * traffic would be blackholed: a full collector outage. A namespace's Sidecar without a workload selector
 * takes precedence over the root namespace's for its workloads (pilot/pkg/model/push_context.go
 * `doGetSidecarScope`), and `.` means the namespace itself (pilot/pkg/model/sidecar.go). Everything else
 * the collector calls is in its own namespace (kube-state-metrics, the target allocator), one of the
 * profile's egress hosts (ama-metrics: the kube-system alias of the target allocator, the address its
 * images hard-code), or outside the captured range (pods and nodes by address, Azure).
 */
function egressSidecar(placement: MeshPlacement, profile: MeshProfile): KubernetesObject {
    const hosts = ["./*", `default/${apiServerHost(placement.clusterDomain)}`, ...(profile.egressHosts ?? [])];
    return {
        apiVersion: networkingApi,
        kind: "Sidecar",
        metadata: { name: "default", namespace: placement.namespace },
        spec: { egress: [{ hosts }] },
    };
}

/**
 * Only the collector may call these pods on this port (kube-state-metrics, an inventory of the cluster; the
 * ama-metrics target allocator). In the sidecar mode Istio enforces it with the collector's identity (the
 * kubelet's HTTP probes are rewritten to the sidecar's status port, which calls the application over
 * loopback, not through the inbound listener: `sidecarInjectorWebhook.rewriteAppHTTPProbe: true` in
 * istio-discovery's values.yaml); in the others, outside the mesh, a NetworkPolicy admits only the
 * collector's pods, and the kubelet's probes still arrive: "traffic to and from the node where a Pod is
 * running is always allowed" (kubernetes.io, Network Policies). `openPorts` stay open to every client there.
 */
export function collectorOnlyAccess(
    target: { name: string; namespace: string; selector: Record<string, string>; port: number; openPorts?: readonly number[] },
    mesh: MeshSettings,
    profile: Pick<MeshProfile, "serviceAccount" | "collectorPodLabels">,
): KubernetesObject {
    const { name, namespace, selector, port } = target;
    if (mesh.mode === "sidecar") {
        return collectorAllowPolicy({
            name,
            namespace,
            selector,
            ports: [port],
            principal: collectorPrincipal(mesh.trustDomain, namespace, profile.serviceAccount),
        });
    }
    const openPorts = target.openPorts ?? [];
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace },
        spec: {
            podSelector: { matchLabels: { ...selector } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ podSelector: { matchLabels: { ...profile.collectorPodLabels } } }],
                    ports: [{ protocol: "TCP", port }],
                },
                ...(openPorts.length > 0 ? [{ ports: openPorts.map((open) => ({ protocol: "TCP", port: open })) }] : []),
            ],
        },
    };
}

function sidecarObjects(namespace: string, profile: MeshProfile): KubernetesObject[] {
    // Istio applies the oldest namespace-wide PeerAuthentication of a namespace, whatever its name
    // (pilot/pkg/model/authentication.go); `default` is only the documented convention.
    const objects: KubernetesObject[] = [
        {
            apiVersion: securityApi,
            kind: "PeerAuthentication",
            metadata: { name: "default", namespace },
            spec: { mtls: { mode: "STRICT" } },
        },
    ];
    for (const exception of profile.permissivePorts) {
        // Port-level settings need a selector; the rest of the pod stays STRICT.
        objects.push({
            apiVersion: securityApi,
            kind: "PeerAuthentication",
            metadata: { name: exception.name, namespace },
            spec: {
                selector: { matchLabels: { ...exception.selector } },
                mtls: { mode: "STRICT" },
                portLevelMtls: Object.fromEntries(exception.ports.map((port) => [String(port), { mode: "PERMISSIVE" }])),
            },
        });
    }
    return objects;
}

function authorizationPolicies(namespace: string, mesh: MeshSettings, profile: MeshProfile): KubernetesObject[] {
    const principal = collectorPrincipal(mesh.trustDomain, namespace, profile.serviceAccount);
    return mesh.authorizationPolicies.map((target) =>
        collectorAllowPolicy({
            name: authorizationPolicyName(namespace, target),
            namespace: target.namespace,
            selector: target.selector,
            ports: target.ports,
            principal,
        }),
    );
}

/**
 * An AuthorizationPolicy that ALLOWs the collector's mesh identity, and no one else, on these ports of
 * the pods its selector names: for the scraped workloads of the certificates mode, and for the target
 * allocator in the sidecar mode.
 */
function collectorAllowPolicy(policy: {
    name: string;
    namespace: string;
    selector: Record<string, string>;
    ports: readonly number[];
    /** The collector's principal (`collectorPrincipal`). */
    principal: string;
}): KubernetesObject {
    return {
        apiVersion: securityApi,
        kind: "AuthorizationPolicy",
        metadata: { name: policy.name, namespace: policy.namespace },
        spec: {
            selector: { matchLabels: { ...policy.selector } },
            action: "ALLOW",
            rules: [{ from: [{ source: { principals: [policy.principal] } }], to: [{ operation: { ports: policy.ports.map(String) } }] }],
        },
    };
}

/**
 * The name of the AuthorizationPolicy for one target: the collector's namespace (two installations must
 * not collide) and a hash of the selector, so reordering the targets or changing ports renames nothing.
 */
function authorizationPolicyName(collectorNamespace: string, target: Pick<AuthorizationPolicyTarget, "selector">): string {
    const selector = Object.keys(target.selector)
        .sort()
        .map((key) => `${key}=${target.selector[key]}`)
        .join(",");
    const digest = createHash("sha256").update(selector).digest("hex").slice(0, 10);
    return `${collectorNamespace}-metrics-scrape-${digest}`;
}
