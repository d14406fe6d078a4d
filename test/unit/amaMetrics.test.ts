// The objects the component builds for ama-metrics, as plain data: the target allocator's protection in
// each mode, the agent's settings and custom jobs where its pods read them (read from the rendering), the
// chart values (against the values file the component's rendering was made with), all against the
// upstream Kubernetes and Istio schemas.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { amaMetricsObjects, configMaps, relocationOptions, targetAllocatorProtection } from "../../components/amaMetrics";
import { componentValues, mergeValues } from "../../components/amaMetrics/values";
import type { ScrapeConfig } from "../../components/core/args";
import { Container, KubernetesObject, labelsMatch } from "../../components/core/kubernetes";
import { chartRenderings, find, fixture, fixtureObjects, podOf, settingsFor, validateSchema } from "../harness";

const certificates = { mode: "certificates", revision: "asm-1-27" } as const;

const podLabelsOf = (objects: KubernetesObject[]) =>
    objects
        .filter((o) => o.kind === "Deployment" || o.kind === "DaemonSet")
        .map((o) => ({ name: o.metadata.name, labels: podOf(o).metadata!.labels! }));

describe("the upstream schemas", () => {
    it("refuse what is not a valid object (so that passing them means something)", async () => {
        const policy = targetAllocatorProtection(settingsFor({ istio: { mode: "off" } }, "ama-metrics"));
        await assert.rejects(validateSchema({ ...policy, spec: { ...(policy.spec as object), policyTypes: "Ingress" } }));
        const authorization = targetAllocatorProtection(settingsFor({}, "ama-metrics"));
        await assert.rejects(validateSchema({ ...authorization, spec: { ...(authorization.spec as object), action: "PERMIT" } }));
    });
});

for (const rendering of chartRenderings) {
    describe(`ama-metrics objects, against ${rendering}`, () => {
        const rendered = fixtureObjects("ama-metrics-chart", rendering);
        const pods = podLabelsOf(rendered);
        const allocator = find(rendered, "Deployment", "ama-metrics-operator-targets");
        const collector = find(rendered, "Deployment", "ama-metrics");
        const serviceAccount = podOf(collector).spec!.serviceAccountName as string;
        // The port the allocator's Service sends the agent's plain-HTTP calls to (port 80).
        const allocatorPort = (
            find(rendered, "Service", "ama-metrics-operator-targets").spec as { ports: Array<{ port: number; targetPort: number }> }
        ).ports.find((p) => p.port === 80)!.targetPort;
        // The port of the allocator's liveness probes.
        const healthPorts = [
            ...new Set(
                (podOf(allocator).spec!.containers as Container[]).map(
                    (c) => (c.livenessProbe as { httpGet: { port: number } }).httpGet.port,
                ),
            ),
        ];
        /** The single pod an object's label selector selects, by its workload's name. */
        const selected = (selector: Record<string, string>) => pods.filter((p) => labelsMatch(selector, p.labels)).map((p) => p.name);

        describe("the target allocator's protection", () => {
            it("sidecar mode: an AuthorizationPolicy admitting only the collector's identity, on the allocator's port", async () => {
                for (const trustDomain of ["cluster.local", "mesh.example.com"]) {
                    const policy = targetAllocatorProtection(
                        settingsFor({ namespace: "observability", istio: { trustDomain } }, "ama-metrics"),
                    );
                    assert.equal(policy.apiVersion, "security.istio.io/v1");
                    assert.equal(policy.kind, "AuthorizationPolicy");
                    assert.equal(policy.metadata.namespace, "observability");
                    const spec = policy.spec as {
                        selector: { matchLabels: Record<string, string> };
                        action: string;
                        rules: Array<{ from: Array<{ source: { principals: string[] } }>; to: Array<{ operation: { ports: string[] } }> }>;
                    };
                    assert.deepEqual(spec.selector.matchLabels, { rsName: "ama-metrics-operator-targets" });
                    assert.deepEqual(selected(spec.selector.matchLabels), ["ama-metrics-operator-targets"]);
                    assert.equal(spec.action, "ALLOW");
                    assert.deepEqual(spec.rules, [
                        {
                            from: [{ source: { principals: [`${trustDomain}/ns/observability/sa/${serviceAccount}`] } }],
                            to: [{ operation: { ports: [String(allocatorPort)] } }],
                        },
                    ]);
                    await validateSchema(policy);
                }
            });

            for (const istio of [certificates, { mode: "off" } as const]) {
                it(`${istio.mode} mode: a NetworkPolicy admitting only the collector's pods on the allocator's port, the health port open`, async () => {
                    const policy = targetAllocatorProtection(settingsFor({ istio }, "ama-metrics"));
                    assert.equal(policy.apiVersion, "networking.k8s.io/v1");
                    assert.equal(policy.kind, "NetworkPolicy");
                    assert.equal(policy.metadata.namespace, "monitoring");
                    const spec = policy.spec as {
                        podSelector: { matchLabels: Record<string, string> };
                        policyTypes: string[];
                        ingress: Array<{
                            from?: Array<{ podSelector: { matchLabels: Record<string, string> } }>;
                            ports: Array<{ protocol: string; port: number }>;
                        }>;
                    };
                    assert.deepEqual(selected(spec.podSelector.matchLabels), ["ama-metrics-operator-targets"]);
                    assert.deepEqual(spec.policyTypes, ["Ingress"]);
                    const fromCollector = spec.ingress.filter((rule) => rule.from !== undefined);
                    assert.equal(fromCollector.length, 1);
                    assert.deepEqual(
                        fromCollector[0].from!.map((peer) => selected(peer.podSelector.matchLabels)),
                        [["ama-metrics"]],
                    );
                    assert.deepEqual(fromCollector[0].ports, [{ protocol: "TCP", port: allocatorPort }]);
                    const open = spec.ingress.filter((rule) => rule.from === undefined);
                    assert.deepEqual(
                        open.flatMap((rule) => rule.ports),
                        healthPorts.map((port) => ({ protocol: "TCP", port })),
                    );
                    await validateSchema(policy);
                });
            }
        });

        describe("the agent's settings and custom scrape jobs", () => {
            // Where the agent reads them (Azure/prometheus-collector, otelcollector/shared/configmap/mp): its
            // settings under /etc/config/settings (definitions.go), its custom jobs from
            // /etc/config/settings/prometheus/prometheus-config (prometheus-config-merger.go).
            const settingsDirectory = "/etc/config/settings";
            const customConfigFile = "/etc/config/settings/prometheus/prometheus-config";
            /** The ConfigMap a container mounts at a directory, through the pod's volumes. */
            const mountedConfigMap = (workload: KubernetesObject, containerName: string, directory: string) => {
                const pod = podOf(workload);
                const container = (pod.spec!.containers as Container[]).find((c) => c.name === containerName)!;
                const mount = container.volumeMounts!.find((m) => m.mountPath === directory);
                assert.ok(mount, `${containerName} mounts ${directory}`);
                const volume = pod.spec!.volumes!.find((v) => v.name === mount.name)!;
                const configMap = volume.configMap as { name: string; optional?: boolean };
                assert.equal(configMap.optional, true, "read as an optional volume");
                return configMap.name;
            };
            const expected = {
                settings: mountedConfigMap(collector, "prometheus-collector", settingsDirectory),
                customConfig: mountedConfigMap(collector, "prometheus-collector", path.posix.dirname(customConfigFile)),
                key: path.posix.basename(customConfigFile),
            };

            it("are what the collector and the target allocator's config reader mount", () => {
                assert.equal(mountedConfigMap(allocator, "config-reader", settingsDirectory), expected.settings);
                assert.equal(mountedConfigMap(allocator, "config-reader", path.posix.dirname(customConfigFile)), expected.customConfig);
            });

            const userJobs: ScrapeConfig[] = [
                { job_name: "orders", static_configs: [{ targets: ["orders.shop:9090"] }] },
                { job_name: "payments", kubernetes_sd_configs: [{ role: "pod" }] },
            ];
            const jobsOf = (configMap: KubernetesObject) =>
                (YAML.parse((configMap.data as Record<string, string>)[expected.key]) as { scrape_configs: ScrapeConfig[] }).scrape_configs;

            it("render chart.settings and scrapeConfigs into the ConfigMaps the pods mount, in the agent's namespace", async () => {
                const settings = { "default-scrape-settings-enabled": "kubelet = true\ncoredns = false\n" };
                const objects = configMaps(
                    settingsFor({ namespace: "observability", chart: { settings }, scrapeConfigs: userJobs }, "ama-metrics"),
                );
                assert.deepEqual(
                    objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
                    [`ConfigMap observability/${expected.settings}`, `ConfigMap observability/${expected.customConfig}`],
                );
                assert.deepEqual(objects[0].data, settings);
                assert.deepEqual(Object.keys(objects[1].data as object), [expected.key]);
                assert.deepEqual(jobsOf(objects[1]), userJobs);
                for (const object of objects) await validateSchema(object);
            });

            it("put the certificates mode's mTLS job after the user's jobs", () => {
                const [custom] = configMaps(settingsFor({ istio: certificates, scrapeConfigs: userJobs }, "ama-metrics"));
                const jobs = jobsOf(custom);
                assert.deepEqual(jobs.slice(0, 2), userJobs);
                assert.equal(jobs.length, 3);
                assert.equal(jobs[2].job_name, "istio-mtls-pods");
                assert.equal((jobs[2].tls_config as { cert_file: string }).cert_file, "/etc/prom-certs/cert-chain.pem");
                // Alone, without user jobs, too; limited to the scraped namespaces when given.
                const [alone] = configMaps(settingsFor({ istio: { ...certificates, scrapeNamespaces: ["shop"] } }, "ama-metrics"));
                assert.deepEqual(
                    jobsOf(alone).map((j) => [j.job_name, j.kubernetes_sd_configs]),
                    [["istio-mtls-pods", [{ role: "pod", namespaces: { names: ["shop"] } }]]],
                );
            });

            it("render nothing when there is nothing to say (the agent's volumes are optional)", () => {
                assert.deepEqual(configMaps(settingsFor({}, "ama-metrics")), []);
                assert.deepEqual(configMaps(settingsFor({ istio: { mode: "off" } }, "ama-metrics")), []);
            });
        });

        it("amaMetricsObjects: every object passes the schemas, in the agent's namespace, kube-system or a scraped namespace", async () => {
            const targets = [{ namespace: "shop", selector: { app: "cart" }, ports: [9090], acknowledgeDefaultDeny: true }];
            for (const istio of [
                {},
                { meshNodeDaemonSet: true },
                { ...certificates, authorizationPolicies: targets },
                { mode: "off" as const },
            ]) {
                const objects = amaMetricsObjects(
                    settingsFor({ istio, chart: { settings: { a: "b" } }, scrapeConfigs: [{ job_name: "x" }] }, "ama-metrics"),
                );
                for (const object of objects) {
                    await validateSchema(object);
                    assert.ok(
                        ["monitoring", "kube-system", "shop"].includes(object.metadata.namespace!),
                        `${object.kind} ${object.metadata.namespace}`,
                    );
                }
                const protection = objects.filter(
                    (o) => o.metadata.name === "ama-metrics-operator-targets" && o.metadata.namespace === "monitoring",
                );
                assert.deepEqual(
                    protection.map((o) => o.kind),
                    [istio.mode === undefined ? "AuthorizationPolicy" : "NetworkPolicy"],
                );
            }
        });
    });
}

describe("relocationOptions", () => {
    // Spelled out on purpose: the other tests take the component's relocation from relocationOptions (the
    // harness's relocationFor), so this is where its values are pinned.
    it("carries the component's namespace, token secret and pod mesh settings", () => {
        const settings = settingsFor(
            {
                namespace: "observability",
                tokenSecret: { name: "agent-token", namespace: "secrets" },
                istio: {
                    revision: "asm-1-27",
                    meshNodeDaemonSet: true,
                    extraExcludeOutboundPorts: [9999],
                    proxyResources: { node: { cpu: "1" } },
                },
            },
            "ama-metrics",
        );
        assert.deepEqual(relocationOptions(settings), {
            namespace: "observability",
            tokenSecret: { name: "agent-token", namespace: "secrets" },
            mesh: {
                mode: "sidecar",
                revision: "asm-1-27",
                meshNodeDaemonSet: true,
                proxyResources: { collector: { cpu: "100m", memory: "128Mi" }, node: { cpu: "1", memory: "256Mi" } },
                serviceCidr: "10.0.0.0/16",
                extraExcludeOutboundIPRanges: [],
                extraExcludeOutboundPorts: [9999],
            },
        });
    });
});

describe("chart values", () => {
    // The values file the component's rendering was made with (test/fixtures/ama-metrics-chart/PROVENANCE.md).
    const file = YAML.parse(fs.readFileSync(fixture("ama-metrics-chart", "values-component.yaml"), "utf8"));
    const input = {
        clusterResourceId: file.global.commonGlobals.Customer.AzureResourceID,
        location: file.global.commonGlobals.Region,
        cloudEnvironment: file.global.commonGlobals.CloudEnvironment,
        kubernetesVersion: file.global.commonGlobals.Versions.Kubernetes,
        imageTag: file.AzureMonitorMetrics.ImageTag,
        openTelemetryMetrics: false,
    };

    /** Every leaf of a values tree, by path. */
    const leaves = (value: unknown, at = ""): [string, unknown][] =>
        typeof value === "object" && value !== null && !Array.isArray(value)
            ? Object.entries(value).flatMap(([key, item]) => leaves(item, at ? `${at}.${key}` : key))
            : [[at, value]];
    const at = (tree: unknown, dotted: string) => dotted.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], tree);

    it("are the values the component's rendering was made with", () => {
        const values = componentValues(input);
        const set = leaves(values);
        assert.ok(set.length >= 12);
        for (const [key, value] of set) assert.deepEqual(value, at(file, key), key);
        assert.equal(
            values.AzureMonitorMetrics && (values.AzureMonitorMetrics as Record<string, unknown>).OperatorTargetsHttpsEnabled,
            false,
        );
    });

    it("turn the node agent's OpenTelemetry receiver on only when asked", () => {
        assert.equal(componentValues(input).AppmonitoringAgent, undefined);
        assert.deepEqual(componentValues({ ...input, openTelemetryMetrics: true }).AppmonitoringAgent, {
            isOpenTelemetryMetricsEnabled: true,
        });
    });

    it("merge as Helm merges values: maps key by key, lists and scalars replaced whole", () => {
        const base = { a: { b: 1, c: [1, 2, 3], d: { e: "x" } }, f: "g" };
        assert.deepEqual(mergeValues(base, { a: { c: [9], d: { h: true } }, f: { i: 1 } }), {
            a: { b: 1, c: [9], d: { e: "x", h: true } },
            f: { i: 1 },
        });
        assert.deepEqual(base, { a: { b: 1, c: [1, 2, 3], d: { e: "x" } }, f: "g" }, "the base is not modified");
    });
});

describe("the README's Secret access for Kubernetes 1.37 and later", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => YAML.parse(m[1]) as KubernetesObject);

    it("is a valid Role and RoleBinding granting the agent's ServiceAccount, in the collector's namespace, read on Secrets", async () => {
        const role = blocks.find((b) => b?.kind === "Role" && b.metadata.name === "ama-metrics-secrets-reader");
        const binding = blocks.find((b) => b?.kind === "RoleBinding" && b.metadata.name === "ama-metrics-secrets-reader");
        assert.ok(role && binding, "the README shows both");
        await validateSchema(role);
        await validateSchema(binding);
        assert.equal(binding.metadata.namespace, role.metadata.namespace);
        assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
        // The relocated agent's identity: the chart's ServiceAccount, moved into the collector's namespace.
        const settings = settingsFor({}, "ama-metrics");
        const serviceAccount = podOf(
            find(fixtureObjects("ama-metrics-chart", chartRenderings[0]), "Deployment", "ama-metrics-operator-targets"),
        ).spec!.serviceAccountName;
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: serviceAccount, namespace: settings.namespace }]);
        // What Microsoft's instructions grant (internal/docs/secret-restriction-changes.md, Step 4).
        assert.deepEqual(role.rules, [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }]);
    });
});
