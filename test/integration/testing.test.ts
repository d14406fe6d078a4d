// `ama-metrics-istio/testing`: the mocks a consumer's unit tests use. With them every resource of either
// collector registers; with mocks as Pulumi's documentation writes them (every output = the inputs), or with
// one Azure output left out, the component fails with its own error naming the output, never a TypeError.

import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AmaMetricsIstioArgs, AmaMetricsIstioOutputError } from "../../components";
import { createMocks, mocks } from "../../components/testing";
import { baseArgs, evaluate, testSubscription } from "../harness";

const existingWorkspace: Partial<AmaMetricsIstioArgs> = {
    workspace: {
        resourceId:
            "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-mon/providers/Microsoft.Monitor/accounts/amw-shared",
        location: "westeurope",
    },
};

/** Mocks answering like `mocks`, but with `change` applied to what they answer. */
function answering(change: (type: string, state: Record<string, unknown>) => void): pulumi.runtime.Mocks {
    const base = createMocks({ subscriptionId: testSubscription });
    return {
        async newResource(args) {
            const answer = await base.newResource(args);
            change(args.type, answer.state);
            return answer;
        },
        async call(args) {
            const answer = await base.call(args);
            change(args.token, answer);
            return answer;
        },
    };
}

// Mocks as Pulumi's unit-testing guide writes them: every resource answers its inputs back.
const documentedMocks: pulumi.runtime.Mocks = {
    newResource: (args) => ({ id: `${args.inputs.name}_id`, state: args.inputs }),
    call: (args) => args.inputs,
};

const messages = (failures: Error[]) => failures.map((e) => e.message);

describe("ama-metrics-istio/testing", function () {
    this.timeout(60000);

    for (const [name, args] of [
        ["the prometheus collector", baseArgs()],
        ["the ama-metrics collector", baseArgs({}, "ama-metrics")],
        ["an existing workspace", baseArgs(existingWorkspace)],
    ] as Array<[string, AmaMetricsIstioArgs]>) {
        it(`lets every resource of ${name} register, none failing`, async () => {
            const { registrations, failures } = await evaluate(args, "metrics", mocks);
            assert.deepEqual(messages(failures), []);
            assert.ok(registrations.length > 10, `${registrations.length} resources registered`);
        });
    }

    it("answers the outputs the component exposes: ids as Azure forms them, the query endpoint, the identity's client id", async () => {
        const { component } = await evaluate(baseArgs(), "metrics", mocks);
        const outputs = await new Promise<string[]>((resolve) =>
            pulumi
                .all([
                    component.workspaceId,
                    component.prometheusQueryEndpoint,
                    component.dataCollectionRuleId,
                    component.collectorIdentityClientId,
                ])
                .apply((values) => resolve(values as string[])),
        );
        assert.match(
            outputs[0],
            /^\/subscriptions\/00000000-0000-0000-0000-000000000000\/resourceGroups\/rg-monitoring\/providers\/Microsoft\.Monitor\/accounts\/amw-aks-one$/,
        );
        assert.equal(outputs[1], "https://amw-aks-one.westeurope.prometheus.monitor.azure.com");
        assert.match(
            outputs[2],
            /^\/subscriptions\/00000000-0000-0000-0000-000000000000\/resourceGroups\/rg-monitoring\/providers\/Microsoft\.Insights\/dataCollectionRules\//,
        );
        assert.match(outputs[3], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it("with Pulumi's documented mocks (outputs = inputs), fails with the package's error naming the missing outputs, never a TypeError", async () => {
        const { failures } = await evaluate(baseArgs(), "metrics", documentedMocks);
        assert.ok(failures.length > 0);
        for (const message of messages(failures)) {
            assert.doesNotMatch(message, /TypeError|Cannot read properties/);
            assert.match(message, /AmaMetricsIstio "metrics": .* has no output \w+/);
        }
        const missing = new Set(messages(failures).map((m) => /has no output ([\w.]+)/.exec(m)![1]));
        assert.ok(missing.has("principalId"), [...missing].join(", "));
    });

    // Each output the component reads, left out of Azure's answer alone.
    for (const [type, output, remove] of [
        ["azure-native:managedidentity:UserAssignedIdentity", "principalId", (s) => delete s.principalId],
        ["azure-native:managedidentity:UserAssignedIdentity", "clientId", (s) => delete s.clientId],
        ["azure-native:managedidentity:UserAssignedIdentity", "tenantId", (s) => delete s.tenantId],
        ["azure-native:monitor:DataCollectionEndpoint", "metricsIngestion.endpoint", (s) => delete s.metricsIngestion],
        ["azure-native:monitor:DataCollectionRule", "immutableId", (s) => delete s.immutableId],
        ["azure-native:monitor:getAzureMonitorWorkspace", "location", (s) => delete s.location],
    ] as Array<[string, string, (state: Record<string, unknown>) => void]>) {
        it(`names ${type.split(":").pop()}'s ${output} when Azure's answer lacks it`, async () => {
            const args = type.includes("getAzureMonitorWorkspace") ? baseArgs(existingWorkspace) : baseArgs();
            const { failures } = await evaluate(
                args,
                "metrics",
                answering((t, state) => t === type && remove(state)),
            );
            assert.ok(failures.length > 0, "some resource fails");
            for (const message of messages(failures)) {
                assert.ok(message.includes(`has no output ${output}, needed by `), message);
            }
        });
    }

    it("raises an AmaMetricsIstioOutputError that names the component, the resource and the output", () => {
        const error = new AmaMetricsIstioOutputError("metrics", "the data collection rule", "immutableId", "Prometheus's remote-write URL");
        assert.equal(error.name, "AmaMetricsIstioOutputError");
        assert.deepEqual([error.component, error.resource, error.output], ["metrics", "the data collection rule", "immutableId"]);
        assert.ok(error instanceof Error);
    });
});
