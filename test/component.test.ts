// The component as a whole, under Pulumi mocks: what it registers, with which inputs, parents and
// dependencies, for each mesh mode.

import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import { AmaMetricsIstio, AmaMetricsIstioArgs, componentType } from "../components";
import { parsePostRendererArgs } from "../components/postRenderer";
import type { Registration } from "../scripts/offline";
import { mockStack, settled, valueOf } from "./helpers";

const clusterId = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-one";

function baseArgs(overrides: Partial<AmaMetricsIstioArgs> = {}): AmaMetricsIstioArgs {
    return {
        cluster: { resourceId: clusterId, location: "westeurope", kubernetesVersion: "1.33.7" },
        resourceGroupName: "rg-monitoring",
        ...overrides,
    };
}

async function evaluate(args: AmaMetricsIstioArgs, name = "metrics"): Promise<{ component: AmaMetricsIstio; registrations: Registration[] }> {
    const registrations = mockStack();
    const component = new AmaMetricsIstio(name, args);
    await valueOf(component.dataCollectionRuleId);
    await settled(registrations);
    return { component, registrations };
}

const byType = (registrations: Registration[], type: string) => registrations.filter((r) => r.type === type);
const one = (registrations: Registration[], type: string) => {
    const found = byType(registrations, type);
    assert.equal(found.length, 1, `expected one ${type}, found ${found.length}`);
    return found[0];
};
const key = (r: Registration) => `${r.type}::${r.name}`;

describe("AmaMetricsIstio", () => {
    describe("with defaults (sidecar mode, default revision)", () => {
        let registrations: Registration[];
        let component: AmaMetricsIstio;
        before(async () => {
            ({ component, registrations } = await evaluate(baseArgs()));
        });

        it("registers itself under its type token, every child parented to it", () => {
            const self = one(registrations, componentType);
            assert.equal(self.name, "metrics");
            for (const r of registrations.filter((r) => r !== self)) {
                assert.equal(r.parent, `${componentType}::metrics`, `${key(r)} is not parented to the component`);
                assert.ok(r.name.startsWith("metrics"), `${key(r)} is not named after the component`);
            }
        });

        it("registers exactly the expected resources", () => {
            const types = registrations.map((r) => r.type).sort();
            assert.deepEqual(types, [
                "ama-metrics-istio:index:AmaMetricsIstio",
                "azure-native:alertsmanagement:PrometheusRuleGroup",
                "azure-native:alertsmanagement:PrometheusRuleGroup",
                "azure-native:alertsmanagement:PrometheusRuleGroup",
                "azure-native:monitor:AzureMonitorWorkspace",
                "azure-native:monitor:DataCollectionEndpoint",
                "azure-native:monitor:DataCollectionRule",
                "azure-native:monitor:DataCollectionRuleAssociation",
                "kubernetes:core/v1:Namespace",
                "kubernetes:core/v1:Service",
                "kubernetes:helm.sh/v4:Chart",
                "kubernetes:networking.istio.io/v1:ServiceEntry",
                "kubernetes:rbac.authorization.k8s.io/v1:Role",
                "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
                "kubernetes:security.istio.io/v1:PeerAuthentication",
            ]);
            assert.equal(byType(registrations, "azure-native:containerservice:ManagedCluster").length, 0, "never touches the cluster");
        });

        it("labels the namespace for default-revision injection", () => {
            const ns = one(registrations, "kubernetes:core/v1:Namespace");
            assert.deepEqual(ns.inputs.metadata, { labels: { "istio-injection": "enabled" }, name: "monitoring" });
        });

        it("gives the chart the component's values, the relocating post-renderer and its dependencies", () => {
            const chart = one(registrations, "kubernetes:helm.sh/v4:Chart");
            const inputs = chart.inputs as any;
            assert.equal(inputs.chart, "oci://mcr.microsoft.com/azuremonitor/containerinsights/ciprod/ama-metrics");
            assert.equal(inputs.version, "7.1.0-main-07-07-2026-548e23dc");
            assert.equal(inputs.namespace, "monitoring");
            assert.deepEqual(inputs.values.global.commonGlobals, {
                CloudEnvironment: "azurepubliccloud",
                Customer: { AzureResourceID: clusterId },
                Region: "westeurope",
                Versions: { Kubernetes: "1.33.7" },
            });
            const ama = inputs.values.AzureMonitorMetrics;
            assert.equal(ama.ImageTag, "7.1.0-main-07-07-2026-548e23dc");
            assert.equal(ama.ImageTagWin, "7.1.0-main-07-07-2026-548e23dc-win");
            assert.equal(ama.ImageTagTargetAllocator, "7.1.0-main-07-07-2026-548e23dc-targetallocator");
            assert.equal(ama.ImageTagCfgReader, "7.1.0-main-07-07-2026-548e23dc-cfg");
            assert.equal(ama.IncludeDependentCharts, false);
            assert.equal(ama.OperatorTargetsHttpsEnabled, false);

            assert.equal(inputs.postRenderer.command, "node");
            for (const arg of inputs.postRenderer.args) {
                assert.ok(!arg.startsWith("/") && !arg.includes(process.cwd()), `machine path in post-renderer args: ${arg}`);
            }
            const script = inputs.postRenderer.args.findIndex((a: string) => /postRenderer\.(ts|js)$/.test(a));
            const options = parsePostRendererArgs(inputs.postRenderer.args.slice(script + 1));
            assert.equal(options.namespace, "monitoring");
            assert.equal(options.mesh.mode, "sidecar");

            const deps = chart.dependsOn;
            for (const needed of [
                "kubernetes:core/v1:Namespace::metrics-namespace",
                "kubernetes:core/v1:Service::metrics-operator-targets-alias",
                "kubernetes:rbac.authorization.k8s.io/v1:Role::metrics-token-reader",
                "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::metrics-token-reader",
                "azure-native:monitor:DataCollectionRuleAssociation::metrics-dcra",
            ]) {
                assert.ok(deps.includes(needed), `chart does not wait for ${needed}`);
            }
            for (const pa of byType(registrations, "kubernetes:security.istio.io/v1:PeerAuthentication")) {
                assert.ok(deps.includes(key(pa)), `chart does not wait for ${key(pa)}`);
            }
        });

        it("keeps kube-system to the two shims: an ExternalName alias and a one-secret Role", () => {
            const inKubeSystem = registrations.filter((r) => (r.inputs as any).metadata?.namespace === "kube-system");
            assert.deepEqual(inKubeSystem.map(key).sort(), [
                "kubernetes:core/v1:Service::metrics-operator-targets-alias",
                "kubernetes:rbac.authorization.k8s.io/v1:Role::metrics-token-reader",
                "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::metrics-token-reader",
            ]);
            const alias = one(registrations, "kubernetes:core/v1:Service").inputs as any;
            assert.equal(alias.metadata.name, "ama-metrics-operator-targets");
            assert.equal(alias.spec.type, "ExternalName");
            assert.equal(alias.spec.externalName, "ama-metrics-operator-targets.monitoring.svc.cluster.local");
            const role = one(registrations, "kubernetes:rbac.authorization.k8s.io/v1:Role").inputs as any;
            assert.deepEqual(role.rules, [{ apiGroups: [""], resourceNames: ["aad-msi-auth-token"], resources: ["secrets"], verbs: ["get", "watch"] }]);
            const binding = one(registrations, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").inputs as any;
            assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
            assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "ama-metrics-serviceaccount", namespace: "monitoring" }]);
        });

        it("creates no ClusterRole or ClusterRoleBinding of its own", () => {
            assert.equal(registrations.filter((r) => /ClusterRole/.test(r.type)).length, 0);
        });

        it("exposes its outputs", async () => {
            assert.equal(await valueOf(component.namespace), "monitoring");
            assert.equal(await valueOf(component.collectorPrincipal), "cluster.local/ns/monitoring/sa/ama-metrics-serviceaccount");
            assert.match(await valueOf(component.workspaceId), /\/providers\/Microsoft\.Monitor\/accounts\/amw-aks-one$/);
            assert.match(await valueOf(component.dataCollectionEndpointId), /\/dataCollectionEndpoints\/MSProm-westeurope-aks-one$/);
            assert.match(await valueOf(component.dataCollectionRuleId), /\/dataCollectionRules\/MSProm-westeurope-aks-one$/);
            assert.match(await valueOf(component.prometheusQueryEndpoint), /^https:\/\/amw-aks-one\./);
        });

        it("keeps the Kubernetes and Istio objects off the Azure resources they do not use", () => {
            for (const r of registrations.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v4:Chart")) {
                assert.deepEqual(r.dependsOn.filter((d) => d.startsWith("azure-native:")), [], `${key(r)} waits on Azure`);
            }
        });
    });

    it("registers the same resources with the same inputs every time", async () => {
        const strip = (rs: Registration[]) => rs.map((r) => ({ ...r })).sort((a, b) => key(a).localeCompare(key(b)));
        const first = strip((await evaluate(baseArgs({ grafana: { principalId: "5b8e1f0a-3c2d-4e6f-8a9b-0c1d2e3f4a5b" } }))).registrations);
        const second = strip((await evaluate(baseArgs({ grafana: { principalId: "5b8e1f0a-3c2d-4e6f-8a9b-0c1d2e3f4a5b" } }))).registrations);
        assert.deepEqual(second, first);
    });

    it("opens the node agent's OTLP ports to the mesh's outside only when it receives OpenTelemetry metrics", async () => {
        const { registrations } = await evaluate(baseArgs({ chart: { openTelemetryMetrics: true } }));
        const exceptions = byType(registrations, "kubernetes:security.istio.io/v1:PeerAuthentication").filter((r) => (r.inputs as any).metadata.name === "ama-metrics-node-otlp");
        assert.equal(exceptions.length, 1);
        const values = (one(registrations, "kubernetes:helm.sh/v4:Chart").inputs as any).values;
        assert.deepEqual(values.AppmonitoringAgent, { isOpenTelemetryMetricsEnabled: true });
    });

    it("uses a revision label when a revision is given", async () => {
        const { registrations } = await evaluate(baseArgs({ istio: { revision: "asm-1-27" } }));
        const ns = one(registrations, "kubernetes:core/v1:Namespace");
        assert.deepEqual((ns.inputs as any).metadata.labels, { "istio.io/rev": "asm-1-27" });
    });

    it("in the off mode creates no Istio object and no namespace label", async () => {
        const { registrations } = await evaluate(baseArgs({ istio: { mode: "off" } }));
        assert.deepEqual(registrations.filter((r) => r.type.includes("istio.io")), []);
        assert.equal((one(registrations, "kubernetes:core/v1:Namespace").inputs as any).metadata.labels, undefined);
        const chart = one(registrations, "kubernetes:helm.sh/v4:Chart").inputs as any;
        assert.ok(chart.postRenderer.args.includes("--mesh-mode=off"));
    });

    it("in the certificates mode adds the scrape ConfigMap and the listed AuthorizationPolicies only", async () => {
        const { registrations } = await evaluate(
            baseArgs({
                istio: {
                    mode: "certificates",
                    authorizationPolicies: [{ namespace: "payments", selector: { app: "ledger" }, ports: [9090] }],
                },
            }),
        );
        const istio = registrations.filter((r) => r.type.includes("istio.io"));
        assert.deepEqual(istio.map((r) => r.type), ["kubernetes:security.istio.io/v1:AuthorizationPolicy"]);
        const policy = istio[0].inputs as any;
        assert.equal(policy.metadata.namespace, "payments");
        assert.deepEqual(policy.spec.selector, { matchLabels: { app: "ledger" } });
        assert.deepEqual(policy.spec.rules[0].from[0].source.principals, ["cluster.local/ns/monitoring/sa/ama-metrics-serviceaccount"]);
        // A policy in another namespace does not wait for the agent's namespace.
        assert.deepEqual(istio[0].dependsOn, []);
        const configMap = one(registrations, "kubernetes:core/v1:ConfigMap").inputs as any;
        assert.equal(configMap.metadata.name, "ama-metrics-prometheus-config");
        assert.equal(configMap.metadata.namespace, "monitoring");
        const chart = one(registrations, "kubernetes:helm.sh/v4:Chart");
        assert.ok(chart.dependsOn.includes(key(one(registrations, "kubernetes:core/v1:ConfigMap"))));
        assert.ok(!chart.dependsOn.includes(key(istio[0])));
    });

    it("adopts an existing namespace by patching only its mesh label", async () => {
        const { registrations } = await evaluate(baseArgs({ createNamespace: false, istio: { revision: "asm-1-27" } }));
        assert.equal(byType(registrations, "kubernetes:core/v1:Namespace").length, 0);
        const patch = one(registrations, "kubernetes:core/v1:NamespacePatch");
        assert.deepEqual((patch.inputs as any).metadata, {
            annotations: { "pulumi.com/patchForce": "true" },
            labels: { "istio.io/rev": "asm-1-27" },
            name: "monitoring",
        });
    });

    it("merges the user's chart values last", async () => {
        const { registrations } = await evaluate(
            baseArgs({ chart: { values: { AzureMonitorMetrics: { DeploymentReplicas: 3, ImageTag: "7.2.0-custom" } } } }),
        );
        const values = (one(registrations, "kubernetes:helm.sh/v4:Chart").inputs as any).values;
        assert.equal(values.AzureMonitorMetrics.DeploymentReplicas, 3);
        assert.equal(values.AzureMonitorMetrics.ImageTag, "7.2.0-custom");
        assert.equal(values.AzureMonitorMetrics.OperatorTargetsHttpsEnabled, false, "the component's other values stay");
    });

    it("uses the caller's providers for every child", async () => {
        const registrations = mockStack();
        const kubernetes = new k8s.Provider("aks", { kubeconfig: "stand-in" });
        const azure = new AzureProvider("azure", { subscriptionId: "11111111-2222-3333-4444-555555555555" });
        new AmaMetricsIstio("metrics", baseArgs(), { providers: { kubernetes, "azure-native": azure } });
        await settled(registrations);
        const children = registrations.filter((r) => r.custom && r.type !== "pulumi:providers:kubernetes" && r.type !== "pulumi:providers:azure-native");
        assert.ok(children.length > 10);
        for (const r of children) {
            const expected = r.type.startsWith("kubernetes:") ? "pulumi:providers:kubernetes::aks" : r.type.startsWith("azure-native:") ? "pulumi:providers:azure-native::azure" : undefined;
            assert.equal(r.provider, expected, `${key(r)} uses ${r.provider}`);
        }
    });
});
