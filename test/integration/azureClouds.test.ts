// Sovereign clouds, over what the component and the program register: the prometheus collector's
// `remote_write.azuread.cloud` and the federated credential's audience for each cloud, and the
// per-environment program's azure-native provider environment taken from the stack's cloud.

import * as assert from "node:assert/strict";
import { parse } from "yaml";
import type { CloudEnvironment } from "../../components";
import { parseEnvironment, providerEnvironment } from "../../environment";
import { baseArgs, byType, evaluate } from "../harness";

/**
 * For each cloud: Prometheus' name for it (prometheus/prometheus storage/remote/azuread/azuread.go, "Clouds":
 * AzurePublic, AzureGovernment, AzureChina) and azure-native's provider `environment` (public, usgovernment,
 * china).
 */
const expected: Record<CloudEnvironment, { prometheus: string; provider: string }> = {
    azurepubliccloud: { prometheus: "AzurePublic", provider: "public" },
    azureusgovernmentcloud: { prometheus: "AzureGovernment", provider: "usgovernment" },
    azurechinacloud: { prometheus: "AzureChina", provider: "china" },
};

describe("sovereign clouds", function () {
    for (const [cloud, names] of Object.entries(expected) as Array<[CloudEnvironment, (typeof expected)[CloudEnvironment]]>) {
        describe(cloud, () => {
            it(`the collector authenticates remote write against ${names.prometheus}, and its federated credential trusts the token Workload ID projects`, async () => {
                const base = baseArgs();
                const e = await evaluate({ ...base, cluster: { ...base.cluster, cloudEnvironment: cloud } });
                const configMap = byType(e.registrations, "kubernetes:core/v1:ConfigMap").find((r) =>
                    r.name.endsWith("/prometheus-shard-0"),
                );
                assert.ok(configMap, "no shard configuration");
                const config = parse(Object.values((configMap.inputs as { data: Record<string, string> }).data)[0]);
                assert.equal(config.remote_write[0].azuread.cloud, names.prometheus);
                const [credential] = byType(e.registrations, "azure-native:managedidentity:FederatedIdentityCredential");
                // The workload identity webhook projects the ServiceAccount token with this one audience in every
                // cloud (Azure/azure-workload-identity pkg/webhook/consts.go `DefaultAudience`); the per-cloud
                // audiences (api://AzureADTokenExchangeUSGov, …China) are for managed identity tokens used as
                // assertions, which Workload ID does not use.
                assert.deepEqual(credential.inputs.audiences, ["api://AzureADTokenExchange"]);
            });

            it(`the program's azure-native provider deploys to the ${names.provider} environment`, () => {
                const env = parseEnvironment({
                    subscriptionId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a62",
                    resourceGroupName: "rg-monitoring",
                    cluster: { stack: "acme/aks-cluster/prod", cloudEnvironment: cloud },
                });
                assert.equal(providerEnvironment(env), names.provider);
            });
        });
    }

    it("the program's provider defaults to the public cloud when the stack names none", () => {
        const env = parseEnvironment({
            subscriptionId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a62",
            resourceGroupName: "rg-monitoring",
            cluster: { stack: "acme/aks-cluster/prod" },
        });
        assert.equal(providerEnvironment(env), "public");
    });
});
