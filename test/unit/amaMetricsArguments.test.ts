// The ama-metrics chart's arguments that reach the post-renderer (`chart.kindScopes`,
// `chart.collectorReplicas`), the cluster version the agent parses, and the Arc twin of a chart version:
// refused with the argument named when bad, and otherwise carried to the post-renderer's command line and
// into the relocated rendering. Bounds and names come from the chart at 548e23dc
// (`_ama-metrics-helpers.tpl`: 2 to 30; the HPA `ama-metrics-hpa`, as Learn's autoscaling page names it).

import * as assert from "node:assert/strict";
import { postRendererArgs, parsePostRendererArgs } from "../../components/amaMetrics/flags";
import { relocateObjects } from "../../components/amaMetrics/relocate";
import type { AmaMetricsIstioArgs } from "../../components/core/args";
import { AmaMetricsIstioArgumentError, UsageError } from "../../components/core/errors";
import type { KubernetesObject } from "../../components/core/kubernetes";
import { chartRenderings, find, fixtureObjects, relocationFor, settingsFor } from "../harness";

/** The component's problems for these ama-metrics arguments, one line each. */
function refused(overrides: Partial<AmaMetricsIstioArgs>): string[] {
    try {
        settingsFor(overrides, "ama-metrics");
    } catch (error) {
        if (error instanceof AmaMetricsIstioArgumentError) return error.messages;
        throw error;
    }
    return assert.fail("accepted");
}
/** The post-renderer's problems for these flags (after --namespace), one line each. */
function commandRefuses(...argv: string[]): string[] {
    try {
        parsePostRendererArgs(["--namespace=monitoring", ...argv]);
    } catch (error) {
        if (error instanceof UsageError) return error.message.split("\n");
        throw error;
    }
    return assert.fail("accepted");
}
const cluster = (kubernetesVersion: string): Partial<AmaMetricsIstioArgs> => ({
    cluster: {
        resourceId:
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev",
        location: "westeurope",
        kubernetesVersion,
    },
});

describe("chart arguments that reach the post-renderer", () => {
    describe("refuse what the post-renderer could not use, naming the argument", () => {
        const cases: [string, Partial<AmaMetricsIstioArgs>, RegExp][] = [
            [
                "a minor-only Kubernetes version",
                cluster("1.33"),
                /^cluster\.kubernetesVersion = "1\.33": not a Kubernetes version; .*major\.minor\.patch/,
            ],
            [
                "a Kubernetes version with a pre-release",
                cluster("1.33.7-rc.1"),
                /^cluster\.kubernetesVersion = "1\.33\.7-rc\.1": not a Kubernetes version/,
            ],
            [
                "a kind scope without a group separator",
                { chart: { kindScopes: { Widget: "Namespaced" } as never } },
                /^chart\.kindScopes\.Widget = "Widget": not a kind; give "<group>\/<Kind>"/,
            ],
            [
                "a kind scope that is no scope",
                { chart: { kindScopes: { "example.com/Widget": "namespaced" as never } } },
                /^chart\.kindScopes\.example\.com\/Widget = "namespaced": not a scope; use one of "Namespaced", "Cluster"/,
            ],
            [
                "a scope for a kind the relocation knows",
                { chart: { kindScopes: { "/Service": "Cluster" } } },
                /^chart\.kindScopes\.\/Service = "\/Service": the relocation knows this kind \(Namespaced\); declare only kinds it refuses as unknown/,
            ],
            [
                "kind scopes as a list",
                { chart: { kindScopes: ["example.com/Widget=Namespaced"] as never } },
                /^chart\.kindScopes = \[.*\]: not a map; give \{ "<group>\/<Kind>"/,
            ],
            [
                "a minimum below the chart's 2",
                { chart: { collectorReplicas: { min: 1 } } },
                /^chart\.collectorReplicas\.min = 1: fewer than 2; give a whole number from 2 to 30, the range the chart keeps$/,
            ],
            [
                "a maximum above the chart's 30",
                { chart: { collectorReplicas: { max: 31 } } },
                /^chart\.collectorReplicas\.max = 31: more than 30; /,
            ],
            [
                "a fractional bound",
                { chart: { collectorReplicas: { max: 2.5 } } },
                /^chart\.collectorReplicas\.max = 2\.5: not a whole number; /,
            ],
            [
                "a minimum above the maximum",
                { chart: { collectorReplicas: { min: 10, max: 4 } } },
                /^chart\.collectorReplicas = \{"min":10,"max":4\}: min is above max; give min ≤ max$/,
            ],
            ["empty bounds", { chart: { collectorReplicas: {} } }, /^chart\.collectorReplicas = \{\}: empty: it changes nothing; /],
            [
                "a misspelt bound",
                { chart: { collectorReplicas: { minimum: 3 } as never } },
                /^chart\.collectorReplicas\.minimum = 3: unknown argument; known here: "min", "max"$/,
            ],
            [
                "bounds for an autoscaler the values turn off",
                { chart: { collectorReplicas: { min: 3 }, values: { AzureMonitorMetrics: { CollectorHPAEnabled: false } } } },
                /^chart\.collectorReplicas = \{"min":3\}: bounds of an autoscaler that chart\.values\.AzureMonitorMetrics\.CollectorHPAEnabled = false turns off; drop one of them$/,
            ],
            [
                "the Arc twin of a version, with the default image tag",
                { chart: { version: "7.1.0-main-07-07-2026-548e23dc-arc" } },
                /^chart\.version = "7\.1\.0-main-07-07-2026-548e23dc-arc": the images would be tagged "7\.1\.0-main-07-07-2026-548e23dc-arc", and no "-arc" image tag exists .*; use version "7\.1\.0-main-07-07-2026-548e23dc", or set chart\.imageTag to the release tag/,
            ],
            [
                "an -arc image tag",
                { chart: { imageTag: "7.1.0-main-07-07-2026-548e23dc-arc" } },
                /^chart\.imageTag = "7\.1\.0-main-07-07-2026-548e23dc-arc": no "-arc" image tag exists/,
            ],
        ];
        for (const [name, args, message] of cases) {
            it(name, () => {
                const problems = refused(args);
                assert.equal(problems.length, 1, problems.join("\n"));
                assert.match(problems[0], message);
            });
        }
    });

    it("accept an x.y.z version, and the Arc twin with the release's image tag (the same chart contents)", () => {
        assert.equal(settingsFor(cluster("1.37.0"), "ama-metrics").collector, "ama-metrics");
        const arc = settingsFor(
            { chart: { version: "7.1.0-main-07-07-2026-548e23dc-arc", imageTag: "7.1.0-main-07-07-2026-548e23dc" } },
            "ama-metrics",
        );
        assert.equal(arc.chart.imageTag, "7.1.0-main-07-07-2026-548e23dc");
    });

    it("carry kind scopes and replica bounds to the post-renderer's arguments, which parse back to them", () => {
        const options = relocationFor({
            chart: { kindScopes: { "example.com/Widget": "Namespaced", "/Gadget": "Cluster" }, collectorReplicas: { min: 3, max: 10 } },
        });
        const argv = postRendererArgs(options);
        assert.deepEqual(
            argv.filter((a) => /kind-scope|replicas/.test(a)),
            [
                "--kind-scope=example.com/Widget=Namespaced",
                "--kind-scope=/Gadget=Cluster",
                "--collector-min-replicas=3",
                "--collector-max-replicas=10",
            ],
        );
        assert.deepEqual(parsePostRendererArgs(argv), options);
        // The defaults add no argument: the Chart's inputs, and the plans, stay as they were.
        assert.ok(!postRendererArgs(relocationFor()).some((a) => /kind-scope|replicas/.test(a)));
    });

    it("refuse on the command line what the component refuses, with the same message", () => {
        const tail = (line: string) => line.slice(line.indexOf(" = "));
        const same: [Partial<AmaMetricsIstioArgs>, string[]][] = [
            [{ chart: { collectorReplicas: { min: 1 } } }, ["--collector-min-replicas=1"]],
            [{ chart: { collectorReplicas: { max: 31 } } }, ["--collector-max-replicas=31"]],
        ];
        for (const [args, argv] of same) {
            assert.deepEqual(commandRefuses(...argv).map(tail), refused(args).map(tail), argv.join(" "));
        }
        assert.match(
            commandRefuses("--collector-min-replicas=three")[0],
            /^--collector-min-replicas = "three": not a number; give a whole number from 2 to 30/,
        );
        assert.match(
            commandRefuses("--collector-min-replicas=10", "--collector-max-replicas=4")[0],
            /^--collector-min-replicas = 10: above --collector-max-replicas \(4\); give a minimum at most the maximum$/,
        );
        assert.match(
            commandRefuses("--kind-scope=/Service=Cluster")[0],
            /^--kind-scope = "\/Service=Cluster": the relocation knows this kind \(Namespaced\); /,
        );
    });
});

for (const rendering of chartRenderings) {
    describe(`the collector's replica bounds in the relocated ${rendering}`, () => {
        const rendered = fixtureObjects("ama-metrics-chart", rendering);
        const hpaSpec = (objects: KubernetesObject[]) =>
            find(objects, "HorizontalPodAutoscaler", "ama-metrics-hpa").spec as {
                minReplicas: number;
                maxReplicas: number;
                scaleTargetRef: { name: string };
            };

        it("set ama-metrics-hpa, the autoscaler of the collector's Deployment, and nothing else", () => {
            assert.equal(hpaSpec(rendered).scaleTargetRef.name, "ama-metrics");
            assert.deepEqual([hpaSpec(rendered).minReplicas, hpaSpec(rendered).maxReplicas], [2, 30], "the chart's defaults");
            const output = relocateObjects(rendered, relocationFor({ chart: { collectorReplicas: { min: 3, max: 10 } } }));
            assert.deepEqual([hpaSpec(output).minReplicas, hpaSpec(output).maxReplicas], [3, 10]);
            const plain = relocateObjects(rendered, relocationFor());
            const strip = (objects: KubernetesObject[]) =>
                objects.map((o) =>
                    o.kind === "HorizontalPodAutoscaler" ? { ...o, spec: { ...(o.spec as object), minReplicas: 0, maxReplicas: 0 } } : o,
                );
            assert.deepEqual(strip(output), strip(plain));
        });

        it("set one bound alone, the other as rendered, and hold on a second pass", () => {
            const options = relocationFor({ chart: { collectorReplicas: { max: 8 } } });
            const output = relocateObjects(rendered, options);
            assert.deepEqual([hpaSpec(output).minReplicas, hpaSpec(output).maxReplicas], [2, 8]);
            assert.deepEqual(relocateObjects(output, options), output);
            // A later relocation without bounds leaves the autoscaler as its input says.
            assert.deepEqual(hpaSpec(relocateObjects(output, relocationFor())).maxReplicas, 8);
        });

        it("refuse a rendering without the collector's autoscaler, and a bound crossing a rendered one", () => {
            const withoutHpa = rendered.filter((o) => o.kind !== "HorizontalPodAutoscaler");
            assert.throws(
                () => relocateObjects(withoutHpa, relocationFor({ chart: { collectorReplicas: { min: 3 } } })),
                /no HorizontalPodAutoscaler of the rendering scales Deployment "ama-metrics" \(the chart renders ama-metrics-hpa only with AzureMonitorMetrics\.CollectorHPAEnabled: true\)/,
            );
            assert.doesNotThrow(() => relocateObjects(withoutHpa, relocationFor()));
            const narrow = structuredClone(rendered);
            hpaSpec(narrow).maxReplicas = 4;
            const options = { ...relocationFor(), collectorReplicas: { min: 6 } };
            assert.throws(() => relocateObjects(narrow, options), /would scale the collector between 6 and 4 replicas/);
        });
    });
}
