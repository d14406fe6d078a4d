// The prometheus collector's Kubernetes objects, in each mesh mode: Kubernetes' and Istio's schemas, the
// package's mesh rules, workload security, Workload ID, sharding, RBAC, and kube-state-metrics as the
// add-on runs it (the rendered chart in test/fixtures/ama-metrics-chart).

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import type { AmaMetricsIstioArgs, MeshMode } from "../../components";
import { KubernetesObject, podTemplatesOf } from "../../components/core/kubernetes";
import { namespaceLabels } from "../../components/mesh/objects";
import { checkMeshObjects } from "../../components/mesh/rules";
import { certFiles } from "../../components/mesh/certificates";
import { prometheusObjects, prometheusPodLabels } from "../../components/prometheus";
import { fixture, fixtureObjects, mockStack, settingsFor, valueOf, validateSchema } from "../harness";

const refs = {
    clientId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    remoteWriteUrl:
        "https://aks-amw-0mi2.eastus-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-00000000000000000000000000000000/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24",
};

const modeArgs: Record<MeshMode, Partial<AmaMetricsIstioArgs>> = {
    sidecar: { istio: { mode: "sidecar", revision: "asm-1-27", rootNamespace: "aks-istio-system" } },
    certificates: {
        istio: {
            mode: "certificates",
            revision: "asm-1-27",
            rootNamespace: "aks-istio-system",
            authorizationPolicies: [{ namespace: "shop", selector: { app: "cart" }, ports: [9090], acknowledgeDefaultDeny: true }],
        },
    },
    off: { istio: { mode: "off" } },
};

/** The collector's objects with every value known (the configurations are computed inside Outputs). */
async function objectsOf(overrides: Partial<AmaMetricsIstioArgs> = {}): Promise<KubernetesObject[]> {
    mockStack();
    const settings = settingsFor(overrides);
    return (await valueOf(pulumi.output(prometheusObjects(settings, refs)))) as unknown as KubernetesObject[];
}

const find = (objects: KubernetesObject[], kind: string, name: string) => {
    const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
    assert.equal(found.length, 1, `${kind} ${name}`);
    return found[0] as any;
};
const podOf = (object: KubernetesObject) => podTemplatesOf(object)[0].get() as any;

/** The pod labels of every workload among the objects, by namespace (what the mesh rules judge selectors by). */
function podLabelsByNamespace(objects: KubernetesObject[]): Record<string, Array<Record<string, string>>> {
    const result: Record<string, Array<Record<string, string>>> = {};
    for (const object of objects) {
        for (const slot of podTemplatesOf(object)) {
            (result[object.metadata.namespace!] ??= []).push(slot.get().metadata?.labels ?? {});
        }
    }
    return result;
}

describe("prometheus collector: Kubernetes objects", () => {
    for (const mode of ["sidecar", "certificates", "off"] as const) {
        describe(`mesh mode ${mode}`, () => {
            it("every object validates against the Kubernetes and Istio schemas", async () => {
                const objects = await objectsOf({ ...modeArgs[mode], prometheus: { shards: 2 }, scrapeConfigs: [{ job_name: "orders" }] });
                for (const object of objects) {
                    await assert.doesNotReject(validateSchema(object), `${object.kind} ${object.metadata.name}`);
                }
            });

            it("passes the package's mesh rules, with its namespace, against the pods it runs", async () => {
                const settings = settingsFor(modeArgs[mode]);
                const objects = await objectsOf(modeArgs[mode]);
                const namespace: KubernetesObject = {
                    apiVersion: "v1",
                    kind: "Namespace",
                    metadata: { name: settings.namespace, labels: namespaceLabels(settings.istio) },
                };
                assert.deepEqual(
                    checkMeshObjects([namespace, ...objects], {
                        rootNamespace: settings.istio.rootNamespace,
                        podLabels: podLabelsByNamespace(objects),
                    }),
                    [],
                );
                // The label sets the component hands the rules describe the pods that exist.
                assert.deepEqual(
                    checkMeshObjects(objects, {
                        rootNamespace: settings.istio.rootNamespace,
                        podLabels: { monitoring: prometheusPodLabels },
                    }),
                    [],
                );
                const pods = podLabelsByNamespace(objects).monitoring;
                for (const labels of prometheusPodLabels) {
                    assert.ok(
                        pods.some((pod) => Object.entries(labels).every(([k, v]) => pod[k] === v)),
                        JSON.stringify(labels),
                    );
                }
            });

            it("runs everything in the collector's namespace, nothing in kube-system", async () => {
                const objects = await objectsOf(modeArgs[mode]);
                for (const object of objects.filter((o) => o.metadata.namespace !== undefined)) {
                    // The certificates mode's policies protect the scraped workloads, in their namespace.
                    const scraped = object.kind === "AuthorizationPolicy" && (object.metadata.name ?? "").includes("-metrics-scrape-");
                    const expected = scraped ? "shop" : "monitoring";
                    assert.equal(object.metadata.namespace, expected, `${object.kind} ${object.metadata.name}`);
                }
                // The configuration may discover targets there (the add-on's storage job); no object is there or names it.
                const withoutConfig = objects.map((o) => (o.kind === "ConfigMap" ? { ...o, data: undefined } : o));
                assert.ok(!JSON.stringify(withoutConfig).includes("kube-system"));
            });
        });
    }

    it("registers the objects the design names, one StatefulSet and ConfigMap per shard", async () => {
        const objects = await objectsOf({ prometheus: { shards: 3 } });
        assert.deepEqual(
            objects.map((o) => `${o.kind} ${o.metadata.name}`).sort(),
            [
                "PeerAuthentication default",
                "Sidecar default",
                "AuthorizationPolicy kube-state-metrics",
                "ClusterRole prometheus-agent-monitoring",
                "ClusterRoleBinding prometheus-agent-monitoring",
                "ServiceAccount prometheus-agent",
                "Service prometheus",
                "ClusterRole kube-state-metrics-monitoring",
                "ClusterRoleBinding kube-state-metrics-monitoring",
                "ServiceAccount kube-state-metrics",
                "Service kube-state-metrics",
                "Deployment kube-state-metrics",
                "ConfigMap prometheus-shard-0",
                "StatefulSet prometheus-shard-0",
                "ConfigMap prometheus-shard-1",
                "StatefulSet prometheus-shard-1",
                "ConfigMap prometheus-shard-2",
                "StatefulSet prometheus-shard-2",
                "PodDisruptionBudget prometheus-agent",
                "PriorityClass ama-metrics-istio-monitoring",
            ].sort(),
        );
    });

    describe("the shards", () => {
        it("each StatefulSet: one replica, the headless Service prometheus, its own ConfigMap, labels and selector of its shard", async () => {
            const objects = await objectsOf({ prometheus: { shards: 3 } });
            const service = find(objects, "Service", "prometheus");
            assert.equal(service.spec.clusterIP, "None");
            assert.deepEqual(service.spec.ports, [{ name: "http-web", port: 9090, targetPort: "http-web", protocol: "TCP" }]);
            for (let i = 0; i < 3; i++) {
                const set = find(objects, "StatefulSet", `prometheus-shard-${i}`);
                const pod = podOf(set);
                assert.equal(set.spec.replicas, 1);
                assert.equal(set.spec.serviceName, "prometheus");
                assert.deepEqual(pod.metadata.labels, {
                    "app.kubernetes.io/name": "prometheus-agent",
                    "app.kubernetes.io/part-of": "ama-metrics-istio",
                    "ama-metrics-istio/shard": String(i),
                    "azure.workload.identity/use": "true",
                });
                for (const [key, value] of Object.entries(set.spec.selector.matchLabels)) {
                    assert.equal(pod.metadata.labels[key], value);
                }
                for (const [key, value] of Object.entries(service.spec.selector)) {
                    assert.equal(pod.metadata.labels[key], value);
                }
                assert.deepEqual(
                    pod.spec.volumes.find((v: any) => v.name === "config"),
                    { name: "config", configMap: { name: `prometheus-shard-${i}` } },
                );
                const config = YAML.parse(find(objects, "ConfigMap", `prometheus-shard-${i}`).data["prometheus.yml"]);
                const keep = config.scrape_configs[0].relabel_configs.at(-1);
                assert.deepEqual(keep.regex, String(i));
            }
            const budget = find(objects, "PodDisruptionBudget", "prometheus-agent");
            assert.deepEqual(budget.spec, {
                maxUnavailable: 1,
                selector: { matchLabels: { "app.kubernetes.io/name": "prometheus-agent" } },
            });
        });

        it("runs Prometheus in agent mode, non-root and read-only, with the settings' image and resources", async () => {
            const objects = await objectsOf({
                prometheus: {
                    image: "registry.example/prometheus:v3.14.1",
                    resources: { requests: { cpu: "1" }, limits: { memory: "4Gi" } },
                },
            });
            const pod = podOf(find(objects, "StatefulSet", "prometheus-shard-0"));
            const [container] = pod.spec.containers;
            assert.equal(container.name, "prometheus");
            assert.equal(container.image, "registry.example/prometheus:v3.14.1");
            assert.deepEqual(container.args, [
                "--agent",
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.agent.path=/prometheus",
                "--storage.remote.flush-deadline=60s",
                "--web.listen-address=:9090",
            ]);
            assert.deepEqual(container.resources, { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "4Gi" } });
            assert.deepEqual(container.ports, [{ name: "http-web", containerPort: 9090, protocol: "TCP" }]);
            assert.deepEqual(container.readinessProbe.httpGet, { path: "/-/ready", port: "http-web" });
            assert.deepEqual(container.livenessProbe.httpGet, { path: "/-/healthy", port: "http-web" });
            const data = pod.spec.volumes.find((v: any) => v.name === "data");
            assert.deepEqual(data, { name: "data", emptyDir: {} });
            assert.ok(container.volumeMounts.some((m: any) => m.name === "data" && m.mountPath === "/prometheus"));
            assert.equal(pod.spec.serviceAccountName, "prometheus-agent");
            assertLockedDown(pod);
            // The default image: at least v3.14.0, the first release that reads AZURE_FEDERATED_TOKEN_FILE.
            const defaults = podOf(find(await objectsOf(), "StatefulSet", "prometheus-shard-0"));
            assert.equal(defaults.spec.containers[0].image, "quay.io/prometheus/prometheus:v3.14.0");
        });

        it("rolls a shard when its configuration changes: the pod carries the configuration's checksum", async () => {
            const annotation = "ama-metrics-istio/config-sha256";
            const checksums = async (overrides: Partial<AmaMetricsIstioArgs>) => {
                const objects = await objectsOf(overrides);
                return [0, 1].map((i) => {
                    const text = find(objects, "ConfigMap", `prometheus-shard-${i}`).data["prometheus.yml"];
                    const value = podOf(find(objects, "StatefulSet", `prometheus-shard-${i}`)).metadata.annotations[annotation];
                    assert.equal(value, createHash("sha256").update(text).digest("hex"));
                    return value;
                });
            };
            const first = await checksums({ prometheus: { shards: 2 } });
            assert.deepEqual(await checksums({ prometheus: { shards: 2 } }), first);
            assert.notEqual(first[0], first[1]);
            const changed = await checksums({ prometheus: { shards: 2, scrapeInterval: "1m" } });
            assert.notEqual(changed[0], first[0]);
            assert.notEqual(changed[1], first[1]);
        });

        it("Workload ID: the ServiceAccount names the identity, the pods ask the webhook for its token", async () => {
            const objects = await objectsOf();
            const account = find(objects, "ServiceAccount", "prometheus-agent");
            assert.deepEqual(account.metadata.annotations, {
                "azure.workload.identity/client-id": refs.clientId,
                "azure.workload.identity/tenant-id": refs.tenantId,
            });
            const pod = podOf(find(objects, "StatefulSet", "prometheus-shard-0"));
            assert.equal(pod.metadata.labels["azure.workload.identity/use"], "true");
        });
    });

    describe("mesh settings", () => {
        it("sidecar: STRICT on every port, the shards' web port 9090 included (no plaintext exception)", async () => {
            const objects = await objectsOf(modeArgs.sidecar);
            assert.deepEqual(find(objects, "PeerAuthentication", "default").spec, { mtls: { mode: "STRICT" } });
            assert.deepEqual(
                objects.filter((o) => o.kind === "PeerAuthentication").map((o) => o.metadata.name),
                ["default"],
            );
            for (const workload of [
                find(objects, "StatefulSet", "prometheus-shard-0"),
                find(objects, "Deployment", "kube-state-metrics"),
            ]) {
                const pod = podOf(workload);
                assert.equal(pod.metadata.labels["sidecar.istio.io/inject"], undefined, "meshed through the namespace");
                assert.equal(pod.metadata.annotations["traffic.sidecar.istio.io/includeOutboundIPRanges"], "10.0.0.0/16");
            }
        });

        it("certificates: the shards' sidecar writes its certificate where the mTLS job reads it; kube-state-metrics stays out", async () => {
            const objects = await objectsOf(modeArgs.certificates);
            const pod = podOf(find(objects, "StatefulSet", "prometheus-shard-0"));
            assert.equal(pod.metadata.labels["istio.io/rev"], "asm-1-27");
            const mount = pod.spec.containers[0].volumeMounts.find((m: any) => m.name === "istio-certs");
            assert.deepEqual(mount, { name: "istio-certs", mountPath: "/etc/prom-certs/", readOnly: true });
            const job = YAML.parse(find(objects, "ConfigMap", "prometheus-shard-0").data["prometheus.yml"]).scrape_configs.find(
                (j: any) => j.job_name === "istio-mtls-pods",
            );
            assert.deepEqual(job.tls_config, {
                ca_file: certFiles.ca,
                cert_file: certFiles.cert,
                key_file: certFiles.key,
                insecure_skip_verify: true,
            });
            for (const file of Object.values(certFiles)) {
                assert.ok(file.startsWith(mount.mountPath));
            }
            assert.equal(podOf(find(objects, "Deployment", "kube-state-metrics")).metadata.labels["sidecar.istio.io/inject"], "false");
            assert.ok(!objects.some((o) => o.kind === "PeerAuthentication"));
        });

        it("off: no Istio object, every pod opted out", async () => {
            const objects = await objectsOf(modeArgs.off);
            assert.ok(!objects.some((o) => o.apiVersion.includes("istio.io")));
            for (const workload of objects.filter((o) => podTemplatesOf(o).length > 0)) {
                assert.equal(podOf(workload).metadata.labels["sidecar.istio.io/inject"], "false");
            }
        });
    });

    describe("discovery RBAC", () => {
        const rulesOf = async (overrides: Partial<AmaMetricsIstioArgs>) =>
            find(await objectsOf(overrides), "ClusterRole", "prometheus-agent-monitoring").rules;

        it("the default jobs: list/watch nodes and pods (node and pod discovery) and get nodes/metrics (kubelet, cadvisor), nothing else", async () => {
            assert.deepEqual(await rulesOf({}), [
                { apiGroups: [""], resources: ["nodes", "pods"], verbs: ["list", "watch"] },
                { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
            ]);
        });

        it("follows the enabled jobs: no pods without the storage and network-observability jobs; endpoints and services with the API server's", async () => {
            const storageOff = {
                "acstor-capacity-provisioner": false,
                "acstor-metrics-exporter": false,
                networkobservabilityRetina: false,
                networkobservabilityHubble: false,
                networkobservabilityCilium: false,
            };
            assert.deepEqual(await rulesOf({ prometheus: { targets: storageOff } }), [
                { apiGroups: [""], resources: ["nodes"], verbs: ["list", "watch"] },
                { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
            ]);
            assert.deepEqual(await rulesOf({ prometheus: { targets: { ...storageOff, apiserver: true } } }), [
                { apiGroups: [""], resources: ["endpoints", "nodes", "pods", "services"], verbs: ["list", "watch"] },
                { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
            ]);
        });

        it("pods only with pod discovery: the certificates mode's mTLS job, or a user job", async () => {
            const storageOff = {
                "acstor-capacity-provisioner": false,
                "acstor-metrics-exporter": false,
                networkobservabilityRetina: false,
                networkobservabilityHubble: false,
                networkobservabilityCilium: false,
            };
            assert.deepEqual((await rulesOf({ ...modeArgs.certificates, prometheus: { targets: storageOff } }))[0], {
                apiGroups: [""],
                resources: ["nodes", "pods"],
                verbs: ["list", "watch"],
            });
            const user = { job_name: "apps", kubernetes_sd_configs: [{ role: "endpointslice", attach_metadata: { node: true } }] };
            assert.deepEqual(await rulesOf({ scrapeConfigs: [user], prometheus: { targets: storageOff } }), [
                { apiGroups: [""], resources: ["nodes", "pods", "services"], verbs: ["list", "watch"] },
                { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
                { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
            ]);
        });

        it("is bound to the agent's ServiceAccount under a name of its installation, and never reads secrets", async () => {
            const objects = await objectsOf({ namespace: "observability", ...modeArgs.certificates });
            const binding = find(objects, "ClusterRoleBinding", "prometheus-agent-observability");
            assert.deepEqual(binding.roleRef, {
                apiGroup: "rbac.authorization.k8s.io",
                kind: "ClusterRole",
                name: "prometheus-agent-observability",
            });
            assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "prometheus-agent", namespace: "observability" }]);
            const rules = find(objects, "ClusterRole", "prometheus-agent-observability").rules;
            assert.ok(!JSON.stringify(rules).includes("secrets"));
            assert.ok(rules.every((r: any) => r.verbs.every((v: string) => ["get", "list", "watch"].includes(v))));
        });
    });

    describe("kube-state-metrics, as the add-on runs it", () => {
        const chart = fixtureObjects("ama-metrics-chart", "rendered-aks-component.yaml");
        const chartDeployment = chart.find((o) => o.kind === "Deployment" && o.metadata.name === "ama-metrics-ksm") as any;
        const chartRole = chart.find((o) => o.kind === "ClusterRole" && o.metadata.name === "ama-metrics-ksm") as any;
        const chartContainer = chartDeployment.spec.template.spec.containers[0];
        const argOf = (args: string[], flag: string) => args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
        /** `group/resource verb` triples of a ClusterRole. */
        const grants = (rules: any[]) =>
            rules
                .flatMap((r) =>
                    r.apiGroups.flatMap((g: string) =>
                        r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${g}/${res} ${v}`)),
                    ),
                )
                .sort();

        it("the add-on's image and collectors, except secrets", async () => {
            const container = podOf(find(await objectsOf(), "Deployment", "kube-state-metrics")).spec.containers[0];
            assert.equal(container.image, chartContainer.image);
            const addOns = argOf(chartContainer.args, "--resources")!.split(",");
            assert.ok(addOns.includes("secrets"));
            assert.deepEqual(
                argOf(container.args, "--resources")!.split(","),
                addOns.filter((c) => c !== "secrets"),
            );
            assert.equal(argOf(container.args, "--port"), "8080");
            assert.equal(argOf(container.args, "--telemetry-port"), argOf(chartContainer.args, "--telemetry-port"));
        });

        it("no series of the withheld secrets collector feeds a Microsoft recording rule", () => {
            const rules = ["FullAzureMonitorMetricsProfile.json", "WindowsRecordingRules.json"]
                .map((file) => fs.readFileSync(fixture("azure-templates", file), "utf8"))
                .join("\n");
            assert.match(rules, /kube_pod_info/);
            assert.doesNotMatch(rules, /kube_secret/);
        });

        it("list/watch on what the add-on's ClusterRole grants but Secrets, bound to its own ServiceAccount", async () => {
            const objects = await objectsOf();
            const role = find(objects, "ClusterRole", "kube-state-metrics-monitoring");
            assert.deepEqual(
                grants(role.rules),
                grants(chartRole.rules).filter((grant) => !grant.startsWith("/secrets ")),
            );
            assert.ok(grants(chartRole.rules).includes("/secrets list"));
            assert.deepEqual(find(objects, "ClusterRoleBinding", "kube-state-metrics-monitoring").subjects, [
                { kind: "ServiceAccount", name: "kube-state-metrics", namespace: "monitoring" },
            ]);
            assert.equal(podOf(find(objects, "Deployment", "kube-state-metrics")).spec.serviceAccountName, "kube-state-metrics");
        });

        it("serves port 8080 (http-metrics) through the Service the agent scrapes, and runs locked down", async () => {
            const objects = await objectsOf();
            const service = find(objects, "Service", "kube-state-metrics");
            assert.deepEqual(service.spec.ports, [{ name: "http-metrics", port: 8080, targetPort: "http-metrics", protocol: "TCP" }]);
            const pod = podOf(find(objects, "Deployment", "kube-state-metrics"));
            for (const [key, value] of Object.entries(service.spec.selector)) {
                assert.equal(pod.metadata.labels[key], value);
            }
            assert.deepEqual(pod.spec.containers[0].ports, [
                { name: "http-metrics", containerPort: 8080, protocol: "TCP" },
                { name: "http-telemetry", containerPort: 8081, protocol: "TCP" },
            ]);
            const target = YAML.parse(find(objects, "ConfigMap", "prometheus-shard-0").data["prometheus.yml"]).scrape_configs.find(
                (j: any) => j.job_name === "kube-state-metrics",
            ).static_configs[0].targets[0];
            assert.equal(target, `${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:8080`);
            assertLockedDown(pod);
        });
    });
});

/** Non-root (nobody), no privilege escalation, no capabilities, read-only root, RuntimeDefault seccomp. */
function assertLockedDown(pod: any): void {
    assert.deepEqual(pod.spec.securityContext, {
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        fsGroup: 65534,
        seccompProfile: { type: "RuntimeDefault" },
    });
    for (const container of pod.spec.containers) {
        assert.equal(container.securityContext.allowPrivilegeEscalation, false);
        assert.equal(container.securityContext.readOnlyRootFilesystem, true);
        assert.deepEqual(container.securityContext.capabilities, { drop: ["ALL"] });
    }
    assert.deepEqual(pod.spec.nodeSelector, { "kubernetes.io/os": "linux" });
}
