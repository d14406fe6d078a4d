// The Prometheus agent: one StatefulSet and ConfigMap per shard, their ServiceAccount (the Workload ID
// subject), headless Service and disruption budget, and the discovery RBAC the jobs need. Pure builders:
// values not yet known come in as Inputs and stay in the fields that carry them.

import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject } from "../core/kubernetes";
import type { PrometheusCollectorSettings } from "../core/settings";
import { collectorJobs, configChecksum, discoveryUses } from "./config";
import { prometheusNames, shardName } from "./facts";
import { containerSecurityContext, linuxOnly, mapInput, meshPod, objectLabels, podSecurityContext, priorityClassNameOf } from "./pods";

const names = prometheusNames;
const configDir = "/etc/prometheus";
const dataDir = "/prometheus";

/** The labels of every shard's pods (the Service, the budget and the mesh exception select them). */
export const agentPodLabels = { ...objectLabels(names.agent), [names.workloadIdentityLabel]: "true" };

/** The pod labels of one shard. */
function shardPodLabels(shard: number): Record<string, string> {
    return { ...agentPodLabels, [names.shardLabel]: String(shard) };
}

/**
 * The ServiceAccount the shards run as: Workload ID's webhook reads the client id from it and injects the
 * identity's environment into pods labelled `azure.workload.identity/use`; the tenant id is optional there
 * but given, so a cross-tenant identity also works.
 */
export function agentServiceAccount(
    settings: Pick<PrometheusCollectorSettings, "namespace">,
    identity: { clientId: pulumi.Input<string>; tenantId: pulumi.Input<string> },
): KubernetesObject {
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: {
            name: names.serviceAccount,
            namespace: settings.namespace,
            labels: objectLabels(names.agent),
            annotations: {
                [names.clientIdAnnotation]: identity.clientId as string,
                [names.tenantIdAnnotation]: identity.tenantId as string,
            },
        },
    };
}

/** The ConfigMap of one shard, holding its configuration file. */
export function shardConfigMap(settings: Pick<PrometheusCollectorSettings, "namespace">, shard: number, config: pulumi.Input<string>) {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: shardName(shard), namespace: settings.namespace, labels: objectLabels(names.agent) },
        data: { [names.configKey]: config as string },
    } satisfies KubernetesObject;
}

/**
 * How long Prometheus flushes unsent samples on shutdown: its default, given explicitly (prometheus v3.14.0
 * cmd/prometheus/main.go `storage.remote.flush-deadline`, "How long to wait flushing sample on shutdown or
 * config reload", default 1m). The pod's grace period outlasts it, so the kubelet never kills a flush.
 */
const flushDeadlineSeconds = 60;
const terminationGracePeriodSeconds = flushDeadlineSeconds + 30;

/**
 * The add-on's probe timings for its collector (PC chart templates/ama-metrics-deployment.yaml, rendered in
 * test/fixtures/ama-metrics-chart: liveness every 15 s, 5 s timeout, 3 failures) instead of Kubernetes'
 * 1 s timeout, which a busy shard misses. Prometheus answers `/-/healthy` as soon as it serves HTTP (before
 * the WAL replay), so no initial delay is needed; `/-/ready` turns true after the replay.
 */
const shardProbeTimings = { periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 3 };

/**
 * Shards spread over zones and nodes when there are several, so a node or zone outage takes down one shard's
 * targets, not all. `ScheduleAnyway`: a single-zone or small cluster still runs every shard.
 */
function shardSpread(shards: number): k8s.types.input.core.v1.TopologySpreadConstraint[] | undefined {
    if (shards === 1) {
        return undefined;
    }
    const labelSelector = { matchLabels: { "app.kubernetes.io/name": names.agent } };
    return ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector,
    }));
}

/**
 * The shard's WAL: an emptyDir by default, or a claim from the StatefulSet's volumeClaimTemplates. A claim
 * goes with its shard (`whenDeleted: Delete`): the WAL of a removed shard has no reader, and a replaced
 * StatefulSet (any change of `walVolume`: Kubernetes forbids updating volumeClaimTemplates, and
 * pulumi-kubernetes provider/pkg/provider/diff.go replaces a StatefulSet when they change) starts with a
 * claim of the new size and class instead of silently keeping the old one.
 */
function walStorage(settings: PrometheusCollectorSettings): {
    volumes: Array<{ name: string; emptyDir: Record<string, never> }>;
    spec: Partial<k8s.types.input.apps.v1.StatefulSetSpec>;
} {
    const wal = settings.prometheus.walVolume;
    if (wal === undefined) {
        return { volumes: [{ name: "data", emptyDir: {} }], spec: {} };
    }
    return {
        volumes: [],
        spec: {
            volumeClaimTemplates: [
                {
                    metadata: { name: "data", labels: objectLabels(names.agent) },
                    spec: {
                        accessModes: ["ReadWriteOnce"],
                        ...(wal.storageClassName === undefined ? {} : { storageClassName: wal.storageClassName }),
                        resources: { requests: { storage: wal.size } },
                    },
                },
            ],
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Delete" },
        },
    };
}

/**
 * The StatefulSet of one shard: Prometheus in agent mode, its write-ahead log on an emptyDir or a claim
 * (`walVolume`). The pod carries a checksum of its configuration, so that a change of configuration rolls
 * the shard: Prometheus reads it only at start here. The component registers the shards one after another
 * (index.ts), so such a change rolls one shard at a time.
 */
export function shardStatefulSet(settings: PrometheusCollectorSettings, shard: number, config: pulumi.Input<string>): KubernetesObject {
    const labels = shardPodLabels(shard);
    const port = { name: names.webPortName, containerPort: names.webPort, protocol: "TCP" };
    const probe = (path: string) => ({ httpGet: { path, port: names.webPortName }, ...shardProbeTimings });
    const prometheus = settings.prometheus;
    const storage = walStorage(settings);
    const spread = shardSpread(prometheus.shards);
    const pod = meshPod(
        "collector",
        {
            metadata: { labels, annotations: { [names.configChecksumAnnotation]: mapInput(config, configChecksum) as string } },
            spec: {
                serviceAccountName: names.serviceAccount,
                priorityClassName: priorityClassNameOf(settings),
                terminationGracePeriodSeconds,
                securityContext: podSecurityContext,
                nodeSelector: linuxOnly,
                ...(spread === undefined ? {} : { topologySpreadConstraints: spread }),
                containers: [
                    {
                        name: names.container,
                        image: prometheus.image,
                        args: [
                            "--agent",
                            `--config.file=${configDir}/${names.configKey}`,
                            `--storage.agent.path=${dataDir}`,
                            `--storage.remote.flush-deadline=${flushDeadlineSeconds}s`,
                            `--web.listen-address=:${names.webPort}`,
                        ],
                        ports: [port],
                        readinessProbe: probe("/-/ready"),
                        livenessProbe: probe("/-/healthy"),
                        resources: { requests: { ...prometheus.resources.requests }, limits: { ...prometheus.resources.limits } },
                        securityContext: containerSecurityContext,
                        volumeMounts: [
                            { name: "config", mountPath: configDir, readOnly: true },
                            { name: "data", mountPath: dataDir },
                        ],
                    },
                ],
                volumes: [{ name: "config", configMap: { name: shardName(shard) } }, ...storage.volumes],
            },
        } satisfies k8s.types.input.core.v1.PodTemplateSpec,
        settings,
        [names.container],
    );
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: {
            name: shardName(shard),
            namespace: settings.namespace,
            labels: { ...objectLabels(names.agent), [names.shardLabel]: String(shard) },
        },
        spec: {
            replicas: 1,
            serviceName: names.service,
            selector: { matchLabels: { "app.kubernetes.io/name": names.agent, [names.shardLabel]: String(shard) } },
            // The pod was checked before the mesh settings; they add labels, annotations and volumes only.
            template: pod as k8s.types.input.core.v1.PodTemplateSpec,
            ...storage.spec,
        } satisfies k8s.types.input.apps.v1.StatefulSetSpec,
    };
}

/** The headless Service every shard's StatefulSet names; it also gives each pod a stable DNS name. */
export function agentService(settings: Pick<PrometheusCollectorSettings, "namespace">): KubernetesObject {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: names.service, namespace: settings.namespace, labels: objectLabels(names.agent) },
        spec: {
            clusterIP: "None",
            selector: { "app.kubernetes.io/name": names.agent },
            ports: [{ name: names.webPortName, port: names.webPort, targetPort: names.webPortName, protocol: "TCP" }],
        } satisfies k8s.types.input.core.v1.ServiceSpec,
    };
}

/**
 * Voluntary disruptions (node drains) take down one shard at a time. A budget governs evictions only: the
 * StatefulSet controller's own rollouts ignore it, and the component orders those itself (index.ts). With
 * one shard, it still lets a drain evict the shard: blocking would stall node upgrades.
 */
export function agentDisruptionBudget(settings: Pick<PrometheusCollectorSettings, "namespace">): KubernetesObject {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: names.agent, namespace: settings.namespace, labels: objectLabels(names.agent) },
        spec: {
            maxUnavailable: 1,
            selector: { matchLabels: { "app.kubernetes.io/name": names.agent } },
        } satisfies k8s.types.input.policy.v1.PodDisruptionBudgetSpec,
    };
}

/**
 * What each Kubernetes discovery role lists and watches (prometheus v3.14.0 discovery/kubernetes/kubernetes.go:
 * the informers of each role, and of `attach_metadata`).
 */
const discoveryResources: Record<string, Array<[group: string, resource: string]>> = {
    node: [["", "nodes"]],
    pod: [["", "pods"]],
    service: [["", "services"]],
    endpoints: [
        ["", "endpoints"],
        ["", "services"],
        ["", "pods"],
    ],
    endpointslice: [
        ["discovery.k8s.io", "endpointslices"],
        ["", "services"],
        ["", "pods"],
    ],
    ingress: [["networking.k8s.io", "ingresses"]],
};
const attachedResources: Record<string, Array<[group: string, resource: string]>> = {
    node: [["", "nodes"]],
    namespace: [["", "namespaces"]],
    deployment: [["apps", "replicasets"]],
    job: [["batch", "jobs"]],
    cronjob: [["batch", "jobs"]],
};

/** `list`/`watch` rules, one per API group, resources sorted. */
export function listWatchRules(resources: Iterable<[group: string, resource: string]>): Array<Record<string, string[]>> {
    const byGroup = new Map<string, Set<string>>();
    for (const [group, resource] of resources) {
        byGroup.set(group, (byGroup.get(group) ?? new Set()).add(resource));
    }
    return [...byGroup.keys()].sort().map((group) => ({
        apiGroups: [group],
        resources: [...byGroup.get(group)!].sort(),
        verbs: ["list", "watch"],
    }));
}

/**
 * The least the jobs need: `get` on `nodes/metrics` for the kubelet's `/metrics` and `/metrics/cadvisor`
 * (the kubelet authorizes `/metrics/*` as that subresource, kubernetes pkg/kubelet/server/auth.go), and
 * `list`/`watch` on what the jobs' discovery roles read. The default jobs discover nodes only; `pods`
 * come in with the certificates mode's mTLS job (role `pod`) or a user job that discovers them, and
 * nothing else does. node-exporter and kube-state-metrics are plain HTTP by address: no rule. Never secrets.
 */
function discoveryRules(settings: PrometheusCollectorSettings): Array<Record<string, string[]>> {
    const { roles, attach } = discoveryUses(collectorJobs(settings));
    const resources = [
        ...[...roles].flatMap((role) => discoveryResources[role] ?? []),
        ...[...attach].flatMap((key) => attachedResources[key] ?? []),
    ];
    return [...listWatchRules(resources), { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] }];
}

/** A ClusterRole and its binding to a ServiceAccount of the namespace, named `<name>-<namespace>` (one per installation). */
export function clusterRoleAndBinding(
    namespace: string,
    name: string,
    serviceAccount: string,
    rules: Array<Record<string, string[]>>,
): [KubernetesObject, KubernetesObject] {
    const clusterName = `${name}-${namespace}`;
    const labels = objectLabels(name);
    return [
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: clusterName, labels }, rules },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: clusterName, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterName },
            subjects: [{ kind: "ServiceAccount", name: serviceAccount, namespace }],
        },
    ];
}

export function agentDiscoveryRbac(settings: PrometheusCollectorSettings): [KubernetesObject, KubernetesObject] {
    return clusterRoleAndBinding(settings.namespace, names.agent, names.serviceAccount, discoveryRules(settings));
}
