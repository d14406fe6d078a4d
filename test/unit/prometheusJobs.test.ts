// The registry of the prometheus collector's scrape jobs (components/prometheus/jobs), one table-driven test
// over it: each job against the add-on's job file, keep-list constant and default setting
// (test/fixtures/prometheus/PROVENANCE.md), and each refused target against the add-on's own reason.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { AmaMetricsIstioArgs, PrometheusTarget } from "../../components";
import { validateArgs } from "../../components/arguments/validate";
import type { PrometheusCollectorSettings } from "../../components/core/settings";
import { buildJob, refusedTargets, scrapeJobs, targetDefaults } from "../../components/prometheus/jobs";
import { addOnLimits } from "../../components/prometheus/jobs/common";
import { baseArgs } from "../harness";
import { anchored, upstreamJob, upstreamKeepLists, upstreamMerger, upstreamTargetDefaults } from "../prometheusUpstream";

type Rule = Record<string, unknown>;
const rules = (job: Record<string, unknown>, field = "relabel_configs") => (job[field] as Rule[] | undefined) ?? [];
const settingsOf = (overrides: Partial<AmaMetricsIstioArgs> = {}) =>
    validateArgs("metrics", baseArgs(overrides)) as PrometheusCollectorSettings;

/** The targets issue 25 lists, by the add-on's setting names. */
const addOnTargets: PrometheusTarget[] = [
    "kubelet",
    "cadvisor",
    "kubestate",
    "nodeexporter",
    "kappiebasic",
    "networkobservabilityRetina",
    "networkobservabilityHubble",
    "networkobservabilityCilium",
    "acstor-capacity-provisioner",
    "acstor-metrics-exporter",
    "coredns",
    "kubeproxy",
    "apiserver",
];

/** An add-on job that discovers a Service only to rewrite its address to the node its DaemonSet pod runs on. */
const markerServiceOnNodeIp = (upstream: Record<string, unknown>) =>
    JSON.stringify(upstream.kubernetes_sd_configs) === JSON.stringify([{ role: "service" }]) &&
    rules(upstream).some((r) => String(r.replacement).startsWith("$$NODE_IP$$"));

/** Every target on, but the refused ones, and the annotation job: every job of the registry is built. */
const everything = (): PrometheusCollectorSettings =>
    settingsOf({
        prometheus: {
            targets: Object.fromEntries(addOnTargets.map((t) => [t, !refusedTargets.some((r) => r.target === t)])),
            podAnnotationNamespaces: "shop",
        },
    });

describe("prometheus collector: the scrape job registry", () => {
    it("covers every target of the add-on exactly once: a job, or a refusal", () => {
        const covered = [...scrapeJobs.flatMap((j) => (j.target ? [j.target] : [])), ...refusedTargets.map((r) => r.target)];
        assert.deepEqual([...covered].sort(), [...addOnTargets].sort());
        assert.deepEqual(Object.keys(targetDefaults).sort(), [...addOnTargets].sort());
    });

    it("has unique job names, each a valid Prometheus job name different from the add-on's other jobs'", () => {
        const names = [...scrapeJobs.map((j) => j.name), ...refusedTargets.map((r) => r.name)];
        assert.equal(new Set(names).size, names.length);
    });

    for (const job of scrapeJobs) {
        describe(job.name, () => {
            const built = () => buildJob(job, everything(), 0);

            it("builds a job of its name, on when everything is", () => {
                assert.equal(built().job_name, job.name);
                assert.ok(job.enabled(everything()));
            });

            it("sets its sample_limit (a whole number, with its sizing stated) and the add-on's label limits", () => {
                assert.ok(Number.isInteger(job.sampleLimit) && job.sampleLimit > 0);
                assert.ok(job.sizing.length > 0);
                assert.equal(built().sample_limit, job.sampleLimit);
                for (const [key, value] of Object.entries(addOnLimits)) assert.equal(built()[key], value, key);
            });

            it("keeps exactly its keep-list, or everything when it has none", () => {
                const keeps = rules(built(), "metric_relabel_configs");
                if (job.keepList === undefined) {
                    assert.deepEqual(keeps, []);
                } else {
                    assert.deepEqual(keeps, [{ source_labels: ["__name__"], action: "keep", regex: job.keepList }]);
                    assert.doesNotThrow(() => anchored(job.keepList!));
                }
            });

            if (job.upstream === undefined) return;
            const upstream = upstreamJob(job.upstream.file);

            it(`is the add-on's ${job.upstream.file}: name, client, discovery and rules`, () => {
                const ours = built();
                assert.equal(ours.job_name, upstream.job_name);
                for (const key of ["scheme", "metrics_path", "tls_config", "bearer_token_file", "honor_labels"]) {
                    assert.deepEqual(ours[key], upstream[key], key);
                }
                // The add-on's limits, where its file sets them, are the ones every job here carries.
                for (const key of Object.keys(addOnLimits)) {
                    if (key in upstream) assert.equal(ours[key], upstream[key], key);
                }
                // The add-on's network-observability jobs keep a marker Service and scrape `$$NODE_IP$$` on its port from
                // each node's agent: discovery of the agents' pods replaces both (prometheusConfig.test.ts).
                if (markerServiceOnNodeIp(upstream)) return;
                // Pod, service and endpoints discovery as written; the add-on's node jobs are per-node static targets,
                // which node discovery replaces (prometheusConfig.test.ts).
                if (upstream.kubernetes_sd_configs) assert.deepEqual(ours.kubernetes_sd_configs, upstream.kubernetes_sd_configs);
                // Every rule without a per-pod placeholder (`$$…`) is taken over as written (YAML `true` as Prometheus reads it).
                const text = (r: unknown) => JSON.stringify(r).replace(/"regex":true/g, '"regex":"true"');
                for (const rule of rules(upstream).filter((r) => !JSON.stringify(r).includes("$$"))) {
                    assert.ok(
                        rules(ours).some((r) => text(r) === text(rule)),
                        `${job.name}: ${JSON.stringify(rule)}`,
                    );
                }
            });

            if (job.upstream.keepListVariable !== undefined) {
                it(`keeps the add-on's ${job.upstream.keepListVariable}_minimal_mac, name for name`, () => {
                    // The agent applies "<user list>|<minimal list>"; with no user list the leading empty alternative
                    // matches no metric name, so the keep set is the minimal list itself.
                    assert.equal(job.keepList, upstreamKeepLists[job.upstream!.keepListVariable!]);
                });
            }

            if (job.target !== undefined) {
                it(`is on by default as the add-on's "${job.target}" setting is (${String(job.addOnDefault)})`, () => {
                    assert.equal(job.addOnDefault, upstreamTargetDefaults[job.target!]);
                    assert.equal(targetDefaults[job.target!], upstreamTargetDefaults[job.target!]);
                    const off = settingsOf({ prometheus: { targets: { [job.target!]: false } } });
                    assert.equal(job.enabled(off), false);
                });
            }
        });
    }

    it("is what the README's target table lists: switch, job, defaults, sample_limit", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
        const section = /^### Scrape targets\n([\s\S]*?)^### /m.exec(readme)![1];
        const rows = [...section.matchAll(/^\| (.+) \|$/gm)].slice(1).map((m) => m[1].split(" | ").slice(0, 5));
        const onOff = (on: boolean | undefined) => (on ? "on" : "off");
        const expected = [
            ...scrapeJobs.map((job) => [
                job.target ? `\`${job.target}\`` : job.name === "kubernetes-pods" ? "`podAnnotationNamespaces`" : "always",
                `\`${job.name}\``,
                job.target ? onOff(job.addOnDefault) : job.name === "kubernetes-pods" ? "off" : "–",
                job.target ? onOff(targetDefaults[job.target]) : onOff(job.enabled(settingsOf())),
                job.sampleLimit.toLocaleString("en-US"),
            ]),
            ...refusedTargets.map((r) => [`\`${r.target}\``, `\`${r.name}\``, onOff(r.addOnDefault), "refused", "–"]),
        ];
        assert.deepEqual(rows, expected);
    });

    for (const refused of refusedTargets) {
        describe(`${refused.target} (refused)`, () => {
            it(`is the add-on's ${refused.upstream.file}, on by default there, which only its DaemonSet scrapes`, () => {
                const upstream = upstreamJob(refused.upstream.file);
                assert.equal(upstream.job_name, refused.name);
                assert.equal(upstreamTargetDefaults[refused.target], refused.addOnDefault);
                assert.ok(upstreamKeepLists[refused.upstream.keepListVariable!] !== undefined);
                // Its target is the node the agent runs on.
                assert.ok(rules(upstream).some((r) => String(r.replacement).startsWith("$$NODE_IP$$")));
                const block = upstreamMerger.split(`AZMON_PROMETHEUS_${refused.target.toUpperCase()}_SCRAPING_ENABLED`)[1];
                assert.match(
                    block.slice(0, 600),
                    /if currentControllerType == replicasetControllerType \{\s*\/\/ Do nothing - .* is not supported to be scrapped automatically outside ds\./,
                );
            });

            it("is off by default here, and refused with the reason when asked for", () => {
                assert.equal(targetDefaults[refused.target], false);
                assert.throws(
                    () => settingsOf({ prometheus: { targets: { [refused.target]: true } } }),
                    (error: any) => {
                        assert.deepEqual(error.messages, [
                            `prometheus.targets.${refused.target} = true: ${refused.reason}; ${refused.fix}`,
                        ]);
                        return true;
                    },
                );
            });
        });
    }
});
