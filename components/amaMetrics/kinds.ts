// Facts about the Kubernetes API that the package relies on: which built-in kinds are namespaced,
// and what a valid name is.

/** A parsed Kubernetes manifest, as a chart renders it. Only `apiVersion`, `kind` and `metadata` are interpreted generically. */
export interface Manifest {
    apiVersion?: string;
    kind?: string;
    metadata?: ObjectMeta;
    [key: string]: unknown;
}

export interface ObjectMeta {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
}

/** A kind as the API server serves it: its group ("" for the core group) and whether it is namespaced. */
export interface ApiKind {
    group: string;
    kind: string;
    namespaced: boolean;
}

function kinds(group: string, namespaced: boolean, names: string[]): ApiKind[] {
    return names.map(kind => ({ group, kind, namespaced }));
}

/**
 * The built-in kinds and their scope.
 *
 * Source: the API discovery of Kubernetes 1.34 (what `kubectl api-resources` reports, alpha and beta
 * APIs included), cross-checked with the API reference at kubernetes.io/docs/reference/kubernetes-api/.
 * A kind keeps its scope across versions, so the table is keyed by group and kind only.
 */
export const servedKinds: readonly ApiKind[] = [
    ...kinds("", true, [
        "Binding",
        "ConfigMap",
        "Endpoints",
        "Event",
        "LimitRange",
        "PersistentVolumeClaim",
        "Pod",
        "PodTemplate",
        "ReplicationController",
        "ResourceQuota",
        "Secret",
        "Service",
        "ServiceAccount",
    ]),
    ...kinds("", false, ["ComponentStatus", "Namespace", "Node", "PersistentVolume"]),
    ...kinds("admissionregistration.k8s.io", false, [
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
    ]),
    ...kinds("apiextensions.k8s.io", false, ["CustomResourceDefinition"]),
    ...kinds("apiregistration.k8s.io", false, ["APIService"]),
    ...kinds("apps", true, ["ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"]),
    ...kinds("authentication.k8s.io", false, ["SelfSubjectReview", "TokenReview"]),
    ...kinds("authorization.k8s.io", true, ["LocalSubjectAccessReview"]),
    ...kinds("authorization.k8s.io", false, [
        "SelfSubjectAccessReview",
        "SelfSubjectRulesReview",
        "SubjectAccessReview",
    ]),
    ...kinds("autoscaling", true, ["HorizontalPodAutoscaler"]),
    ...kinds("batch", true, ["CronJob", "Job"]),
    ...kinds("certificates.k8s.io", false, ["CertificateSigningRequest", "ClusterTrustBundle"]),
    ...kinds("certificates.k8s.io", true, ["PodCertificateRequest"]),
    ...kinds("coordination.k8s.io", true, ["Lease", "LeaseCandidate"]),
    ...kinds("discovery.k8s.io", true, ["EndpointSlice"]),
    ...kinds("events.k8s.io", true, ["Event"]),
    ...kinds("flowcontrol.apiserver.k8s.io", false, ["FlowSchema", "PriorityLevelConfiguration"]),
    ...kinds("internal.apiserver.k8s.io", false, ["StorageVersion"]),
    ...kinds("networking.k8s.io", true, ["Ingress", "NetworkPolicy"]),
    ...kinds("networking.k8s.io", false, ["IngressClass", "IPAddress", "ServiceCIDR"]),
    ...kinds("node.k8s.io", false, ["RuntimeClass"]),
    ...kinds("policy", true, ["PodDisruptionBudget"]),
    ...kinds("rbac.authorization.k8s.io", true, ["Role", "RoleBinding"]),
    ...kinds("rbac.authorization.k8s.io", false, ["ClusterRole", "ClusterRoleBinding"]),
    ...kinds("resource.k8s.io", true, ["ResourceClaim", "ResourceClaimTemplate"]),
    ...kinds("resource.k8s.io", false, ["DeviceClass", "DeviceTaintRule", "ResourceSlice"]),
    ...kinds("scheduling.k8s.io", false, ["PriorityClass"]),
    ...kinds("storage.k8s.io", true, ["CSIStorageCapacity"]),
    ...kinds("storage.k8s.io", false, [
        "CSIDriver",
        "CSINode",
        "StorageClass",
        "VolumeAttachment",
        "VolumeAttributesClass",
    ]),
    ...kinds("storagemigration.k8s.io", false, ["StorageVersionMigration"]),
];

/**
 * Kinds that current clusters no longer serve but older charts still render. Their scope is
 * the one they had when served (PodSecurityPolicy was removed in 1.25, the `extensions`
 * workloads in 1.16, `extensions` Ingress and NetworkPolicy in 1.22).
 */
export const removedKinds: readonly ApiKind[] = [
    ...kinds("extensions", true, ["DaemonSet", "Deployment", "Ingress", "NetworkPolicy", "ReplicaSet"]),
    ...kinds("extensions", false, ["PodSecurityPolicy"]),
    ...kinds("policy", false, ["PodSecurityPolicy"]),
];

/**
 * Kinds served only as subresources of a namespaced object (`.../scale`, `pods/eviction`,
 * `serviceaccounts/token`, `deployments/rollback`). `kubectl api-resources` does not list them;
 * their requests are namespaced like their parent's.
 */
export const subresourceKinds: readonly ApiKind[] = [
    ...kinds("apps", true, ["DeploymentRollback", "Scale"]),
    ...kinds("autoscaling", true, ["Scale"]),
    ...kinds("extensions", true, ["DeploymentRollback", "Scale"]),
    ...kinds("policy", true, ["Eviction"]),
    ...kinds("authentication.k8s.io", true, ["TokenRequest"]),
];

/** Every built-in kind this package knows the scope of. */
export const builtInKinds: readonly ApiKind[] = [...servedKinds, ...removedKinds, ...subresourceKinds];

const builtInIndex = new Map(builtInKinds.map(k => [kindKey(k.group, k.kind), k]));

/**
 * Cluster-scoped kinds whose names are not free to choose: the API server derives or checks them
 * (`<plural>.<group>` for a CRD, `<version>.<group>` for an APIService, `<group>.<resource>` for a
 * StorageVersion, the IP for an IPAddress, the signer prefix for a ClusterTrustBundle), they name
 * something outside the API (a node, a CSI driver), or they are the scope of other objects (a namespace).
 */
const structurallyNamed = new Set(
    [
        ["apiextensions.k8s.io", "CustomResourceDefinition"],
        ["apiregistration.k8s.io", "APIService"],
        ["internal.apiserver.k8s.io", "StorageVersion"],
        ["networking.k8s.io", "IPAddress"],
        ["certificates.k8s.io", "ClusterTrustBundle"],
        ["", "Node"],
        ["storage.k8s.io", "CSINode"],
        ["storage.k8s.io", "CSIDriver"],
        ["", "Namespace"],
        ["", "ComponentStatus"],
    ].map(([group, kind]) => kindKey(group, kind)),
);

/** A DNS label (RFC 1123) as Kubernetes requires for namespace names: at most 63 characters. */
export function isDnsLabel(value: unknown): value is string {
    return typeof value === "string" && value.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
}

/** A DNS subdomain (RFC 1123) as Kubernetes requires for most object names: at most 253 characters. */
export function isDnsSubdomain(value: unknown): value is string {
    return (
        typeof value === "string" &&
        value.length <= 253 &&
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value)
    );
}

/** `apps/v1` → `apps`; `v1` → `` (the core group). */
export function apiGroup(apiVersion: string): string {
    const slash = apiVersion.indexOf("/");
    return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** A map key for a group and kind. */
export function kindKey(group: string, kind: string): string {
    return `${group}/${kind}`;
}

/** The built-in kind, if Kubernetes serves (or served) it. */
export function findBuiltInKind(group: string, kind: string): ApiKind | undefined {
    return builtInIndex.get(kindKey(group, kind));
}

/** Whether the name of a cluster-scoped object of this kind is fixed by what it is. */
export function hasStructuralName(group: string, kind: string): boolean {
    return structurallyNamed.has(kindKey(group, kind));
}

/**
 * Whether a manifest is a list of objects (`v1 List` or any `<Kind>List` with `items`), which
 * kubectl, Helm consumers and Pulumi expand into its items.
 */
export function isList(manifest: Manifest): boolean {
    return typeof manifest.kind === "string" && manifest.kind.endsWith("List") && Array.isArray(manifest.items);
}
