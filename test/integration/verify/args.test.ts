// The command line: verifyArgs writes it for a configuration, parseVerifyArgs reads it back, and
// every mistake is named in one shape: `<argument> = <value>: <what is wrong>; <the fix>`.

import * as assert from "node:assert/strict";
import { UsageError } from "../../../components/core/errors";
import { configurationOf, parseVerifyArgs, verifyArgs } from "../../../components/verify/args";
import { defaultTokenSecret } from "../../../components/amaMetrics/facts";
import { VerifyConfiguration } from "../../../components/verify/types";

const cluster =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod";
const workspace =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks/providers/Microsoft.Monitor/accounts/amw-aks-prod";

function parseError(argv: string[]): string {
    try {
        parseVerifyArgs(argv);
    } catch (error) {
        assert.ok(error instanceof UsageError, String(error));
        return error.message;
    }
    assert.fail(`accepted ${argv.join(" ")}`);
}

describe("ama-metrics-istio-verify arguments", () => {
    const configurations: VerifyConfiguration[] = [
        { namespace: "monitoring", collector: "prometheus", meshMode: "sidecar" },
        { namespace: "monitoring", collector: "prometheus", meshMode: "sidecar", revision: "asm-1-27", shards: 3 },
        { namespace: "metrics", collector: "prometheus", meshMode: "certificates", revision: "asm-1-26", shards: 1 },
        { namespace: "monitoring", collector: "prometheus", meshMode: "sidecar", shards: 4, shardedKubeStateMetrics: true },
        { namespace: "monitoring", collector: "prometheus", meshMode: "off" },
        { namespace: "monitoring", collector: "ama-metrics", meshMode: "sidecar", meshNode: true },
        {
            namespace: "monitoring",
            collector: "ama-metrics",
            meshMode: "sidecar",
            revision: "asm-1-27",
            meshNode: false,
        },
        { namespace: "monitoring", collector: "ama-metrics", meshMode: "certificates" },
        { namespace: "monitoring", collector: "ama-metrics", meshMode: "off" },
        {
            namespace: "monitoring",
            collector: "ama-metrics",
            meshMode: "sidecar",
            tokenSecret: { namespace: "secrets", name: "agent-token" },
        },
        { namespace: "monitoring", collector: "ama-metrics", meshMode: "sidecar", azure: { clusterId: cluster, workspaceId: workspace } },
    ];

    it("writes the command for a configuration: namespace, collector and mode, then what differs from the defaults", () => {
        assert.deepEqual(verifyArgs(configurations[0]), [
            "--namespace",
            "monitoring",
            "--collector",
            "prometheus",
            "--mesh-mode",
            "sidecar",
        ]);
        assert.deepEqual(verifyArgs(configurations[1]), [
            "--namespace",
            "monitoring",
            "--collector",
            "prometheus",
            "--mesh-mode",
            "sidecar",
            "--revision",
            "asm-1-27",
            "--shards",
            "3",
        ]);
        assert.deepEqual(verifyArgs(configurations[3]), [
            "--namespace",
            "monitoring",
            "--collector",
            "prometheus",
            "--mesh-mode",
            "sidecar",
            "--shards",
            "4",
            "--sharded-kube-state-metrics",
        ]);
        assert.deepEqual(verifyArgs(configurations[5]), [
            "--namespace",
            "monitoring",
            "--collector",
            "ama-metrics",
            "--mesh-mode",
            "sidecar",
            "--mesh-node",
        ]);
    });

    it("writes the token secret only when it is not AKS's", () => {
        const custom = configurations.at(-2)!;
        assert.deepEqual(verifyArgs(custom).slice(6), ["--token-secret", "secrets/agent-token"]);
        assert.deepEqual(verifyArgs({ ...custom, tokenSecret: { namespace: "kube-system", name: "aad-msi-auth-token" } }), [
            "--namespace",
            "monitoring",
            "--collector",
            "ama-metrics",
            "--mesh-mode",
            "sidecar",
        ]);
    });

    it("writes the Azure target last", () => {
        assert.deepEqual(verifyArgs(configurations.at(-1)!).slice(6), ["--azure", "--cluster-id", cluster, "--workspace-id", workspace]);
    });

    it("reads back what it writes, for every collector and mode", () => {
        for (const config of configurations) {
            const parsed = parseVerifyArgs(verifyArgs(config));
            const expected = { meshNode: false, shards: 1, shardedKubeStateMetrics: false, tokenSecret: defaultTokenSecret, ...config };
            assert.deepEqual(configurationOf(parsed), expected);
            assert.deepEqual(verifyArgs(configurationOf(parsed)), verifyArgs(config), "the written form is canonical");
        }
    });

    it("takes --flag=value as well as --flag value, and applies the defaults", () => {
        const options = parseVerifyArgs(["--namespace=monitoring", "--collector", "prometheus"]);
        assert.deepEqual(options, {
            namespace: "monitoring",
            collector: "prometheus",
            meshMode: "sidecar",
            meshNode: false,
            shards: 1,
            shardedKubeStateMetrics: false,
            tokenSecret: { namespace: "kube-system", name: "aad-msi-auth-token" },
            json: false,
            timeoutSeconds: 30,
        });
        const all = parseVerifyArgs([
            "--namespace",
            "monitoring",
            "--collector",
            "ama-metrics",
            "--kubeconfig",
            "/tmp/k",
            "--context",
            "prod",
            "--json",
            "--azure",
            "--cluster-id",
            cluster,
            "--workspace-id",
            workspace,
            "--timeout",
            "2.5",
        ]);
        assert.deepEqual(
            {
                kubeconfig: all.kubeconfig,
                context: all.context,
                json: all.json,
                azure: all.azure,
                timeoutSeconds: all.timeoutSeconds,
            },
            {
                kubeconfig: "/tmp/k",
                context: "prod",
                json: true,
                azure: { clusterId: cluster, workspaceId: workspace },
                timeoutSeconds: 2.5,
            },
        );
    });

    it("names a bad value, the flag and the fix", () => {
        assert.equal(
            parseError(["--namespace", "monitoring", "--collector", "foo"]),
            '--collector = "foo": unknown collector; use one of "prometheus", "ama-metrics"',
        );
        assert.equal(
            parseError(["--namespace", "monitoring", "--collector", "prometheus", "--mesh-mode", "ambient"]),
            '--mesh-mode = "ambient": unknown mesh mode; use one of "sidecar", "certificates", "off"',
        );
        assert.equal(
            parseError(["--collector", "prometheus"]),
            '--namespace = "": required; give the namespace the component deployed to, e.g. --namespace monitoring',
        );
        assert.match(
            parseError(["--namespace", "Monitoring", "--collector", "prometheus"]),
            /^--namespace = "Monitoring": not a Kubernetes namespace name; /,
        );
        assert.match(
            parseError(["--namespace", "m", "--collector", "prometheus", "--shards", "0"]),
            /^--shards = "0": fewer than 1; give a whole number from 1 to 32$/,
        );
        assert.match(
            parseError(["--namespace", "m", "--collector", "prometheus", "--timeout", "soon"]),
            /^--timeout = "soon": not a number of seconds/,
        );
    });

    it("refuses the namespaces the component refuses", () => {
        assert.equal(
            parseError(["--namespace", "kube-system", "--collector", "prometheus"]),
            '--namespace = "kube-system": the collector cannot run there: Istio never injects kube-system and the collector would carry a kube-system identity; use a dedicated namespace such as "monitoring"',
        );
        assert.match(parseError(["--namespace", "aks-istio-system", "--collector", "prometheus"]), /Istio control-plane namespace/);
    });

    it("reads a value flag followed by another flag as a missing value, and still reads the other flag", () => {
        assert.equal(
            parseError(["--namespace", "--collector", "prometheus"]),
            "--namespace = undefined: missing its value; give it as --namespace <ns>",
        );
    });

    it("names a flag given twice, an unknown flag, a missing value and a stray argument", () => {
        assert.equal(
            parseError(["--namespace", "a", "--namespace", "b", "--collector", "prometheus"]),
            '--namespace = "b": given twice (first "a"); give each flag once',
        );
        assert.equal(
            parseError(["--namespace", "a", "--collector", "prometheus", "--json", "--json"]),
            "--json = true: given twice; give each flag once",
        );
        assert.equal(
            parseError(["--namespace", "a", "--colector", "prometheus"]),
            [
                "--colector = true: unknown flag; did you mean --collector? known flags: --namespace, --collector, --mesh-mode, --revision, --mesh-node, --shards, --sharded-kube-state-metrics, --token-secret, --kubeconfig, --context, --json, --azure, --cluster-id, --workspace-id, --timeout, --help",
                'argument 4 = "prometheus": not a flag; give every value with its flag, --<flag> <value> (--help lists the flags)',
                '--collector = "": required; use prometheus or ama-metrics',
            ].join("\n"),
        );
        assert.equal(
            parseError(["--namespace", "a", "--collector", "prometheus", "--verbose"]),
            "--verbose = true: unknown flag; known flags: --namespace, --collector, --mesh-mode, --revision, --mesh-node, --shards, --sharded-kube-state-metrics, --token-secret, --kubeconfig, --context, --json, --azure, --cluster-id, --workspace-id, --timeout, --help",
        );
        assert.match(
            parseError(["--collector", "prometheus", "--namespace"]),
            /^--namespace = undefined: missing its value; give it as --namespace <ns>/,
        );
        assert.equal(
            parseError(["--namespace", "a", "--collector", "prometheus", "--json=yes"]),
            '--json = "yes": a switch takes no value; give --json alone, or leave it out',
        );
    });

    it("refuses flags that mean nothing for the configuration", () => {
        const base = ["--namespace", "monitoring"];
        assert.equal(
            parseError([...base, "--collector", "prometheus", "--mesh-node"]),
            "--mesh-node = true: the prometheus collector has no node DaemonSet; drop it",
        );
        assert.match(
            parseError([...base, "--collector", "ama-metrics", "--mesh-mode", "off", "--mesh-node"]),
            /^--mesh-node = true: only the sidecar mode meshes the node DaemonSet, the mode is "off"/,
        );
        assert.equal(
            parseError([...base, "--collector", "ama-metrics", "--shards", "2"]),
            '--shards = "2": only the prometheus collector has shards; drop --shards',
        );
        assert.equal(
            parseError([...base, "--collector", "ama-metrics", "--sharded-kube-state-metrics"]),
            "--sharded-kube-state-metrics = true: only the prometheus collector runs kube-state-metrics; drop --sharded-kube-state-metrics",
        );
        // The component shards kube-state-metrics only with more than one shard.
        assert.equal(
            parseError([...base, "--collector", "prometheus", "--sharded-kube-state-metrics"]),
            "--sharded-kube-state-metrics = true: needs --shards above 1: with one shard the component runs one kube-state-metrics; give --shards as the component has it, or drop --sharded-kube-state-metrics",
        );
        assert.match(
            parseError([...base, "--collector", "prometheus", "--mesh-mode", "off", "--revision", "asm-1-27"]),
            /^--revision = "asm-1-27": the mesh mode "off" injects nothing/,
        );
        // verifyArgs trusts what it is given; the command refuses it.
        assert.throws(
            () => parseVerifyArgs(verifyArgs({ namespace: "monitoring", collector: "ama-metrics", meshMode: "sidecar", shards: 2 })),
            /only the prometheus collector has shards/,
        );
    });

    it("reads --token-secret as <namespace>/<name>, each part as the component's tokenSecret, for ama-metrics only", () => {
        const base = ["--namespace", "monitoring", "--collector", "ama-metrics"];
        assert.deepEqual(parseVerifyArgs([...base, "--token-secret", "secrets/agent-token"]).tokenSecret, {
            namespace: "secrets",
            name: "agent-token",
        });
        assert.equal(
            parseError([...base, "--token-secret", "agent-token"]),
            '--token-secret = "agent-token": not <namespace>/<name>; give the secret\'s namespace and name, e.g. --token-secret kube-system/aad-msi-auth-token',
        );
        assert.match(
            parseError([...base, "--token-secret", "kube-system/aad/token"]),
            /^--token-secret = "kube-system\/aad\/token": not <namespace>\/<name>; /,
        );
        assert.match(
            parseError([...base, "--token-secret", "Secrets/agent-token"]),
            /^--token-secret = "Secrets\/agent-token": not a Kubernetes namespace name; /,
        );
        assert.match(
            parseError([...base, "--token-secret", "secrets/Agent_Token"]),
            /^--token-secret = "secrets\/Agent_Token": not a Kubernetes object name; /,
        );
        assert.equal(
            parseError(["--namespace", "monitoring", "--collector", "prometheus", "--token-secret", "kube-system/aad-msi-auth-token"]),
            '--token-secret = "kube-system/aad-msi-auth-token": only the ama-metrics collector borrows a token secret; drop --token-secret',
        );
    });

    it("wants both resource ids with --azure, and --azure with either", () => {
        const base = ["--namespace", "monitoring", "--collector", "ama-metrics"];
        assert.equal(
            parseError([...base, "--azure", "--cluster-id", cluster]),
            '--workspace-id = "": required with --azure; give the resource id of an Azure Monitor workspace, /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.Monitor/accounts/<workspace name>',
        );
        assert.match(
            parseError([...base, "--cluster-id", cluster]),
            /^--cluster-id = ".*": given without --azure; add --azure to run the Azure checks/,
        );
        assert.match(
            parseError([...base, "--azure", "--cluster-id", "aks-prod", "--workspace-id", workspace]),
            /^--cluster-id = "aks-prod": not an AKS cluster resource id; /,
        );
        assert.match(
            parseError([...base, "--azure", "--cluster-id", cluster, "--workspace-id", cluster]),
            /^--workspace-id = ".*": not an Azure Monitor workspace resource id; /,
        );
        const lowerCase = (id: string) => id.replace("resourceGroups", "resourcegroups");
        assert.deepEqual(
            parseVerifyArgs([...base, "--azure", "--cluster-id", lowerCase(cluster), "--workspace-id", lowerCase(workspace)]).azure,
            { clusterId: cluster, workspaceId: workspace },
            "ids as Azure spells them",
        );
    });
});
