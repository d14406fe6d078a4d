// `scrapeConfigs` against Prometheus' own tests: every scrape job Prometheus v3.14.0 refuses is refused
// here with the argument named, every job it loads is accepted and emitted unchanged. The files and
// their verdicts are upstream's (test/fixtures/prometheus-config/PROVENANCE.md): the bad cases' error
// texts (scrapeConfigOracle.cases.ts) are config_test.go's `expectedErrors` and http_config_test.go's `invalidHTTPClientConfigs`.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as YAML from "yaml";
import { AmaMetricsIstioArgumentError, ScrapeConfig } from "../../components";
import { validateArgs } from "../../components/arguments/validate";
import { chartFacts } from "../../components/amaMetrics/facts";
import { configMaps } from "../../components/amaMetrics/index";
import { CollectorValues, configText, prometheusConfig, PrometheusConfig } from "../../components/prometheus/config";
import { baseArgs, fixture, settingsFor } from "../harness";
import { badHttpClients, badScrapeJobs, badTlsConfigs } from "./scrapeConfigOracle.cases";
import { withSampleLimit } from "../../components/prometheus/jobs";

const values: CollectorValues = {
    clusterName: "aks-one",
    clientId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    remoteWriteUrl:
        "https://amw.eastus-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-0/streams/Microsoft-PrometheusMetrics/api/v1/write",
};

const read = (folder: string, file: string) => YAML.parse(fs.readFileSync(fixture("prometheus-config", folder, file), "utf8"));
const jobsOf = (file: string) => (read("prometheus", file).scrape_configs ?? []) as ScrapeConfig[];

function problemsOf(scrapeConfigs: unknown): string[] {
    try {
        validateArgs("oracle", baseArgs({ scrapeConfigs: scrapeConfigs as ScrapeConfig[] }));
        return [];
    } catch (error) {
        assert.ok(error instanceof AmaMetricsIstioArgumentError, `not an argument error: ${error}`);
        return error.messages;
    }
}

// Bad files whose job uses a discovery of clouds or other systems: refused here for the key itself
// (the component supports static, kubernetes, http and dns discovery), so Prometheus' finer error never arises.
const otherDiscoveryFiles = fs
    .readdirSync(fixture("prometheus-config", "prometheus"))
    .filter((file) =>
        /^(marathon|openstack|ec2|lightsail|azure|oci|puppetdb|hetzner|eureka|scaleway|outscale|uyuni|ionos|ovhcloud|stackit)_.*\.bad\.yml$/.test(
            file,
        ),
    );

const goodHttpClients = fs
    .readdirSync(fixture("prometheus-config", "common"))
    .filter((file) => !/\.bad[.-]/.test(file) && /\.ya?ml$/.test(file));

// Files Prometheus loads (config_test.go: TestLoadConfig, TestKubernetes*, TestScrapeIntervalLarger and
// the per-job histogram and compression tests).
const goodFiles = [
    ...fs
        .readdirSync(fixture("prometheus-config", "prometheus"))
        .filter((file) => /\.good\.yml$|^scrape_config_.*(validation_mode|infer_escaping)\.yml$/.test(file)),
    // Jobs that scrape_config_files.good.yml and friends import.
    ...fs.readdirSync(fixture("prometheus-config", "prometheus", "scrape_configs")).map((file) => `scrape_configs/${file}`),
];
const usesOtherDiscovery = (job: ScrapeConfig) =>
    Object.keys(job).some((key) => key.endsWith("_sd_configs") && !/^(kubernetes|http|dns)_sd_configs$/.test(key));

describe("scrapeConfigs against Prometheus v3.14.0's own configuration tests", () => {
    for (const [file, upstream, argument] of badScrapeJobs) {
        it(`refuses ${file} (Prometheus: ${upstream})`, () => {
            const problems = problemsOf(jobsOf(file));
            assert.ok(
                problems.some((p) => p.startsWith(argument)),
                `no problem starts with ${argument}:\n${problems.join("\n")}`,
            );
        });
    }

    for (const file of otherDiscoveryFiles) {
        it(`refuses ${file}: its discovery is not one the component supports`, () => {
            const key = Object.keys(jobsOf(file)[0]).find((k) => k.endsWith("_sd_configs"))!;
            const problems = problemsOf(jobsOf(file));
            assert.ok(
                problems.some((p) => p.startsWith(`scrapeConfigs[0].${key} = `) && /outside the cluster/.test(p)),
                problems.join("\n"),
            );
        });
    }

    for (const [file, upstream, argument] of badHttpClients) {
        it(`refuses the HTTP client of ${file} (prometheus/common: ${upstream})`, () => {
            const problems = problemsOf([{ job_name: "apps", ...read("common", file) }]);
            assert.ok(
                problems.some((p) => p.startsWith(`scrapeConfigs[0].${argument}`)),
                `no problem for ${argument}:\n${problems.join("\n")}`,
            );
        });
    }

    for (const [title, tls, upstream, argument] of badTlsConfigs) {
        it(`refuses TLS settings with ${title} (prometheus/common: ${upstream})`, () => {
            for (const at of ["", "kubernetes_sd_configs[0].", "oauth2."]) {
                const inner = { tls_config: tls };
                const job =
                    at === ""
                        ? { job_name: "apps", ...inner }
                        : at.startsWith("kubernetes")
                          ? { job_name: "apps", kubernetes_sd_configs: [{ role: "pod", api_server: "https://k8s.example", ...inner }] }
                          : { job_name: "apps", oauth2: { client_id: "id", token_url: "https://login.example/token", ...inner } };
                const problems = problemsOf([job]);
                assert.ok(
                    problems.some((p) => p.startsWith(`scrapeConfigs[0].${at}${argument}`)),
                    `no problem for ${at}${argument}:\n${problems.join("\n")}`,
                );
            }
        });
    }

    for (const file of goodHttpClients) {
        it(`accepts the HTTP client of ${file}`, () => {
            assert.deepEqual(problemsOf([{ job_name: "apps", ...read("common", file) }]), []);
        });
    }

    for (const file of goodFiles) {
        it(`accepts and emits unchanged each job of ${file}; refuses one of another discovery only for that key`, () => {
            // Renamed apart: different files reuse job names.
            const jobs = jobsOf(file).map((job, i) => ({ ...job, job_name: `${job.job_name}-${i}` }));
            assert.ok(jobs.length > 0);
            const supported = jobs.filter((job) => !usesOtherDiscovery(job));
            assert.deepEqual(problemsOf(supported), []);
            const others = jobs.filter(usesOtherDiscovery);
            const refused = problemsOf(others);
            for (const p of refused) {
                assert.match(p, /^scrapeConfigs\[\d+\]\.\w+_sd_configs = .*outside the cluster/);
            }
            // Each of them, for its discovery key.
            const refusedJobs = new Set(refused.map((p) => /^scrapeConfigs\[(\d+)\]/.exec(p)![1]));
            assert.equal(refusedJobs.size, others.length);
            if (supported.length === 0) return;
            // As each collector's configuration file holds them, read back.
            const prometheusJobs = (
                YAML.parse(configText(prometheusConfig(settingsFor({ scrapeConfigs: supported }), 0, values))) as PrometheusConfig
            ).scrape_configs;
            const agentConfigMap = configMaps(settingsFor({ scrapeConfigs: supported }, "ama-metrics")).find(
                (o) => o.metadata.name === chartFacts.configMaps.collectorConfig,
            )!;
            const agentJobs = YAML.parse((agentConfigMap as unknown as { data: Record<string, string> }).data[chartFacts.scrapeConfigKey])
                .scrape_configs as ScrapeConfig[];
            // The prometheus collector adds its default sample_limit to a job without one (issue 20.4); nothing else changes.
            for (const [emitted, expected] of [
                [prometheusJobs, withSampleLimit],
                [agentJobs, (job: ScrapeConfig) => job],
            ] as const) {
                for (const job of supported) {
                    assert.deepEqual(
                        emitted.find((j) => j.job_name === job.job_name),
                        expected(job),
                    );
                }
            }
        });
    }
});

describe("scrapeConfigs with shards", () => {
    it("keeps a job's own relabel rules, unchanged and first, before each shard's hashmod rules", () => {
        const own = [{ source_labels: ["__meta_kubernetes_pod_label_app"], regex: "orders", action: "keep" }];
        const scrapeConfigs = [{ job_name: "apps", kubernetes_sd_configs: [{ role: "pod" }], relabel_configs: own }];
        for (const shard of [0, 1, 2]) {
            const config = prometheusConfig(settingsFor({ scrapeConfigs, prometheus: { shards: 3 } }), shard, values);
            const rules = config.scrape_configs.find((j) => j.job_name === "apps")!.relabel_configs as unknown[];
            assert.deepEqual(rules.slice(0, 1), own);
            assert.deepEqual(
                rules.slice(1).map((r) => (r as { action: string }).action),
                ["hashmod", "keep"],
            );
        }
    });
});
