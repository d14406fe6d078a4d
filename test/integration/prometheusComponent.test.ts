// The prometheus collector inside the component, under Pulumi's mocks: the Azure identity (Learn's Workload
// ID pieces), the ingestion URL, and the order the engine would create things in, read from the
// registrations as the engine receives them.

import assert from "node:assert/strict";
import * as YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { AmaMetricsIstio, AmaMetricsIstioArgs } from "../../components";
import type { Registration } from "../../scripts/offline";
import {
    baseArgs,
    byType,
    clusterId,
    evaluate,
    fixtureObjects,
    key,
    mockStack,
    oidcIssuerUrl,
    one,
    settled,
    testProviders,
    testSubscription,
    valueOf,
} from "../harness";

const k8s = (kind: string) => (r: Registration) => r.type.startsWith("kubernetes:") && r.type.endsWith(`:${kind}`);
const named = (registrations: Registration[], kind: string, name: string) => {
    const found = registrations.filter((r) => k8s(kind)(r) && r.name === `metrics:${kind}:${name}`);
    assert.equal(found.length, 1, `${kind} ${name}`);
    return found[0];
};

const types = {
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    credential: "azure-native:managedidentity:FederatedIdentityCredential",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    rule: "azure-native:monitor:DataCollectionRule",
};

// Learn's example ("Connect self-managed Prometheus to Azure Monitor managed service for Prometheus"), with its
// workspace-specific parts generalised: any endpoint name in the workspace's region, any rule immutable id.
const learnExample =
    "https://aks-amw-0mi2.eastus-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-00000000000000000000000000000000/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24";
const learnForm = (region: string) =>
    new RegExp(
        `^${learnExample
            .replace(/[.?]/g, "\\$&")
            .replace("aks-amw-0mi2", "[a-z0-9-]+")
            .replace("eastus", region)
            .replace("dcr-0{32}".replace("0{32}", "0".repeat(32)), "dcr-[0-9a-f]{32}")}$`,
    );

async function run(overrides: Partial<AmaMetricsIstioArgs> = {}) {
    const { component, registrations } = await evaluate(baseArgs(overrides));
    const configOf = (shard: number) =>
        YAML.parse((named(registrations, "ConfigMap", `monitoring/prometheus-shard-${shard}`).inputs as any).data["prometheus.yml"]);
    return { component, registrations, configOf };
}

describe("prometheus collector: in the component", () => {
    it("writes to the rule's ingestion URL in Learn's documented form (api-version 2023-04-24)", async () => {
        const { configOf } = await run();
        const [remoteWrite] = configOf(0).remote_write;
        assert.match(learnExample, learnForm("eastus"));
        assert.match(remoteWrite.url, learnForm("westeurope"));
    });

    it("publishes with 'Monitoring Metrics Publisher' on the component's data collection rule", async () => {
        const { component, registrations } = await run();
        const assignment = one(registrations, types.roleAssignment);
        const ruleId = await valueOf(component.dataCollectionRuleId);
        const inputs = assignment.inputs as Record<string, string>;
        assert.equal(inputs.scope, ruleId);
        assert.match(
            ruleId,
            /^\/subscriptions\/[^/]+\/resourceGroups\/rg-monitoring\/providers\/Microsoft\.Insights\/dataCollectionRules\/[^/]+$/,
        );
        // The built-in role's id (Azure built-in roles, Monitor), in the rule's subscription.
        assert.equal(
            inputs.roleDefinitionId,
            `/subscriptions/${testSubscription}/providers/Microsoft.Authorization/roleDefinitions/3913510d-42f4-4e42-8a64-420c390055eb`,
        );
        assert.equal(inputs.principalType, "ServicePrincipal");
        assert.ok(assignment.dependsOn.includes(`${types.identity}::metrics-identity`), "the identity's principal");
        assert.ok(assignment.dependsOn.includes(`${types.rule}::metrics-dcr`));
    });

    it("trusts the cluster's issuer for the agent's ServiceAccount, with Workload ID's audience", async () => {
        const { registrations } = await run();
        const credential = one(registrations, types.credential);
        const inputs = credential.inputs as Record<string, unknown>;
        // Learn (prometheus-remote-write-azure-workload-identity): subject system:serviceaccount:<namespace>:<name>,
        // audience api://AzureADTokenExchange.
        assert.equal(inputs.issuer, oidcIssuerUrl);
        assert.equal(inputs.subject, "system:serviceaccount:monitoring:prometheus-agent");
        assert.deepEqual(inputs.audiences, ["api://AzureADTokenExchange"]);
        // Its parent identity comes in through `resourceName: identity.name`, an output the offline mocks do not
        // answer (they echo inputs, and the identity's input is `resourceName`): not checkable here.
        assert.equal((one(registrations, types.identity).inputs as Record<string, unknown>).location, "westeurope");
    });

    it("carries the identity's client and tenant ids into the ServiceAccount and every shard's remote write", async () => {
        const { component, registrations, configOf } = await run({ prometheus: { shards: 2 } });
        const clientId = await valueOf(component.collectorIdentityClientId);
        assert.match(String(clientId), /^[0-9a-f-]{36}$/);
        const annotations = (named(registrations, "ServiceAccount", "monitoring/prometheus-agent").inputs as any).metadata.annotations;
        assert.equal(annotations["azure.workload.identity/client-id"], clientId);
        for (const shard of [0, 1]) {
            const { azuread, write_relabel_configs } = configOf(shard).remote_write[0];
            assert.deepEqual(azuread, {
                cloud: "AzurePublic",
                workload_identity: { client_id: clientId, tenant_id: annotations["azure.workload.identity/tenant-id"] },
            });
            // The cluster's name: the last segment of its resource id.
            assert.deepEqual(write_relabel_configs, [{ target_label: "cluster", replacement: "aks-one", action: "replace" }]);
        }
    });

    describe("ordering", () => {
        it("each StatefulSet waits for the role assignment, the federated credential, the namespace and what it reads at start", async () => {
            const { registrations } = await run({ prometheus: { shards: 2 } });
            for (const shard of [0, 1]) {
                const set = named(registrations, "StatefulSet", `monitoring/prometheus-shard-${shard}`);
                for (const needed of [
                    `${types.roleAssignment}::metrics-metrics-publisher`,
                    `${types.credential}::metrics-identity-credential`,
                    "kubernetes:core/v1:Namespace::metrics-namespace",
                    key(named(registrations, "ServiceAccount", "monitoring/prometheus-agent")),
                    key(named(registrations, "ConfigMap", `monitoring/prometheus-shard-${shard}`)),
                    key(named(registrations, "ClusterRoleBinding", "prometheus-agent-monitoring")),
                    key(named(registrations, "PeerAuthentication", "monitoring/default")),
                ]) {
                    assert.ok(set.dependsOn.includes(needed), `shard ${shard} waits for ${needed}`);
                }
                assert.ok(!set.dependsOn.includes(key(named(registrations, "ConfigMap", `monitoring/prometheus-shard-${1 - shard}`))));
            }
        });

        it("nothing Kubernetes waits on Azure unless it carries an Azure value or writes to Azure", async () => {
            const { registrations } = await run({ prometheus: { shards: 2 } });
            const waitingOnAzure = registrations
                .filter((r) => r.type.startsWith("kubernetes:") && r.dependsOn.some((d) => d.startsWith("azure-native:")))
                .map((r) => r.name)
                .sort();
            assert.deepEqual(waitingOnAzure, [
                "metrics:ConfigMap:monitoring/prometheus-shard-0",
                "metrics:ConfigMap:monitoring/prometheus-shard-1",
                "metrics:ServiceAccount:monitoring/prometheus-agent",
                "metrics:StatefulSet:monitoring/prometheus-shard-0",
                "metrics:StatefulSet:monitoring/prometheus-shard-1",
            ]);
            const ksm = named(registrations, "Deployment", "monitoring/kube-state-metrics");
            for (const needed of ["ServiceAccount:monitoring/kube-state-metrics", "ClusterRoleBinding:kube-state-metrics-monitoring"]) {
                assert.ok(
                    ksm.dependsOn.some((d) => d.endsWith(`::metrics:${needed}`)),
                    needed,
                );
            }
        });

        it("cluster-scoped objects wait for nothing; the namespace's objects wait for the namespace", async () => {
            const { registrations } = await run();
            for (const r of registrations.filter((r) => r.type.startsWith("kubernetes:") && r.name.startsWith("metrics:"))) {
                const namespaced = r.name.split(":")[2].includes("/");
                if (!namespaced) {
                    assert.deepEqual(r.dependsOn, [], r.name);
                } else {
                    assert.ok(r.dependsOn.includes("kubernetes:core/v1:Namespace::metrics-namespace"), r.name);
                }
                assert.equal(r.parent, "ama-metrics-istio:index:AmaMetricsIstio::metrics");
            }
        });
    });

    describe("day 2", () => {
        const shardSets = (registrations: Registration[]) =>
            [0, 1, 2].map((shard) => named(registrations, "StatefulSet", `monitoring/prometheus-shard-${shard}`));

        it("config changed with 3 shards: every shard's pod changes, and shard k+1 waits for shard k, so they roll one at a time", async () => {
            const before = await run({ prometheus: { shards: 3 } });
            const after = await run({ prometheus: { shards: 3, scrapeInterval: "1m" } });
            const [old, now] = [before, after].map(({ registrations }) => shardSets(registrations));
            for (let shard = 0; shard < 3; shard++) {
                const [a, b] = [old[shard], now[shard]].map((r) => r.inputs as any);
                // The pod templates differ (the configuration's checksum): each StatefulSet rolls its pod.
                assert.notEqual(
                    a.spec.template.metadata.annotations["ama-metrics-istio/config-sha256"],
                    b.spec.template.metadata.annotations["ama-metrics-istio/config-sha256"],
                );
                assert.deepEqual({ ...a.spec, template: undefined }, { ...b.spec, template: undefined });
                // The chain: shard k+1 waits for shard k's StatefulSet (pulumi-kubernetes' StatefulSet awaiter finishes an
                // update once its rollout has), and for no later shard.
                for (const sets of [old, now]) {
                    for (let other = 0; other < 3; other++) {
                        assert.equal(
                            sets[shard].dependsOn.includes(key(sets[other])),
                            other === shard - 1,
                            `shard ${shard} waits for shard ${other}: ${other === shard - 1}`,
                        );
                    }
                }
            }
            // Before and after, the engine receives them in chain order.
            for (const { registrations } of [before, after]) {
                const order = registrations.filter(k8s("StatefulSet")).map((r) => r.name);
                assert.deepEqual(
                    order,
                    [0, 1, 2].map((shard) => `metrics:StatefulSet:monitoring/prometheus-shard-${shard}`),
                );
            }
        });

        it("the PriorityClass exists before any pod asks for it", async () => {
            const { registrations } = await run({ prometheus: { shards: 2 } });
            const priorityClass = named(registrations, "PriorityClass", "ama-metrics-istio-monitoring");
            assert.deepEqual(priorityClass.dependsOn, []);
            for (const workload of [...registrations.filter(k8s("StatefulSet")), ...registrations.filter(k8s("Deployment"))]) {
                assert.ok(workload.dependsOn.includes(key(priorityClass)), workload.name);
            }
        });

        it("namespace changed: the identity and its role assignment stay as they were; only the federated credential changes", async () => {
            const before = await run();
            const after = await run({ namespace: "observability" });
            const [identity, assignment, credential] = [types.identity, types.roleAssignment, types.credential].map((type) =>
                [before, after].map(({ registrations }) => one(registrations, type)),
            );
            // Same Pulumi name, same inputs: no update, no replacement, no new role assignment to wait for.
            assert.equal(identity[0].name, identity[1].name);
            assert.deepEqual(identity[0].inputs, identity[1].inputs);
            assert.ok(!String((identity[0].inputs as any).resourceName).includes("monitoring"));
            assert.equal(assignment[0].name, assignment[1].name);
            assert.deepEqual(assignment[0].inputs, assignment[1].inputs);
            // The credential trusts the new namespace's ServiceAccount, under a new name: Pulumi creates it before
            // deleting the old one.
            assert.equal((credential[0].inputs as any).subject, "system:serviceaccount:monitoring:prometheus-agent");
            assert.equal((credential[1].inputs as any).subject, "system:serviceaccount:observability:prometheus-agent");
            assert.notEqual(
                (credential[0].inputs as any).federatedIdentityCredentialResourceName,
                (credential[1].inputs as any).federatedIdentityCredentialResourceName,
            );
            assert.equal(credential[1].deleteBeforeReplace, false);
        });

        it("the identity's name is its installation's, and once created it is kept", async () => {
            const options = new Map<string, pulumi.ResourceOptions>();
            const capture: pulumi.ResourceTransformation = ({ type, name, opts }) => {
                options.set(`${type}::${name}`, opts);
                return undefined;
            };
            mockStack();
            new AmaMetricsIstio("metrics", baseArgs(), { providers: testProviders(), transformations: [capture] });
            await settled();
            const identityOptions = options.get(`${types.identity}::metrics-identity`) as pulumi.CustomResourceOptions;
            // A rename would replace the identity (and its role assignment): identities named after the namespace
            // by earlier releases keep their names.
            assert.deepEqual(identityOptions.ignoreChanges, ["resourceName"]);
            // Two installations in one cluster and resource group (another stack, or another component name) get
            // different identities.
            const names = await Promise.all(
                ["metrics", "metrics-two"].map(async (name) => {
                    const { registrations } = await evaluate(baseArgs(), name);
                    return (one(registrations, types.identity).inputs as any).resourceName as string;
                }),
            );
            assert.match(names[0], /^prometheus-aks-one-[0-9a-f]{8}$/);
            assert.notEqual(names[0], names[1]);
        });
    });

    it("switching collectors: no object of one has the name of the other's, so both run side by side until the old one is deleted", async () => {
        const { registrations: prometheus } = await run();
        const { registrations: amaMetrics } = await evaluate(baseArgs({}, "ama-metrics"));
        /** Kubernetes objects by kind, namespace and name, with the Pulumi resource that holds each. */
        const held = (registrations: Registration[]) =>
            new Map(
                registrations
                    .filter((r) => r.type.startsWith("kubernetes:") && (r.inputs as any).metadata?.name !== undefined)
                    .map((r) => {
                        const { name, namespace } = (r.inputs as any).metadata;
                        return [`${r.type.split(":").at(-1)} ${namespace ?? ""}/${name}`, key(r)] as const;
                    }),
            );
        const [before, after] = [held(amaMetrics), held(prometheus)];
        // An object both hold is the same Pulumi resource (updated in place); a new resource holding an object the
        // old collector still has would fail to create.
        const shared = [...after.keys()].filter((object) => before.has(object));
        assert.ok(shared.includes("Namespace /monitoring"));
        for (const object of shared) {
            assert.equal(after.get(object), before.get(object), object);
        }
        // The chart's objects (its rendering, test/fixtures/ama-metrics-chart) are not Pulumi resources of their own
        // here: none has the kind and name of a prometheus collector's object.
        const chart = new Set(
            fixtureObjects("ama-metrics-chart", "rendered-aks-component.yaml").map((o) => `${o.kind} ${o.metadata.name}`),
        );
        assert.ok(chart.has("Deployment ama-metrics-ksm"));
        const clashes = [...after.keys()].filter((object) => {
            const [kind, path] = object.split(" ");
            return chart.has(`${kind} ${path.split("/")[1]}`);
        });
        assert.deepEqual(clashes, []);
    });

    it("switching from ama-metrics with prometheusIdentity: the identity, credential and role assignment are already there, unchanged", async () => {
        const { registrations: before } = await evaluate(
            baseArgs(
                {
                    prometheusIdentity: true,
                    cluster: { resourceId: clusterId, location: "westeurope", kubernetesVersion: "1.33.7", oidcIssuerUrl },
                },
                "ama-metrics",
            ),
        );
        const { registrations: after } = await run();
        for (const type of [types.identity, types.credential, types.roleAssignment]) {
            const [old, now] = [before, after].map((registrations) => one(registrations, type));
            // Same Pulumi resource, same inputs, same parent: the switch neither creates nor updates them, so the
            // role assignment has long applied when the shards first write.
            assert.equal(old.name, now.name, type);
            assert.equal(old.parent, now.parent, type);
            assert.deepEqual(old.inputs, now.inputs, type);
        }
        // Without it, ama-metrics creates none of them.
        const { registrations: plain } = await evaluate(baseArgs({}, "ama-metrics"));
        for (const type of [types.identity, types.credential, types.roleAssignment]) {
            assert.equal(byType(plain, type).length, 0, type);
        }
    });

    it("registers in every mesh mode, and only Kubernetes objects besides the identity's three resources", async () => {
        for (const istio of [
            { mode: "sidecar" as const },
            { mode: "certificates" as const, revision: "asm-1-27" },
            { mode: "off" as const },
        ]) {
            const { registrations } = await run({ istio });
            assert.equal(byType(registrations, types.identity).length, 1);
            assert.equal(byType(registrations, types.credential).length, 1);
            assert.equal(byType(registrations, types.roleAssignment).length, 1);
            assert.equal(registrations.filter(k8s("StatefulSet")).length, 1);
            assert.ok(!registrations.some((r) => JSON.stringify(r.inputs).includes('"kube-system"')), istio.mode);
        }
    });
});
