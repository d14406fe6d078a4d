// The component's `verifyArgs` output: the command that checks the installation the component was
// given, read back by the command's own parser (a round trip through the one flag table).

import * as assert from "node:assert/strict";
import type { AmaMetricsIstioArgs } from "../../../components";
import { configurationOf, parseVerifyArgs } from "../../../components/verify/args";
import type { VerifyConfiguration } from "../../../components/verify/types";
import { baseArgs, clusterId, evaluate, valueOf } from "../../harness";

const existingWorkspace =
    "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-monitoring/providers/Microsoft.Monitor/accounts/amw-shared";

const cases: Array<[string, AmaMetricsIstioArgs, Omit<VerifyConfiguration, "azure">]> = [
    [
        "prometheus with its defaults",
        baseArgs(),
        { namespace: "monitoring", collector: "prometheus", meshMode: "sidecar", meshNode: false, shards: 1 },
    ],
    [
        "prometheus with a revision, shards and its own namespace",
        baseArgs({ namespace: "metrics", prometheus: { shards: 3 }, istio: { revision: "asm-1-27" } }),
        { namespace: "metrics", collector: "prometheus", meshMode: "sidecar", revision: "asm-1-27", meshNode: false, shards: 3 },
    ],
    [
        "prometheus in certificates mode",
        baseArgs({ istio: { mode: "certificates", revision: "asm-1-26" } }),
        { namespace: "monitoring", collector: "prometheus", meshMode: "certificates", revision: "asm-1-26", meshNode: false, shards: 1 },
    ],
    [
        "ama-metrics with its defaults",
        baseArgs({}, "ama-metrics"),
        { namespace: "monitoring", collector: "ama-metrics", meshMode: "sidecar", meshNode: false, shards: 1 },
    ],
    [
        "ama-metrics with the node DaemonSet meshed",
        baseArgs({ istio: { revision: "asm-1-27", meshNodeDaemonSet: true } }, "ama-metrics"),
        { namespace: "monitoring", collector: "ama-metrics", meshMode: "sidecar", revision: "asm-1-27", meshNode: true, shards: 1 },
    ],
    [
        "ama-metrics outside the mesh, with an existing workspace",
        baseArgs({ istio: { mode: "off" }, workspace: { resourceId: existingWorkspace } }, "ama-metrics"),
        { namespace: "monitoring", collector: "ama-metrics", meshMode: "off", meshNode: false, shards: 1 },
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
