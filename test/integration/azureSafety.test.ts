// Day-2 safety on the Azure side, change by change, over the objects the component registers: the
// workspace survives a cluster rename, names never collide with what azure-cli, Azure Policy and the portal
// upsert, two clusters on one workspace do not fight over Grafana's access, private ingestion is private
// and waits for its links, and a scope in another subscription is refused before anything is created.

import * as assert from "node:assert/strict";
import type { AmaMetricsIstioArgs } from "../../components";
import type { Registration } from "../../scripts/offline";
import { AmaMetricsIstio } from "../../components";
import { baseArgs, byType, clusterId, evaluate, Evaluation, mockStack, one, testProviders, testSubscription } from "../harness";

const workspaceType = "azure-native:monitor:AzureMonitorWorkspace";

/** The cluster `name` in resource group `group` of `subscription`. */
const clusterIdOf = (name: string, group = "rg-aks", subscription = "11111111-2222-3333-4444-555555555555") =>
    `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${name}`;

function withCluster(
    resourceId: string,
    overrides: Partial<AmaMetricsIstioArgs> = {},
    collector: AmaMetricsIstioArgs["collector"] = "prometheus",
) {
    const base = baseArgs(overrides, collector);
    return { ...base, cluster: { ...base.cluster, resourceId, ...overrides.cluster } };
}

/**
 * azure-cli's names, re-derived here from its source (acs/azuremonitormetrics/dc/defaults.py
 * `get_default_dce_name`/`get_default_dcr_name`: `MSProm-<region>-<cluster>` through `sanitize_name`, 44 and
 * 64 characters; recordingrules/create.py: `NodeRecordingRulesRuleGroup-<cluster>`,
 * `KubernetesRecordingRulesRuleGroup-<cluster>` and the `-Win-` pair), and Microsoft's recommended alert
 * groups (`KubernetesAlert-RecommendedMetricAlerts<cluster>-Cluster-level` and its siblings).
 */
function microsoftNames(region: string, cluster: string): string[] {
    const sanitize = (name: string, length: number, endpoint: boolean) => {
        let cut = name.slice(0, length);
        if (endpoint) {
            cut = [...cut].filter((c) => /[A-Za-z0-9-]/.test(c)).join("");
        }
        return cut.replace(/[^A-Za-z0-9]+$/, "");
    };
    return [
        sanitize(`MSProm-${region}-${cluster}`, 44, true),
        sanitize(`MSProm-${region}-${cluster}`, 64, false),
        `NodeRecordingRulesRuleGroup-${cluster}`,
        `KubernetesRecordingRulesRuleGroup-${cluster}`,
        `NodeRecordingRulesRuleGroup-Win-${cluster}`,
        `NodeAndKubernetesRecordingRulesRuleGroup-Win-${cluster}`,
        `UXRecordingRulesRuleGroup - ${cluster}`,
        ...["Cluster-level", "Node-level", "Pod-level"].map((level) => `KubernetesAlert-RecommendedMetricAlerts${cluster}-${level}`),
    ].map((name) => name.toLowerCase());
}

/** Every Azure name the component gives in the monitoring resource group. */
function azureNames(e: Evaluation): string[] {
    const keys = ["azureMonitorWorkspaceName", "dataCollectionEndpointName", "dataCollectionRuleName", "ruleGroupName"];
    return e.registrations.flatMap((r) => keys.filter((k) => typeof r.inputs[k] === "string").map((k) => String(r.inputs[k])));
}

// The private link cases (moved from azure.test.ts): an ama-metrics cluster in another subscription than the provider's.
const monitoringGroup = "rg-monitoring";
const clusterName = "aks-prod-weu";
const givenClusterId = clusterIdOf(clusterName);

function amaArgs(overrides: Partial<AmaMetricsIstioArgs> = {}): AmaMetricsIstioArgs {
    const base = baseArgs({}, "ama-metrics");
    return { ...base, ...overrides, cluster: { ...base.cluster, resourceId: givenClusterId, ...overrides.cluster } };
}

function namedIn(e: Evaluation, name: string): Registration {
    const found = e.registrations.find((r) => r.name === `metrics-${name}`);
    assert.ok(found, `no registration metrics-${name}; have ${e.registrations.map((r) => r.name).join(", ")}`);
    return found;
}

describe("Azure day-2 safety", function () {
    describe("the workspace", () => {
        it("cluster renamed: the created workspace's name changes (a replace), and it is protected and retained, so Pulumi stops instead of deleting it", async () => {
            const before = one((await evaluate(withCluster(clusterIdOf("aks-one")))).registrations, workspaceType);
            const after = one((await evaluate(withCluster(clusterIdOf("aks-two")))).registrations, workspaceType);
            assert.equal(before.inputs.azureMonitorWorkspaceName, "amw-aks-one");
            assert.equal(after.inputs.azureMonitorWorkspaceName, "amw-aks-two");
            for (const workspace of [before, after]) {
                assert.deepEqual(
                    { protect: workspace.protect, retainOnDelete: workspace.retainOnDelete },
                    { protect: true, retainOnDelete: true },
                );
            }
        });

        it("cluster renamed with workspace.name kept: the same workspace, no replace", async () => {
            const names = await Promise.all(
                ["aks-one", "aks-two"].map(async (cluster) => {
                    const e = await evaluate(withCluster(clusterIdOf(cluster), { workspace: { name: "amw-platform" } }));
                    return one(e.registrations, workspaceType).inputs.azureMonitorWorkspaceName;
                }),
            );
            assert.deepEqual(names, ["amw-platform", "amw-platform"]);
        });

        it("workspace.protect: false is the explicit opt-out: neither protected nor retained", async () => {
            const e = await evaluate(baseArgs({ workspace: { protect: false } }));
            const workspace = one(e.registrations, workspaceType);
            assert.deepEqual(
                { protect: workspace.protect, retainOnDelete: workspace.retainOnDelete },
                { protect: false, retainOnDelete: false },
            );
        });
    });

    describe("names other tools upsert", () => {
        for (const collector of ["prometheus", "ama-metrics"] as const) {
            it(`${collector}: no name in the cluster's own resource group is one azure-cli, Azure Policy or the portal creates`, async () => {
                const group = "rg-aks";
                const e = await evaluate(
                    withCluster(
                        clusterIdOf("aks-one", group, testSubscription),
                        { resourceGroupName: group, alerts: { recommended: true } },
                        collector,
                    ),
                );
                assert.deepEqual(e.failures, []);
                const ours = azureNames(e).map((name) => name.toLowerCase());
                assert.ok(ours.length >= 9, ours.join());
                const theirs = microsoftNames("westeurope", "aks-one");
                assert.deepEqual(
                    ours.filter((name) => theirs.includes(name)),
                    [],
                );
            });
        }

        it("switching collectors renames nothing: the endpoint, rule and rule groups keep their names (so the rule's role assignments stay)", async () => {
            const names = async (collector: "prometheus" | "ama-metrics") =>
                azureNames(await evaluate(withCluster(clusterIdOf("aks-one", "rg-aks", testSubscription), {}, collector))).sort();
            const prometheus = await names("prometheus");
            assert.ok(prometheus.includes("amis-westeurope-aks-one"), prometheus.join());
            assert.deepEqual(await names("ama-metrics"), prometheus);
        });
    });

    describe("two clusters sharing a workspace", () => {
        const principalId = "4b0e7d3f-5f5e-4f6a-9a64-2f7d5c8b1e21";
        const readers = (e: Evaluation) =>
            byType(e.registrations, "azure-native:authorization:RoleAssignment").filter((r) =>
                String(r.inputs.roleDefinitionId).endsWith("/b0d8363b-8ddd-447d-831f-62ca05bff136"),
            );

        it("the stack that creates the workspace grants Grafana access once; the other, on the existing workspace, grants none", async () => {
            const first = await evaluate(withCluster(clusterIdOf("aks-one"), { grafana: { principalId } }));
            assert.equal(readers(first).length, 1);
            const shared = `/subscriptions/${testSubscription}/resourceGroups/rg-monitoring/providers/Microsoft.Monitor/accounts/amw-aks-one`;
            const second = await evaluate(withCluster(clusterIdOf("aks-two"), { workspace: { resourceId: shared } }));
            assert.deepEqual(readers(second), []);
        });

        it("asking the second stack for Grafana access too is refused before anything registers, saying where to grant it", () => {
            const registrations = mockStack();
            const shared = `/subscriptions/${testSubscription}/resourceGroups/rg-monitoring/providers/Microsoft.Monitor/accounts/amw-aks-one`;
            assert.throws(
                () =>
                    new AmaMetricsIstio(
                        "metrics",
                        withCluster(clusterIdOf("aks-two"), { workspace: { resourceId: shared }, grafana: { principalId } }),
                        {
                            providers: testProviders(),
                        },
                    ),
                /grafana = "<given>": the component grants Grafana access only on a workspace it creates.*; grant Monitoring Data Reader in the stack that creates the workspace, and drop grafana here/,
            );
            assert.deepEqual(
                registrations.filter((r) => !r.type.startsWith("pulumi:providers:")),
                [],
            );
        });
    });

    describe("private ingestion", () => {
        const scopeIn = (subscription: string) =>
            `/subscriptions/${subscription}/resourceGroups/rg-net/providers/Microsoft.Insights/privateLinkScopes/ampls-prod`;
        const privateArgs = (scope: string, shards = 2) => {
            const base = baseArgs({ privateLinkScopeId: scope, prometheus: { shards } });
            return { ...base, cluster: { ...base.cluster, private: true } };
        };

        it("the endpoints refuse public ingestion, and every shard waits for their links to the scope", async () => {
            const e = await evaluate(privateArgs(scopeIn(testSubscription)));
            assert.deepEqual(one(e.registrations, "azure-native:monitor:DataCollectionEndpoint").inputs.networkAcls, {
                publicNetworkAccess: "Disabled",
            });
            const links = byType(e.registrations, "azure-native:monitor:PrivateLinkScopedResource").map((r) => `${r.type}::${r.name}`);
            assert.equal(links.length, 1);
            const shards = byType(e.registrations, "kubernetes:apps/v1:StatefulSet");
            assert.equal(shards.length, 2);
            for (const shard of shards) {
                assert.ok(
                    links.every((link) => shard.dependsOn.includes(link)),
                    `${shard.name} does not wait for ${links.join()}`,
                );
            }
        });

        it("a public cluster's endpoint keeps Azure's default network access", async () => {
            const e = await evaluate(baseArgs());
            assert.equal(one(e.registrations, "azure-native:monitor:DataCollectionEndpoint").inputs.networkAcls, undefined);
        });

        it("a scope in another subscription than the provider's is refused naming both subscriptions; no endpoint or link is created", async () => {
            const hub = "99999999-8888-7777-6666-555555555555";
            const e = await evaluate(privateArgs(scopeIn(hub)));
            assert.ok(e.failures.length > 0, "nothing failed");
            assert.match(
                e.failures[0].message,
                new RegExp(
                    `privateLinkScopeId = ".*": the scope is in subscription ${hub}, the azure-native provider the component was given deploys to subscription ${testSubscription}.*; link the endpoints in a program whose azure-native provider targets ${hub}`,
                ),
            );
            for (const type of ["azure-native:monitor:DataCollectionEndpoint", "azure-native:monitor:PrivateLinkScopedResource"]) {
                assert.deepEqual(byType(e.registrations, type), [], `${type} was registered`);
            }
        });
    });

    describe("private link", () => {
        const scopeId = `/subscriptions/${testSubscription}/resourceGroups/rg-net/providers/Microsoft.Insights/privateLinkScopes/ampls-prod`;

        it("ama-metrics with the workspace elsewhere: an endpoint in the cluster's region named MSProm-PL-…, its configurationAccessEndpoint association, both endpoints linked to the scope", async () => {
            const e = await evaluate(
                amaArgs({
                    cluster: { resourceId: givenClusterId, location: "westeurope", kubernetesVersion: "1.33.7", private: true },
                    workspace: { location: "swedencentral" },
                    privateLinkScopeId: scopeId,
                }),
            );
            const endpoint = namedIn(e, "cluster-dce");
            assert.deepEqual(endpoint.inputs, {
                dataCollectionEndpointName: `MSProm-PL-westeurope-${clusterName}`,
                resourceGroupName: monitoringGroup,
                location: "westeurope",
                kind: "Linux",
                // Private means private: no ingestion from public networks.
                networkAcls: { publicNetworkAccess: "Disabled" },
            });
            assert.notEqual(endpoint.inputs.dataCollectionEndpointName, namedIn(e, "dce").inputs.dataCollectionEndpointName);
            const association = namedIn(e, "cluster-dcea");
            assert.deepEqual(Object.keys(association.inputs).sort(), ["associationName", "dataCollectionEndpointId", "resourceUri"]);
            assert.equal(association.inputs.associationName, "configurationAccessEndpoint");
            assert.equal(association.inputs.resourceUri, givenClusterId);
            assert.deepEqual(association.dependsOn, ["azure-native:monitor:DataCollectionEndpoint::metrics-cluster-dce"]);
            const links = byType(e.registrations, "azure-native:monitor:PrivateLinkScopedResource");
            assert.deepEqual(
                links.map((l) => l.inputs).sort((a, b) => String(a.name).localeCompare(String(b.name))),
                [
                    {
                        resourceGroupName: "rg-net",
                        scopeName: "ampls-prod",
                        name: `amis-swedencentral-${clusterName}-connection`,
                        linkedResourceId: `/subscriptions/${testSubscription}/resourceGroups/${monitoringGroup}/providers/Microsoft.Insights/dataCollectionEndpoints/amis-swedencentral-${clusterName}`,
                    },
                    {
                        resourceGroupName: "rg-net",
                        scopeName: "ampls-prod",
                        name: `MSProm-PL-westeurope-${clusterName}-connection`,
                        linkedResourceId: `/subscriptions/${testSubscription}/resourceGroups/${monitoringGroup}/providers/Microsoft.Insights/dataCollectionEndpoints/MSProm-PL-westeurope-${clusterName}`,
                    },
                ],
            );
            // The chart waits for the configuration endpoint's association too, and for both links: its first
            // writes would otherwise race them.
            const chart = one(e.registrations, "kubernetes:helm.sh/v4:Chart");
            for (const dependency of [
                "azure-native:monitor:DataCollectionRuleAssociation::metrics-cluster-dcea",
                "azure-native:monitor:PrivateLinkScopedResource::metrics-dce-link",
                "azure-native:monitor:PrivateLinkScopedResource::metrics-cluster-dce-link",
            ]) {
                assert.ok(chart.dependsOn.includes(dependency), dependency);
            }
        });

        it("reuses a configurationAccessEndpoint the cluster already has: no endpoint, no association", async () => {
            const existing = `/subscriptions/${testSubscription}/resourceGroups/rg-ci/providers/Microsoft.Insights/dataCollectionEndpoints/MSCI-config-westeurope-aks`;
            const e = await evaluate(
                amaArgs({
                    cluster: {
                        resourceId: givenClusterId,
                        location: "westeurope",
                        kubernetesVersion: "1.33.7",
                        private: true,
                        configurationAccessEndpointId: existing,
                    },
                    workspace: { location: "swedencentral" },
                    privateLinkScopeId: scopeId,
                }),
            );
            assert.deepEqual(
                byType(e.registrations, "azure-native:monitor:DataCollectionEndpoint").map((r) => r.name),
                ["metrics-dce"],
            );
            assert.equal(
                byType(e.registrations, "azure-native:monitor:DataCollectionRuleAssociation")
                    .map((r) => r.name)
                    .join(),
                "metrics-dcra",
            );
        });

        it("prometheus: links its one endpoint, and needs no configuration endpoint", async () => {
            const e = await evaluate({
                ...baseArgs({ workspace: { location: "swedencentral" }, privateLinkScopeId: scopeId }),
                cluster: { ...baseArgs().cluster, private: true },
            });
            assert.deepEqual(
                byType(e.registrations, "azure-native:monitor:DataCollectionEndpoint").map((r) => r.name),
                ["metrics-dce"],
            );
            assert.deepEqual(
                byType(e.registrations, "azure-native:monitor:PrivateLinkScopedResource").map((r) => r.name),
                ["metrics-dce-link"],
            );
            assert.equal(byType(e.registrations, "azure-native:monitor:DataCollectionRuleAssociation").length, 0);
        });
    });

    it("the harness's default cluster is in another subscription than the provider's: its Azure Monitor resources are created", async () => {
        const e = await evaluate(baseArgs());
        assert.ok(clusterId.includes("11111111-2222-3333-4444-555555555555"));
        assert.deepEqual(e.failures, []);
        one(e.registrations, workspaceType);
    });
});
