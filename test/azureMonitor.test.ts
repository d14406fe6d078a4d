import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { AzureMonitorResources } from "../components/azureMonitor";
import type { AmaMetricsIstioArgs } from "../components/types";

// ---------------------------------------------------------------------------------------------------------
// Microsoft's ARM template, read at test time, and a small evaluator for the expressions it uses, so that
// the expected values come from the template file itself.

const root = path.resolve(__dirname, "..");
const templateDir = path.resolve(__dirname, "../../shared/fixtures/azure-templates");
const readTemplate = (file: string) => JSON.parse(fs.readFileSync(path.join(templateDir, file), "utf8"));
const fullTemplate = readTemplate("FullAzureMonitorMetricsProfile.json");
const windowsTemplate = readTemplate("WindowsRecordingRules.json");

type Value = string | number | boolean | Value[] | { [key: string]: Value };

interface Deployment {
    parameters: Record<string, Value>;
    variables: Record<string, Value>;
    /** Subscription and group the template is deployed to: resourceId() resolves in them. */
    subscriptionId: string;
    resourceGroup: string;
}

/** Evaluates one ARM template expression (the text between the brackets). */
function evaluateExpression(text: string, deployment: Deployment): Value {
    let pos = 0;
    const skip = () => {
        while (/\s/.test(text[pos] ?? "")) pos++;
    };
    const expect = (c: string) => {
        skip();
        if (text[pos] !== c) throw new Error(`expected ${c} at ${pos} in ${text}`);
        pos++;
    };
    const call = (fn: string, args: Value[]): Value => {
        const s = (i: number) => args[i] as string;
        switch (fn.toLowerCase()) {
            case "parameters":
                if (!(s(0) in deployment.parameters)) throw new Error(`no parameter ${s(0)}`);
                return deployment.parameters[s(0)];
            case "variables":
                if (!(s(0) in deployment.variables)) throw new Error(`no variable ${s(0)}`);
                return evaluate(deployment.variables[s(0)], deployment);
            case "concat":
                return args.map(String).join("");
            case "split":
                return s(0).split(s(1));
            case "substring":
                return s(0).substring(args[1] as number, (args[1] as number) + (args[2] as number));
            case "min":
                return Math.min(...(args as number[]));
            case "length":
                return (args[0] as string | Value[]).length;
            case "resourceid":
                return (
                    `/subscriptions/${deployment.subscriptionId}/resourceGroups/${deployment.resourceGroup}` +
                    `/providers/${s(0).replace(/\/$/, "")}/${args.slice(1).join("/")}`
                );
            default:
                throw new Error(`function ${fn} is not supported by this evaluator`);
        }
    };
    const parse = (): Value => {
        skip();
        let value: Value;
        if (text[pos] === "'") {
            let s = "";
            pos++;
            for (;;) {
                if (text[pos] === "'" && text[pos + 1] === "'") {
                    s += "'";
                    pos += 2;
                } else if (text[pos] === "'") {
                    pos++;
                    break;
                } else {
                    s += text[pos++];
                }
            }
            value = s;
        } else if (/[0-9]/.test(text[pos])) {
            const start = pos;
            while (/[0-9]/.test(text[pos])) pos++;
            value = Number(text.slice(start, pos));
        } else {
            const start = pos;
            while (/[A-Za-z0-9_]/.test(text[pos])) pos++;
            const fn = text.slice(start, pos);
            expect("(");
            const args: Value[] = [];
            skip();
            if (text[pos] !== ")") {
                for (;;) {
                    args.push(parse());
                    skip();
                    if (text[pos] === ",") {
                        pos++;
                        continue;
                    }
                    break;
                }
            }
            expect(")");
            value = call(fn, args);
        }
        for (;;) {
            skip();
            if (text[pos] === "[") {
                pos++;
                const index = parse();
                expect("]");
                value = (value as Value[])[index as number];
            } else {
                return value;
            }
        }
    };
    const result = parse();
    skip();
    if (pos !== text.length) throw new Error(`unparsed rest in ${text}`);
    return result;
}

/** Evaluates template values: `[...]` strings are expressions, objects and arrays recursively. */
function evaluate(value: Value, deployment: Deployment): Value {
    if (typeof value === "string") {
        return value.startsWith("[") && !value.startsWith("[[") && value.endsWith("]")
            ? evaluateExpression(value.slice(1, -1), deployment)
            : value;
    }
    if (Array.isArray(value)) return value.map((v) => evaluate(v, deployment));
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, deployment)]));
    }
    return value;
}

function templateResources(template: { resources: { type: string }[] }, type: string): Record<string, Value>[] {
    return template.resources.filter((r) => r.type === type) as unknown as Record<string, Value>[];
}

/** A registered rule group has exactly the template's properties, in the monitoring group, with the tags. */
function assertRuleGroup(inputs: Record<string, unknown>, expected: Record<string, any>, tags: Record<string, string>) {
    const { rules, ...properties } = expected.properties;
    assert.deepEqual(inputs, {
        ruleGroupName: expected.name,
        resourceGroupName: monitoringGroup,
        location: expected.location,
        ...properties,
        rules,
        tags,
    });
}

describe("the template evaluator used by these tests", () => {
    it("evaluates the template's name variables", () => {
        const deployment: Deployment = {
            parameters: {
                azureMonitorWorkspaceLocation: "westeurope",
                clusterResourceId: "/subscriptions/s/resourcegroups/g/providers/Microsoft.ContainerService/managedClusters/c1",
                clusterLocation: "eastus",
            },
            variables: fullTemplate.variables,
            subscriptionId: "s",
            resourceGroup: "g",
        };
        const v = (name: string) => evaluate(`[variables('${name}')]`, deployment);
        assert.equal(v("dceName"), "MSProm-westeurope-c1");
        assert.equal(v("dcraName"), "MSProm-eastus-c1");
        assert.equal(v("uxRecordingRulesRuleGroup"), "UXRecordingRulesRuleGroup - c1");
        assert.equal(evaluate("[substring('abcdef', 0, min(4, length('abcdef')))]", deployment), "abcd");
        assert.equal(
            evaluate("[resourceId('Microsoft.Insights/dataCollectionEndpoints/', 'x')]", deployment),
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Insights/dataCollectionEndpoints/x",
        );
    });
});

// ---------------------------------------------------------------------------------------------------------
// Pulumi mocks: every registration is recorded; ids look like the ARM ids Azure returns.

interface Registration {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

const registrations: Registration[] = [];
const invokes: { token: string; inputs: Record<string, any> }[] = [];
const childOptions: { name: string; parent?: pulumi.Resource; dependsOn?: unknown; provider?: unknown }[] = [];

const subscriptionId = "6f4b1d7e-1c0a-4c53-9a8e-3b8e0f3c2a11";
const monitoringGroup = "rg-monitoring";
const uuid = "8d6f2a43-9a3e-4f39-a5d1-2f0c6b7e9a10";
const existingQueryEndpoint = "https://amw-shared-abcd.westeurope.prometheus.monitor.azure.com";

function mockId(type: string, inputs: Record<string, any>): string {
    const inGroup = (provider: string, name: string) =>
        `/subscriptions/${subscriptionId}/resourceGroups/${inputs.resourceGroupName}/providers/${provider}/${name}`;
    switch (type) {
        case "azure-native:monitor:AzureMonitorWorkspace":
            return inGroup("Microsoft.Monitor/accounts", inputs.azureMonitorWorkspaceName);
        case "azure-native:monitor:DataCollectionEndpoint":
            return inGroup("Microsoft.Insights/dataCollectionEndpoints", inputs.dataCollectionEndpointName);
        case "azure-native:monitor:DataCollectionRule":
            return inGroup("Microsoft.Insights/dataCollectionRules", inputs.dataCollectionRuleName);
        case "azure-native:monitor:DataCollectionRuleAssociation":
            return `${inputs.resourceUri}/providers/Microsoft.Insights/dataCollectionRuleAssociations/${inputs.associationName}`;
        case "azure-native:alertsmanagement:PrometheusRuleGroup":
            return inGroup("Microsoft.AlertsManagement/prometheusRuleGroups", inputs.ruleGroupName);
        case "azure-native:authorization:RoleAssignment":
            return `${inputs.scope}/providers/Microsoft.Authorization/roleAssignments/${inputs.roleAssignmentName}`;
        default:
            return `${type}-id`;
    }
}

// Dependencies Pulumi derived from each input (property dependencies), by resource name, as the register
// requests carry them.
const propertyDependencies = new Map<string, Record<string, string[]>>();
function dependenciesOf(name: string): Record<string, string[]> {
    const found = propertyDependencies.get(name);
    assert.ok(found, `no register request for ${name}`);
    return found;
}

/**
 * Installs this file's mocks. Called from `before`, as other test files set their own mocks: the last
 * setMocks wins.
 */
async function installMocks(): Promise<void> {
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                if (args.custom !== false) {
                    registrations.push({ type: args.type, name: args.name, inputs: args.inputs });
                }
                const state: Record<string, any> = { ...args.inputs };
                if (args.type === "azure-native:monitor:AzureMonitorWorkspace") {
                    state.metrics = {
                        prometheusQueryEndpoint: `https://${args.inputs.azureMonitorWorkspaceName}.query.example`,
                    };
                }
                if (args.type === "random:index/randomUuid:RandomUuid") {
                    state.result = uuid;
                }
                return { id: mockId(args.type, args.inputs), state };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                invokes.push({ token: args.token, inputs: args.inputs });
                if (args.token === "azure-native:monitor:getAzureMonitorWorkspace") {
                    return {
                        id: `/subscriptions/${subscriptionId}/resourceGroups/${args.inputs.resourceGroupName}/providers/Microsoft.Monitor/accounts/${args.inputs.azureMonitorWorkspaceName}`,
                        location: "westeurope",
                        metrics: { prometheusQueryEndpoint: existingQueryEndpoint, internalId: "mac_1" },
                    };
                }
                throw new Error(`unexpected invoke ${args.token}`);
            },
        },
        "ama-metrics-istio",
        "test",
        false,
    );
    const monitor = (pulumi.runtime as any).getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: unknown) => {
        const byProperty: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps: any, property: string) => {
            const names = deps.getUrnsList().map((urn: string) => urn.split("::").pop());
            if (names.length > 0) byProperty[property] = names.sort();
        });
        propertyDependencies.set(req.getName(), byProperty);
        return register(req, callback);
    };
}

class TestParent extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Parent", name, {}, {
            // Legacy transformations see each child's options: parent, explicit dependsOn, provider.
            transformations: [
                (args) => {
                    childOptions.push({
                        name: args.name,
                        parent: args.opts.parent,
                        dependsOn: args.opts.dependsOn,
                        provider: args.opts.provider,
                    });
                    return undefined;
                },
            ],
        });
    }
}

const value = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

const clusterName = "aks-prod-weu";
const clusterId = `/subscriptions/${subscriptionId}/resourcegroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/${clusterName}`;

function baseArgs(overrides: Partial<AmaMetricsIstioArgs> = {}): AmaMetricsIstioArgs {
    return {
        cluster: { resourceId: clusterId, location: "westeurope", kubernetesVersion: "1.33.7" },
        resourceGroupName: monitoringGroup,
        ...overrides,
    };
}

interface Run {
    parent: TestParent;
    resources: AzureMonitorResources;
    registered: Registration[];
    byName: (suffix: string) => Registration;
}

/** Creates the Azure Monitor side under a fresh parent and waits until every child is registered. */
async function run(name: string, args: AmaMetricsIstioArgs): Promise<Run> {
    // Loaded after setMocks, as Pulumi's testing guide asks.
    const { createAzureMonitor } = require("../components/azureMonitor") as typeof import("../components/azureMonitor");
    const { resolveSettings } = require("../components/settings") as typeof import("../components/settings");
    const parent = new TestParent(`parent-of-${name}`);
    const resources = createAzureMonitor(name, resolveSettings(args), { parent });
    const all: pulumi.CustomResource[] = [
        ...(resources.workspace ? [resources.workspace] : []),
        resources.dataCollectionEndpoint,
        resources.dataCollectionRule,
        resources.association,
        ...(resources.configurationAccessEndpoint
            ? [resources.configurationAccessEndpoint.endpoint, resources.configurationAccessEndpoint.association]
            : []),
        ...Object.values(resources.ruleGroups),
        ...(resources.grafanaRoleAssignment ? [resources.grafanaRoleAssignment] : []),
    ];
    await Promise.all([...all.map((r) => value(r.id)), value(resources.workspaceId), value(resources.prometheusQueryEndpoint)]);
    const registered = registrations.filter((r) => r.name.startsWith(`${name}-`));
    const byName = (suffix: string) => {
        const found = registered.find((r) => r.name === `${name}-${suffix}`);
        assert.ok(found, `no registration ${name}-${suffix}; have ${registered.map((r) => r.name).join(", ")}`);
        return found;
    };
    return { parent, resources, registered, byName };
}

function deploymentFor(template: { variables?: Record<string, Value> }, parameters: Record<string, Value>): Deployment {
    return { parameters, variables: template.variables ?? {}, subscriptionId, resourceGroup: monitoringGroup };
}

// ---------------------------------------------------------------------------------------------------------

describe("createAzureMonitor", function () {
    this.timeout(120000);

    before(installMocks);

    describe("with a new workspace, the cluster and the workspace in different regions", () => {
        let r: Run;
        let deployment: Deployment;
        const workspaceLocation = "northeurope";
        const tags = { env: "prod", owner: "platform" };

        before(async () => {
            r = await run("az", baseArgs({ workspace: { location: workspaceLocation }, tags, recordingRules: { windows: true } }));
            deployment = deploymentFor(fullTemplate, {
                azureMonitorWorkspaceResourceId: await value(r.resources.workspaceId),
                azureMonitorWorkspaceLocation: workspaceLocation,
                clusterResourceId: clusterId,
                clusterLocation: "westeurope",
                enableWindowsRecordingRules: true,
            });
        });

        it("creates the workspace amw-<cluster> in the workspace's region, with the tags", () => {
            const workspace = r.byName("workspace");
            assert.equal(workspace.type, "azure-native:monitor:AzureMonitorWorkspace");
            assert.deepEqual(workspace.inputs, {
                azureMonitorWorkspaceName: `amw-${clusterName}`,
                resourceGroupName: monitoringGroup,
                location: workspaceLocation,
                tags,
            });
        });

        it("outputs the workspace's id and Prometheus query endpoint", async () => {
            assert.equal(
                await value(r.resources.workspaceId),
                `/subscriptions/${subscriptionId}/resourceGroups/${monitoringGroup}/providers/Microsoft.Monitor/accounts/amw-${clusterName}`,
            );
            assert.equal(await value(r.resources.prometheusQueryEndpoint), `https://amw-${clusterName}.query.example`);
        });

        it("creates the data collection endpoint as the template does", () => {
            const [dce] = templateResources(fullTemplate, "Microsoft.Insights/dataCollectionEndpoints");
            const expected = evaluate(dce, deployment) as Record<string, Value>;
            assert.deepEqual(expected.properties, {});
            const inputs = r.byName("dce").inputs;
            assert.deepEqual(inputs, {
                dataCollectionEndpointName: expected.name,
                resourceGroupName: monitoringGroup,
                location: expected.location,
                kind: expected.kind,
                tags,
            });
        });

        it("creates the data collection rule as the template does, property for property", () => {
            const [dcr] = templateResources(fullTemplate, "Microsoft.Insights/dataCollectionRules");
            const expected = evaluate(dcr, deployment) as Record<string, any>;
            const inputs = r.byName("dcr").inputs;
            assert.deepEqual(inputs, {
                dataCollectionRuleName: expected.name,
                resourceGroupName: monitoringGroup,
                location: expected.location,
                kind: expected.kind,
                ...expected.properties,
                tags,
            });
        });

        it("associates the rule with the cluster as the template's nested deployment does", () => {
            const [nested] = templateResources(fullTemplate, "Microsoft.Resources/deployments").filter((d: any) =>
                d.properties.template.resources.some((x: any) => x.type.endsWith("/dataCollectionRuleAssociations")),
            ) as any[];
            const [dcra] = nested.properties.template.resources;
            const expected = evaluate(dcra, deployment) as Record<string, any>;
            const [scopeName, associationName] = (expected.name as string).split("/microsoft.insights/");
            assert.equal(scopeName, clusterName);
            assert.deepEqual(r.byName("dcra").inputs, {
                associationName,
                resourceUri: clusterId,
                dataCollectionRuleId: expected.properties.dataCollectionRuleId,
                description: expected.properties.description,
            });
            assert.equal(r.byName("dcra").type, "azure-native:monitor:DataCollectionRuleAssociation");
        });

        it("creates every recording rule group of the template, each exactly as the template has it", () => {
            const groups = templateResources(fullTemplate, "Microsoft.AlertsManagement/prometheusRuleGroups");
            const registered = r.registered.filter((x) => x.type === "azure-native:alertsmanagement:PrometheusRuleGroup");
            assert.equal(registered.length, groups.length);
            for (const group of groups) {
                const expected = evaluate(group, deployment) as Record<string, any>;
                const found = registered.find((x) => x.inputs.ruleGroupName === expected.name);
                assert.ok(found, `no rule group named ${expected.name}`);
                assertRuleGroup(found.inputs, expected, tags);
            }
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
                const expected = evaluate(group, windowsDeployment) as Record<string, any>;
                const found = r.registered.find((x) => x.inputs.ruleGroupName === expected.name);
                assert.ok(found, `no rule group named ${expected.name}`);
                assert.equal(found.inputs.enabled, true);
                assertRuleGroup(found.inputs, expected, tags);
            }
        });

        it("names the Pulumi resources after the component", () => {
            assert.deepEqual(
                r.registered.map((x) => x.name).sort(),
                [
                    "az-dce",
                    "az-dcr",
                    "az-dcra",
                    "az-rules-kubernetes",
                    "az-rules-node",
                    "az-rules-node-and-kubernetes-windows",
                    "az-rules-node-windows",
                    "az-rules-ux",
                    "az-rules-ux-windows",
                    "az-workspace",
                ],
            );
        });

        it("parents every child on the component, with no provider of its own; only the endpoint waits explicitly, for the workspace", () => {
            const children = childOptions.filter((c) => c.name.startsWith("az-"));
            assert.equal(children.length, r.registered.length);
            for (const child of children) {
                assert.equal(child.parent, r.parent, child.name);
                assert.equal(child.provider, undefined, child.name);
                if (child.name === "az-dce") {
                    assert.deepEqual((child.dependsOn as pulumi.Resource[]).map((d) => (d as any).__name), ["az-workspace"]);
                } else {
                    assert.equal(child.dependsOn, undefined, child.name);
                }
            }
        });

        it("makes the rule wait for the endpoint and the workspace, the association for the rule, nothing more", () => {
            assert.deepEqual(dependenciesOf("az-dce"), {});
            assert.deepEqual(dependenciesOf("az-workspace"), {});
            assert.deepEqual(dependenciesOf("az-dcr"), {
                dataCollectionEndpointId: ["az-dce"],
                destinations: ["az-workspace"],
            });
            assert.deepEqual(dependenciesOf("az-dcra"), { dataCollectionRuleId: ["az-dcr"] });
            for (const group of r.registered.filter((x) => x.name.startsWith("az-rules-"))) {
                assert.deepEqual(dependenciesOf(group.name), { scopes: ["az-workspace"] }, group.name);
            }
        });

        it("creates no private-cluster endpoint for a public cluster", () => {
            assert.equal(r.resources.configurationAccessEndpoint, undefined);
            assert.equal(r.registered.filter((x) => x.type === "azure-native:monitor:DataCollectionEndpoint").length, 1);
        });
    });

    describe("with an existing workspace", () => {
        const sharedSubscription = "c0ffee00-0000-4000-8000-00000000beef";
        // Written as Microsoft's parameter file writes it: lower-case provider namespace.
        const existingId = `/subscriptions/${sharedSubscription}/resourceGroups/rg-shared/providers/microsoft.monitor/accounts/amw-shared`;
        const principalId = "4b0e7d3f-5f5e-4f6a-9a64-2f7d5c8b1e21";
        let r: Run;

        before(async () => {
            r = await run("ex", baseArgs({ workspace: { resourceId: existingId }, grafana: { principalId } }));
        });

        it("creates no workspace and uses the given id everywhere", async () => {
            assert.equal(r.resources.workspace, undefined);
            assert.equal(r.registered.filter((x) => x.type === "azure-native:monitor:AzureMonitorWorkspace").length, 0);
            assert.equal(await value(r.resources.workspaceId), existingId);
            const deployment = deploymentFor(fullTemplate, {
                azureMonitorWorkspaceResourceId: existingId,
                azureMonitorWorkspaceLocation: "westeurope",
                clusterResourceId: clusterId,
                clusterLocation: "westeurope",
            });
            const [dcr] = templateResources(fullTemplate, "Microsoft.Insights/dataCollectionRules");
            const expected = evaluate(dcr, deployment) as Record<string, any>;
            assert.deepEqual(r.byName("dcr").inputs.destinations, expected.properties.destinations);
            for (const group of r.registered.filter((x) => x.name.startsWith("ex-rules-"))) {
                assert.deepEqual(group.inputs.scopes, [existingId, clusterId]);
            }
        });

        it("reads the query endpoint of the workspace named in the id", async () => {
            assert.equal(await value(r.resources.prometheusQueryEndpoint), existingQueryEndpoint);
            const lookups = invokes.filter((i) => i.token === "azure-native:monitor:getAzureMonitorWorkspace");
            assert.deepEqual(
                lookups.map((i) => i.inputs),
                [{ resourceGroupName: "rg-shared", azureMonitorWorkspaceName: "amw-shared" }],
            );
        });

        it("lets Grafana read the workspace with Monitoring Data Reader of the workspace's subscription", async () => {
            const [assignment] = templateResources(fullTemplate, "Microsoft.Authorization/roleAssignments") as any[];
            const deployment = deploymentFor(fullTemplate, {
                azureMonitorWorkspaceResourceId: existingId,
                clusterResourceId: clusterId,
            });
            const expectedRole = evaluate(assignment.properties.roleDefinitionId, deployment);
            const expectedScope = evaluate(assignment.scope, deployment);
            assert.ok(String(expectedRole).startsWith(`/subscriptions/${sharedSubscription}/`));

            const name = r.byName("grafana-reader-name");
            assert.equal(name.type, "random:index/randomUuid:RandomUuid");
            assert.deepEqual(name.inputs, { keepers: { principalId, workspaceId: existingId } });

            const reader = r.byName("grafana-reader");
            assert.equal(reader.type, "azure-native:authorization:RoleAssignment");
            assert.deepEqual(reader.inputs, {
                roleAssignmentName: uuid,
                principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: expectedRole,
                scope: expectedScope,
            });
            assert.ok(r.resources.grafanaRoleAssignment);
        });

        it("creates only the Linux recording rule groups unless Windows ones are asked for", () => {
            const linux = templateResources(fullTemplate, "Microsoft.AlertsManagement/prometheusRuleGroups").filter(
                (g: any) => !("enabled" in g.properties),
            );
            const deployment = deploymentFor(fullTemplate, { clusterResourceId: clusterId });
            const groups = r.registered.filter((x) => x.type === "azure-native:alertsmanagement:PrometheusRuleGroup");
            assert.deepEqual(
                groups.map((g) => g.inputs.ruleGroupName).sort(),
                linux.map((g) => evaluate(g.name, deployment)).sort(),
            );
            assert.deepEqual(Object.keys(r.resources.ruleGroups).sort(), ["kubernetes", "node", "ux"]);
            for (const group of groups) {
                assert.equal("enabled" in group.inputs, false, group.name);
            }
        });
    });

    describe("with a private cluster", () => {
        it("in another region than the workspace: adds an endpoint in the cluster's region and its configurationAccessEndpoint association", async () => {
            const r = await run("pv", baseArgs({
                cluster: { resourceId: clusterId, location: "westeurope", kubernetesVersion: "1.33.7", private: true },
                workspace: { location: "swedencentral" },
            }));
            // The template's endpoint name, with the cluster's region in place of the workspace's.
            const deployment = deploymentFor(fullTemplate, {
                azureMonitorWorkspaceLocation: "westeurope",
                clusterResourceId: clusterId,
            });
            const expectedName = evaluate("[variables('dceName')]", deployment);
            const endpoint = r.byName("cluster-dce");
            assert.equal(endpoint.type, "azure-native:monitor:DataCollectionEndpoint");
            assert.deepEqual(endpoint.inputs, {
                dataCollectionEndpointName: expectedName,
                resourceGroupName: monitoringGroup,
                location: "westeurope",
                kind: "Linux",
            });
            const association = r.byName("cluster-dcea");
            assert.equal(association.type, "azure-native:monitor:DataCollectionRuleAssociation");
            assert.deepEqual(association.inputs, {
                associationName: "configurationAccessEndpoint",
                resourceUri: clusterId,
                dataCollectionEndpointId: await value(r.resources.configurationAccessEndpoint!.endpoint.id),
            });
            assert.deepEqual(dependenciesOf("pv-cluster-dcea"), { dataCollectionEndpointId: ["pv-cluster-dce"] });
            assert.equal(r.byName("dce").inputs.location, "swedencentral");
        });

        it("in the workspace's region: adds nothing", async () => {
            const r = await run("ps", baseArgs({
                cluster: { resourceId: clusterId, location: "westeurope", kubernetesVersion: "1.33.7", private: true },
            }));
            assert.equal(r.resources.configurationAccessEndpoint, undefined);
            assert.deepEqual(
                r.registered.filter((x) => x.type.startsWith("azure-native:monitor:DataCollection")).map((x) => x.name).sort(),
                ["ps-dce", "ps-dcr", "ps-dcra"],
            );
        });
    });

    it("creates no recording rule group when recording rules are off", async () => {
        const r = await run("nr", baseArgs({ recordingRules: { enabled: false } }));
        assert.deepEqual(r.resources.ruleGroups, {});
        assert.equal(r.registered.filter((x) => x.type === "azure-native:alertsmanagement:PrometheusRuleGroup").length, 0);
    });

    it("registers the same resources with the same inputs every time", async () => {
        const args = () =>
            baseArgs({
                cluster: { resourceId: clusterId, location: "westeurope", kubernetesVersion: "1.33.7", private: true },
                workspace: { location: "northeurope", name: "amw-fleet" },
                recordingRules: { windows: true },
                grafana: { principalId: "4b0e7d3f-5f5e-4f6a-9a64-2f7d5c8b1e21" },
                tags: { env: "prod" },
            });
        const first = await run("d1", args());
        const second = await run("d2", args());
        const shape = (x: Run, prefix: string) =>
            x.registered.map((reg) => ({ type: reg.type, name: reg.name.slice(prefix.length), inputs: reg.inputs }));
        assert.equal(first.registered.length, 14);
        assert.deepEqual(shape(second, "d2"), shape(first, "d1"));
    });

    it("uses the azure-native submodules' resource types, and never loads the package's root module", async () => {
        const r = await run("ty", baseArgs({
            workspace: { location: "northeurope" },
            cluster: { resourceId: clusterId, location: "westeurope", kubernetesVersion: "1.33.7", private: true },
            grafana: { principalId: "4b0e7d3f-5f5e-4f6a-9a64-2f7d5c8b1e21" },
        }));
        const types = new Set(r.registered.map((x) => x.type));
        assert.deepEqual([...types].sort(), [
            "azure-native:alertsmanagement:PrometheusRuleGroup",
            "azure-native:authorization:RoleAssignment",
            "azure-native:monitor:AzureMonitorWorkspace",
            "azure-native:monitor:DataCollectionEndpoint",
            "azure-native:monitor:DataCollectionRule",
            "azure-native:monitor:DataCollectionRuleAssociation",
            "random:index/randomUuid:RandomUuid",
        ]);
        // A fresh process, so that no other test's imports count.
        const loaded = execFileSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                "-e",
                'require("./components/azureMonitor"); console.log(JSON.stringify(Object.keys(require.cache)' +
                    '.filter((f) => f.includes("@pulumi/azure-native/")).map((f) => f.split("@pulumi/azure-native/")[1])));',
            ],
            { cwd: root, encoding: "utf8" },
        );
        const files: string[] = JSON.parse(loaded);
        assert.ok(files.includes("monitor/index.js"), loaded);
        assert.equal(files.includes("index.js"), false, "the root module @pulumi/azure-native was loaded");
    });

    it("refuses a cluster id that turns out not to be an AKS id once known, before registering anything", async () => {
        const { createAzureMonitor } = require("../components/azureMonitor") as typeof import("../components/azureMonitor");
        const { resolveSettings } = require("../components/settings") as typeof import("../components/settings");
        const arc = `/subscriptions/${subscriptionId}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/edge1`;
        const resources = createAzureMonitor(
            "bad",
            resolveSettings(baseArgs({ cluster: { resourceId: pulumi.output(arc), location: "westeurope", kubernetesVersion: "1.33.7" } })),
            { parent: new TestParent("parent-of-bad") },
        );
        const promise = (output: pulumi.Output<string>) => (output as any).promise() as Promise<string>;
        await assert.rejects(
            promise(resources.dataCollectionEndpoint.id),
            (e: Error) => e.message.includes(`cluster.resourceId ${JSON.stringify(arc)} is not an AKS cluster resource id`),
        );
        await assert.rejects(promise(resources.association.id));
        assert.deepEqual(registrations.filter((x) => x.name.startsWith("bad-")), []);
    });
});
