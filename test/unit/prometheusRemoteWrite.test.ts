// The prometheus collector's remote write, checked against Prometheus v3.14.0's sources (its `azuread`
// block and its `QueueConfig`) and Microsoft's documented ingestion limits.
// test/fixtures/prometheus/PROVENANCE.md says where each comes from.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as YAML from "yaml";
import type { AmaMetricsIstioArgs } from "../../components";
import { CollectorValues, ingestionFacts, prometheusConfig } from "../../components/prometheus/config";
import { baseArgs, fixture, settingsFor } from "../harness";

const values: CollectorValues = {
    clusterName: "aks-one",
    clientId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    remoteWriteUrl:
        "https://aks-amw-0mi2.eastus-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-00000000000000000000000000000000/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24",
};

const configOf = (overrides: Partial<AmaMetricsIstioArgs> = {}, shard = 0) => prometheusConfig(settingsFor(overrides), shard, values);

type Rule = Record<string, unknown>;

describe("prometheus collector: remote write", () => {
    describe("remote write", () => {
        const azureadSource = fs.readFileSync(fixture("prometheus", "prometheus", "azuread.go"), "utf8");
        /** The YAML keys of a Go struct of azuread.go (v3.14.0). */
        const yamlKeys = (struct: string): string[] => {
            const body = new RegExp(`type ${struct} struct \\{([\\s\\S]*?)\\n\\}`).exec(azureadSource)![1];
            return [...body.matchAll(/yaml:"([a-z_]+)/g)].map((m) => m[1]);
        };
        const clouds = [...azureadSource.matchAll(/^\s*Azure(China|Government|Public)\s*=\s*"(\w+)"/gm)].map((m) => m[2]);
        const authenticators = ["managed_identity", "workload_identity", "oauth", "sdk", "certificate"];
        const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

        it("writes to the URL given, once", () => {
            const config = configOf();
            assert.equal(config.remote_write.length, 1);
            assert.equal(config.remote_write[0].url, values.remoteWriteUrl);
        });

        it("authenticates with Workload ID only, in the form Prometheus v3.14.0 accepts", () => {
            assert.deepEqual(yamlKeys("AzureADConfig").sort(), [...authenticators, "cloud", "scope"].sort());
            assert.deepEqual(yamlKeys("WorkloadIdentityConfig"), ["client_id", "tenant_id", "token_file_path"]);
            assert.deepEqual(clouds.sort(), ["AzureChina", "AzureGovernment", "AzurePublic"]);
            const upstreamGood = YAML.parse(
                fs.readFileSync(fixture("prometheus", "prometheus", "azuread_good_workloadidentity.yaml"), "utf8"),
            );

            const entry = configOf().remote_write[0];
            const azuread = entry.azuread as Record<string, any>;
            assert.ok(Object.keys(azuread).every((key) => yamlKeys("AzureADConfig").includes(key)));
            assert.deepEqual(
                Object.keys(azuread).filter((key) => authenticators.includes(key)),
                ["workload_identity"],
            );
            assert.ok(clouds.includes(azuread.cloud));
            // Upstream's valid example, without token_file_path: v3.14.0 follows AZURE_FEDERATED_TOKEN_FILE, which
            // Workload ID's webhook sets to wherever its version mounts the token.
            assert.deepEqual(
                Object.keys(azuread.workload_identity).sort(),
                Object.keys(upstreamGood.workload_identity)
                    .filter((k) => k !== "token_file_path")
                    .sort(),
            );
            assert.deepEqual(azuread.workload_identity, { client_id: values.clientId, tenant_id: values.tenantId });
            assert.match(azuread.workload_identity.client_id, uuid);
            assert.match(azuread.workload_identity.tenant_id, uuid);
            // azuread excludes every other authorization of the entry (config.go validateAuthConfigs, HTTP client).
            for (const key of [
                "basic_auth",
                "authorization",
                "oauth2",
                "sigv4",
                "google_iam",
                "bearer_token",
                "bearer_token_file",
                "headers",
            ]) {
                assert.ok(!(key in entry), key);
            }
        });

        it("names the cloud as Prometheus does, per cloud environment", () => {
            const expected = {
                azurepubliccloud: "AzurePublic",
                azureusgovernmentcloud: "AzureGovernment",
                azurechinacloud: "AzureChina",
            } as const;
            for (const [cloudEnvironment, cloud] of Object.entries(expected)) {
                const config = configOf({
                    cluster: { ...baseArgs().cluster, cloudEnvironment: cloudEnvironment as keyof typeof expected },
                });
                assert.equal((config.remote_write[0].azuread as any).cloud, cloud);
                assert.ok(clouds.includes(cloud));
            }
        });

        it("sets cluster to the cluster's name on every written series, whatever a target sent", () => {
            const rules = configOf().remote_write[0].write_relabel_configs as Rule[];
            // A replace with no source labels and the default regex always matches: the add-on's `upsert`.
            assert.deepEqual(rules, [{ target_label: "cluster", replacement: "aks-one", action: "replace" }]);
            assert.ok(!("external_labels" in configOf().global));
        });
    });

    describe("remote write queue", () => {
        const configSource = fs.readFileSync(fixture("prometheus", "prometheus", "config.go"), "utf8");
        const queueKeys = [.../type QueueConfig struct \{([\s\S]*?)\n\}/.exec(configSource)![1].matchAll(/yaml:"([a-z_0-9]+)/g)].map(
            (m) => m[1],
        );
        const defaults = /DefaultQueueConfig = QueueConfig\{([\s\S]*?)\n\t\}/.exec(configSource)![1];

        it("uses only QueueConfig keys Prometheus v3.14.0 knows", () => {
            const queue = configOf().remote_write[0].queue_config as Record<string, unknown>;
            assert.ok(
                Object.keys(queue).every((key) => queueKeys.includes(key)),
                JSON.stringify(Object.keys(queue)),
            );
        });

        it("retries Azure's throttling (429) and drops samples older than Azure Monitor accepts (20 minutes)", () => {
            const queue = configOf().remote_write[0].queue_config as Record<string, unknown>;
            assert.equal(queue.retry_on_http_429, true);
            assert.equal(queue.sample_age_limit, "20m");
        });

        it("keeps every shard's queue together under the endpoint's requests per minute, even sending partial batches", () => {
            assert.match(defaults, /MaxShards:\s+50,/);
            assert.match(defaults, /BatchSendDeadline: model.Duration\(5 \* time.Second\)/);
            for (const shards of [1, 2, 8, 32]) {
                const queue = configOf({ prometheus: { shards } }).remote_write[0].queue_config as Record<string, number>;
                assert.ok(queue.max_shards >= 1 && queue.max_shards <= 50, String(queue.max_shards));
                // A queue shard sends at least once per batch_send_deadline (5 s): 12 requests a minute.
                assert.ok(shards * queue.max_shards * 12 <= ingestionFacts.requestsPerMinutePerEndpoint, `${shards} shards`);
            }
            assert.equal((configOf().remote_write[0].queue_config as Record<string, number>).max_shards, 50);
        });
    });
});
