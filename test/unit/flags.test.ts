// The post-renderer's flags: the arguments the component hands to the Chart parse back to the same
// options (for many generated option sets), and the command refuses what the component refuses, with the
// same message, in the package's one error shape.

import * as assert from "node:assert/strict";
import { relocationOptions } from "../../components/amaMetrics";
import { flags, parsePostRendererArgs, postRendererArgs, usage } from "../../components/amaMetrics/flags";
import type { RelocationSettings } from "../../components/amaMetrics/relocate";
import type { AmaMetricsIstioArgs, IstioArgs } from "../../components/core/args";
import { AmaMetricsIstioArgumentError, UsageError } from "../../components/core/errors";
import type { AmaMetricsCollectorSettings } from "../../components/core/settings";
import { validateArgs } from "../../components/arguments/validate";
import { baseArgs, relocationFor, settingsFor } from "../harness";

/** The problems a call raises, one line each. */
function problems(call: () => unknown): string[] {
    try {
        call();
    } catch (error) {
        if (error instanceof UsageError) return error.message.split("\n");
        if (error instanceof AmaMetricsIstioArgumentError) return error.messages;
        throw error;
    }
    assert.fail("no problem was raised");
}
const parse = (...argv: string[]) => parsePostRendererArgs(argv);
const refused = (...argv: string[]) => problems(() => parse(...argv));

// `<argument> = <value>: <what is wrong>; <the fix>`, the value as JSON (or undefined).
const errorShape = /^([^=]+?) = (undefined|true|false|-?\d+|"(?:[^"\\]|\\.)*"|\{.*\}|\[.*\]): (.+?); (.+)$/;

describe("post-renderer flags", () => {
    it("parse the Helm CLI's spellings into the component's defaults", () => {
        assert.deepEqual(parse("--namespace", "monitoring"), relocationFor());
        assert.deepEqual(parse("--namespace=monitoring"), parse("--namespace", "monitoring"));
        assert.deepEqual(parse("--namespace=monitoring", "--mesh-mode=off"), relocationFor({ istio: { mode: "off" } }));
        // Pinned on purpose: the off mode gives no proxy any resources.
        assert.deepEqual(parse("--namespace=monitoring", "--mesh-mode=off").mesh.proxyResources, {});
    });

    it("take --kind-scope, repeatedly, for the core group too", () => {
        const parsed = parse(
            "--namespace=monitoring",
            "--kind-scope=autoscaling.k8s.io/VerticalPodAutoscaler=Namespaced",
            "--kind-scope",
            "/Widget=Cluster",
            "--kind-scope=Gadget=Namespaced",
        );
        assert.deepEqual(parsed.kindScopes, {
            "autoscaling.k8s.io/VerticalPodAutoscaler": "Namespaced",
            "/Widget": "Cluster",
            "/Gadget": "Namespaced",
        });
        assert.equal(parse("--namespace=monitoring").kindScopes, undefined);
    });

    it("say each flag in the usage text", () => {
        for (const flag of flags) assert.match(usage, new RegExp(`--${flag.name}\\b`));
        assert.match(usage, /--help/);
    });

    describe("round trip: the component's arguments parse back to its options", () => {
        // Many option sets, each the component's own settings for generated arguments it accepts.
        const random = seeded(20261129);
        const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
        const some = <T>(values: readonly T[]): T[] => values.filter(() => random() < 0.5);
        // Each request at most every limit, defaults included: the component refuses a request above its limit.
        const quantities = {
            cpu: ["10m", "100m", "0.5"],
            memory: ["128Mi", "512M", "1Gi"],
            cpuLimit: ["1", "2e3"],
            memoryLimit: ["1Gi", "1.5Gi"],
        };
        const resources = () =>
            Object.fromEntries(
                some(["cpu", "memory", "cpuLimit", "memoryLimit"] as const).map((field) => [field, pick(quantities[field])]),
            );

        const generated: { args: Partial<AmaMetricsIstioArgs>; options: RelocationSettings }[] = [];
        for (let i = 0; i < 300; i++) {
            const mode = pick(["sidecar", "certificates", "off"] as const);
            const meshNodeDaemonSet = mode === "sidecar" ? pick([undefined, true, false]) : undefined;
            const meshed = {
                sidecar: ["collector", "targetAllocator", "kubeStateMetrics", ...(meshNodeDaemonSet ? ["node"] : [])],
                certificates: ["collector", "targetAllocator"],
                off: [],
            }[mode];
            const istio: IstioArgs = {
                mode,
                revision: mode === "off" ? undefined : pick([undefined, "asm-1-27", "canary", "1-28-0"]),
                ...(meshNodeDaemonSet !== undefined ? { meshNodeDaemonSet } : {}),
                ...(random() < 0.6 ? { proxyResources: Object.fromEntries(some(meshed).map((w) => [w, resources()])) } : {}),
                ...(mode === "sidecar" && random() < 0.4
                    ? { extraExcludeOutboundIPRanges: some(["10.0.5.0/24", "192.168.0.0/16", "fd00::/64"]) }
                    : {}),
                ...(mode === "sidecar" && random() < 0.4 ? { extraExcludeOutboundPorts: some([15, 9999, 8443, 65535]) } : {}),
                ...(mode === "certificates" ? { acknowledgeDefaultRevision: undefined } : {}),
            };
            if (mode === "certificates" && istio.revision === undefined) istio.acknowledgeDefaultRevision = true;
            const args: Partial<AmaMetricsIstioArgs> = {
                namespace: pick(["monitoring", "observability", "m", "metrics-2", "no"]),
                istio,
                ...(random() < 0.3
                    ? { tokenSecret: { name: pick(["aad-msi-auth-token", "agent.token"]), namespace: pick(["kube-system", "secrets"]) } }
                    : {}),
            };
            const base = baseArgs(args, "ama-metrics");
            if (random() < 0.3) base.cluster = { ...base.cluster, serviceCidr: pick(["10.0.0.0/16", "172.16.0.0/12", "fd00:10::/108"]) };
            const bounds = pick([undefined, { min: 3 }, { max: 12 }, { min: 2, max: 30 }, { min: 8, max: 8 }]);
            if (bounds !== undefined) base.chart = { collectorReplicas: bounds };
            const options = relocationOptions(validateArgs("metrics", base) as AmaMetricsCollectorSettings);
            const kinds = some(["example.com/Widget", "/Gadget", "a.b/C"]);
            if (random() < 0.3 && kinds.length > 0) {
                options.kindScopes = Object.fromEntries(kinds.map((key) => [key, pick(["Namespaced", "Cluster"] as const)]));
            }
            generated.push({ args: base, options });
        }

        it("generates varied option sets", () => {
            const modes = new Set(generated.map((g) => g.options.mesh.mode));
            assert.equal(modes.size, 3);
            assert.ok(generated.some((g) => g.options.mesh.meshNodeDaemonSet));
            assert.ok(generated.some((g) => g.options.mesh.serviceCidr !== "10.0.0.0/16" && g.options.mesh.mode === "off"));
            assert.ok(generated.some((g) => g.options.kindScopes !== undefined));
            assert.ok(generated.some((g) => g.options.collectorReplicas?.min !== undefined));
            assert.ok(generated.some((g) => g.options.collectorReplicas?.max !== undefined));
        });

        it("parsePostRendererArgs(postRendererArgs(options)) is options, whatever the order of the arguments", () => {
            for (const { args, options } of generated) {
                const argv = postRendererArgs(options);
                const label = JSON.stringify(args);
                assert.deepEqual(parsePostRendererArgs(argv), options, label);
                assert.deepEqual(parsePostRendererArgs([...argv].reverse()), options, label);
                assert.deepEqual(postRendererArgs(parsePostRendererArgs(argv)), argv, label);
            }
        });

        it("are --name=value, the namespace and mode first, then only what differs from the defaults", () => {
            for (const { options } of generated) {
                const argv = postRendererArgs(options);
                assert.deepEqual(argv.slice(0, 2), [`--namespace=${options.namespace}`, `--mesh-mode=${options.mesh.mode}`]);
                for (const arg of argv) assert.match(arg, /^--[a-z-]+(=.*)?$/);
            }
            assert.deepEqual(postRendererArgs(parse("--namespace=observability", "--mesh-mode=off")), [
                "--namespace=observability",
                "--mesh-mode=off",
            ]);
        });
    });

    describe("refuse what the component refuses, with the same message", () => {
        // The same mistake made in the component's arguments and on the command line.
        const cases: { name: string; args: Partial<AmaMetricsIstioArgs>; argv: string[] }[] = [
            { name: "namespace kube-system", args: { namespace: "kube-system" }, argv: ["--namespace=kube-system"] },
            { name: "namespace default", args: { namespace: "default" }, argv: ["--namespace=default"] },
            { name: "namespace istio-system", args: { namespace: "istio-system" }, argv: ["--namespace=istio-system"] },
            { name: "namespace aks-istio-system", args: { namespace: "aks-istio-system" }, argv: ["--namespace=aks-istio-system"] },
            { name: "a namespace that is no DNS label", args: { namespace: "Monitoring_1" }, argv: ["--namespace=Monitoring_1"] },
            {
                name: "a revision with mode off",
                args: { istio: { mode: "off", revision: "asm-1-27" } },
                argv: ["--namespace=monitoring", "--mesh-mode=off", "--revision=asm-1-27"],
            },
            {
                name: "a revision that is no name",
                args: { istio: { revision: "asm 1.27" } },
                argv: ["--namespace=monitoring", "--revision=asm 1.27"],
            },
            {
                name: "a bad quantity",
                args: { istio: { proxyResources: { collector: { cpu: "lots" } } } },
                argv: ["--namespace=monitoring", '--proxy-resources={"collector":{"cpu":"lots"}}'],
            },
            {
                name: "proxy resources for the Windows node agent",
                args: { istio: { proxyResources: { windowsNode: { cpu: "1" } } as never } },
                argv: ["--namespace=monitoring", '--proxy-resources={"windowsNode":{"cpu":"1"}}'],
            },
            {
                name: "proxy resources for a workload without a sidecar",
                args: { istio: { proxyResources: { node: { cpu: "1" } } } },
                argv: ["--namespace=monitoring", '--proxy-resources={"node":{"cpu":"1"}}'],
            },
            {
                name: "the node DaemonSet meshed in the certificates mode",
                args: { istio: { mode: "certificates", revision: "asm-1-27", meshNodeDaemonSet: true } },
                argv: ["--namespace=monitoring", "--mesh-mode=certificates", "--revision=asm-1-27", "--mesh-node"],
            },
            {
                name: "excluded ports outside the sidecar mode",
                args: { istio: { mode: "off", extraExcludeOutboundPorts: [9999] } },
                argv: ["--namespace=monitoring", "--mesh-mode=off", "--exclude-outbound-ports=9999"],
            },
            {
                name: "ports that are no ports",
                args: { istio: { extraExcludeOutboundPorts: [0, 70000] } },
                argv: ["--namespace=monitoring", "--exclude-outbound-ports=0,70000"],
            },
            {
                name: "ranges that are no CIDRs",
                args: { istio: { extraExcludeOutboundIPRanges: ["10.0.0.1/16"] } },
                argv: ["--namespace=monitoring", "--exclude-outbound-ip-ranges=10.0.0.1/16"],
            },
            {
                name: "a token secret namespace that is no name",
                args: { tokenSecret: { namespace: "kube_system" } },
                argv: ["--namespace=monitoring", "--token-secret-namespace=kube_system"],
            },
        ];
        // `istio.revision = "x": …` and `--revision = "x": …` say the same after the argument's name.
        const tail = (line: string) => line.slice(line.indexOf(" = "));

        for (const { name, args, argv } of cases) {
            it(name, () => {
                const component = problems(() => settingsFor(args, "ama-metrics"));
                const command = refused(...argv);
                assert.deepEqual(command.map(tail), component.map(tail));
                for (const line of command) assert.match(line, errorShape);
            });
        }

        it("an unknown mesh mode", () => {
            const component = problems(() => settingsFor({ istio: { mode: "ambient" as never } }, "ama-metrics"));
            assert.deepEqual(refused("--namespace=monitoring", "--mesh-mode=ambient").map(tail), component.map(tail));
        });
    });

    describe("refuse malformed command lines, every problem at once, in the one shape", () => {
        const cases: [string[], string[]][] = [
            [[], ["--namespace = undefined: missing; give the namespace to move the chart's objects into, e.g. --namespace=monitoring"]],
            [
                ["--namespace=monitoring", "--namespace=observability"],
                ['--namespace = "observability": given twice (first \"monitoring\"); give each flag once'],
            ],
            [["--namespace=monitoring", "--mesh-node", "--mesh-node"], ["--mesh-node = true: given twice; give each flag once"]],
            [["--namespace"], ["--namespace = undefined: missing its value; give it as --namespace <name>"]],
            [["--namespace", "--mesh-node"], ["--namespace = undefined: missing its value; give it as --namespace <name>"]],
            [
                ["--namespace=monitoring", "--mesh-node=true"],
                ['--mesh-node = "true": a switch takes no value; give --mesh-node alone, or leave it out'],
            ],
            [
                ["--namespace=monitoring", "extra"],
                ['argument 2 = "extra": not a flag; give every value with its flag, --<flag> <value> (--help lists the flags)'],
            ],
            [
                ["--namespace=monitoring", "--kind-scope=Widget"],
                [/^--kind-scope = "Widget": not a kind's scope; use <group>\/<Kind>=Namespaced or =Cluster/],
            ],
            [
                // A Deployment is namespaced (Kubernetes' apps/v1 API): a second scope for it would only be a guess.
                ["--namespace=monitoring", "--kind-scope=apps/Deployment=Cluster"],
                [
                    '--kind-scope = "apps/Deployment=Cluster": the relocation knows this kind (Namespaced); declare only kinds it refuses as unknown, or drop it',
                ],
            ],
            [["--namespace=monitoring", "--proxy-resources={"], [/^--proxy-resources = "\{": not JSON \(.*\); give e\.g\. /]],
        ].map(([argv, expected]) => [argv as string[], expected as string[]]);

        for (const [argv, expected] of cases) {
            it(JSON.stringify(argv), () => {
                const lines = refused(...argv);
                assert.equal(lines.length, expected.length, lines.join("\n"));
                lines.forEach((line, i) => {
                    assert.match(line, errorShape);
                    if (typeof expected[i] === "string") assert.equal(line, expected[i]);
                    else assert.match(line, expected[i] as unknown as RegExp);
                });
            });
        }

        it("an unknown flag, naming the nearest known one", () => {
            const [line] = refused("--namespace=monitoring", "--mesh-mod=off");
            assert.match(line, errorShape);
            assert.match(line, /^--mesh-mod = "off": unknown flag; did you mean --mesh-mode\? known flags: --namespace, /);
            const [short] = refused("--namespace=monitoring", "-x");
            assert.match(short, /^-x = true: unknown flag; known flags: /);
        });

        it("all problems of one command line together", () => {
            const lines = refused("--namespace=default", "--mesh-mode=off", "--revision=asm-1-27", "--frobnicate", "extra");
            assert.ok(lines.length >= 3, lines.join("\n"));
            for (const line of lines) assert.match(line, errorShape);
            assert.ok(lines.some((l) => l.startsWith("--frobnicate = ")));
            assert.ok(lines.some((l) => l.startsWith('argument 5 = "extra"')));
            assert.ok(lines.some((l) => l.startsWith('--namespace = "default"')));
        });
    });
});

/** A small deterministic generator (mulberry32): the same option sets on every run. */
function seeded(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
