// The Istio objects of each mesh mode (see the mode table in the README): pure builders returning
// plain objects. Both collectors use them; what differs between collectors comes in as a profile.

import { createHash } from "node:crypto";
import type { AuthorizationPolicyTarget } from "../core/args";
import { KubernetesObject } from "../core/kubernetes";
import type { MeshSettings } from "../core/settings";
import { namespaceInjectionLabel, revisionLabel } from "./pod";

const securityApi = "security.istio.io/v1";

/**
 * What the mesh objects need to know about a collector: its mesh identity, and the ports of its pods
 * that clients outside the mesh must reach in the sidecar mode.
 */
export interface MeshProfile {
    serviceAccount: string;
    /** Port-level PERMISSIVE exceptions, each for the pods its selector names. */
    permissivePorts: Array<{ name: string; selector: Record<string, string>; ports: number[] }>;
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

/** The Istio objects a mesh mode needs, in a stable order. */
export function meshObjects(namespace: string, mesh: MeshSettings, profile: MeshProfile): KubernetesObject[] {
    switch (mesh.mode) {
        case "sidecar":
            return sidecarObjects(namespace, profile);
        case "certificates":
            return authorizationPolicies(namespace, mesh, profile);
        case "off":
            return [];
    }
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
export function collectorAllowPolicy(policy: {
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
