// The Istio objects of each mesh mode (see the mode table in the package's design): pure builders
// returning plain objects, and their registration as Kubernetes resources.

import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { agentServiceAccount, egressHosts, nodeOtlpPorts, workloads } from "./agent";
import { KubernetesObject } from "./meshRules";
import { mtlsScrapeConfigMap } from "./scrapeConfig";
import { collectorPrincipal, MeshSettings } from "./settings";
import { AuthorizationPolicyTarget } from "./types";

const securityApi = "security.istio.io/v1";
const networkingApi = "networking.istio.io/v1";

/** Istio reads the namespace-wide PeerAuthentication under this name by convention. */
export const namespacePeerAuthenticationName = "default";
export const nodeOtlpPeerAuthenticationName = "ama-metrics-node-otlp";
export const egressServiceEntryName = "ama-metrics-egress";

/**
 * The injection label of the agent's namespace. A revisioned control plane (the AKS add-on) injects
 * only through `istio.io/rev`, and `istio-injection` would make its webhook skip the namespace, so
 * exactly one of the two (istioctl IST0123).
 */
export function namespaceLabels(mesh: MeshSettings): Record<string, string> {
    if (mesh.mode !== "sidecar") {
        return {};
    }
    return mesh.revision ? { "istio.io/rev": mesh.revision } : { "istio-injection": "enabled" };
}

/** The Istio objects (and the scrape ConfigMap) a mesh mode needs, in a stable order. */
export function meshObjects(input: { namespace: string; mesh: MeshSettings }): KubernetesObject[] {
    const { namespace, mesh } = input;
    switch (mesh.mode) {
        case "sidecar":
            return sidecarObjects(namespace, mesh);
        case "certificates":
            return certificatesObjects(namespace, mesh);
        case "off":
            return [];
    }
}

function sidecarObjects(namespace: string, mesh: MeshSettings): KubernetesObject[] {
    if (namespace === mesh.rootNamespace) {
        throw new Error(
            `namespace "${namespace}" is Istio's root namespace (istio.rootNamespace): a namespace-wide PeerAuthentication there ` +
                `would apply to the whole mesh. Deploy the agent into a namespace of its own, e.g. "monitoring".`,
        );
    }
    const objects: KubernetesObject[] = [
        {
            apiVersion: securityApi,
            kind: "PeerAuthentication",
            metadata: { name: namespacePeerAuthenticationName, namespace },
            spec: { mtls: { mode: "STRICT" } },
        },
    ];
    if (mesh.meshNodeDaemonSet && mesh.otlpIngestion) {
        // Applications outside the mesh send OTLP to the node agent (only when the chart opens those
        // ports); port-level exceptions need a selector.
        objects.push({
            apiVersion: securityApi,
            kind: "PeerAuthentication",
            metadata: { name: nodeOtlpPeerAuthenticationName, namespace },
            spec: {
                selector: { matchLabels: { ...workloads.node.podLabels } },
                mtls: { mode: "STRICT" },
                portLevelMtls: Object.fromEntries(nodeOtlpPorts.map((port) => [String(port), { mode: "PERMISSIVE" }])),
            },
        });
    }
    if (mesh.egressServiceEntry) {
        // Wildcard hosts cannot be resolved by the sidecar: NONE forwards to the address the agent
        // resolved. Exported to this namespace only, so no other workload's egress changes.
        objects.push({
            apiVersion: networkingApi,
            kind: "ServiceEntry",
            metadata: { name: egressServiceEntryName, namespace },
            spec: {
                hosts: [...egressHosts],
                ports: [{ number: 443, name: "tls", protocol: "TLS" }],
                location: "MESH_EXTERNAL",
                resolution: "NONE",
                exportTo: ["."],
            },
        });
    }
    if (mesh.meshWideIstioMutual) {
        // The agent already speaks TLS: the only rule these hosts need is one that undoes a mesh-wide
        // ISTIO_MUTUAL. SIMPLE would wrap TLS in TLS.
        for (const host of egressHosts) {
            objects.push({
                apiVersion: networkingApi,
                kind: "DestinationRule",
                metadata: { name: egressDestinationRuleName(host), namespace },
                spec: { host, exportTo: ["."], trafficPolicy: { tls: { mode: "DISABLE" } } },
            });
        }
    }
    return objects;
}

function certificatesObjects(namespace: string, mesh: MeshSettings): KubernetesObject[] {
    checkAuthorizationPolicyTargets(mesh.authorizationPolicies, namespace, mesh.rootNamespace);
    const principal = collectorPrincipal(mesh.trustDomain, namespace, agentServiceAccount);
    const objects: KubernetesObject[] = [mtlsScrapeConfigMap({ namespace, scrapeNamespaces: mesh.scrapeNamespaces })];
    for (const target of mesh.authorizationPolicies) {
        objects.push({
            apiVersion: securityApi,
            kind: "AuthorizationPolicy",
            metadata: { name: authorizationPolicyName(namespace, target), namespace: target.namespace },
            spec: {
                selector: { matchLabels: { ...target.selector } },
                action: "ALLOW",
                rules: [
                    {
                        from: [{ source: { principals: [principal] } }],
                        to: [{ operation: { ports: target.ports.map(String) } }],
                    },
                ],
            },
        });
    }
    return objects;
}

/** `ama-metrics-egress-<host>`, a wildcard spelled `wildcard`: `*.monitor.azure.com` → `ama-metrics-egress-wildcard-monitor-azure-com`. */
export function egressDestinationRuleName(host: string): string {
    return `${egressServiceEntryName}-${host.replace(/^\*\./, "wildcard.").replace(/\./g, "-")}`;
}

/**
 * The name of the AuthorizationPolicy for one target: the agent's namespace (two installations must
 * not collide) and a hash of the selector, so reordering the targets or changing ports renames nothing.
 */
export function authorizationPolicyName(agentNamespace: string, target: AuthorizationPolicyTarget): string {
    const selector = Object.keys(target.selector)
        .sort()
        .map((key) => `${key}=${target.selector[key]}`)
        .join(",");
    const digest = createHash("sha256").update(selector).digest("hex").slice(0, 10);
    return `${agentNamespace}-ama-metrics-scrape-${digest}`;
}

function checkAuthorizationPolicyTargets(targets: readonly AuthorizationPolicyTarget[], agentNamespace: string, rootNamespace: string): void {
    const seen = new Map<string, number>();
    targets.forEach((target, index) => {
        const arg = `istio.authorizationPolicies[${index}]`;
        if (target.namespace === rootNamespace) {
            throw new Error(
                `${arg}.namespace is "${target.namespace}", Istio's root namespace: an ALLOW policy there applies to every workload ` +
                    `in the mesh. Name the namespace of the scraped workload instead.`,
            );
        }
        if (Object.keys(target.selector).length === 0) {
            throw new Error(
                `${arg}.selector is empty: the ALLOW policy would apply to every workload of namespace "${target.namespace}". ` +
                    `Give the pod labels of the scraped workload.`,
            );
        }
        const badPort = target.ports.find((port) => !Number.isInteger(port) || port < 1 || port > 65535);
        if (target.ports.length === 0 || badPort !== undefined) {
            throw new Error(
                `${arg}.ports is ${JSON.stringify(target.ports)}: give the workload's metrics container ports, integers from 1 to 65535.`,
            );
        }
        const key = `${target.namespace}/${authorizationPolicyName(agentNamespace, target)}`;
        const previous = seen.get(key);
        if (previous !== undefined) {
            throw new Error(
                `${arg} repeats the namespace and selector of istio.authorizationPolicies[${previous}]: merge their ports into one entry.`,
            );
        }
        seen.set(key, index);
    });
}

/** The Pulumi name of a mesh object: stable for the same object, unique per kind, namespace and name. */
export function meshObjectResourceName(name: string, object: KubernetesObject): string {
    const namespace = object.metadata.namespace;
    return namespace === undefined ? `${name}:${object.kind}:${object.metadata.name}` : `${name}:${object.kind}:${namespace}/${object.metadata.name}`;
}

/**
 * Registers mesh objects: Istio objects as custom resources, the ConfigMap as a ConfigMap. `optsFor`
 * gives each object its resource options (parent, dependencies).
 */
export function registerMeshObjects(
    name: string,
    objects: KubernetesObject[],
    optsFor: (object: KubernetesObject) => pulumi.CustomResourceOptions,
): pulumi.CustomResource[] {
    const names = new Set<string>();
    return objects.map((object) => {
        const resourceName = meshObjectResourceName(name, object);
        if (names.has(resourceName)) {
            throw new Error(`two mesh objects share the name ${resourceName}; each kind, namespace and name must be unique.`);
        }
        names.add(resourceName);
        if (object.apiVersion === "v1" && object.kind === "ConfigMap") {
            return new k8s.core.v1.ConfigMap(resourceName, { metadata: object.metadata, data: object.data }, optsFor(object));
        }
        return new k8s.apiextensions.CustomResource(
            resourceName,
            { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, spec: object.spec },
            optsFor(object),
        );
    });
}
