// The Azure side as the component registers it, compared with Microsoft's ARM template (expected values
// are evaluated from the template file), with azure-cli's naming where the template has none, and with
// what each collector needs to write.

import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { AmaMetricsIstioArgs } from "../../components";
import type { Registration } from "../../scripts/offline";
import { createMocks } from "../../components/testing";
import { captureRegistrations } from "../../scripts/offline";
import {
    componentId,
    componentName,
    Deployment,
    evaluate as evaluateTemplate,
    fullTemplate,
    remoteWriteRuleTemplate,
    templateResources,
    Value,
    windowsTemplate,
} from "../armTemplate";
import { baseArgs, byType, evaluate, Evaluation, one, settled, testProviders, testSubscription, valueOf } from "../harness";
import { AmaMetricsIstio } from "../../components";

const monitoringGroup = "rg-monitoring";
const clusterName = "aks-prod-weu";
// Written as `az aks list` and Microsoft's parameter files write it: `resourcegroups`.
const givenClusterId = `/subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/${clusterName}`;
const clusterId = givenClusterId.replace("/resourcegroups/", "/resourceGroups/");
const workspaceIdOf = (name: string, subscription = testSubscription, group = monitoringGroup) =>
    `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Monitor/accounts/${name}`;

function args(
    overrides: Partial<AmaMetricsIstioArgs> = {},
    collector: AmaMetricsIstioArgs["collector"] = "ama-metrics",
): AmaMetricsIstioArgs {
    const base = baseArgs({}, collector);
    return { ...base, ...overrides, cluster: { ...base.cluster, resourceId: givenClusterId, ...overrides.cluster } };
}

function deploymentFor(template: { variables?: Record<string, Value> }, parameters: Record<string, Value>): Deployment {
    return { parameters, variables: template.variables ?? {}, subscriptionId: testSubscription, resourceGroup: monitoringGroup };
}

const named = (e: Evaluation, name: string): Registration => {
    const found = e.registrations.find((r) => r.name === `metrics-${name}`);
    assert.ok(found, `no registration metrics-${name}; have ${e.registrations.map((r) => r.name).join(", ")}`);
    return found;
};

/** The recording rule groups among the registrations (the alert groups are alerts.test.ts's). */
const recordingGroups = (e: Evaluation) =>
    byType(e.registrations, "azure-native:alertsmanagement:PrometheusRuleGroup").filter((g) =>
        (g.inputs.rules as Array<Record<string, unknown>>).every((rule) => "record" in rule),
    );

/** A registered rule group has exactly the template's properties, in the monitoring group, with the tags, enabled. */
function assertRuleGroup(inputs: Record<string, unknown>, expected: Record<string, any>, tags: Record<string, string>) {
    const { rules, enabled: _enabled, ...properties } = expected.properties;
    // Bicep, Terraform and azure-cli set `enabled` explicitly; the ARM template leaves it out on the Linux groups.
    assert.deepEqual(inputs, {
        ruleGroupName: componentName(expected.name as string),
        resourceGroupName: monitoringGroup,
        location: expected.location,
        ...properties,
        rules,
        enabled: true,
        tags,
    });
}

describe("the Azure side", function () {
    describe("with a new workspace in another region than the cluster (ama-metrics)", () => {
        let e: Evaluation;
        let deployment: Deployment;
        const workspaceLocation = "northeurope";
        const tags = { env: "prod", owner: "platform" };
        const principalId = "4b0e7d3f-5f5e-4f6a-9a64-2f7d5c8b1e21";

        before(async () => {
            e = await evaluate(
                args({ workspace: { location: workspaceLocation }, tags, recordingRules: { windows: true }, grafana: { principalId } }),
            );
            deployment = deploymentFor(fullTemplate, {
                azureMonitorWorkspaceResourceId: await valueOf(e.component.workspaceId),
                azureMonitorWorkspaceLocation: workspaceLocation,
                clusterResourceId: clusterId,
                clusterLocation: "westeurope",
                enableWindowsRecordingRules: true,
            });
        });

        it("creates the workspace amw-<cluster> in the workspace's region, with the tags", () => {
            assert.deepEqual(named(e, "workspace").inputs, {
                azureMonitorWorkspaceName: `amw-${clusterName}`,
                resourceGroupName: monitoringGroup,
                location: workspaceLocation,
                tags,
            });
        });

        it("outputs the workspace's id and Prometheus query endpoint", async () => {
            assert.equal(await valueOf(e.component.workspaceId), workspaceIdOf(`amw-${clusterName}`));
            assert.match(
                await valueOf(e.component.prometheusQueryEndpoint),
                /^https:\/\/amw-aks-prod-weu\..*prometheus\.monitor\.azure\.com$/,
            );
        });

        it("creates the data collection endpoint as the template does", () => {
            const [dce] = templateResources(fullTemplate, "Microsoft.Insights/dataCollectionEndpoints");
            const expected = evaluateTemplate(dce, deployment) as Record<string, Value>;
            assert.deepEqual(named(e, "dce").inputs, {
                dataCollectionEndpointName: componentName(expected.name as string),
                resourceGroupName: monitoringGroup,
                location: expected.location,
                kind: expected.kind,
                tags,
            });
        });

        it("creates the data collection rule as the template does, property for property", () => {
            const [dcr] = templateResources(fullTemplate, "Microsoft.Insights/dataCollectionRules");
            const expected = evaluateTemplate(dcr, deployment) as Record<string, any>;
            assert.deepEqual(named(e, "dcr").inputs, {
                dataCollectionRuleName: componentName(expected.name as string),
                resourceGroupName: monitoringGroup,
                location: expected.location,
                kind: expected.kind,
                ...expected.properties,
                dataCollectionEndpointId: componentId(expected.properties.dataCollectionEndpointId),
                tags,
            });
        });

        it("associates the rule with the cluster as the template's nested deployment does, by the id as Azure spells it", () => {
            const [nested] = templateResources(fullTemplate, "Microsoft.Resources/deployments").filter((d: any) =>
                d.properties.template.resources.some((x: any) => x.type.endsWith("/dataCollectionRuleAssociations")),
            ) as any[];
            const expected = evaluateTemplate(nested.properties.template.resources[0], deployment) as Record<string, any>;
            const [scopeName, associationName] = (expected.name as string).split("/microsoft.insights/");
            assert.equal(scopeName, clusterName);
            assert.deepEqual(named(e, "dcra").inputs, {
                associationName,
                resourceUri: clusterId,
                dataCollectionRuleId: componentId(expected.properties.dataCollectionRuleId),
                description: expected.properties.description,
            });
        });

        it("creates every recording rule group of the template, each as the template has it, enabled", () => {
            const groups = templateResources(fullTemplate, "Microsoft.AlertsManagement/prometheusRuleGroups");
            const registered = recordingGroups(e);
            assert.equal(registered.length, groups.length);
            for (const group of groups) {
                const expected = evaluateTemplate(group, deployment) as Record<string, any>;
                const found = registered.find((x) => x.inputs.ruleGroupName === componentName(expected.name as string));
                assert.ok(found, `no rule group named ${expected.name}`);
                assertRuleGroup(found.inputs, expected, tags);
            }
        });

        it("lets Grafana read the workspace it creates with Monitoring Data Reader of the workspace's subscription, as the template does", () => {
            const [assignment] = templateResources(fullTemplate, "Microsoft.Authorization/roleAssignments") as any[];
            const { roleAssignmentName, ...properties } = named(e, "grafana-reader").inputs;
            // Deterministic, as Bicep's guid(scope, principal, role): a version 5 UUID.
            assert.match(String(roleAssignmentName), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
            assert.deepEqual(properties, {
                principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: evaluateTemplate(assignment.properties.roleDefinitionId, deployment),
                scope: evaluateTemplate(assignment.scope, deployment),
            });
            assert.equal(e.registrations.filter((r) => r.type.startsWith("random:")).length, 0, "no state of its own for the name");
        });

        it("creates the Windows groups as Microsoft's Windows template does", () => {
            const windowsDeployment = deploymentFor(windowsTemplate, {
                azureMonitorWorkspaceResourceId: deployment.parameters.azureMonitorWorkspaceResourceId,
                azureMonitorWorkspaceLocation: workspaceLocation,
                clusterResourceId: clusterId,
            });
            const groups = templateResources(windowsTemplate, "Microsoft.AlertsManagement/prometheusRuleGroups");
            assert.ok(groups.length > 0);
            for (const group of groups) {
                const expected = evaluateTemplate(group, windowsDeployment) as Record<string, any>;
                const found = e.registrations.find((x) => x.inputs.ruleGroupName === componentName(expected.name as string));
                assert.ok(found, `no rule group named ${expected.name}`);
                assertRuleGroup(found.inputs, expected, tags);
            }
        });

        it("replaces what Azure cannot move, deleting first what keeps its name", () => {
            const move = (name: string) => ({
                replaceOnChanges: named(e, name).replaceOnChanges,
                deleteBeforeReplace: named(e, name).deleteBeforeReplace,
            });
            assert.deepEqual(move("workspace"), { replaceOnChanges: ["location"], deleteBeforeReplace: true });
            // Their names follow the region: the new one is created before the old one goes.
            assert.deepEqual(move("dce"), { replaceOnChanges: ["location"], deleteBeforeReplace: false });
            assert.deepEqual(move("dcr"), { replaceOnChanges: ["location"], deleteBeforeReplace: false });
            for (const group of byType(e.registrations, "azure-native:alertsmanagement:PrometheusRuleGroup")) {
                assert.deepEqual(
                    { replaceOnChanges: group.replaceOnChanges, deleteBeforeReplace: group.deleteBeforeReplace },
                    { replaceOnChanges: ["location"], deleteBeforeReplace: true },
                );
            }
        });

        it("keeps the longest chain workspace → endpoint → rule → association, and rule groups hang off the workspace", () => {
            assert.deepEqual(named(e, "dce").dependsOn, ["azure-native:monitor:AzureMonitorWorkspace::metrics-workspace"]);
            assert.deepEqual(named(e, "dcr").dependsOn, [
                "azure-native:monitor:AzureMonitorWorkspace::metrics-workspace",
                "azure-native:monitor:DataCollectionEndpoint::metrics-dce",
            ]);
            assert.deepEqual(named(e, "dcra").dependsOn, ["azure-native:monitor:DataCollectionRule::metrics-dcr"]);
            for (const group of byType(e.registrations, "azure-native:alertsmanagement:PrometheusRuleGroup")) {
                assert.deepEqual(group.dependsOn, ["azure-native:monitor:AzureMonitorWorkspace::metrics-workspace"], group.name);
            }
        });

        it("creates no private link objects for a public cluster", () => {
            assert.equal(byType(e.registrations, "azure-native:monitor:DataCollectionEndpoint").length, 1);
            assert.equal(byType(e.registrations, "azure-native:monitor:PrivateLinkScopedResource").length, 0);
        });
    });

    describe("names", () => {
        it("strip from the endpoint's name what azure-cli strips (a cluster name may hold '_'), and keep it in the rule's", async () => {
            const e = await evaluate(
                args({
                    cluster: {
                        resourceId: givenClusterId.replace(clusterName, "aks_prod_weu"),
                        location: "westeurope",
                        kubernetesVersion: "1.33.7",
                    },
                }),
            );
            // azure-cli dc/defaults.py: DCE names keep letters, digits and '-' only; DCR names keep '_'.
            assert.equal(named(e, "dce").inputs.dataCollectionEndpointName, "amis-westeurope-aksprodweu");
            assert.equal(named(e, "dcr").inputs.dataCollectionRuleName, "amis-westeurope-aks_prod_weu");
            assert.equal(named(e, "workspace").inputs.azureMonitorWorkspaceName, "amw-aksprodweu");
        });

        it("cut the association's name to 64 characters and the endpoint's to 44, ending in a letter or digit", async () => {
            const long = `aks-${"x".repeat(50)}-y-${"z".repeat(5)}`;
            const e = await evaluate(
                args({
                    cluster: { resourceId: givenClusterId.replace(clusterName, long), location: "westeurope", kubernetesVersion: "1.33.7" },
                }),
            );
            const association = named(e, "dcra").inputs.associationName as string;
            assert.equal(association, `MSProm-westeurope-${long}`.slice(0, 64).replace(/[^A-Za-z0-9]+$/, ""));
            assert.ok(association.length <= 64);
            const endpoint = named(e, "dce").inputs.dataCollectionEndpointName as string;
            assert.ok(endpoint.length <= 44 && /[A-Za-z0-9]$/.test(endpoint), endpoint);
        });
    });

    describe("with an existing workspace", () => {
        const shared = "c0ffee00-0000-4000-8000-00000000beef";
        // As Microsoft's parameter file writes it: lower-case provider namespace.
        const existingId = `/subscriptions/${shared}/resourceGroups/rg-shared/providers/microsoft.monitor/accounts/amw-shared`;
        let e: Evaluation;

        before(async () => {
            e = await evaluate(args({ workspace: { resourceId: existingId } }));
        });

        it("creates no workspace and points the rule and rule groups at it", async () => {
            const canonical = existingId.replace("microsoft.monitor/accounts", "Microsoft.Monitor/accounts");
            assert.equal(byType(e.registrations, "azure-native:monitor:AzureMonitorWorkspace").length, 0);
            assert.equal(await valueOf(e.component.workspaceId), canonical);
            assert.deepEqual(named(e, "dcr").inputs.destinations, {
                monitoringAccounts: [{ accountResourceId: canonical, name: "MonitoringAccount1" }],
            });
            for (const group of byType(e.registrations, "azure-native:alertsmanagement:PrometheusRuleGroup")) {
                assert.deepEqual(group.inputs.scopes, [canonical, clusterId]);
            }
        });

        it("creates only the Linux recording rule groups unless Windows ones are asked for", () => {
            const linux = templateResources(fullTemplate, "Microsoft.AlertsManagement/prometheusRuleGroups").filter(
                (g: any) => !("enabled" in g.properties),
            );
            const deployment = deploymentFor(fullTemplate, { clusterResourceId: clusterId });
            assert.deepEqual(
                recordingGroups(e)
                    .map((g) => g.inputs.ruleGroupName)
                    .sort(),
                linux.map((g) => componentName(evaluateTemplate(g.name, deployment) as string)).sort(),
            );
        });

        it("refuses a workspace.location other than the workspace's region, in every resource that uses the workspace", async () => {
            pulumi.runtime.setMocks(
                createMocks({ subscriptionId: testSubscription, existingWorkspaceLocation: "eastus" }),
                "ama-metrics-istio",
                "test",
                false,
            );
            captureRegistrations();
            const component = new AmaMetricsIstio("moved", args({ workspace: { resourceId: existingId, location: "westeurope" } }), {
                providers: testProviders(),
            });
            await assert.rejects(
                (component.workspaceId as any).promise(),
                /workspace\.location = "westeurope": the workspace amw-shared is in eastus; set workspace\.location to "eastus"/,
            );
            await settled().catch(() => undefined);
        });
    });

    describe("what each collector needs to write", () => {
        it("prometheus: an identity, its federated credential for the collector's ServiceAccount, and Monitoring Metrics Publisher on the rule; no association", async () => {
            const e = await evaluate(baseArgs({ namespace: "observability" }));
            assert.equal(byType(e.registrations, "azure-native:monitor:DataCollectionRuleAssociation").length, 0);
            const identity = one(e.registrations, "azure-native:managedidentity:UserAssignedIdentity");
            assert.equal(identity.inputs.location, "westeurope");
            const credential = one(e.registrations, "azure-native:managedidentity:FederatedIdentityCredential");
            assert.deepEqual(credential.inputs, {
                resourceGroupName: "rg-monitoring",
                resourceName: identity.inputs.resourceName,
                federatedIdentityCredentialResourceName: "observability-prometheus-agent",
                issuer: baseArgs().cluster.oidcIssuerUrl,
                // Workload ID's token: the ServiceAccount's subject, Entra's token exchange audience.
                subject: "system:serviceaccount:observability:prometheus-agent",
                audiences: ["api://AzureADTokenExchange"],
            });
            const publisher = named(e, "metrics-publisher");
            const rule = await valueOf(e.component.dataCollectionRuleId);
            // "Monitoring Metrics Publisher", Azure's built-in roles (Monitor).
            assert.equal(
                publisher.inputs.roleDefinitionId,
                `/subscriptions/${testSubscription}/providers/Microsoft.Authorization/roleDefinitions/3913510d-42f4-4e42-8a64-420c390055eb`,
            );
            assert.equal(publisher.inputs.scope, rule);
            assert.equal(publisher.inputs.principalType, "ServicePrincipal");
            assert.ok(publisher.dependsOn.includes("azure-native:managedidentity:UserAssignedIdentity::metrics-identity"));
            // The identity's client id, as Azure returns it (a GUID), for the ServiceAccount and the outputs.
            assert.match(
                String(await valueOf(e.component.collectorIdentityClientId)),
                /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
            );
        });

        it("prometheus: a rule for remote write, shaped as Microsoft's template for one (no data source, no kind)", async () => {
            const e = await evaluate(baseArgs({ tags: { env: "prod" } }));
            const workspaceId = await valueOf(e.component.workspaceId);
            const endpointId = await valueOf(e.component.dataCollectionEndpointId);
            const [rule] = templateResources(remoteWriteRuleTemplate, "Microsoft.Insights/dataCollectionRules");
            const expected = evaluateTemplate(rule, {
                parameters: {
                    dataCollectionRulesName: "amis-westeurope-aks-one",
                    dataCollectionEndpointsResourceId: endpointId,
                    azureMonitorWorkspaceResourceId: workspaceId,
                    azureMonitorWorkspaceName: "MonitoringAccount1",
                    azureMonitorWorkspaceAccountId: "read-only",
                    location: "westeurope",
                },
                variables: {},
                subscriptionId: testSubscription,
                resourceGroup: monitoringGroup,
            }) as Record<string, any>;
            const { dataSources, description: _description, destinations, ...properties } = expected.properties;
            // The workspace's accountId is read-only in the 2022-06-01 API azure-native writes; an empty data source map is no map.
            assert.deepEqual(dataSources, {});
            const monitoringAccounts = destinations.monitoringAccounts.map(
                ({ accountId: _accountId, ...account }: Record<string, unknown>) => account,
            );
            const { description, ...inputs } = named(e, "dcr").inputs;
            assert.equal(typeof description, "string");
            assert.deepEqual(inputs, {
                dataCollectionRuleName: expected.name,
                resourceGroupName: "rg-monitoring",
                location: expected.location,
                ...properties,
                destinations: { monitoringAccounts },
                tags: { env: "prod" },
            });
        });

        it("ama-metrics: the association, and no identity", async () => {
            const e = await evaluate(args());
            one(e.registrations, "azure-native:monitor:DataCollectionRuleAssociation");
            assert.equal(byType(e.registrations, "azure-native:managedidentity:UserAssignedIdentity").length, 0);
            assert.equal(await valueOf(e.component.collectorIdentityClientId), undefined);
        });
    });

    it("creates no recording rule group when recording rules are off", async () => {
        const e = await evaluate(args({ recordingRules: { enabled: false } }));
        assert.equal(recordingGroups(e).length, 0);
    });

    it("loads azure-native's submodules only, never the package's root module", () => {
        const loaded = execFileSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                "-e",
                'require("./components"); console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("@pulumi/azure-native/")).map((f) => f.split("@pulumi/azure-native/")[1])));',
            ],
            { cwd: path.resolve(__dirname, "..", ".."), encoding: "utf8" },
        );
        const files: string[] = JSON.parse(loaded);
        assert.ok(files.includes("monitor/index.js"), loaded);
        assert.equal(files.includes("index.js"), false, "the root module @pulumi/azure-native was loaded");
    });
});
