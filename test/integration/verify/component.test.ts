// The component's `verifyArgs` output: the command that checks the installation the component was
// given, read back by the command's own parser (a round trip through the one flag table).

import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { AmaMetricsIstioArgs, MeshMode } from "../../../components";
import { parsePostRendererArgs } from "../../../components/amaMetrics/flags";
import { relocateObjects } from "../../../components/amaMetrics/relocate";
import { containersOf, KubernetesObject, labelsMatch, podTemplatesOf } from "../../../components/core/kubernetes";
import { validateArgs } from "../../../components/arguments/validate";
import type { PrometheusCollectorSettings } from "../../../components/core/settings";
import { certsVolume } from "../../../components/mesh/certificates";
import { injectLabel } from "../../../components/mesh/pod";
import { prometheusObjects } from "../../../components/prometheus";
import { configurationOf, parseVerifyArgs } from "../../../components/verify/args";
import type { VerifyConfiguration } from "../../../components/verify/types";
import { expectedWorkloads, isShardName, meshExpectations, WorkloadOptions } from "../../../components/verify/workloads";
import { baseArgs, clusterId, evaluate, fixtureObjects, mockStack, valueOf } from "../../harness";

/** What the command reads without --token-secret: the secret AKS writes. */
const aksTokenSecret = { namespace: "kube-system", name: "aad-msi-auth-token" };

const existingWorkspace =
    "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-monitoring/providers/Microsoft.Monitor/accounts/amw-shared";

const cases: Array<[string, AmaMetricsIstioArgs, Omit<VerifyConfiguration, "azure">]> = [
    [
        "prometheus with its defaults",
        baseArgs(),
        {
            namespace: "monitoring",
            collector: "prometheus",
            meshMode: "sidecar",
            meshNode: false,
            shards: 1,
            shardedKubeStateMetrics: false,
            tokenSecret: aksTokenSecret,
        },
    ],
    [
        "prometheus with a revision, shards and its own namespace",
        baseArgs({ namespace: "metrics", prometheus: { shards: 3 }, istio: { revision: "asm-1-27" } }),
        {
            namespace: "metrics",
            collector: "prometheus",
            meshMode: "sidecar",
            revision: "asm-1-27",
            meshNode: false,
            shards: 3,
            shardedKubeStateMetrics: false,
            tokenSecret: aksTokenSecret,
        },
    ],
    [
        "prometheus with one kube-state-metrics per shard",
        baseArgs({ prometheus: { shards: 2, shardKubeStateMetrics: true } }),
        {
            namespace: "monitoring",
            collector: "prometheus",
            meshMode: "sidecar",
            meshNode: false,
            shards: 2,
            shardedKubeStateMetrics: true,
            tokenSecret: aksTokenSecret,
        },
    ],
    [
        "prometheus in certificates mode",
        baseArgs({ istio: { mode: "certificates", revision: "asm-1-26" } }),
        {
            namespace: "monitoring",
            collector: "prometheus",
            meshMode: "certificates",
            revision: "asm-1-26",
            meshNode: false,
            shards: 1,
            shardedKubeStateMetrics: false,
            tokenSecret: aksTokenSecret,
        },
    ],
    [
        "ama-metrics with its defaults",
        baseArgs({}, "ama-metrics"),
        {
            namespace: "monitoring",
            collector: "ama-metrics",
            meshMode: "sidecar",
            meshNode: false,
            shards: 1,
            shardedKubeStateMetrics: false,
            tokenSecret: aksTokenSecret,
        },
    ],
    [
        "ama-metrics with the node DaemonSet meshed",
        baseArgs({ istio: { revision: "asm-1-27", meshNodeDaemonSet: true } }, "ama-metrics"),
        {
            namespace: "monitoring",
            collector: "ama-metrics",
            meshMode: "sidecar",
            revision: "asm-1-27",
            meshNode: true,
            shards: 1,
            shardedKubeStateMetrics: false,
            tokenSecret: aksTokenSecret,
        },
    ],
    [
        "ama-metrics reading its own token secret",
        baseArgs({ tokenSecret: { namespace: "secrets", name: "agent-token" } }, "ama-metrics"),
        {
            namespace: "monitoring",
            collector: "ama-metrics",
            meshMode: "sidecar",
            meshNode: false,
            shards: 1,
            shardedKubeStateMetrics: false,
            tokenSecret: { namespace: "secrets", name: "agent-token" },
        },
    ],
    [
        "ama-metrics outside the mesh, with an existing workspace",
        baseArgs({ istio: { mode: "off" }, workspace: { resourceId: existingWorkspace } }, "ama-metrics"),
        {
            namespace: "monitoring",
            collector: "ama-metrics",
            meshMode: "off",
            meshNode: false,
            shards: 1,
            shardedKubeStateMetrics: false,
            tokenSecret: aksTokenSecret,
        },
    ],
];

describe("AmaMetricsIstio verifyArgs", function () {
    this.timeout(30000);

    for (const [title, args, expected] of cases) {
        it(`reads back as the configuration it was given: ${title}`, async () => {
            const { component, failures } = await evaluate(args);
            assert.deepEqual(failures, []);
            const argv = await valueOf(component.verifyArgs);
            const workspaceId = await valueOf(component.workspaceId);
            assert.deepEqual(configurationOf(parseVerifyArgs(argv)), { ...expected, azure: { clusterId, workspaceId } });
            assert.deepEqual(argv.slice(0, 6), [
                "--namespace",
                expected.namespace,
                "--collector",
                args.collector,
                "--mesh-mode",
                expected.meshMode,
            ]);
        });
    }

    it("names the existing workspace as given", async () => {
        const { component } = await evaluate(baseArgs({ workspace: { resourceId: existingWorkspace } }));
        const argv = await valueOf(component.verifyArgs);
        assert.equal(argv[argv.indexOf("--workspace-id") + 1], existingWorkspace);
    });
});

/** Asserts that the verify command expects what the objects hold: each workload, its pod labels, its sidecar and its certificate readers. */
function assertExpected(workloads: WorkloadOptions, mode: MeshMode, objects: KubernetesObject[], namespace: string): void {
    const inNamespace = objects.filter((o) => o.metadata.namespace === namespace);
    const expectations = meshExpectations(workloads.collector, mode, false);
    for (const workload of expectedWorkloads(workloads)) {
        const [object] = inNamespace.filter((o) => o.kind === workload.kind && o.metadata.name === workload.name);
        assert.ok(object, `no ${workload.kind} ${workload.name}`);
        const pod = podTemplatesOf(object)[0].get();
        assert.ok(
            labelsMatch(workload.podLabels, pod.metadata?.labels),
            `${workload.name}: pod labels ${JSON.stringify(pod.metadata?.labels)}`,
        );
        const expectation = expectations[workload.role]!;
        assert.equal(pod.metadata?.labels?.[injectLabel] !== "false", expectation.sidecar, `${workload.name}: sidecar`);
        const readers = containersOf(pod)
            .filter((c) => c.volumeMounts?.some((m) => m.name === certsVolume))
            .map((c) => c.name);
        assert.deepEqual(readers, expectation.certificates ? workload.certificateReaders : [], `${workload.name}: certificate readers`);
    }
}

describe("the verify command's expectations", () => {
    const refs = {
        clientId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60",
        tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        remoteWriteUrl: "https://x",
    };
    const modes: Record<MeshMode, AmaMetricsIstioArgs["istio"]> = {
        sidecar: { revision: "asm-1-27" },
        certificates: { mode: "certificates", revision: "asm-1-27" },
        off: { mode: "off" },
    };

    for (const [mode, istio] of Object.entries(modes) as [MeshMode, AmaMetricsIstioArgs["istio"]][]) {
        it(`are what the prometheus collector builds, in the ${mode} mode`, async () => {
            mockStack();
            const settings = validateArgs("metrics", baseArgs({ istio, prometheus: { shards: 2 } })) as PrometheusCollectorSettings;
            const objects = (await valueOf(pulumi.output(prometheusObjects(settings, refs)))) as unknown as KubernetesObject[];
            assertExpected({ collector: "prometheus", shards: 2 }, mode, objects, settings.namespace);
            const shards = objects.filter((o) => o.kind === "StatefulSet" && isShardName(o.metadata.name ?? ""));
            assert.equal(shards.length, 2);
        });

        it(`are what the prometheus collector builds with one kube-state-metrics per shard, in the ${mode} mode`, async () => {
            mockStack();
            const args = baseArgs({ istio, prometheus: { shards: 3, shardKubeStateMetrics: true } });
            const settings = validateArgs("metrics", args) as PrometheusCollectorSettings;
            const objects = (await valueOf(pulumi.output(prometheusObjects(settings, refs)))) as unknown as KubernetesObject[];
            assertExpected({ collector: "prometheus", shards: 3, shardedKubeStateMetrics: true }, mode, objects, settings.namespace);
            // Every Deployment the component creates (the kube-state-metrics instances) is one the command expects.
            const deployments = objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name);
            const expected = expectedWorkloads({ collector: "prometheus", shards: 3, shardedKubeStateMetrics: true });
            assert.deepEqual(
                deployments.sort(),
                expected
                    .filter((w) => w.kind === "Deployment")
                    .map((w) => w.name)
                    .sort(),
            );
        });

        it(`are what the relocated ama-metrics chart holds, in the ${mode} mode`, () => {
            const options = parsePostRendererArgs([
                "--namespace=monitoring",
                `--mesh-mode=${mode}`,
                ...(istio?.revision ? [`--revision=${istio.revision}`] : []),
            ]);
            const objects = relocateObjects(fixtureObjects("ama-metrics-chart", "rendered-aks-component.yaml"), options);
            assertExpected({ collector: "ama-metrics", shards: 1 }, mode, objects, "monitoring");
        });
    }
});
