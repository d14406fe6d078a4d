// Registration of the plain Kubernetes objects the component builds, as Pulumi resources.

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { KubernetesObject } from "./kubernetes";

type Constructor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

// The typed classes of the kinds the package builds itself: previews show their kind and schema.
const typedKinds: Record<string, Constructor> = {
    "v1/ConfigMap": k8s.core.v1.ConfigMap,
    "v1/Namespace": k8s.core.v1.Namespace,
    "v1/Service": k8s.core.v1.Service,
    "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
    "apps/v1/Deployment": k8s.apps.v1.Deployment,
    "apps/v1/StatefulSet": k8s.apps.v1.StatefulSet,
    "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
    "rbac.authorization.k8s.io/v1/ClusterRole": k8s.rbac.v1.ClusterRole,
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": k8s.rbac.v1.ClusterRoleBinding,
    "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
    "scheduling.k8s.io/v1/PriorityClass": k8s.scheduling.v1.PriorityClass,
};

/**
 * The Pulumi name of an object the component builds: the component's name, the kind, and the object's
 * namespace and name, so that each is stable and unique.
 */
function objectResourceName(component: string, object: KubernetesObject): string {
    const { name, namespace } = object.metadata;
    return namespace === undefined ? `${component}:${object.kind}:${name}` : `${component}:${object.kind}:${namespace}/${name}`;
}

/**
 * Registers a plain object as a Pulumi resource: a typed class for the kinds above, a CustomResource for
 * anything else (Istio's kinds). The object may carry Outputs in its fields.
 */
function createObject(component: string, object: KubernetesObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    const name = objectResourceName(component, object);
    const typed = typedKinds[`${object.apiVersion}/${object.kind}`];
    if (typed) {
        const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
        return new typed(name, rest, opts);
    }
    return new k8s.apiextensions.CustomResource(name, object as k8s.apiextensions.CustomResourceArgs, opts);
}

/** Where the collector's objects go: their parent, and the namespace resource (created or adopted, if any). */
export interface CollectorRegistration {
    parent: pulumi.Resource;
    namespace: pulumi.Resource[];
}

/** Registers an object of the collector: one in the collector's namespace waits for that namespace. */
export function createCollectorObject(
    component: string,
    object: KubernetesObject,
    collectorNamespace: string,
    opts: CollectorRegistration,
    dependsOn: pulumi.Resource[] = [],
): pulumi.CustomResource {
    const namespace = object.metadata.namespace === collectorNamespace ? opts.namespace : [];
    return createObject(component, object, { parent: opts.parent, dependsOn: [...namespace, ...dependsOn] });
}
