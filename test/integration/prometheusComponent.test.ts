// The prometheus collector inside the component, under Pulumi's mocks: the Azure identity (Learn's Workload
// ID pieces), the ingestion URL, and the order the engine would create things in, read from the
// registrations as the engine receives them.

import assert from "node:assert/strict";
import * as YAML from "yaml";
import type { AmaMetricsIstioArgs } from "../../components";
import type { Registration } from "../../scripts/offline";
import { baseArgs, byType, evaluate, key, oidcIssuerUrl, one, testSubscription, valueOf } from "../harness";

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
