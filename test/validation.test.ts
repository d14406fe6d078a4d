// Bad input is refused before anything is registered, with a message that names the argument, the
// value and what would be valid. Values only known later fail the resource that uses them instead.

import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AmaMetricsIstio, AmaMetricsIstioArgs, AmaMetricsIstioArgumentError } from "../components";
import { captureRegistrations } from "../scripts/offline";
import { mockStack, settled } from "./helpers";

const clusterId = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-one";
const good: AmaMetricsIstioArgs = {
    cluster: { resourceId: clusterId, location: "westeurope", kubernetesVersion: "1.33.7" },
    resourceGroupName: "rg-monitoring",
};
const withIstio = (istio: AmaMetricsIstioArgs["istio"]): AmaMetricsIstioArgs => ({ ...good, istio });
const withCluster = (cluster: Partial<AmaMetricsIstioArgs["cluster"]>): AmaMetricsIstioArgs => ({ ...good, cluster: { ...good.cluster, ...cluster } });
const certificates = (istio: AmaMetricsIstioArgs["istio"]) => withIstio({ mode: "certificates", ...istio });
const target = { namespace: "payments", selector: { app: "ledger" }, ports: [9090] };

// [title, args, the message's argument and value, its fix]
const cases: Array<[string, AmaMetricsIstioArgs, string, RegExp]> = [
    ["namespace kube-system", { ...good, namespace: "kube-system" }, `namespace = "kube-system"`, /Istio never injects kube-system.*use a dedicated namespace/],
    ["namespace default", { ...good, namespace: "default" }, `namespace = "default"`, /use a dedicated namespace/],
    ["namespace kube-public", { ...good, namespace: "kube-public" }, `namespace = "kube-public"`, /use a dedicated namespace/],
    ["namespace with capitals", { ...good, namespace: "Monitoring" }, `namespace = "Monitoring"`, /DNS label of at most 63 characters/],
    ["namespace of 64 characters", { ...good, namespace: "m".repeat(64) }, `namespace = "${"m".repeat(64)}"`, /at most 63 characters/],
    ["namespace the upstream root namespace", { ...good, namespace: "istio-system" }, `namespace = "istio-system"`, /Istio control-plane namespace/],
    ["namespace the configured root namespace", { ...good, namespace: "mesh-root", istio: { rootNamespace: "mesh-root" } }, `namespace = "mesh-root"`, /policies there apply to the whole mesh/],
    ["a virtual machine id as cluster", withCluster({ resourceId: "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1" }), `cluster.resourceId = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"`, /managedClusters\/<cluster name>/],
    ["an empty cluster id", withCluster({ resourceId: "" }), `cluster.resourceId = ""`, /not an AKS cluster resource id/],
    ["a cluster id with a trailing slash", withCluster({ resourceId: `${clusterId}/` }), `cluster.resourceId = "${clusterId}/"`, /not an AKS cluster resource id/],
    ["a cluster name that cannot name the data collection endpoint", withCluster({ resourceId: clusterId.replace("aks-one", "aks_one") }), `cluster.resourceId = "${clusterId.replace("aks-one", "aks_one")}"`, /data collection endpoint/],
    ["a display region name", withCluster({ location: "West Europe" }), `cluster.location = "West Europe"`, /programmatic region name, e\.g\. "westeurope"/],
    ["an empty region", withCluster({ location: "" }), `cluster.location = ""`, /not an Azure region name/],
    ["a version with a v", withCluster({ kubernetesVersion: "v1.33.7" }), `cluster.kubernetesVersion = "v1.33.7"`, /no leading 'v'/],
    ["a version word", withCluster({ kubernetesVersion: "latest" }), `cluster.kubernetesVersion = "latest"`, /e\.g\. "1\.33\.7"/],
    ["a cloud in the wrong case", withCluster({ cloudEnvironment: "AzurePublicCloud" }), `cluster.cloudEnvironment = "AzurePublicCloud"`, /lower-case name/],
    ["a bad cluster domain", withCluster({ clusterDomain: "cluster_local" }), `cluster.clusterDomain = "cluster_local"`, /normally "cluster\.local"/],
    ["no cluster", { resourceGroupName: "rg" } as AmaMetricsIstioArgs, "cluster = undefined", /pass \{ resourceId, location, kubernetesVersion \}/],
    ["a resource group with a slash", { ...good, resourceGroupName: "rg/monitoring" }, `resourceGroupName = "rg/monitoring"`, /1-90 letters/],
    ["a resource group ending in a period", { ...good, resourceGroupName: "rg-monitoring." }, `resourceGroupName = "rg-monitoring."`, /not ending in '\.'/],
    ["a Log Analytics workspace id", { ...good, workspace: { resourceId: "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law" } }, "workspace.resourceId = ", /Microsoft\.Monitor\/accounts\/<workspace name>/],
    ["an existing workspace with a name", { ...good, workspace: { resourceId: "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Monitor/accounts/amw", name: "amw-two" } }, `workspace.name = "amw-two"`, /either workspace\.resourceId or workspace\.name/],
    ["a workspace name of 45 characters", { ...good, workspace: { name: "a".repeat(45) } }, `workspace.name = "${"a".repeat(45)}"`, /4-44 letters, digits and '-'/],
    ["a workspace name ending in a hyphen", { ...good, workspace: { name: "amw-prod-" } }, `workspace.name = "amw-prod-"`, /starting and ending with a letter or digit/],
    ["protecting an existing workspace", { ...good, workspace: { resourceId: "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Monitor/accounts/amw", protect: true } }, "workspace.protect = true", /protect it in the stack that creates it/],
    ["a bad workspace region", { ...good, workspace: { location: "EU North" } }, `workspace.location = "EU North"`, /programmatic region name/],
    ["Windows rules without rules", { ...good, recordingRules: { enabled: false, windows: true } }, "recordingRules.windows = true", /drop one of the two/],
    ["a Grafana principal that is a name", { ...good, grafana: { principalId: "grafana-prod" } }, `grafana.principalId = "grafana-prod"`, /principal id \(a GUID\)/],
    ["a chart version range", { ...good, chart: { version: "^7.1.0" } }, `chart.version = "^7.1.0"`, /pin an exact SemVer version/],
    ["a chart version word", { ...good, chart: { version: "latest" } }, `chart.version = "latest"`, /pin an exact SemVer version/],
    ["a derived image tag", { ...good, chart: { imageTag: "7.1.0-main-07-07-2026-548e23dc-cfg" } }, `chart.imageTag = "7.1.0-main-07-07-2026-548e23dc-cfg"`, /without the -win, -targetallocator or -cfg suffix/],
    ["an image tag with a space", { ...good, chart: { imageTag: "7.1.0 main" } }, `chart.imageTag = "7.1.0 main"`, /the agent's release tag/],
    ["a chart reference with spaces", { ...good, chart: { chart: " oci://x/ama-metrics" } }, `chart.chart = " oci://x/ama-metrics"`, /without spaces/],
    ["chart values as a list", { ...good, chart: { values: [1, 2] as unknown as Record<string, unknown> } }, "chart.values = [1,2]", /pass an object/],
    ["OpenTelemetry metrics turned on behind the mesh's back", { ...good, chart: { values: { AppmonitoringAgent: { isOpenTelemetryMetricsEnabled: true } } } }, "chart.values.AppmonitoringAgent.isOpenTelemetryMetricsEnabled = true", /set chart\.openTelemetryMetrics: true instead/],
    ["a token secret name with an underscore", { ...good, tokenSecret: { name: "aad_msi_auth_token" } }, `tokenSecret.name = "aad_msi_auth_token"`, /"aad-msi-auth-token"/],
    ["a token secret namespace with capitals", { ...good, tokenSecret: { namespace: "Kube-System" } }, `tokenSecret.namespace = "Kube-System"`, /DNS label/],
    ["an unknown mesh mode", withIstio({ mode: "ambient" as any }), `istio.mode = "ambient"`, /use one of "sidecar", "certificates", "off"/],
    ["a revision with underscores", withIstio({ revision: "asm_1_27" }), `istio.revision = "asm_1_27"`, /e\.g\. "asm-1-27"/],
    ["the AKS add-on without a revision", withIstio({ rootNamespace: "aks-istio-system" }), "istio.revision = undefined", /injects only pods labelled with its revision; give the add-on's revision, e\.g\. "asm-1-27"/],
    ["a bad root namespace", withIstio({ rootNamespace: "Istio" }), `istio.rootNamespace = "Istio"`, /DNS label/],
    ["a bad trust domain", withIstio({ trustDomain: "cluster local" }), `istio.trustDomain = "cluster local"`, /normally "cluster\.local"/],
    ["ISTIO_MUTUAL declared outside the sidecar mode", certificates({ meshWideIstioMutual: true }), "istio.meshWideIstioMutual = true", /only the sidecar mode uses it, the mode is "certificates"/],
    ["ISTIO_MUTUAL without the ServiceEntry", withIstio({ meshWideIstioMutual: true, egressServiceEntry: false }), "istio.meshWideIstioMutual = true", /keep istio\.egressServiceEntry on/],
    ["meshing the DaemonSet in the off mode", withIstio({ mode: "off", meshNodeDaemonSet: true }), "istio.meshNodeDaemonSet = true", /the mode is "off"/],
    ["proxy resources for the Windows DaemonSet", withIstio({ proxyResources: { windowsNode: { cpu: "100m" } } as any }), "istio.proxyResources.windowsNode = ", /Istio does not inject Windows pods/],
    ["a CPU quantity in words", withIstio({ proxyResources: { collector: { cpu: "100 millicores" } } }), `istio.proxyResources.collector.cpu = "100 millicores"`, /e\.g\. "100m" or "0\.5"/],
    ["a memory quantity in MB", withIstio({ proxyResources: { collector: { memory: "128MB" } } }), `istio.proxyResources.collector.memory = "128MB"`, /e\.g\. "128Mi" or "1Gi"/],
    ["an unknown proxy setting", withIstio({ proxyResources: { collector: { cpus: "1" } as any } }), `istio.proxyResources.collector.cpus = "1"`, /use cpu, memory, cpuLimit or memoryLimit/],
    ["proxy resources for an unmeshed workload", certificates({ proxyResources: { targetAllocator: { cpu: "100m" } } }), "istio.proxyResources.targetAllocator = ", /only the collector has a sidecar/],
    ["proxy resources for an opted-out DaemonSet", withIstio({ meshNodeDaemonSet: false, proxyResources: { node: { cpu: "100m" } } }), "istio.proxyResources.node = ", /drop it or mesh the DaemonSet/],
    ["AuthorizationPolicies in the sidecar mode", withIstio({ authorizationPolicies: [target] }), `istio.authorizationPolicies = ["payments"]`, /scrapes through port 15020 never reach authorization/],
    ["an AuthorizationPolicy in the root namespace", certificates({ authorizationPolicies: [{ ...target, namespace: "istio-system" }] }), `istio.authorizationPolicies[0].namespace = "istio-system"`, /applies to every workload of the mesh/],
    ["an AuthorizationPolicy without a selector", certificates({ authorizationPolicies: [{ ...target, selector: {} }] }), "istio.authorizationPolicies[0].selector = {}", /give the pod labels of the scraped workload/],
    ["an AuthorizationPolicy on port 0", certificates({ authorizationPolicies: [{ ...target, ports: [0] }] }), "istio.authorizationPolicies[0].ports = [0]", /metrics container ports/],
    ["the same workload listed twice", certificates({ authorizationPolicies: [target, { ...target, ports: [9091] }] }), "istio.authorizationPolicies[1] = ", /repeats the namespace and selector of istio\.authorizationPolicies\[0\]; merge their ports into one entry/],
    ["scrape namespaces in the sidecar mode", withIstio({ scrapeNamespaces: ["payments"] }), `istio.scrapeNamespaces = ["payments"]`, /use istio\.mode "certificates"/],
    ["a bad scrape namespace", certificates({ scrapeNamespaces: ["Payments"] }), `istio.scrapeNamespaces[0] = "Payments"`, /DNS label/],
];

describe("argument validation", () => {
    after(() => {
        // The count is part of the contract: at least 30 bad inputs are covered.
        console.log(`      ${cases.length} bad-input cases checked`);
    });

    it("covers at least 30 bad inputs", () => {
        assert.ok(cases.length >= 30, `only ${cases.length} cases`);
    });

    for (const [title, args, argumentAndValue, fix] of cases) {
        it(`refuses ${title}`, async () => {
            const registrations = mockStack();
            assert.throws(
                () => new AmaMetricsIstio("bad", args),
                (err: unknown) => {
                    assert.ok(err instanceof AmaMetricsIstioArgumentError, `not an argument error: ${err}`);
                    assert.match(err.message, /^AmaMetricsIstio "bad" has invalid arguments:/);
                    assert.ok(err.message.includes(argumentAndValue), `message does not name ${argumentAndValue}:\n${err.message}`);
                    assert.match(err.message, fix);
                    return true;
                },
            );
            await settled(registrations, 20);
            assert.deepEqual(registrations, [], "something was registered before the refusal");
        });
    }

    it("lists every problem at once", () => {
        mockStack();
        assert.throws(
            () => new AmaMetricsIstio("bad", { ...good, namespace: "kube-system", cluster: { ...good.cluster, location: "West Europe" } }),
            (err: AmaMetricsIstioArgumentError) => err.problems.length === 2,
        );
    });

    it("accepts the defaults and each mode's own settings", () => {
        mockStack();
        for (const args of [
            good,
            withIstio({ mode: "sidecar", revision: "asm-1-27", meshNodeDaemonSet: false, proxyResources: { collector: { cpu: "0.5", memoryLimit: "1Gi" } }, meshWideIstioMutual: true }),
            certificates({ authorizationPolicies: [target], scrapeNamespaces: ["payments"], proxyResources: { collector: { cpu: "50m" } } }),
            withIstio({ mode: "off" }),
        ]) {
            assert.doesNotThrow(() => new AmaMetricsIstio(`ok-${Math.abs(JSON.stringify(args).length)}`, args));
        }
    });

    it("checks a value known only later in the resource that uses it, with the same message", async () => {
        mockStack();
        const component = new AmaMetricsIstio("late", { ...good, cluster: { ...good.cluster, resourceId: pulumi.output("/subscriptions/x/resourceGroups/rg") } });
        await assert.rejects(
            new Promise((resolve, reject) => (component.dataCollectionRuleId as any).promise().then(resolve, reject)),
            (err: Error) => {
                assert.match(err.message, /cluster\.resourceId = "\/subscriptions\/x\/resourceGroups\/rg": not an AKS cluster resource id/);
                return true;
            },
        );
    });

    it("does not crash on values unknown during a preview: every resource is still registered", async () => {
        pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: {} }), call: () => ({}) }, "ama-metrics-istio", "preview", true);
        const registrations = captureRegistrations();
        const unknownId = new random.RandomUuid("later").result;
        assert.doesNotThrow(() => new AmaMetricsIstio("preview", { ...good, cluster: { ...good.cluster, resourceId: unknownId } }));
        await settled(registrations);
        const types = registrations.map((r) => r.type);
        for (const type of ["azure-native:monitor:DataCollectionRuleAssociation", "kubernetes:helm.sh/v4:Chart", "kubernetes:core/v1:Namespace"]) {
            assert.ok(types.includes(type), `${type} was not registered during the preview`);
        }
    });
});
