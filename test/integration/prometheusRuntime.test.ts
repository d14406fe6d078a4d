// The collector's configuration run by a real Prometheus: Debian's `prometheus` package (2.42), which gives
// `promtool` and the server. promtool checks the configuration; then a Prometheus agent with the collector's
// jobs scrapes stand-ins for a kubelet, node-exporter and kube-state-metrics on 127.0.0.1 and remote-writes
// to a second Prometheus that receives remote writes, whose API says what arrived. All local: free ports,
// temporary directories, processes stopped in `after`, polling against a deadline.
//
// Debian's 2.42 build differs from the v3.14 the collector runs in two ways that matter (research notes,
// Prometheus 5.5): it has no `remote_write.azuread` (added in 2.45) and it is built without Kubernetes
// discovery. `onLoopback` below changes exactly those two things, and where the loopback needs it, the
// ports and files; the `azuread` block is checked against v3.14.0's source in test/unit/prometheusConfig.

import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { validateArgs } from "../../components/arguments/validate";
import type { PrometheusCollectorSettings } from "../../components/core/settings";
import { CollectorValues, configText, prometheusConfig, PrometheusConfig } from "../../components/prometheus/config";
import { scrapeJobs } from "../../components/prometheus/jobs";
import { baseArgs, fixture } from "../harness";
import { anchored, upstreamKeepLists } from "../prometheusUpstream";

const install = "install Debian's prometheus package (`apt-get install -y --no-install-recommends prometheus`, as .ci/run does)";

const values: CollectorValues = {
    clusterName: "aks-one",
    clientId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    remoteWriteUrl:
        "https://example.westeurope-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-0/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24",
};

/** Two nodes as Kubernetes' node discovery would describe them: a Linux and a Windows node. */
const nodes = [
    { name: "aks-nodepool1-12345678-vmss000000", internalIp: "127.0.0.1", os: "linux" },
    { name: "akswin000000", internalIp: "127.0.0.1", os: "windows" },
];
const linuxNode = nodes[0].name;
/** The node of a Cilium cluster's agent (its hubble and cilium metrics). */
const ciliumNode = "aks-cilium-12345678-vmss000000";

// What the stand-ins serve. Which names the add-on keeps comes from its Go source (the keep-list fixture);
// the test checks its own choice against it before relying on it.
const served = {
    kubelet: {
        kept: ["kubelet_running_pods", "process_cpu_seconds_total"],
        dropped: ["kubelet_http_requests_total"],
        text: `# TYPE kubelet_running_pods gauge\nkubelet_running_pods 12\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n# TYPE kubelet_http_requests_total counter\nkubelet_http_requests_total{path="pods"} 3\n`,
    },
    cadvisor: {
        kept: ["container_cpu_usage_seconds_total", "container_memory_working_set_bytes"],
        dropped: ["container_blkio_device_usage_total"],
        text:
            `container_cpu_usage_seconds_total{container="app",image="shop/cart:1",namespace="shop",pod="cart-1"} 42\n` +
            `container_memory_working_set_bytes{container="app",image="shop/cart:1",namespace="shop",pod="cart-1"} 1024\n` +
            `container_blkio_device_usage_total{device="sda",namespace="shop",pod="cart-1"} 7\n`,
    },
    node: {
        kept: ["node_cpu_seconds_total", "node_memory_Cached_bytes"],
        dropped: ["node_scrape_collector_success"],
        text: `node_cpu_seconds_total{cpu="0",mode="idle"} 100\nnode_memory_Cached_bytes 1e+06\nnode_scrape_collector_success{collector="cpu"} 1\n`,
    },
    "kube-state-metrics": {
        kept: ["kube_pod_info", "kube_pod_status_phase"],
        dropped: ["kube_endpoint_info"],
        // A target may send a `cluster` label of its own: the written series must still carry the cluster's name.
        text:
            `kube_pod_info{namespace="shop",pod="cart-1",node="${linuxNode}",created_by_kind="ReplicaSet",created_by_name="cart-5d8",cluster="from-target"} 1\n` +
            `kube_pod_status_phase{namespace="shop",pod="cart-1",phase="Running"} 1\n` +
            `kube_endpoint_info{namespace="shop",endpoint="cart"} 1\n`,
    },
    "acstor-capacity-provisioner": {
        kept: ["storage_pool_ready_state"],
        dropped: ["storage_pool_reconcile_total"],
        text: `storage_pool_ready_state{storage_pool="pool-1"} 1\nstorage_pool_reconcile_total 4\n`,
    },
    "acstor-metrics-exporter": {
        kept: ["disk_read_bytes_total"],
        dropped: ["disk_inflight_requests"],
        text: `disk_read_bytes_total{device="nvme0n1"} 4096\ndisk_inflight_requests{device="nvme0n1"} 0\n`,
    },
    "networkobservability-retina": {
        kept: ["networkobservability_forward_count"],
        dropped: ["go_goroutines"],
        text: `networkobservability_forward_count{direction="egress"} 12\ngo_goroutines 40\n`,
    },
    "networkobservability-hubble": {
        kept: ["hubble_drop_total"],
        dropped: ["hubble_flows_processed_total"],
        text: `hubble_drop_total{reason="POLICY_DENIED",protocol="TCP"} 2\nhubble_flows_processed_total{verdict="FORWARDED"} 9\n`,
    },
    "networkobservability-cilium": {
        kept: ["cilium_drop_count_total", "cilium_forward_count_total"],
        dropped: ["cilium_endpoint_state"],
        text: `cilium_drop_count_total{reason="Policy denied",direction="INGRESS"} 1\ncilium_forward_count_total{direction="EGRESS"} 30\ncilium_endpoint_state{endpoint_state="ready"} 5\n`,
    },
};

/**
 * The network-observability agents' pods as pod discovery describes them: one discovered target per declared
 * container port (Cilium's agent declares several), hostNetwork, so pod IP = host IP (here the loopback). The
 * stand-ins listen on the agents' ports (`agentPorts`, mapped to free ports); a pod of another namespace with
 * the same label, on a node of its own, must not be scraped.
 */
const agentPods = [
    { namespace: "kube-system", name: "retina-agent-x7k2p", app: "retina", node: linuxNode, os: "linux", ports: [10093] },
    { namespace: "kube-system", name: "retina-agent-win-m3n9", app: "retina", node: nodes[1].name, os: "windows", ports: [10093] },
    { namespace: "kube-system", name: "cilium-q4w8z", app: "cilium", node: ciliumNode, os: "linux", ports: [4244, 9962, 9965] },
    { namespace: "shop", name: "retina-look-alike-0", app: "retina", node: "aks-shop-look-alike", os: "linux", ports: [10093] },
];
/** The agents' ports (Retina's chart, Cilium's documentation) and the job each stand-in serves. */
const agentPorts: Record<string, keyof typeof served> = {
    "10093": "networkobservability-retina",
    "9965": "networkobservability-hubble",
    "9962": "networkobservability-cilium",
};

/**
 * Pods as Kubernetes' pod discovery would describe them (discovery/kubernetes/pod.go): the add-on's storage
 * pods, as its job files select them, and a pod in another namespace with the same labels that no job may take.
 */
const pods = [
    {
        namespace: "acstor",
        name: "capacity-provisioner-0",
        labels: { "app.kubernetes.io/name": "capacity-provisioner", "app.kubernetes.io/component": "capacity-provisoner" },
        serves: "acstor-capacity-provisioner",
    },
    {
        namespace: "kube-system",
        name: "metrics-exporter-0",
        labels: { "app.kubernetes.io/name": "metrics-exporter", "app.kubernetes.io/component": "monitor" },
        serves: "acstor-metrics-exporter",
    },
    {
        namespace: "shop",
        name: "look-alike-0",
        labels: { "app.kubernetes.io/name": "metrics-exporter", "app.kubernetes.io/component": "monitor" },
        serves: "look-alike",
    },
];

// ---------------------------------------------------------------------------------------------
// The loopback.

interface Loopback {
    /** The stand-in of each pod, by name. */
    podAddresses: Record<string, string>;
    /** The stand-in port of each agent port. */
    agentPorts: Record<string, string>;
    kubeletPort: number;
    nodeExporterPort: number;
    kubeStateMetrics: string;
    receiver: string;
    caFile: string;
    tokenFile: string;
}

/**
 * The collector's configuration, changed only where Debian's 2.42 or the loopback need it:
 * - `kubernetes_sd_configs` (absent from Debian's build) → `static_configs` with, per node, the address and
 *   `__meta_kubernetes_node_*` labels that node discovery gives (discovery/kubernetes/node.go): every relabel
 *   rule then runs as written;
 * - the kubelet's, node-exporter's and the network-observability agents' ports → the stand-ins' free ports, in
 *   the address rules;
 * - the in-cluster CA and token paths → files of the test; kube-state-metrics' Service name → its stand-in;
 * - pod discovery → the stand-in pods of the discovered namespaces, with the labels pod discovery gives (and
 *   the node's labels with `attach_metadata.node`);
 * - the collector's own health → the agent's own (free) port instead of 9090;
 * - `remote_write`: `azuread` and `queue_config.sample_age_limit` removed (2.42 has neither), the URL → the
 *   receiving Prometheus.
 */
function onLoopback(config: PrometheusConfig, loop: Loopback, agentPort = 9090): PrometheusConfig {
    const copy: PrometheusConfig = JSON.parse(JSON.stringify(config));
    const ports: Record<string, string> = {
        "10250": String(loop.kubeletPort),
        "19100": String(loop.nodeExporterPort),
        ...loop.agentPorts,
    };
    const label = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, "_");
    for (const job of copy.scrape_configs) {
        const discovery = job.kubernetes_sd_configs as
            Array<{ role: string; namespaces?: { names: string[] }; attach_metadata?: { node?: boolean } }> | undefined;
        if (discovery) {
            assert.equal(discovery.length, 1, job.job_name);
            const [{ role, namespaces, attach_metadata }] = discovery;
            delete job.kubernetes_sd_configs;
            if (role === "node") {
                job.static_configs = nodes.map((node) => ({
                    targets: [`${node.internalIp}:10250`],
                    labels: {
                        __meta_kubernetes_node_name: node.name,
                        __meta_kubernetes_node_address_InternalIP: node.internalIp,
                        __meta_kubernetes_node_label_kubernetes_io_os: node.os,
                    },
                }));
            } else if (role === "pod") {
                // One target per pod of the discovered namespaces (its one container port, named `metrics`).
                const discovered = (pod: { namespace: string }) => !namespaces || namespaces.names.includes(pod.namespace);
                const agents: Array<{ targets: string[]; labels: Record<string, string> }> = agentPods.filter(discovered).flatMap((pod) =>
                    pod.ports.map((port) => ({
                        targets: [`127.0.0.1:${port}`],
                        labels: {
                            __meta_kubernetes_namespace: pod.namespace,
                            __meta_kubernetes_pod_name: pod.name,
                            __meta_kubernetes_pod_label_k8s_app: pod.app,
                            __meta_kubernetes_pod_node_name: pod.node,
                            __meta_kubernetes_pod_host_ip: "127.0.0.1",
                            __meta_kubernetes_pod_ip: "127.0.0.1",
                            __meta_kubernetes_pod_phase: "Running",
                            __meta_kubernetes_pod_container_port_number: String(port),
                            // attach_metadata.node: the pod's node's labels, as node discovery names them.
                            ...(attach_metadata?.node ? { __meta_kubernetes_node_label_kubernetes_io_os: pod.os } : {}),
                        },
                    })),
                );
                job.static_configs = pods
                    .filter(discovered)
                    .map((pod): { targets: string[]; labels: Record<string, string> } => ({
                        targets: [loop.podAddresses[pod.name]],
                        labels: {
                            __meta_kubernetes_namespace: pod.namespace,
                            __meta_kubernetes_pod_name: pod.name,
                            __meta_kubernetes_pod_container_port_name: "metrics",
                            ...Object.fromEntries(
                                Object.entries(pod.labels).map(([k, v]) => [`__meta_kubernetes_pod_label_${label(k)}`, v]),
                            ),
                        },
                    }))
                    .concat(agents);
            } else {
                // Roles with nothing on the loopback (the API server's endpoints): the job runs with no target.
                job.static_configs = [{ targets: [] }];
            }
        }
        if (job.job_name === "prometheus-agent") {
            job.static_configs = [{ targets: [`127.0.0.1:${agentPort}`] }];
        }
        for (const rule of (job.relabel_configs as Array<Record<string, unknown>> | undefined) ?? []) {
            if (rule.target_label === "__address__" && typeof rule.replacement === "string") {
                rule.replacement = rule.replacement.replace(/:(\d+)$/, (whole, port: string) =>
                    port in ports ? `:${ports[port]}` : whole,
                );
            }
        }
        const tls = job.tls_config as Record<string, unknown> | undefined;
        if (tls?.ca_file) tls.ca_file = loop.caFile;
        if (job.bearer_token_file) job.bearer_token_file = loop.tokenFile;
        if (job.job_name === "kube-state-metrics") job.static_configs = [{ targets: [loop.kubeStateMetrics] }];
    }
    for (const remote of copy.remote_write) {
        delete remote.azuread;
        // Added in 2.50; checked against v3.14.0's QueueConfig in test/unit/prometheusConfig.
        delete (remote.queue_config as Record<string, unknown>).sample_age_limit;
        remote.url = loop.receiver;
    }
    return copy;
}

// ---------------------------------------------------------------------------------------------
// Processes, servers, polling.

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** Waits until `probe` gives a value, or fails at the deadline with the last reason. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
        try {
            const result = await probe();
            if (result !== undefined) return result;
        } catch (error) {
            last = error;
        }
        await delay(200);
    }
    throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** Every series a Prometheus holds. */
const allSeries = (server: { url: string }) => `${server.url}/api/v1/series?match[]=${encodeURIComponent('{__name__=~".+"}')}`;

async function getJson(url: string): Promise<any> {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
}

class PrometheusProcess {
    private readonly child: ChildProcess;
    private output = "";
    private exited?: number | null;

    constructor(
        readonly name: string,
        readonly port: number,
        args: string[],
    ) {
        this.child = spawn("prometheus", [...args, `--web.listen-address=127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
        const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
        this.child.stdout!.on("data", keep);
        this.child.stderr!.on("data", keep);
        this.child.on("exit", (code) => (this.exited = code));
    }

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    async ready(): Promise<void> {
        await until(`${this.name} to be ready`, async () => {
            if (this.exited !== undefined) throw new Error(`${this.name} exited (${this.exited}):\n${this.output}`);
            return (await fetch(`${this.url}/-/ready`)).ok ? true : undefined;
        });
    }

    log(): string {
        return this.output;
    }

    async stop(): Promise<void> {
        if (this.exited !== undefined || this.child.exitCode !== null) return;
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.kill("SIGTERM");
        const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
    }
}

function listen(server: http.Server | https.Server): Promise<number> {
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

/** The add-on's minimal keep-list of a job, from its Go source (the registry names the variable). */
function upstreamKeep(job: string): RegExp {
    const variable = scrapeJobs.find((j) => j.name === job)!.upstream!.keepListVariable!;
    return anchored(upstreamKeepLists[variable]);
}

// ---------------------------------------------------------------------------------------------

describe("prometheus collector: a real Prometheus (Debian's 2.42)", function () {
    let dir: string;
    let loop: Loopback;
    let agentFlag: string;
    const processes: PrometheusProcess[] = [];
    const servers: Array<http.Server | https.Server> = [];
    const token = "loopback-service-account-token";
    const kubeletRequests = { authorized: 0, refused: 0 };
    let receiver: PrometheusProcess;

    const settingsOf = (shards: number, prometheus: Record<string, unknown> = {}) =>
        validateArgs("metrics", baseArgs({ prometheus: { shards, scrapeInterval: "1s", ...prometheus } })) as PrometheusCollectorSettings;
    /** Every job of the registry on: the targets it can run, the annotation job, Windows kubelets. */
    const everything = {
        targets: Object.fromEntries(scrapeJobs.flatMap((j) => (j.target ? [[j.target, true]] : []))),
        podAnnotationNamespaces: "shop",
        windowsKubelet: true,
    };
    const write = (name: string, config: PrometheusConfig | string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, typeof config === "string" ? config : configText(config));
        return file;
    };
    const promtool = (file: string, ...flags: string[]) =>
        spawnSync("promtool", ["check", "config", "--agent", ...flags, file], { encoding: "utf8" });
    /** An agent on a free port, with the shard's configuration on the loopback (its own health job on that port). */
    const startAgent = async (name: string, config: PrometheusConfig) => {
        const port = await freePort();
        const agent = new PrometheusProcess(name, port, [
            agentFlag,
            `--config.file=${write(`${name}.yml`, onLoopback(config, loop, port))}`,
            `--storage.agent.path=${path.join(dir, name)}`,
        ]);
        processes.push(agent);
        await agent.ready();
        return agent;
    };

    before(async function () {
        for (const binary of ["promtool", "prometheus"]) {
            const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
            if (probe.error || probe.status !== 0) {
                throw new Error(
                    `\`${binary}\` is not available (${probe.error?.message ?? probe.stderr}); ${install}. These tests need a real Prometheus.`,
                );
            }
        }
        const version = /version (\d+)\./.exec(spawnSync("prometheus", ["--version"], { encoding: "utf8" }).stdout)?.[1];
        agentFlag = Number(version) >= 3 ? "--agent" : "--enable-feature=agent";

        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ama-metrics-istio-prometheus-"));
        const tokenFile = path.join(dir, "token");
        fs.writeFileSync(tokenFile, token);
        const caFile = fixture("prometheus", "loopback", "cert.pem");

        // The kubelet: https with the pod's token, /metrics and /metrics/cadvisor.
        const kubelet = https.createServer(
            { cert: fs.readFileSync(caFile), key: fs.readFileSync(fixture("prometheus", "loopback", "key.pem")) },
            (req, res) => {
                if (req.headers.authorization !== `Bearer ${token}`) {
                    kubeletRequests.refused++;
                    res.writeHead(401).end();
                    return;
                }
                kubeletRequests.authorized++;
                const body =
                    req.url === "/metrics" ? served.kubelet.text : req.url === "/metrics/cadvisor" ? served.cadvisor.text : undefined;
                res.writeHead(body ? 200 : 404, { "Content-Type": "text/plain; version=0.0.4" }).end(body);
            },
        );
        const plain = (text: string) =>
            http.createServer((req, res) =>
                res.writeHead(req.url === "/metrics" ? 200 : 404, { "Content-Type": "text/plain; version=0.0.4" }).end(text),
            );
        const nodeExporter = plain(served.node.text);
        const kubeStateMetrics = plain(served["kube-state-metrics"].text);
        const podServers = pods.map((pod) =>
            plain(pod.serves in served ? served[pod.serves as keyof typeof served].text : "look_alike_total 1\n"),
        );
        const agentServers = Object.values(agentPorts).map((job) => plain(served[job].text));
        servers.push(kubelet, nodeExporter, kubeStateMetrics, ...agentServers, ...podServers);
        const [kubeletPort, nodeExporterPort, ksmPort, ...standIns] = await Promise.all(servers.map(listen));
        const agentStandIns = standIns.splice(0, agentServers.length);
        const podPorts = standIns;

        receiver = new PrometheusProcess("receiver", await freePort(), [
            `--config.file=${write("receiver.yml", "global:\n  scrape_interval: 1m\n")}`,
            `--storage.tsdb.path=${path.join(dir, "receiver")}`,
            "--web.enable-remote-write-receiver",
        ]);
        processes.push(receiver);
        await receiver.ready();
        loop = {
            podAddresses: Object.fromEntries(pods.map((pod, i) => [pod.name, `127.0.0.1:${podPorts[i]}`])),
            agentPorts: Object.fromEntries(Object.keys(agentPorts).map((port, i) => [port, String(agentStandIns[i])])),
            kubeletPort,
            nodeExporterPort,
            kubeStateMetrics: `127.0.0.1:${ksmPort}`,
            receiver: `${receiver.url}/api/v1/write`,
            caFile,
            tokenFile,
        };
    });

    after(async function () {
        await Promise.all(processes.map((p) => p.stop()));
        await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("the stand-ins serve names the add-on keeps and names it drops (checked against its Go source)", () => {
        for (const [job, { kept, dropped }] of Object.entries(served)) {
            const keep = upstreamKeep(job);
            for (const name of kept) assert.ok(keep.test(name), `${job} keeps ${name}`);
            for (const name of dropped) assert.ok(!keep.test(name), `${job} drops ${name}`);
        }
    });

    describe("promtool", () => {
        it("accepts every shard's configuration in agent mode, every job on or the defaults, changed only as onLoopback says", () => {
            for (const [shards, extra] of [
                [1, {}],
                [3, {}],
                [1, everything],
                [3, everything],
            ] as const) {
                for (let shard = 0; shard < shards; shard++) {
                    const original = prometheusConfig(settingsOf(shards, extra), shard, values);
                    if (extra === everything) {
                        assert.deepEqual(
                            original.scrape_configs.map((j) => j.job_name),
                            scrapeJobs.map((j) => j.name),
                        );
                    }
                    const changed = onLoopback(original, loop);
                    const result = promtool(write(`check-${shards}-${shard}-${original.scrape_configs.length}.yml`, changed));
                    assert.equal(result.status, 0, result.stdout + result.stderr);
                    // Minimal: the keep-lists, the write relabelling and every relabel rule but the address ports are as built.
                    original.scrape_configs.forEach((job, i) => {
                        const other = changed.scrape_configs[i];
                        assert.deepEqual(other.metric_relabel_configs, job.metric_relabel_configs);
                        const noPorts = (rules: unknown) => JSON.stringify(rules ?? []).replace(/:\d+"/g, ':PORT"');
                        assert.equal(noPorts(other.relabel_configs), noPorts(job.relabel_configs), job.job_name);
                    });
                    assert.deepEqual(changed.remote_write[0].write_relabel_configs, original.remote_write[0].write_relabel_configs);
                    const { sample_age_limit: _, ...queue } = original.remote_write[0].queue_config as Record<string, unknown>;
                    assert.deepEqual(changed.remote_write[0].queue_config, queue);
                    assert.deepEqual(changed.global, original.global);
                }
            }
        });

        it("needs the changes: Debian's build knows neither Kubernetes discovery, azuread nor sample_age_limit", () => {
            const original = prometheusConfig(settingsOf(1), 0, values);
            const withoutAzuread = JSON.parse(JSON.stringify(original)) as PrometheusConfig;
            delete withoutAzuread.remote_write[0].azuread;
            const result = promtool(write("with-discovery.yml", withoutAzuread), "--syntax-only");
            assert.notEqual(result.status, 0);
            assert.match(result.stdout + result.stderr, /kubernetes_sd_configs not found/);
            const withAzuread = onLoopback(original, loop);
            withAzuread.remote_write[0].azuread = original.remote_write[0].azuread;
            const second = promtool(write("with-azuread.yml", withAzuread), "--syntax-only");
            assert.notEqual(second.status, 0);
            assert.match(second.stdout + second.stderr, /azuread not found/);
            const withAgeLimit = onLoopback(original, loop);
            withAgeLimit.remote_write[0].queue_config = original.remote_write[0].queue_config;
            const third = promtool(write("with-age-limit.yml", withAgeLimit), "--syntax-only");
            assert.notEqual(third.status, 0);
            assert.match(third.stdout + third.stderr, /sample_age_limit not found/);
        });
    });

    describe("scrape and remote write on the loopback", () => {
        let series: Array<Record<string, string>>;
        let agent: PrometheusProcess;

        before(async function () {
            agent = await startAgent("agent", prometheusConfig(settingsOf(1), 0, values));
            const expected = Object.entries(served).flatMap(([job, { kept }]) => kept.map((name) => ({ job, name })));
            series = await until("the kept series at the receiver", async () => {
                const found = (await getJson(allSeries(receiver))).data as Array<Record<string, string>>;
                const complete =
                    expected.every(({ job, name }) => found.some((s) => s.job === job && s.__name__ === name)) &&
                    [...Object.keys(served), "prometheus-agent"].every((job) => found.some((s) => s.__name__ === "up" && s.job === job)) &&
                    found.some((s) => s.job === "prometheus-agent" && s.__name__.startsWith("prometheus_remote_storage_"));
                return complete ? found : undefined;
            }).catch(async (error) => {
                const targets = await getJson(`${agent.url}/api/v1/targets`).catch((e) => String(e));
                const received = await getJson(allSeries(receiver)).catch((e) => String(e));
                throw new Error(
                    `${error.message}\n--- agent targets ---\n${JSON.stringify(targets)}\n--- received ---\n${JSON.stringify(received)}` +
                        `\n--- agent log ---\n${agent.log()}\n--- receiver log ---\n${receiver.log()}`,
                );
            });
        });

        it("the kept series arrive, labelled by job as the add-on labels them", () => {
            for (const [job, { kept }] of Object.entries(served)) {
                for (const name of kept) {
                    assert.ok(
                        series.some((s) => s.__name__ === name && s.job === job),
                        `${name}{job="${job}"}`,
                    );
                }
            }
        });

        it("the dropped series never arrive", () => {
            const dropped = Object.values(served).flatMap((s) => s.dropped);
            assert.deepEqual(
                series.filter((s) => dropped.includes(s.__name__)),
                [],
            );
        });

        it("every series carries cluster = the cluster's name, even one whose target sent a cluster label", () => {
            for (const s of series) {
                assert.equal(s.cluster, "aks-one", JSON.stringify(s));
                assert.equal(s.exported_cluster, undefined);
            }
            assert.ok(series.some((s) => s.__name__ === "kube_pod_info" && s.namespace === "shop" && s.created_by_name === "cart-5d8"));
        });

        it("instance is the node's name for kubelet, cadvisor and node; kube-state-metrics keeps its target address", () => {
            const instances = (job: string) => [...new Set(series.filter((s) => s.job === job).map((s) => s.instance))].sort();
            assert.deepEqual(instances("kubelet"), [linuxNode], "kubelet: Linux nodes unless prometheus.windowsKubelet");
            assert.deepEqual(instances("cadvisor"), [linuxNode], "cadvisor: Linux nodes only");
            assert.deepEqual(instances("node"), [linuxNode], "node-exporter: Linux nodes only");
            assert.deepEqual(instances("kube-state-metrics"), [loop.kubeStateMetrics]);
        });

        it("the add-on's extra labels: metrics_path on kubelet and node, kubernetes_io_os on kubelet", () => {
            for (const s of series.filter((s) => s.job === "kubelet" && s.__name__ !== "up")) {
                assert.equal(s.metrics_path, "/metrics");
                assert.equal(s.kubernetes_io_os, nodes.find((n) => n.name === s.instance)!.os);
            }
            for (const s of series.filter((s) => s.job === "node" && s.__name__ !== "up")) {
                assert.equal(s.metrics_path, "/metrics");
            }
            for (const s of series.filter((s) => s.job === "cadvisor" && served.cadvisor.kept.includes(s.__name__))) {
                assert.equal(s.metrics_path, undefined);
                assert.equal(s.image, "shop/cart:1");
            }
        });

        it("scraped the kubelet over https with the ServiceAccount token, every target up", async () => {
            assert.ok(kubeletRequests.authorized > 0);
            assert.equal(kubeletRequests.refused, 0);
            const up = (await getJson(`${receiver.url}/api/v1/query?query=${encodeURIComponent("min by (job, instance) (up)")}`)).data
                .result;
            // One target per stand-in job (Linux node, kube-state-metrics, each storage pod, each agent), Hubble's on
            // both Linux agents' nodes, Retina's on the Windows node too, and the agent itself.
            assert.equal(up.length, Object.keys(served).length + 3);
            for (const { metric, value } of up) {
                assert.equal(value[1], "1", JSON.stringify(metric));
            }
        });

        it("pod discovery: each storage job takes its own pods only, not a look-alike in another namespace", () => {
            for (const job of ["acstor-capacity-provisioner", "acstor-metrics-exporter"]) {
                const pod = pods.find((p) => p.serves === job)!;
                assert.deepEqual([...new Set(series.filter((s) => s.job === job).map((s) => s.instance))], [loop.podAddresses[pod.name]]);
            }
            assert.ok(!series.some((s) => s.__name__ === "look_alike_total" || s.instance === loop.podAddresses["look-alike-0"]));
        });

        it("network observability: each agent pod scraped once, on its host IP at the agent's port, instance = its node; Hubble and Cilium on Linux nodes only", async () => {
            const instances = (job: string) => [...new Set(series.filter((s) => s.job === job).map((s) => s.instance))].sort();
            // Retina on Linux and Windows nodes, as the add-on's two DaemonSets; Hubble and Cilium on Linux nodes only.
            assert.deepEqual(instances("networkobservability-retina"), [linuxNode, nodes[1].name].sort());
            assert.deepEqual(instances("networkobservability-hubble"), [ciliumNode, linuxNode].sort());
            assert.deepEqual(instances("networkobservability-cilium"), [ciliumNode]);
            assert.ok(!series.some((s) => s.instance === "aks-shop-look-alike"), "no pod of another namespace");
            // Cilium's pod declares three ports: three discovered targets, one scraped.
            const active = (await getJson(`${agent.url}/api/v1/targets`)).data.activeTargets as any[];
            const ofJob = (job: string) => active.filter((t) => t.labels.job === job);
            const port = (agentPort: string) => `http://127.0.0.1:${loop.agentPorts[agentPort]}/metrics`;
            assert.deepEqual(
                ofJob("networkobservability-cilium").map((t) => [t.labels.instance, t.scrapeUrl]),
                [[ciliumNode, port("9962")]],
            );
            assert.deepEqual(
                ofJob("networkobservability-retina")
                    .map((t) => [t.labels.instance, t.scrapeUrl])
                    .sort(),
                [
                    [linuxNode, port("10093")],
                    [nodes[1].name, port("10093")],
                ].sort(),
            );
            assert.deepEqual(
                ofJob("networkobservability-hubble")
                    .map((t) => [t.labels.instance, t.scrapeUrl])
                    .sort(),
                [
                    [ciliumNode, port("9965")],
                    [linuxNode, port("9965")],
                ].sort(),
            );
        });

        it("the collector's own health arrives: remote write, WAL/agent and process series, instance = the shard's pod", () => {
            const own = series.filter((s) => s.job === "prometheus-agent");
            assert.deepEqual([...new Set(own.map((s) => s.instance))], ["prometheus-shard-0-0"]);
            for (const prefix of [
                "prometheus_remote_storage_",
                "prometheus_agent_",
                "process_resident_memory_bytes",
                "process_cpu_seconds_total",
            ]) {
                assert.ok(
                    own.some((s) => s.__name__.startsWith(prefix)),
                    prefix,
                );
            }
            assert.ok(!own.some((s) => s.__name__.startsWith("go_")), "what is not kept stays out");
        });
    });

    describe("sharding", () => {
        it("two shards scrape disjoint sets of targets that together are all of them", async () => {
            const agents = [
                await startAgent("shard-0", prometheusConfig(settingsOf(2), 0, values)),
                await startAgent("shard-1", prometheusConfig(settingsOf(2), 1, values)),
            ];
            const target = (t: any) => `${t.labels.job}/${t.labels.instance}`;
            const all = [
                `kubelet/${linuxNode}`,
                `cadvisor/${linuxNode}`,
                `node/${linuxNode}`,
                `kube-state-metrics/${loop.kubeStateMetrics}`,
                ...pods.filter((p) => p.serves in served).map((p) => `${p.serves}/${loop.podAddresses[p.name]}`),
                `networkobservability-retina/${linuxNode}`,
                `networkobservability-retina/${nodes[1].name}`,
                `networkobservability-hubble/${linuxNode}`,
                `networkobservability-hubble/${ciliumNode}`,
                `networkobservability-cilium/${ciliumNode}`,
            ].sort();
            const own = (i: number) => `prometheus-agent/prometheus-shard-${i}-0`;
            const active = await until("both shards' targets", async () => {
                const sets = await Promise.all(
                    agents.map(async (a) => ((await getJson(`${a.url}/api/v1/targets`)).data.activeTargets as any[]).map(target)),
                );
                return [...sets[0], ...sets[1]].length === all.length + 2 ? sets : undefined;
            });
            // Each shard scrapes itself; every other target is in exactly one shard.
            assert.ok(active[0].includes(own(0)) && active[1].includes(own(1)), JSON.stringify(active));
            const split = active.map((set, i) => set.filter((t) => t !== own(i)));
            assert.deepEqual([...split[0], ...split[1]].sort(), all);
            assert.ok(!split[0].some((t) => split[1].includes(t)), `disjoint: ${JSON.stringify(active)}`);
        });
    });
});
