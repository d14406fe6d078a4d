// The ama-metrics collector as the component registers it, under Pulumi's mocks: the objects around the
// chart in each mesh mode, the Chart's inputs (its post-renderer most of all) and what the Chart waits for;
// and the arguments refused before anything is registered.

import * as assert from "node:assert/strict";
import * as path from "node:path";
import { AmaMetricsIstio } from "../../components";
import type { AmaMetricsIstioArgs } from "../../components/core/args";
import { AmaMetricsIstioArgumentError } from "../../components/core/errors";
import type { Registration } from "../../scripts/offline";
import { baseArgs, byType, evaluate, key, mockStack, one, testProviders } from "../harness";

const chartType = "kubernetes:helm.sh/v4:Chart";
const byName = (registrations: Registration[], type: string, name: string) => one(registrations, type, `metrics:${name}`);

describe("the ama-metrics collector under mocks", function () {
    this.timeout(60000);

    describe("by default (sidecar mode)", () => {
        let registrations: Registration[];
        before(async () => {
            ({ registrations } = await evaluate(baseArgs({}, "ama-metrics")));
        });

        it("deploys the published chart, pinned, with the component's values and the package's post-renderer", () => {
            const chart = one(registrations, chartType);
            assert.equal(chart.inputs.chart, "oci://mcr.microsoft.com/azuremonitor/containerinsights/ciprod/ama-metrics");
            assert.equal(chart.inputs.version, "7.1.0-main-07-07-2026-548e23dc");
            assert.equal(chart.inputs.namespace, "monitoring");
            const values = chart.inputs.values as {
                AzureMonitorMetrics: Record<string, unknown>;
                global: { commonGlobals: Record<string, any> };
            };
            assert.equal(values.AzureMonitorMetrics.OperatorTargetsHttpsEnabled, false);
            assert.equal(values.AzureMonitorMetrics.ImageTag, "7.1.0-main-07-07-2026-548e23dc");
            assert.match(
                values.global.commonGlobals.Customer.AzureResourceID,
                /\/providers\/Microsoft\.ContainerService\/managedClusters\/aks-one$/,
            );
            assert.deepEqual(chart.inputs.postRenderer, {
                command: "node",
                args: [
                    "dist/amaMetrics/postRenderer.js",
                    "--namespace=monitoring",
                    "--mesh-mode=sidecar",
                    '--proxy-resources={"collector":{"cpu":"100m","memory":"128Mi"}}',
                ],
            });
        });

        it("puts no machine path into the Chart's inputs", () => {
            const chart = one(registrations, chartType);
            const text = JSON.stringify(chart.inputs);
            assert.ok(!text.includes(path.resolve(__dirname, "..", "..")), "the repository's path");
            const { command, args } = chart.inputs.postRenderer as { command: string; args: string[] };
            for (const value of [command, ...args]) {
                assert.ok(!path.isAbsolute(value), value);
                assert.ok(!value.includes("\\"), value);
            }
        });

        it("protects the target allocator with an AuthorizationPolicy, and no NetworkPolicy", () => {
            const policy = byName(
                registrations,
                "kubernetes:security.istio.io/v1:AuthorizationPolicy",
                "AuthorizationPolicy:monitoring/ama-metrics-operator-targets",
            );
            assert.deepEqual((policy.inputs.spec as { rules: unknown[] }).rules, [
                {
                    from: [{ source: { principals: ["cluster.local/ns/monitoring/sa/ama-metrics-serviceaccount"] } }],
                    to: [{ operation: { ports: ["8080"] } }],
                },
            ]);
            assert.deepEqual(byType(registrations, "kubernetes:networking.k8s.io/v1:NetworkPolicy"), []);
        });

        it("makes the Chart wait for its namespace, its mesh policy, its shims and its rule's association", () => {
            const chart = one(registrations, chartType);
            const waitsFor = [
                "kubernetes:core/v1:Namespace::metrics-namespace",
                "kubernetes:core/v1:Service::metrics:Service:kube-system/ama-metrics-operator-targets",
                "kubernetes:rbac.authorization.k8s.io/v1:Role::metrics:Role:kube-system/ama-metrics-token-reader-monitoring",
                "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::metrics:RoleBinding:kube-system/ama-metrics-token-reader-monitoring",
                "kubernetes:security.istio.io/v1:PeerAuthentication::metrics:PeerAuthentication:monitoring/default",
                "kubernetes:security.istio.io/v1:AuthorizationPolicy::metrics:AuthorizationPolicy:monitoring/ama-metrics-operator-targets",
                "azure-native:monitor:DataCollectionRuleAssociation::metrics-dcra",
            ];
            for (const dependency of waitsFor) assert.ok(chart.dependsOn.includes(dependency), dependency);
            // Objects of the agent's namespace wait for it.
            const policy = byName(
                registrations,
                "kubernetes:security.istio.io/v1:AuthorizationPolicy",
                "AuthorizationPolicy:monitoring/ama-metrics-operator-targets",
            );
            assert.ok(policy.dependsOn.includes("kubernetes:core/v1:Namespace::metrics-namespace"));
        });

        it("renders no settings or custom-job ConfigMap nobody asked for", () => {
            assert.deepEqual(byType(registrations, "kubernetes:core/v1:ConfigMap").map(key), []);
        });
    });

    for (const istio of [{ mode: "certificates", revision: "asm-1-27" }, { mode: "off" }] as const) {
        describe(`in the ${istio.mode} mode, with settings and custom jobs`, () => {
            let registrations: Registration[];
            const jobs = [{ job_name: "orders", static_configs: [{ targets: ["orders.shop:9090"] }] }];
            before(async () => {
                ({ registrations } = await evaluate(
                    baseArgs(
                        { istio, chart: { settings: { "default-scrape-settings-enabled": "kubelet = true" } }, scrapeConfigs: jobs },
                        "ama-metrics",
                    ),
                ));
            });

            it("protects the target allocator with a NetworkPolicy, and no AuthorizationPolicy", () => {
                const policy = byName(
                    registrations,
                    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                    "NetworkPolicy:monitoring/ama-metrics-operator-targets",
                );
                assert.deepEqual((policy.inputs.spec as { podSelector: unknown }).podSelector, {
                    matchLabels: { rsName: "ama-metrics-operator-targets" },
                });
                assert.deepEqual(byType(registrations, "kubernetes:security.istio.io/v1:AuthorizationPolicy"), []);
            });

            it("registers the settings and the custom jobs in the agent's namespace, before the Chart", () => {
                const chart = one(registrations, chartType);
                const settings = byName(
                    registrations,
                    "kubernetes:core/v1:ConfigMap",
                    "ConfigMap:monitoring/ama-metrics-settings-configmap",
                );
                assert.deepEqual(settings.inputs.data, { "default-scrape-settings-enabled": "kubelet = true" });
                const custom = byName(registrations, "kubernetes:core/v1:ConfigMap", "ConfigMap:monitoring/ama-metrics-prometheus-config");
                const text = (custom.inputs.data as Record<string, string>)["prometheus-config"];
                assert.match(text, /job_name: orders/);
                assert.equal(/job_name: istio-mtls-pods/.test(text), istio.mode === "certificates");
                for (const object of [settings, custom]) assert.ok(chart.dependsOn.includes(key(object)), key(object));
            });

            it("hands the mode to the post-renderer", () => {
                const { args } = one(registrations, chartType).inputs.postRenderer as { args: string[] };
                assert.deepEqual(
                    args.slice(1),
                    istio.mode === "off"
                        ? ["--namespace=monitoring", "--mesh-mode=off"]
                        : [
                              "--namespace=monitoring",
                              "--mesh-mode=certificates",
                              "--revision=asm-1-27",
                              '--proxy-resources={"collector":{"cpu":"100m","memory":"128Mi"}}',
                          ],
                );
            });
        });
    }

    describe("refuses, before registering anything", () => {
        const refused = (args: AmaMetricsIstioArgs): string[] => {
            const registrations = mockStack();
            try {
                new AmaMetricsIstio("metrics", args, { providers: testProviders() });
            } catch (error) {
                assert.ok(error instanceof AmaMetricsIstioArgumentError, String(error));
                assert.deepEqual(
                    registrations.filter((r) => !r.type.startsWith("pulumi:providers:")),
                    [],
                );
                return error.messages;
            }
            return assert.fail("the component accepted the arguments");
        };

        it("the Arc twin of a chart version with the default image tag (no <version>-arc image exists)", () => {
            assert.deepEqual(refused(baseArgs({ chart: { version: "7.1.0-main-07-07-2026-548e23dc-arc" } }, "ama-metrics")), [
                'chart.version = "7.1.0-main-07-07-2026-548e23dc-arc": the images would be tagged "7.1.0-main-07-07-2026-548e23dc-arc", and no "-arc" image tag exists (the Arc twin repackages the same chart; its images are the release\'s own); use version "7.1.0-main-07-07-2026-548e23dc", or set chart.imageTag to the release tag, "7.1.0-main-07-07-2026-548e23dc"',
            ]);
        });

        it("the namespaces the post-renderer refuses too", () => {
            for (const namespace of ["kube-system", "default", "istio-system"]) {
                const [problem] = refused(baseArgs({ namespace }, "ama-metrics"));
                assert.match(problem, new RegExp(`^namespace = "${namespace}": the collector cannot run there: `));
            }
        });
    });
});
