// The prometheus collector's configuration, checked against upstream artifacts: the add-on's default jobs
// and keep-lists (Azure/prometheus-collector), Microsoft's recording rules (the ARM template), and
// Prometheus v3.14.0's `azuread` block. test/fixtures/prometheus/PROVENANCE.md says where each comes from.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as YAML from "yaml";
import type { AmaMetricsIstioArgs, ScrapeConfig } from "../../components";
import { collectorHealthGroup } from "../../components/azure/alertRules";
import { mtlsScrapeJob } from "../../components/mesh/scrapeJob";
import { CollectorValues, configText, prometheusConfig, PrometheusConfig } from "../../components/prometheus/config";
import { applicationSampleLimit, buildJob, scrapeJobs } from "../../components/prometheus/jobs";
import { baseArgs, fixture, fixtureObjects, settingsFor } from "../harness";
import { upstreamJob, upstreamMerger } from "../prometheusUpstream";

const values: CollectorValues = {
    clusterName: "aks-one",
    clientId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    remoteWriteUrl:
        "https://aks-amw-0mi2.eastus-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-00000000000000000000000000000000/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24",
};

const configOf = (overrides: Partial<AmaMetricsIstioArgs> = {}, shard = 0) => prometheusConfig(settingsFor(overrides), shard, values);

const jobOf = (config: PrometheusConfig, name: string): ScrapeConfig => {
    const job = config.scrape_configs.find((j) => j.job_name === name);
    assert.ok(job, `no job ${name}`);
    return job;
};

type Rule = Record<string, unknown>;
const relabels = (job: ScrapeConfig, field = "relabel_configs") => (job[field] as Rule[] | undefined) ?? [];

// ---------------------------------------------------------------------------------------------
// Upstream artifacts.

/** The registry's job of this name, and its add-on job file. */
const registered = (name: string) => scrapeJobs.find((j) => j.name === name)!;
const upstreamOf = (name: string) => upstreamJob(registered(name).upstream!.file);

/** The env of the add-on's Linux node DaemonSet in the rendered chart (what fills the `$$…$$` placeholders). */
const nodeAgentEnv: Record<string, string> = (() => {
    const daemonSet = fixtureObjects("ama-metrics-chart", "rendered-aks-component.yaml").find(
        (o) => o.kind === "DaemonSet" && o.metadata.name === "ama-metrics-node",
    ) as any;
    const container = daemonSet.spec.template.spec.containers.find((c: any) => c.name === "prometheus-collector");
    return Object.fromEntries(container.env.filter((e: any) => typeof e.value === "string").map((e: any) => [e.name, e.value]));
})();

/** A Prometheus `keep` on `__name__` (fully anchored, as Prometheus anchors relabel regexes). */
function keepRegexOf(job: ScrapeConfig, flags = ""): RegExp {
    const keeps = relabels(job, "metric_relabel_configs").filter((r) => r.action === "keep");
    assert.equal(keeps.length, 1, `${job.job_name}: one keep rule`);
    assert.deepEqual(keeps[0].source_labels, ["__name__"]);
    return new RegExp(`^(?:${keeps[0].regex as string})$`, flags);
}

describe("prometheus collector: configuration", () => {
    describe("the add-on's default jobs", () => {
        /** The registry's jobs the default settings turn on, in its order. */
        const defaultNames = () => scrapeJobs.filter((j) => j.enabled(settingsFor())).map((j) => j.name);

        it("runs the registry's jobs the defaults turn on, in its order, then the user's jobs with the default sample_limit", () => {
            const user = { job_name: "orders", static_configs: [{ targets: ["orders.shop:9102"] }] };
            const config = configOf({ scrapeConfigs: [user] });
            assert.deepEqual(
                config.scrape_configs.map((j) => j.job_name),
                [...defaultNames(), "orders"],
            );
            // The add-on's four node and cluster jobs, its two storage jobs, and the collector's own health.
            assert.deepEqual(defaultNames(), [
                "kubelet",
                "cadvisor",
                "node",
                "kube-state-metrics",
                "acstor-capacity-provisioner",
                "acstor-metrics-exporter",
                "networkobservability-retina",
                "networkobservability-hubble",
                "networkobservability-cilium",
                "prometheus-agent",
            ]);
            assert.deepEqual(jobOf(config, "orders"), { ...user, sample_limit: applicationSampleLimit });
            const own = { ...user, sample_limit: 1000 };
            assert.deepEqual(jobOf(configOf({ scrapeConfigs: [own] }), "orders"), own, "a user's own sample_limit stays");
        });

        it("every job carries a sample_limit", () => {
            const config = configOf({
                istio: { mode: "certificates", revision: "asm-1-27" },
                prometheus: { podAnnotationNamespaces: "shop", targets: { coredns: true, kubeproxy: true, apiserver: true } },
                scrapeConfigs: [{ job_name: "orders" }],
            });
            for (const job of config.scrape_configs) assert.ok(Number.isInteger(job.sample_limit), job.job_name);
        });

        it("prometheus.targets switches the add-on's jobs on and off, by its setting names", () => {
            const names = (targets: Record<string, boolean>) => configOf({ prometheus: { targets } }).scrape_configs.map((j) => j.job_name);
            assert.ok(
                !names({ cadvisor: false, "acstor-metrics-exporter": false }).some((n) =>
                    ["cadvisor", "acstor-metrics-exporter"].includes(n),
                ),
            );
            const more = names({ coredns: true, kubeproxy: true, apiserver: true });
            for (const job of ["kube-dns", "kube-proxy", "kube-apiserver"]) assert.ok(more.includes(job), job);
        });

        it("adds the mTLS job of mesh/scrapeJob.ts in the certificates mode, before the user's", () => {
            const config = configOf({
                istio: { mode: "certificates", revision: "asm-1-27", scrapeNamespaces: ["shop"] },
                scrapeConfigs: [{ job_name: "orders" }],
            });
            assert.deepEqual(
                config.scrape_configs.map((j) => j.job_name),
                [...defaultNames(), "istio-mtls-pods", "orders"],
            );
            assert.deepEqual(jobOf(config, "istio-mtls-pods"), { ...mtlsScrapeJob(["shop"]), sample_limit: applicationSampleLimit });
            for (const mode of ["sidecar", "off"] as const) {
                assert.ok(!configOf({ istio: { mode } }).scrape_configs.some((j) => j.job_name === "istio-mtls-pods"));
            }
        });

        it("the kubelet of Windows nodes only with prometheus.windowsKubelet", () => {
            const linuxOnly = { source_labels: ["__meta_kubernetes_node_label_kubernetes_io_os"], regex: "linux", action: "keep" };
            assert.deepEqual(relabels(jobOf(configOf(), "kubelet"))[0], linuxOnly);
            assert.ok(!relabels(jobOf(configOf({ prometheus: { windowsKubelet: true } }), "kubelet")).some((r) => r.regex === "linux"));
        });

        it("annotation-based pods: the add-on's kubernetes-pods job for the namespaces given, off by default", () => {
            assert.ok(!configOf().scrape_configs.some((j) => j.job_name === "kubernetes-pods"));
            const job = jobOf(configOf({ prometheus: { podAnnotationNamespaces: "shop|orders" } }), "kubernetes-pods");
            // The add-on's rules, then its namespace keep last (prometheus-config-merger.go AppendRelabelConfig).
            const upstream = relabels(upstreamOf("kubernetes-pods")).map((r) => (r.regex === true ? { ...r, regex: "true" } : r));
            assert.deepEqual(relabels(job), [
                ...upstream,
                { source_labels: ["__meta_kubernetes_namespace"], action: "keep", regex: "shop|orders" },
            ]);
            assert.deepEqual(job.kubernetes_sd_configs, [{ role: "pod" }]);
        });

        it("the collector's own health: each shard scrapes itself on loopback, instance = its pod, never hashed", () => {
            for (let shard = 0; shard < 3; shard++) {
                const job = jobOf(configOf({ prometheus: { shards: 3 } }, shard), "prometheus-agent");
                assert.deepEqual(job.static_configs, [{ targets: ["127.0.0.1:9090"] }]);
                assert.deepEqual(relabels(job), [
                    { target_label: "instance", replacement: `prometheus-shard-${shard}-0`, action: "replace" },
                ]);
                const keep = keepRegexOf(job);
                for (const name of [
                    "prometheus_remote_storage_samples_failed_total",
                    "prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
                    "prometheus_agent_active_series",
                    "prometheus_target_scrapes_exceeded_sample_limit_total",
                    "process_resident_memory_bytes",
                    "process_cpu_seconds_total",
                ]) {
                    assert.ok(keep.test(name), name);
                }
                assert.ok(!keep.test("go_gc_duration_seconds"));
            }
        });

        it("scrapes at the add-on's default interval, or the one given", () => {
            assert.deepEqual(configOf().global, { scrape_interval: "30s" });
            assert.deepEqual(configOf({ prometheus: { scrapeInterval: "1m" } }).global, { scrape_interval: "1m" });
            for (const job of scrapeJobs.filter((j) => j.upstream)) {
                assert.equal(upstreamJob(job.upstream!.file).scrape_interval, "$$SCRAPE_INTERVAL$$", job.name);
                assert.ok(!("scrape_interval" in buildJob(job, settingsFor(), 0)), `${job.name}: the global interval`);
            }
        });

        it("kubelet, cadvisor, node: discover nodes, target their InternalIP on the add-on's port, instance = node name", () => {
            const config = configOf();
            const ports: Record<string, string> = {
                kubelet: "10250",
                cadvisor: "10250",
                node: nodeAgentEnv.NODE_EXPORTER_TARGETPORT,
            };
            for (const [name, port] of Object.entries(ports)) {
                const [target] = (upstreamOf(name).static_configs as Array<{ targets: string[] }>)[0].targets;
                assert.equal(target.replace("$$NODE_EXPORTER_TARGETPORT$$", nodeAgentEnv.NODE_EXPORTER_TARGETPORT), `$$NODE_IP$$:${port}`);
                const ours = jobOf(config, name);
                assert.deepEqual(ours.kubernetes_sd_configs, [{ role: "node" }]);
                const rules = relabels(ours);
                const address = rules.filter((r) => r.target_label === "__address__");
                assert.deepEqual(
                    address.map((r) => [r.source_labels, r.replacement]),
                    [
                        [["__meta_kubernetes_node_address_InternalIP"], `$1:${port}`],
                        [["__meta_kubernetes_node_address_InternalIP"], `[$1]:${port}`],
                    ],
                );
                // The add-on replaces instance with $$NODE_NAME$$; here it comes from discovery.
                const upstreamInstance = relabels(upstreamOf(name)).find((r) => r.target_label === "instance");
                assert.equal(upstreamInstance?.replacement, "$$NODE_NAME$$");
                const instance = rules.filter((r) => r.target_label === "instance");
                assert.deepEqual(instance, [
                    { source_labels: ["__meta_kubernetes_node_name"], target_label: "instance", action: "replace" },
                ]);
            }
        });

        it("network observability: the agents' pods in kube-system, their host IP on the marker Service's port, instance = node name", () => {
            const config = configOf();
            // The add-on's node DaemonSet scrapes NODE_IP (status.hostIP) from the pod network, not the host's: the
            // agents answer on the node's IP to pods, as they must to this collector.
            const nodeAgent = fixtureObjects("ama-metrics-chart", "rendered-aks-component.yaml").find(
                (o) => o.kind === "DaemonSet" && o.metadata.name === "ama-metrics-node",
            ) as any;
            assert.equal(nodeAgent.spec.template.spec.hostNetwork, undefined);
            const env = nodeAgent.spec.template.spec.containers.find((c: any) => c.name === "prometheus-collector").env;
            assert.deepEqual(env.find((e: any) => e.name === "NODE_IP").valueFrom, { fieldRef: { fieldPath: "status.hostIP" } });
            // The marker Service's ports by name (microsoft/retina), and Retina's agent: hostNetwork, k8s-app=retina,
            // metrics on every interface at the Service's `retina` port, Hubble's at its `hubble` port.
            const marker = YAML.parse(fs.readFileSync(fixture("prometheus", "retina", "network-observability-svc.yaml"), "utf8"));
            const servicePorts: Record<string, number> = Object.fromEntries(marker.spec.ports.map((p: any) => [p.name, p.port]));
            assert.equal(marker.spec.selector, undefined, "a marker: no endpoints to discover");
            const daemonSet = fs.readFileSync(fixture("prometheus", "retina", "hubble-agent-daemonset.yaml"), "utf8");
            assert.match(daemonSet, /^ {6}hostNetwork: true$/m);
            assert.match(daemonSet, /^ {8}k8s-app: \{\{ include "retina.name" \. \}\}$/m);
            const retinaValues = YAML.parse(fs.readFileSync(fixture("prometheus", "retina", "hubble-values.yaml"), "utf8"));
            assert.equal(retinaValues.nameOverride, "retina");
            assert.deepEqual(retinaValues.apiServer, { host: "0.0.0.0", port: servicePorts.retina });
            assert.equal(retinaValues.hubble.metrics.port, servicePorts.hubble);
            // AKS's Cilium as Azure deploys it (Azure/azure-container-networking): the agent in kube-system, hostNetwork,
            // k8s-app=cilium; its metrics on every interface at 9962, Hubble's at 9965 where Hubble is on.
            const ciliumAgent = fixtureObjects("prometheus", "cilium", "daemonset.yaml")[0] as any;
            assert.equal(ciliumAgent.metadata.namespace, "kube-system");
            assert.equal(ciliumAgent.spec.template.spec.hostNetwork, true);
            assert.equal(ciliumAgent.spec.template.metadata.labels["k8s-app"], "cilium");
            const ciliumConfig = (file: string) => (fixtureObjects("prometheus", "cilium", file)[0] as any).data;
            const servePort = (address: string) => /^:(\d+)$/.exec(address)![1];
            const ciliumPort = Number(servePort(ciliumConfig("cilium-config.yaml")["prometheus-serve-addr"]));
            assert.equal(Number(servePort(ciliumConfig("cilium-config-hubble.yaml")["hubble-metrics-server"])), servicePorts.hubble);
            assert.equal(ciliumConfig("cilium-config.yaml")["enable-hubble"], "false");
            const expected: Record<string, { portName: string; port: number; apps: string[] }> = {
                "networkobservability-retina": { portName: "retina", port: servicePorts.retina, apps: ["retina"] },
                "networkobservability-hubble": { portName: "hubble", port: servicePorts.hubble, apps: ["retina", "cilium"] },
                "networkobservability-cilium": { portName: "cilium", port: ciliumPort, apps: ["cilium"] },
            };
            const linuxNodeRule = { source_labels: ["__meta_kubernetes_node_label_kubernetes_io_os"], regex: "linux", action: "keep" };
            for (const [name, { portName, port, apps }] of Object.entries(expected)) {
                const upstream = relabels(upstreamOf(name));
                assert.deepEqual(upstreamOf(name).kubernetes_sd_configs, [{ role: "service" }]);
                assert.equal(upstream[0].regex, `kube-system;network-observability;${portName}`);
                assert.equal(upstream.find((r) => r.target_label === "__address__")?.replacement, "$$NODE_IP$$");
                assert.equal(upstream.find((r) => r.target_label === "instance")?.replacement, "$$NODE_NAME$$");
                const ours = jobOf(config, name);
                // The add-on runs the job on Linux nodes only where its merger says so (`OS_TYPE` "linux").
                const target = registered(name).target!.toUpperCase();
                const block = upstreamMerger.split(`AZMON_PROMETHEUS_${target}_SCRAPING_ENABLED`)[1].slice(0, 800);
                const linuxOnly = /os\.Getenv\("OS_TYPE"\)\) == "linux"/.test(block);
                assert.equal(linuxOnly, name !== "networkobservability-retina", `${name}: the merger's OS rule`);
                assert.deepEqual(ours.kubernetes_sd_configs, [
                    { role: "pod", namespaces: { names: ["kube-system"] }, ...(linuxOnly ? { attach_metadata: { node: true } } : {}) },
                ]);
                const rules = relabels(ours);
                assert.equal(
                    rules.some((r) => JSON.stringify(r) === JSON.stringify(linuxNodeRule)),
                    linuxOnly,
                    `${name}: keeps Linux nodes only iff the add-on does`,
                );
                const keep = rules.find((r) => r.action === "keep" && JSON.stringify(r.source_labels).includes("k8s_app"))!;
                assert.deepEqual(keep.source_labels, ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_k8s_app"]);
                const selects = (value: string) => new RegExp(`^(?:${keep.regex as string})$`).test(value);
                for (const app of apps) assert.ok(selects(`kube-system;${app}`), `${name} takes k8s-app=${app}`);
                for (const other of ["kube-system;hubble-relay", "kube-system;retina-operator", "shop;retina", "kube-system;kappie"]) {
                    assert.ok(!selects(other), `${name} leaves ${other}`);
                }
                assert.deepEqual(
                    rules.filter((r) => r.target_label === "__address__").map((r) => [r.source_labels, r.replacement]),
                    [
                        [["__meta_kubernetes_pod_host_ip"], `$1:${port}`],
                        [["__meta_kubernetes_pod_host_ip"], `[$1]:${port}`],
                    ],
                );
                assert.deepEqual(
                    rules.filter((r) => r.target_label === "instance"),
                    [{ source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "instance", action: "replace" }],
                );
            }
        });

        it("a component's absence pages nobody: the collector's target-down alert leaves the component jobs out", () => {
            // Where the agent is absent its job has no target; where Hubble is off its targets are down (the job's
            // comment): neither may raise CollectorTargetsDown.
            const rule = collectorHealthGroup("prometheus", "aks-one", 1).rules.find((r) => r.alert === "CollectorTargetsDown")!;
            const jobs = new RegExp(`^(?:${/job=~"([^"]+)"/.exec(rule.expression)![1]})$`);
            assert.ok(jobs.test("node"), "the alert's selector is read right");
            for (const name of ["networkobservability-retina", "networkobservability-hubble", "networkobservability-cilium"]) {
                assert.ok(!jobs.test(name), name);
            }
        });

        it("kube-state-metrics: the add-on's Service-DNS target form, for the collector's own Service and cluster domain", () => {
            const [upstream] = (upstreamOf("kube-state-metrics").static_configs as Array<{ targets: string[] }>)[0].targets;
            const expected = (namespace: string) =>
                upstream.replace("$$KUBE_STATE_NAME$$", "kube-state-metrics").replace("$$POD_NAMESPACE$$", namespace);
            assert.deepEqual(jobOf(configOf(), "kube-state-metrics").static_configs, [{ targets: [expected("monitoring")] }]);
            const elsewhere = configOf({
                namespace: "observability",
                cluster: { ...baseArgs().cluster, clusterDomain: "corp.internal" },
            });
            assert.deepEqual(jobOf(elsewhere, "kube-state-metrics").static_configs, [
                { targets: [expected("observability").replace(".svc.cluster.local:", ".svc.corp.internal:")] },
            ]);
        });
    });

    describe("Microsoft's recording rules", () => {
        const template = JSON.parse(fs.readFileSync(fixture("azure-templates", "FullAzureMonitorMetricsProfile.json"), "utf8"));
        const groups = (template.resources as any[])
            .filter((r) => r.type === "Microsoft.AlertsManagement/prometheusRuleGroups")
            .map((r) => ({
                name: r.name as string,
                windows: /Win'\)\]$/.test(r.name),
                expressions: r.properties.rules.map((x: any) => x.expression as string),
            }));

        // Names the rules read that the add-on keeps under another spelling or not at all, and why that is fine.
        const knownGaps: Record<string, string> = {
            // No kube-state-metrics release exposes it (KSM has kube_pod_init_container_status_restarts_total); it is
            // the right-hand side of an `or`, and the rule works from the left-hand side.
            kube_pod_init_status_restarts_total: "kube-state-metrics",
        };

        /** Every vector selector of an expression: metric name and `job="…"` filter, recorded series left out. */
        function selectors(expression: string): Array<{ metric: string; job?: string }> {
            return [...expression.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*\{([^}]*)\}/g)]
                .filter((m) => !m[1].includes(":"))
                .map((m) => ({ metric: m[1], job: /(?:^|,)\s*job\s*=\s*"([^"]*)"/.exec(m[2])?.[1] }));
        }

        it("finds the three Linux and three Windows groups of the template", () => {
            assert.equal(groups.filter((g) => !g.windows).length, 3);
            assert.equal(groups.filter((g) => g.windows).length, 3);
        });

        it("Linux groups read every raw series through a selector (none is missed by the extraction)", () => {
            for (const group of groups.filter((g) => !g.windows)) {
                for (const expression of group.expressions) {
                    const bare = expression
                        .replace(/"[^"]*"/g, '""')
                        .replace(/\{[^}]*\}/g, "{}")
                        .match(/[A-Za-z_:][A-Za-z0-9_:]*(?!\s*[{A-Za-z0-9_:])/g)
                        ?.filter((token: string) => /^(node|container|kube|kubelet)_/.test(token));
                    assert.deepEqual(bare ?? [], [], `${group.name}: ${expression}`);
                }
            }
        });

        it("every metric a rule reads is kept by the job the rule filters on (by any default job when it names none)", () => {
            const config = configOf();
            // Azure Monitor matches metric names case-insensitively (Learn: "Azure Monitor managed service for
            // Prometheus is a case-insensitive system"): the UX group's node_memory_cached_bytes reads node-exporter's
            // node_memory_Cached_bytes.
            const keeps = Object.fromEntries(
                config.scrape_configs
                    .filter((j) => registered(j.job_name)?.upstream?.keepListVariable)
                    .map((j) => [j.job_name, keepRegexOf(j, "i")]),
            );
            const checked = new Set<string>();
            for (const group of groups) {
                for (const expression of group.expressions) {
                    for (const { metric, job } of selectors(expression)) {
                        if (job === undefined || !(job in keeps)) {
                            // Windows groups also read windows-exporter, which the collector does not run, and their own
                            // recorded series: there, only what they read from the collector's jobs is checked.
                            if (group.windows) continue;
                            assert.ok(job === undefined, `${group.name} filters on job ${job}, which the collector does not run`);
                        }
                        if (metric in knownGaps) {
                            assert.equal(job, knownGaps[metric]);
                            continue;
                        }
                        const keptBy = job === undefined ? Object.keys(keeps).filter((j) => keeps[j].test(metric)) : [job];
                        assert.ok(
                            keptBy.length > 0 && keptBy.every((j) => keeps[j].test(metric)),
                            `${metric}{job="${job}"} (${group.name})`,
                        );
                        checked.add(metric.toLowerCase());
                    }
                }
            }
            // The research's list of what the Linux groups read (node, cadvisor, kube-state-metrics) is all there.
            for (const metric of [
                "node_cpu_seconds_total",
                "node_load1",
                "node_memory_memavailable_bytes",
                "node_vmstat_pgmajfault",
                "node_disk_io_time_weighted_seconds_total",
                "node_network_transmit_drop_total",
                "container_cpu_usage_seconds_total",
                "container_memory_swap",
                "kube_pod_info",
                "kube_pod_owner",
                "kube_replicaset_owner",
                "kube_pod_status_reason",
                "kube_pod_deletion_timestamp",
                "kube_pod_init_container_info",
            ]) {
                assert.ok(checked.has(metric), metric);
            }
        });

        it("the known gaps are still in the rules and still not kept (so the exception cannot outlive its reason)", () => {
            const keep = keepRegexOf(jobOf(configOf(), "kube-state-metrics"), "i");
            for (const [metric, job] of Object.entries(knownGaps)) {
                const uses = groups.flatMap((g) => g.expressions.flatMap(selectors)).filter((s) => s.metric === metric);
                assert.ok(uses.length > 0 && uses.every((s) => s.job === job), metric);
                assert.ok(!keep.test(metric), metric);
            }
        });

        it("a keep-list that loses a metric the rules read fails the check", () => {
            const config = configOf();
            const keep = relabels(jobOf(config, "node"), "metric_relabel_configs")[0];
            const broken = new RegExp(`^(?:${(keep.regex as string).replace("node_load1|", "")})$`, "i");
            assert.ok(!broken.test("node_load1"));
            assert.ok(
                groups.some((g) =>
                    g.expressions.some((e: string) => selectors(e).some((s) => s.metric === "node_load1" && s.job === "node")),
                ),
            );
        });
    });

    describe("sharding", () => {
        it("one shard: no hashmod anywhere", () => {
            assert.ok(!JSON.stringify(configOf()).includes("hashmod"));
        });

        it("N shards: every job of shard i keeps bucket i of N on the scraped address, so the shards split every job", () => {
            const shards = 3;
            const user = { job_name: "orders", static_configs: [{ targets: ["orders.shop:9102"] }] };
            const overrides = {
                prometheus: { shards },
                scrapeConfigs: [user],
                istio: { mode: "certificates" as const, revision: "asm-1-27" },
            };
            const configs = Array.from({ length: shards }, (_, i) => configOf(overrides, i));
            const kept = new Map<string, string[]>();
            const unsplit = scrapeJobs.filter((j) => !j.sharded).map((j) => j.name);
            assert.deepEqual(unsplit, ["prometheus-agent"], "only the collector's own health is per shard");
            for (const [i, config] of configs.entries()) {
                assert.deepEqual(
                    config.scrape_configs.map((j) => j.job_name),
                    configOf({ ...overrides, prometheus: { shards: 1 } }).scrape_configs.map((j) => j.job_name),
                );
                for (const job of config.scrape_configs.filter((j) => !unsplit.includes(j.job_name))) {
                    const rules = relabels(job);
                    const [hash, keep] = rules.slice(-2);
                    assert.equal(hash.action, "hashmod", `${job.job_name}: the hashmod comes last, after the address is final`);
                    assert.deepEqual(hash.source_labels, ["__address__"]);
                    assert.equal(hash.modulus, shards);
                    assert.match(String(hash.target_label), /^__tmp_/);
                    assert.deepEqual(keep, { source_labels: [hash.target_label], regex: String(i), action: "keep" });
                    kept.set(job.job_name, [...(kept.get(job.job_name) ?? []), keep.regex as string]);
                    // Everything but the two rules is the unsharded job.
                    const unsharded = configOf({ ...overrides, prometheus: { shards: 1 } }).scrape_configs.find(
                        (j) => j.job_name === job.job_name,
                    )!;
                    assert.deepEqual(
                        { ...job, relabel_configs: rules.slice(0, -2) },
                        { ...unsharded, relabel_configs: relabels(unsharded) },
                    );
                }
            }
            for (const [job, buckets] of kept) {
                assert.deepEqual(buckets, ["0", "1", "2"], `${job}: disjoint and complete`);
            }
            assert.deepEqual(
                user,
                { job_name: "orders", static_configs: [{ targets: ["orders.shop:9102"] }] },
                "the user's job is not modified",
            );
        });
    });

    describe("the file", () => {
        it("is the same text for the same configuration, without YAML aliases, and reads back as the configuration", () => {
            const config = configOf({ prometheus: { shards: 2 } }, 1);
            const text = configText(config);
            assert.equal(configText(configOf({ prometheus: { shards: 2 } }, 1)), text);
            assert.ok(!/[&*]a\d/.test(text));
            assert.deepEqual(YAML.parse(text), JSON.parse(JSON.stringify(config)));
        });
    });
});
