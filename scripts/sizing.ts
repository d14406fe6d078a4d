// `npm run bench`, second part: what one prometheus collector shard costs per 100k active series. Debian's
// Prometheus (agent mode) runs the component's generated configuration for one shard, changed only where
// the loopback needs it: Kubernetes discovery (absent from Debian's build) becomes `file_sd_configs` with
// the labels Kubernetes discovery gives (every relabel rule runs as written), the node jobs' ports become
// the synthetic targets' ports, `azuread` and `sample_age_limit` (unknown to 2.42) go, and remote write
// goes to a loopback receiver that accepts everything. Synthetic targets on 127.0.1.0/24 serve the
// keep-listed names of N nodes and M pods; the agent's own metrics give its memory and CPU.

import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { AmaMetricsIstioArgs, ScrapeConfig } from "../components/core/args";
import { validateArgs } from "../components/arguments/validate";
import type { PrometheusCollectorSettings } from "../components/core/settings";
import { configText, prometheusConfig, PrometheusConfig } from "../components/prometheus/config";
import { scrapeJobs } from "../components/prometheus/jobs";
import { Exposition, ExpositionError, parseExposition, samplesOf } from "../components/verify/promText";
import { defaultJobSeries, seriesPerUnit as workload } from "./seriesEstimate";

const loopbackCert = path.join(__dirname, "..", "test", "fixtures", "prometheus", "loopback");
const args: AmaMetricsIstioArgs = {
    cluster: {
        resourceId:
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/bench",
        location: "westeurope",
        oidcIssuerUrl: "https://westeurope.oic.prod-aks.azure.com/0/1/",
    },
    resourceGroupName: "rg",
};

/** `count` series spread over the literal names of a job's keep-list. */
function exposition(job: string, count: number, labels: string): string {
    const names = scrapeJobs
        .find((j) => j.name === job)!
        .keepList!.split("|")
        .filter((name) => /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name));
    const unique = [...new Set(names)];
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
        lines.push(`${unique[i % unique.length]}{${labels}series="${Math.floor(i / unique.length)}"} ${i}`);
    }
    return lines.join("\n") + "\n";
}

function listen(server: net.Server, host: string, port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
    });
}

/** Kubernetes discovery → files with the labels it gives; node ports → the synthetic ones. */
function onLoopback(
    config: PrometheusConfig,
    dir: string,
    nodes: string[],
    ports: { kubelet: number; node: number; ksm: string; agent: number; receiver: number },
) {
    const copy: PrometheusConfig = JSON.parse(JSON.stringify(config));
    const replacePort = (rule: Record<string, unknown>) => {
        if (rule.target_label === "__address__" && typeof rule.replacement === "string") {
            rule.replacement = rule.replacement.replace(/:10250$/, `:${ports.kubelet}`).replace(/:19100$/, `:${ports.node}`);
        }
    };
    for (const job of copy.scrape_configs as ScrapeConfig[]) {
        const discovery = job.kubernetes_sd_configs as Array<{ role: string }> | undefined;
        if (discovery) {
            delete job.kubernetes_sd_configs;
            const targets =
                discovery[0].role === "node"
                    ? nodes.map((ip, i) => ({
                          targets: [`${ip}:10250`],
                          labels: {
                              __meta_kubernetes_node_name: `aks-bench-${i}`,
                              __meta_kubernetes_node_address_InternalIP: ip,
                              __meta_kubernetes_node_label_kubernetes_io_os: "linux",
                          },
                      }))
                    : []; // the storage jobs find nothing, as on a cluster without Azure Container Storage
            const file = path.join(dir, `${job.job_name}.json`);
            fs.writeFileSync(file, JSON.stringify(targets));
            job.file_sd_configs = [{ files: [file] }];
        }
        ((job.relabel_configs as Array<Record<string, unknown>>) ?? []).forEach(replacePort);
        const tls = job.tls_config as Record<string, unknown> | undefined;
        if (tls?.ca_file) tls.ca_file = path.join(loopbackCert, "cert.pem");
        if (job.bearer_token_file) job.bearer_token_file = path.join(dir, "token");
        if (job.job_name === "kube-state-metrics") job.static_configs = [{ targets: [ports.ksm] }];
        if (job.job_name === "prometheus-agent") job.static_configs = [{ targets: [`127.0.0.1:${ports.agent}`] }];
    }
    for (const remote of copy.remote_write) {
        delete remote.azuread;
        delete (remote.queue_config as Record<string, unknown>).sample_age_limit;
        remote.url = `http://127.0.0.1:${ports.receiver}/api/v1/write`;
    }
    return copy;
}

/** The agent's own exposition, read once per measurement point. */
async function agentMetrics(port: number): Promise<Exposition> {
    return parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
}

/** One gauge or counter of it (its first sample), NaN when the agent does not expose it. */
const metric = (exposition: Exposition, name: string): number => samplesOf(exposition, name)[0]?.value ?? NaN;

export interface SizingResult {
    version: string;
    nodes: number;
    pods: number;
    activeSeries: number;
    rssMiB: number;
    cpuCores: number;
    seconds: number;
}

/** Runs one shard against N synthetic nodes and M pods; measures over `seconds` after the series settle. */
export async function measureShard(nodeCount: number, podCount: number, seconds: number): Promise<SizingResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ama-metrics-istio-sizing-"));
    fs.writeFileSync(path.join(dir, "token"), "bench");
    const servers: net.Server[] = [];
    let agent: ChildProcess | undefined;
    try {
        const nodes = Array.from({ length: nodeCount }, (_, i) => `127.0.1.${i + 1}`);
        const podsPerNode = Math.ceil(podCount / nodeCount);
        const tls = {
            cert: fs.readFileSync(path.join(loopbackCert, "cert.pem")),
            key: fs.readFileSync(path.join(loopbackCert, "key.pem")),
        };
        const free = async () => {
            const probe = net.createServer();
            const port = await listen(probe, nodes[0]);
            await new Promise((resolve) => probe.close(resolve));
            return port;
        };
        const kubeletPort = await free();
        const nodePort = await free();
        for (const [i, ip] of nodes.entries()) {
            const instance = `node="aks-bench-${i}",`;
            const kubelet = exposition("kubelet", workload.kubelet, instance);
            const cadvisor = exposition("cadvisor", workload.cadvisorPerPod * podsPerNode, instance);
            const nodeExporter = exposition("node", workload.node, instance);
            const k = https.createServer(tls, (req, res) => res.end(req.url === "/metrics/cadvisor" ? cadvisor : kubelet));
            const n = http.createServer((_req, res) => res.end(nodeExporter));
            servers.push(k, n);
            await listen(k, ip, kubeletPort);
            await listen(n, ip, nodePort);
        }
        const ksmText = exposition("kube-state-metrics", workload.kubeStateMetricsPerPod * podCount, "");
        const ksm = http.createServer((_req, res) => res.end(ksmText));
        const receiver = http.createServer((req, res) => req.resume().on("end", () => res.writeHead(204).end()));
        servers.push(ksm, receiver);
        const ksmPort = await listen(ksm, "127.0.0.1");
        const receiverPort = await listen(receiver, "127.0.0.1");
        const agentPort = await free();

        const settings = validateArgs("bench", args) as PrometheusCollectorSettings;
        const values = { clusterName: "bench", clientId: "0", tenantId: "0", remoteWriteUrl: "http://unused" };
        const config = onLoopback(prometheusConfig(settings, 0, values), dir, nodes, {
            kubelet: kubeletPort,
            node: nodePort,
            ksm: `127.0.0.1:${ksmPort}`,
            agent: agentPort,
            receiver: receiverPort,
        });
        const configFile = path.join(dir, "prometheus.yml");
        fs.writeFileSync(configFile, configText(config));
        const version = /version (\d+\.\d+\.\d+)/.exec(spawnSync("prometheus", ["--version"], { encoding: "utf8" }).stdout)?.[1] ?? "?";
        agent = spawn(
            "prometheus",
            [
                Number(version.split(".")[0]) >= 3 ? "--agent" : "--enable-feature=agent",
                `--config.file=${configFile}`,
                `--storage.agent.path=${path.join(dir, "wal")}`,
                `--web.listen-address=127.0.0.1:${agentPort}`,
            ],
            { stdio: "ignore" },
        );
        // Settled: the active series stop growing for two scrape intervals.
        const expected = defaultJobSeries({ nodes: nodeCount, pods: podCount });
        const deadline = Date.now() + 300_000;
        let active = 0;
        while (Date.now() < deadline) {
            await delay(5_000);
            // Until the agent listens, nothing is active; an exposition it cannot read fails the run.
            active = await agentMetrics(agentPort).then(
                (m) => metric(m, "prometheus_agent_active_series"),
                (error) => {
                    if (error instanceof ExpositionError) throw error;
                    return 0;
                },
            );
            if (active >= expected) break;
        }
        if (!(active >= expected)) throw new Error(`the agent reached ${active} of ${expected} active series`);
        const first = await agentMetrics(agentPort);
        const started = Date.now();
        await delay(seconds * 1000);
        const last = await agentMetrics(agentPort);
        const elapsed = (Date.now() - started) / 1000;
        return {
            version: `Prometheus ${version}`,
            nodes: nodeCount,
            pods: podCount,
            activeSeries: metric(last, "prometheus_agent_active_series"),
            rssMiB: metric(last, "process_resident_memory_bytes") / 2 ** 20,
            cpuCores: (metric(last, "process_cpu_seconds_total") - metric(first, "process_cpu_seconds_total")) / elapsed,
            seconds: elapsed,
        };
    } finally {
        agent?.kill("SIGTERM");
        await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
        await delay(1_000);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Between two sizes: what each further 100k active series costs, the fixed part left out. */
export function formatMarginal(small: SizingResult, large: SizingResult): string {
    const series = large.activeSeries - small.activeSeries;
    const memory = ((large.rssMiB - small.rssMiB) * 100_000) / series;
    const cpu = ((large.cpuCores - small.cpuCores) * 100_000 * 1000) / series;
    return `each further 100k active series (${small.activeSeries} → ${large.activeSeries}): ${memory.toFixed(0)} MiB, ${cpu.toFixed(0)}m CPU`;
}

/** The benchmark's lines: the shard's memory and CPU, and both per 100k active series. */
export function formatSizing(r: SizingResult): string[] {
    const per100k = (value: number) => (value * 100_000) / r.activeSeries;
    return [
        `prometheus shard (${r.version}, agent mode, default jobs, 30s interval): ${r.nodes} nodes, ${r.pods} pods, ${r.activeSeries} active series`,
        `  resident memory ${r.rssMiB.toFixed(0)} MiB, CPU ${(r.cpuCores * 1000).toFixed(0)}m over ${r.seconds.toFixed(0)} s`,
        `  per 100k active series: ${per100k(r.rssMiB).toFixed(0)} MiB, ${(per100k(r.cpuCores) * 1000).toFixed(0)}m CPU`,
    ];
}
