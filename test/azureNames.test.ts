import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    cutName,
    dataCollectionEndpointName,
    dataCollectionEndpointNameMaxLength,
    dataCollectionRuleAssociationName,
    dataCollectionRuleName,
    dataCollectionRuleNameMaxLength,
    defaultWorkspaceName,
    monitoringDataReaderRoleId,
    nameProblem,
    nameRules,
    parseAksResourceId,
    parseWorkspaceResourceId,
    recordingRuleGroupName,
    requireAksResourceId,
    requireWorkspaceResourceId,
    roleDefinitionId,
    sameRegion,
    validateWorkspaceName,
    workspaceNameMaxLength,
} from "../components/azureNames";
import { recordingRuleGroups } from "../components/recordingRules";

const templateDir = path.resolve(__dirname, "../../shared/fixtures/azure-templates");
const template = JSON.parse(fs.readFileSync(path.join(templateDir, "FullAzureMonitorMetricsProfile.json"), "utf8"));

const sub = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const aksId = (name: string, group = "rg-aks") =>
    `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${name}`;
const workspaceId = (name: string) => `/subscriptions/${sub}/resourceGroups/rg-mon/providers/Microsoft.Monitor/accounts/${name}`;

// "MSProm-westeurope-" is 18 characters: a cluster name of n characters gives a stem of 18 + n.
const region = "westeurope";
const stemLength = "MSProm-westeurope-".length;
const cluster = (length: number) => "c".repeat(length);

describe("parseAksResourceId", () => {
    it("splits an AKS id into subscription, group and cluster name", () => {
        assert.deepEqual(parseAksResourceId(aksId("aks-prod")), {
            subscriptionId: sub,
            resourceGroup: "rg-aks",
            clusterName: "aks-prod",
        });
    });

    it("compares segment names case-insensitively, as Microsoft's parameter file writes them", () => {
        const params = JSON.parse(
            fs.readFileSync(path.join(templateDir, "FullAzureMonitorMetricsProfileParameters.json"), "utf8"),
        );
        const example: string = params.parameters.clusterResourceId.value;
        assert.match(example, /\/resourcegroups\//);
        const id = example.replace("{sub_id}", sub).replace("{rg_name}", "rg-aks").replace("{cluster_name}", "aks1");
        assert.deepEqual(parseAksResourceId(id), { subscriptionId: sub, resourceGroup: "rg-aks", clusterName: "aks1" });
        assert.equal(
            parseAksResourceId(`/SUBSCRIPTIONS/${sub}/RESOURCEGROUPS/rg/PROVIDERS/microsoft.containerservice/MANAGEDCLUSTERS/a`)
                ?.clusterName,
            "a",
        );
    });

    it("accepts the cluster names AKS accepts: underscores, 1 and 63 characters", () => {
        assert.equal(parseAksResourceId(aksId("my_cluster"))?.clusterName, "my_cluster");
        assert.equal(parseAksResourceId(aksId("a"))?.clusterName, "a");
        assert.equal(parseAksResourceId(aksId("a".repeat(63)))?.clusterName, "a".repeat(63));
        assert.equal(parseAksResourceId(aksId("aks", "rg.with(parens)_x"))?.resourceGroup, "rg.with(parens)_x");
    });

    const rejected: Record<string, string> = {
        "another provider": `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/c`,
        "another type": `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerService/fleets/c`,
        "a child resource": `${aksId("c")}/agentPools/nodepool1`,
        "a trailing slash": `${aksId("c")}/`,
        "no leading slash": aksId("c").slice(1),
        "an empty cluster name": aksId(""),
        "an empty resource group": aksId("c", ""),
        "an empty subscription": "/subscriptions//resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
        "a subscription that is no GUID": "/subscriptions/prod/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
        "a cluster name starting with a hyphen": aksId("-c"),
        "a cluster name ending with an underscore": aksId("c_"),
        "a cluster name with a period": aksId("c.d"),
        "a cluster name of 64 characters": aksId("a".repeat(64)),
        "a resource group ending with a period": aksId("c", "rg."),
        "a resource group of 91 characters": aksId("c", "g".repeat(91)),
        "surrounding whitespace": ` ${aksId("c")}`,
        "an empty string": "",
    };
    for (const [what, id] of Object.entries(rejected)) {
        it(`rejects ${what}`, () => {
            assert.equal(parseAksResourceId(id), undefined);
        });
    }
});

describe("parseWorkspaceResourceId", () => {
    it("splits a workspace id, whatever the case of its segment names", () => {
        assert.deepEqual(parseWorkspaceResourceId(workspaceId("amw-prod")), {
            subscriptionId: sub,
            resourceGroup: "rg-mon",
            workspaceName: "amw-prod",
        });
        const params = JSON.parse(
            fs.readFileSync(path.join(templateDir, "FullAzureMonitorMetricsProfileParameters.json"), "utf8"),
        );
        const example: string = params.parameters.azureMonitorWorkspaceResourceId.value;
        const id = example.replace("{sub_id}", sub).replace("{rg_name}", "rg-mon").replace("{amw_name}", "amw1");
        assert.equal(parseWorkspaceResourceId(id)?.workspaceName, "amw1");
    });

    it("rejects other resources and malformed ids", () => {
        for (const id of [
            `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w1`,
            `${workspaceId("amw")}/`,
            `${workspaceId("amw")}/metricsContainers/default`,
            workspaceId(""),
            workspaceId("-amw"),
            workspaceId("amw-"),
            workspaceId("amw_1"),
            aksId("amw"),
        ]) {
            assert.equal(parseWorkspaceResourceId(id), undefined, id);
        }
    });
});

describe("requireAksResourceId / requireWorkspaceResourceId", () => {
    it("name the argument, the value and the expected form", () => {
        const bad = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/c`;
        assert.throws(() => requireAksResourceId(bad), (e: Error) => {
            assert.match(e.message, /^cluster\.resourceId /);
            assert.ok(e.message.includes(JSON.stringify(bad)));
            assert.ok(e.message.includes("/providers/Microsoft.ContainerService/managedClusters/<cluster name>"));
            return true;
        });
        assert.throws(() => requireWorkspaceResourceId("amw-prod"), (e: Error) => {
            assert.match(e.message, /^workspace\.resourceId "amw-prod"/);
            assert.ok(e.message.includes("/providers/Microsoft.Monitor/accounts/<workspace name>"));
            return true;
        });
        assert.equal(requireAksResourceId(aksId("x")).clusterName, "x");
    });
});

describe("Azure limits", () => {
    it("are the limits Microsoft's template cuts the endpoint and rule names to", () => {
        const limit = (variable: string) => Number(/min\((\d+),/.exec(template.variables[variable])?.[1]);
        assert.equal(dataCollectionEndpointNameMaxLength, limit("dceName"));
        assert.equal(dataCollectionRuleNameMaxLength, limit("dcrName"));
        assert.equal(nameRules.dataCollectionEndpoint.maxLength, 44);
        assert.equal(nameRules.dataCollectionRule.maxLength, 64);
        assert.equal(workspaceNameMaxLength, 44);
    });

    it("nameProblem says what is wrong", () => {
        assert.equal(nameProblem(nameRules.dataCollectionEndpoint, "MSProm-westeurope-aks"), undefined);
        assert.match(nameProblem(nameRules.dataCollectionEndpoint, "ab") ?? "", /shorter than 3/);
        assert.match(nameProblem(nameRules.dataCollectionEndpoint, "a".repeat(45)) ?? "", /45 characters long, more than 44/);
        assert.match(nameProblem(nameRules.dataCollectionEndpoint, "MSProm-x-a_b") ?? "", /contains "_"/);
        assert.match(nameProblem(nameRules.dataCollectionEndpoint, "MSProm-x-ab-") ?? "", /ends with "-"/);
        assert.match(nameProblem(nameRules.prometheusRuleGroup, "a/b") ?? "", /contains "\/"/);
        assert.equal(nameProblem(nameRules.prometheusRuleGroup, "UXRecordingRulesRuleGroup - aks"), undefined);
    });

    it("cutName cuts to the limit and drops characters a name may not end with", () => {
        assert.equal(cutName(nameRules.dataCollectionEndpoint, "a".repeat(50)), "a".repeat(44));
        assert.equal(cutName(nameRules.dataCollectionEndpoint, `${"a".repeat(42)}--b`), "a".repeat(42));
        assert.equal(cutName(nameRules.dataCollectionRule, `${"a".repeat(63)}_b`), `${"a".repeat(63)}_`);
    });
});

describe("dataCollectionEndpointName", () => {
    it("is MSProm-<region>-<cluster>, as the template's dceName", () => {
        assert.equal(dataCollectionEndpointName(region, "aks-prod"), "MSProm-westeurope-aks-prod");
    });

    it("keeps a name of 43 and 44 characters and cuts one of 45 to 44", () => {
        const at = (n: number) => dataCollectionEndpointName(region, cluster(n - stemLength));
        assert.equal(at(43), `MSProm-westeurope-${cluster(25)}`);
        assert.equal(at(44), `MSProm-westeurope-${cluster(26)}`);
        assert.equal(at(45), `MSProm-westeurope-${cluster(26)}`);
        assert.equal(at(stemLength + 63).length, 44);
    });

    it("drops hyphens the cut leaves at the end", () => {
        // Cut at 44, the stem would end "…a-" (one hyphen) or "…a--" (two).
        assert.equal(
            dataCollectionEndpointName(region, `${"a".repeat(25)}-bbbb`),
            `MSProm-westeurope-${"a".repeat(25)}`,
        );
        assert.equal(
            dataCollectionEndpointName(region, `${"a".repeat(24)}--bbbb`),
            `MSProm-westeurope-${"a".repeat(24)}`,
        );
    });

    it("throws, naming the value and the rule, when the cluster name has characters endpoints forbid", () => {
        assert.throws(() => dataCollectionEndpointName(region, "my_cluster"), (e: Error) => {
            assert.ok(e.message.includes('"MSProm-westeurope-my_cluster"'));
            assert.ok(e.message.includes('contains "_"'));
            assert.ok(e.message.includes("3-44 letters, digits and hyphens"));
            assert.ok(e.message.includes('workspace.location "westeurope"'));
            assert.ok(e.message.includes('cluster name "my_cluster"'));
            return true;
        });
    });

    it("throws for a region written as a display name, and says which argument it came from", () => {
        assert.throws(
            () => dataCollectionEndpointName("West Europe", "aks", "cluster.location"),
            /cluster\.location "West Europe".*contains " ".*"westeurope"/s,
        );
    });
});

describe("dataCollectionRuleName", () => {
    it("keeps 63 and 64 characters and cuts 65 to 64", () => {
        const at = (n: number) => dataCollectionRuleName(region, cluster(n - stemLength));
        assert.equal(at(63).length, 63);
        assert.equal(at(64), `MSProm-westeurope-${cluster(46)}`);
        assert.equal(at(65), `MSProm-westeurope-${cluster(46)}`);
    });

    it("drops a hyphen the cut leaves at the end", () => {
        assert.equal(dataCollectionRuleName(region, `${"a".repeat(45)}-b`), `MSProm-westeurope-${"a".repeat(45)}`);
    });

    it("accepts underscores, which rule names allow", () => {
        assert.equal(dataCollectionRuleName(region, "my_cluster"), "MSProm-westeurope-my_cluster");
    });
});

describe("dataCollectionRuleAssociationName", () => {
    it("is MSProm-<cluster region>-<cluster>, not cut (the template's dcraName)", () => {
        const long = "a".repeat(63);
        assert.equal(dataCollectionRuleAssociationName("eastus2", long), `MSProm-eastus2-${long}`);
        assert.equal(dataCollectionRuleAssociationName("westeurope", "my_cluster"), "MSProm-westeurope-my_cluster");
    });
});

describe("defaultWorkspaceName", () => {
    it("is amw-<cluster>, cut to 44", () => {
        assert.equal(defaultWorkspaceName("aks-prod"), "amw-aks-prod");
        assert.equal(defaultWorkspaceName(cluster(40)), `amw-${cluster(40)}`);
        assert.equal(defaultWorkspaceName(cluster(41)), `amw-${cluster(40)}`);
        assert.equal(defaultWorkspaceName(`${cluster(39)}-x`), `amw-${cluster(39)}`);
    });

    it("throws with the way out (workspace.name) when the cluster name has underscores", () => {
        assert.throws(() => defaultWorkspaceName("my_cluster"), /"amw-my_cluster".*contains "_".*Set workspace\.name/s);
    });

    it("validateWorkspaceName names the argument and the rule", () => {
        assert.equal(validateWorkspaceName("amw-prod"), "amw-prod");
        assert.throws(() => validateWorkspaceName("amw_prod"), /^Error: workspace\.name "amw_prod" .*contains "_"/s);
        assert.throws(() => validateWorkspaceName("a".repeat(45)), /more than 44/);
        assert.throws(() => validateWorkspaceName("amw-"), /ends with "-"/);
    });
});

describe("recordingRuleGroupName", () => {
    it("builds the six names as the template's variables do", () => {
        const name = "aks-prod";
        assert.deepEqual(
            recordingRuleGroups(true).map((g) => recordingRuleGroupName(g.key, name)),
            [
                "NodeRecordingRulesRuleGroup-aks-prod",
                "KubernetesRecordingRulesRuleGroup-aks-prod",
                "UXRecordingRulesRuleGroup - aks-prod",
                "NodeRecordingRulesRuleGroup-Win-aks-prod",
                "NodeAndKubernetesRecordingRulesRuleGroup-Win-aks-prod",
                "UXRecordingRulesRuleGroup-Win - aks-prod",
            ],
        );
    });

    it("stays within the rule group limit for the longest cluster name", () => {
        for (const group of recordingRuleGroups(true)) {
            assert.equal(nameProblem(nameRules.prometheusRuleGroup, recordingRuleGroupName(group.key, "a".repeat(63))), undefined);
        }
    });
});

describe("Grafana's role", () => {
    it("is Monitoring Data Reader in the workspace's subscription", () => {
        assert.equal(monitoringDataReaderRoleId, "b0d8363b-8ddd-447d-831f-62ca05bff136");
        assert.equal(
            roleDefinitionId(sub, monitoringDataReaderRoleId),
            `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/b0d8363b-8ddd-447d-831f-62ca05bff136`,
        );
    });
});

describe("sameRegion", () => {
    it("ignores case and spaces", () => {
        assert.equal(sameRegion("westeurope", "West Europe"), true);
        assert.equal(sameRegion("westeurope", "northeurope"), false);
    });
});
