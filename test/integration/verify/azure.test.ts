// The Azure checks (--azure) against a fake ARM and query endpoint.

import * as assert from "node:assert/strict";
import { FakeKube, readObjects } from "./fakeKube";
import { azureArgs, clusterId, FakeAzure, withAzure } from "./fakeAzure";
import { amaMetricsArgs, amaMetricsCluster, expectOnlyProblems, expectStatus, prometheusArgs, prometheusCluster, verify } from "./harness";

type Json = Record<string, unknown>;

describe("ama-metrics-istio-verify --azure", () => {
    let kube: FakeKube;
    let azure: FakeAzure;
    const run = (args: string[]) => verify(kube.url, [...args, ...azureArgs], { azure: azure.access() });
    /** A run `minutes` after the fixture's pods started (all at once), the API server's clock set there too. */
    const runAt = (args: string[], minutes: number) => {
        const pod = kube.objects.find((o) => o.kind === "Pod") as unknown as { status: { startTime: string } };
        kube.now = new Date(Date.parse(pod.status.startTime) + minutes * 60 * 1000);
        return verify(kube.url, [...args, ...azureArgs], { azure: azure.access(), now: () => kube.now });
    };
    const addAddonAssociation = () => {
        const [rule] = readObjects("azure", "rule-addon.json") as unknown as Json[];
        azure.rules.set(String(rule.id).toLowerCase(), rule);
        azure.associations.push(readObjects("azure", "association-addon.json")[0] as unknown as Json);
    };

    afterEach(async () => {
        await kube.stop();
        await azure.stop();
    });

    describe("with the ama-metrics collector", () => {
        beforeEach(async () => {
            ({ kube, azure } = await withAzure(amaMetricsCluster));
        });

        it("passes when the association's rule sends to the workspace and data arrives", async () => {
            const result = await run(amaMetricsArgs);
            expectOnlyProblems(result, {});
            assert.deepEqual(
                result.checks.slice(0, 2).map((c) => c.id),
                ["azure.association", "azure.data-arriving"],
            );
            assert.equal(
                result.checks[0].message,
                "MSProm-westeurope-aks-prod → amis-westeurope-aks-prod sends to the workspace, and no other managed association exists",
            );
            assert.equal(result.checks[1].message, '3 series of up{cluster="aks-prod"}[10m]; newest sample 37 s ago');
        });

        it("reads ARM and the query endpoint with GETs and tokens for each", async () => {
            await run(amaMetricsArgs);
            assert.deepEqual(
                azure.requests.filter((r) => r.method !== "GET"),
                [],
            );
            const query = azure.requests.find((r) => r.url.startsWith("/prometheus/"))!;
            const params = new URL(query.url, "http://x").searchParams;
            assert.equal(params.get("query"), 'up{cluster="aks-prod"}[10m]');
            assert.equal(params.get("time"), "1795953600");
            assert.ok(
                azure.requests.some((r) => r.url.includes("page=1")),
                "follows ARM's nextLink",
            );
        });

        it("fails azure.association when an add-on's or a policy's MSProm association points at another rule", async () => {
            addAddonAssociation();
            const result = await run(amaMetricsArgs);
            expectOnlyProblems(result, { "azure.association": "fail" });
            const [foreign] = expectStatus(result, "azure.association", "fail");
            assert.match(
                foreign.message,
                /^MSProm-westeurope-aks-prod-addon → MSProm-westeurope-aks-prod points at another rule than the workspace's/,
            );
        });

        it("fails azure.association when no association reaches the workspace", async () => {
            azure.associations = azure.associations.filter((a) => a.name !== "MSProm-westeurope-aks-prod");
            const [none] = expectStatus(await run(amaMetricsArgs), "azure.association", "fail");
            assert.match(
                none.message,
                /^no association of the cluster points at a rule that sends to workspace .*amw-aks-prod \(associations: ContainerInsightsExtension → MSCI-westeurope-aks-prod\)$/,
            );
        });

        it("fails azure.data-arriving when no sample is newer than 10 minutes", async () => {
            azure.query = readObjects("azure", "query-empty.json")[0] as unknown as Json;
            const [empty] = expectStatus(await run(amaMetricsArgs), "azure.data-arriving", "fail");
            assert.equal(empty.message, 'no sample of up{cluster="aks-prod"}[10m] in the workspace in the last 10 minutes');
        });

        it("fails azure.data-arriving without data even while the pods are young: the agent has no role assignment to wait for", async () => {
            azure.query = readObjects("azure", "query-empty.json")[0] as unknown as Json;
            const [empty] = expectStatus(await runAt(amaMetricsArgs, 5), "azure.data-arriving", "fail");
            assert.equal(empty.message, 'no sample of up{cluster="aks-prod"}[10m] in the workspace in the last 10 minutes');
        });

        it("could not check azure.data-arriving, naming the missing role, when the query is forbidden (exit 2)", async () => {
            azure.overrides.set("/prometheus/api/v1/query", {
                status: 403,
                body: { status: "error", errorType: "forbidden", error: "Authorization failed" },
            });
            const result = await run(amaMetricsArgs);
            assert.equal(result.code, 2);
            const [forbidden] = expectStatus(result, "azure.data-arriving", "error");
            assert.match(forbidden.message, /HTTP 403: Authorization failed/);
            assert.equal(forbidden.fix, 'give the signed-in identity "Monitoring Data Reader" on the workspace');
        });

        it("exits 2 on an Azure auth error", async () => {
            const result = await verify(kube.url, [...amaMetricsArgs, ...azureArgs], {
                azure: async () => ({
                    armEndpoint: azure.url,
                    credential: {
                        getToken: async () => {
                            throw new Error(
                                "DefaultAzureCredential failed to retrieve a token from the included credentials.\nAttempted credentials: ...",
                            );
                        },
                    },
                }),
            });
            assert.equal(result.code, 2);
            assert.match(
                result.stderr,
                /--azure = true: auth error: no token for https:\/\/management.azure.com\/.default \(DefaultAzureCredential failed to retrieve a token from the included credentials.\); sign in with az login/,
            );
        });
    });

    describe("azure.recording-rules and azure.endpoint-network", () => {
        type RuleGroup = { name: string; properties: { enabled: boolean } };
        type Endpoint = { properties: { networkAcls: { publicNetworkAccess: string }; privateLinkScopedResources?: unknown[] } };
        const endpointId =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg-aks/providers/microsoft.insights/datacollectionendpoints/amis-westeurope-aks-prod";
        const scoped = [
            {
                resourceId:
                    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/microsoft.insights/privatelinkscopes/ampls-hub/scopedResources/MSProm-westeurope-aks-prod-connection",
                scopeId: "b74e0d38-3fc9-415a-baa5-84ec41adece3",
            },
        ];

        beforeEach(async () => {
            ({ kube, azure } = await withAzure(amaMetricsCluster));
        });

        it("pass for Microsoft's Linux groups enabled for the cluster and a public endpoint", async () => {
            const result = await run(amaMetricsArgs);
            expectOnlyProblems(result, {});
            assert.equal(
                expectStatus(result, "azure.recording-rules", "pass")[0].message,
                "3 recording rule groups record for cluster aks-prod into the workspace, all enabled",
            );
            assert.equal(
                expectStatus(result, "azure.endpoint-network", "pass")[0].message,
                "data collection endpoint amis-westeurope-aks-prod: public network access Enabled, linked to no private link scope: public",
            );
        });

        it("fails on a disabled or deleted group, and warns when the cluster has none", async () => {
            (azure.ruleGroups[0] as unknown as RuleGroup).properties.enabled = false;
            azure.ruleGroups.splice(1, 1);
            const [broken] = expectStatus(await run(amaMetricsArgs), "azure.recording-rules", "fail");
            assert.equal(
                broken.message,
                "the recording rule groups for cluster aks-prod are incomplete (missing: amis-KubernetesRecordingRulesRuleGroup-aks-prod; " +
                    "disabled: amis-NodeRecordingRulesRuleGroup-aks-prod): dashboards and Grafana's Kubernetes views query what they record",
            );
            azure.ruleGroups = [];
            const [none] = expectStatus(await run(amaMetricsArgs), "azure.recording-rules", "warn");
            assert.match(none.fix, /az aks update --disable-azure-monitor-metrics deletes them/);
        });

        it("warns on an endpoint linked to a private link scope but public, fails one that is neither", async () => {
            const endpoint = azure.endpoints.get(endpointId) as unknown as Endpoint;
            endpoint.properties.privateLinkScopedResources = scoped;
            const [linkedButPublic] = expectStatus(await run(amaMetricsArgs), "azure.endpoint-network", "warn");
            assert.match(
                linkedButPublic.message,
                /public network access Enabled, linked to .*privatelinkscopes\/ampls-hub: ingestion goes over the public endpoint/,
            );

            endpoint.properties.networkAcls.publicNetworkAccess = "Disabled";
            assert.match(
                expectStatus(await run(amaMetricsArgs), "azure.endpoint-network", "pass")[0].message,
                /Disabled, linked to .*: private$/,
            );

            delete endpoint.properties.privateLinkScopedResources;
            const [unreachable] = expectStatus(await run(amaMetricsArgs), "azure.endpoint-network", "fail");
            assert.match(unreachable.message, /public network access Disabled, linked to no private link scope: nothing reaches it/);
        });
    });

    describe("with the prometheus collector", () => {
        beforeEach(async () => {
            ({ kube, azure } = await withAzure(prometheusCluster));
            azure.associations = azure.associations.filter((a) => !String(a.name).startsWith("MSProm-"));
        });

        it("passes azure.role-assignment for the ServiceAccount's identity with Monitoring Metrics Publisher on a rule", async () => {
            const result = await run(prometheusArgs);
            assert.equal(
                expectStatus(result, "azure.role-assignment", "pass")[0].message,
                'identity prometheus-aks-prod-monitoring (client id 5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d0e) holds "Monitoring Metrics Publisher" on data collection rule amis-westeurope-aks-prod',
            );
        });

        it("fails azure.role-assignment without the assignment, and without an identity of that client id", async () => {
            azure.roleAssignments = [];
            const [unassigned] = expectStatus(await run(prometheusArgs), "azure.role-assignment", "fail");
            assert.match(
                unassigned.message,
                /holds "Monitoring Metrics Publisher" on no data collection rule: remote write is refused \(HTTP 403\)$/,
            );
            azure.identities = azure.identities.slice(1);
            const [gone] = expectStatus(await run(prometheusArgs), "azure.role-assignment", "fail");
            assert.equal(
                gone.message,
                "no user-assigned identity in the cluster's subscription has client id 5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d0e",
            );
            assert.match(gone.fix, /the component creates the collector's identity prometheus-aks-prod-…/);
        });

        it("finds its endpoint by the component's name for it in the cluster's subscription", async () => {
            const result = await run(prometheusArgs);
            assert.match(
                expectStatus(result, "azure.endpoint-network", "pass")[0].message,
                /^data collection endpoint amis-westeurope-aks-prod: /,
            );
        });

        it("needs no association", async () => {
            const result = await run(prometheusArgs);
            expectOnlyProblems(result, {});
            assert.match(
                expectStatus(result, "azure.association", "pass")[0].message,
                /^not needed: the prometheus collector remote-writes with its own identity/,
            );
        });

        it("warns about an add-on's or a policy's association", async () => {
            addAddonAssociation();
            const result = await run(prometheusArgs);
            expectOnlyProblems(result, { "azure.association": "warn" });
            assert.match(
                expectStatus(result, "azure.association", "warn")[0].message,
                /but MSProm-westeurope-aks-prod-addon → MSProm-westeurope-aks-prod exists/,
            );
        });

        describe("while the identity's new role assignment may not be in effect (about 30 minutes, Learn)", () => {
            beforeEach(() => {
                azure.query = readObjects("azure", "query-empty.json")[0] as unknown as Json;
            });

            it("warns on azure.data-arriving while the collector's pods are younger than 30 minutes", async () => {
                const result = await runAt(prometheusArgs, 29);
                expectOnlyProblems(result, { "azure.data-arriving": "warn" });
                const [early] = expectStatus(result, "azure.data-arriving", "warn");
                assert.equal(
                    early.message,
                    'no sample of up{cluster="aks-prod"}[10m] in the workspace in the last 10 minutes; the collector\'s pods started 29 min ago, ' +
                        'and Microsoft documents that a new "Monitoring Metrics Publisher" role assignment can take about 30 minutes to take effect (HTTP 403 meanwhile)',
                );
                assert.equal(
                    early.fix,
                    "run the check again once the pods are 30 minutes old; if no data arrives then, see remote-write.healthy",
                );
            });

            it("fails azure.data-arriving once the pods are 30 minutes old", async () => {
                const result = await runAt(prometheusArgs, 31);
                expectOnlyProblems(result, { "azure.data-arriving": "fail" });
                assert.equal(
                    expectStatus(result, "azure.data-arriving", "fail")[0].message,
                    'no sample of up{cluster="aks-prod"}[10m] in the workspace in the last 10 minutes',
                );
            });

            it("judges by the oldest shard pod: a shard restarted since does not bring the wait back", async () => {
                // 5 minutes before the run, which is 31 minutes after the other shard started.
                kube.get<{ status: { startTime: string } }>("Pod", "prometheus-shard-1-0", "monitoring").status.startTime =
                    "2026-11-29T10:24:00Z";
                expectStatus(await runAt(prometheusArgs, 31), "azure.data-arriving", "fail");
            });
        });

        it("fails azure.association when the cluster id names no cluster", async () => {
            const other = clusterId.replace("aks-prod", "aks-gone");
            const result = await verify(kube.url, [...prometheusArgs, "--azure", "--cluster-id", other, "--workspace-id", azureArgs[4]], {
                azure: azure.access(),
            });
            assert.match(expectStatus(result, "azure.association", "fail")[0].message, /cluster .*aks-gone not found/);
        });
    });
});
