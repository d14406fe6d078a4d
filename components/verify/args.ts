// The command line of `ama-metrics-istio-verify`: one table of flags drives its usage text, its parsing
// and `verifyArgs`, which writes the command for a configuration (the component's `verifyArgs` output).
// Values are checked with the component's own schemas and mesh rules, so the command refuses what the
// component refuses, and every problem comes out in the package's one shape.

import * as v from "valibot";
import { defaultTokenSecret } from "../amaMetrics/facts";
import type { Collector, MeshMode } from "../core/args";
import { Problem, problem, UsageError } from "../core/errors";
import { Flag, flagUsage, meshFlagName, readFlags, writeFlags } from "../core/flags";
import { formats } from "../core/formats";
import {
    aksClusterIdSchema,
    collectorNamespace,
    collectors,
    collectorSchema,
    meshModes,
    meshModeSchema,
    meshRuleProblems,
    shapeProblems,
    shardsSchema,
    valueOf,
    workspaceIdSchema,
} from "../core/shapes";
import { defaults } from "../core/settings";
import { parseResourceId, resourceIdForm, resourceTypes } from "../core/facts/resourceIds";
import { prometheusDefaults } from "../prometheus/facts";
import { AzureTarget, sameSecret, SecretRef, secretText, VerifyConfiguration, VerifyOptions } from "./types";

const defaultTimeoutSeconds = 30;

const resourceIdFlags = {
    "cluster-id": { type: "aksCluster", schema: aksClusterIdSchema },
    "workspace-id": { type: "workspace", schema: workspaceIdSchema },
} as const;

const flags: readonly Flag<VerifyConfiguration>[] = [
    { name: "namespace", value: "<ns>", help: "the namespace the component deployed to (required)", format: (c) => [c.namespace] },
    { name: "collector", value: "<name>", help: `${collectors.join(" or ")} (required)`, format: (c) => [c.collector] },
    {
        name: "mesh-mode",
        value: "<mode>",
        help: `${meshModes.join(", ")} (default ${defaults.meshMode})`,
        meshKey: "mode",
        format: (c) => [c.meshMode],
    },
    {
        name: "revision",
        value: "<revision>",
        help: "Istio revision, e.g. asm-1-27 (default: the default revision)",
        meshKey: "revision",
        format: (c) => (c.revision !== undefined ? [c.revision] : []),
    },
    {
        name: "mesh-node",
        help: "ama-metrics, sidecar mode: the Linux node DaemonSet is meshed",
        meshKey: "meshNodeDaemonSet",
        format: (c) => (c.meshNode ? [""] : []),
    },
    {
        name: "shards",
        value: "<n>",
        help: `prometheus: the number of agent shards (default ${prometheusDefaults.shards})`,
        format: (c) => (c.shards !== undefined && c.shards !== prometheusDefaults.shards ? [String(c.shards)] : []),
    },
    {
        name: "sharded-kube-state-metrics",
        help: "prometheus: one kube-state-metrics per shard (prometheus.shardKubeStateMetrics)",
        format: (c) => (c.shardedKubeStateMetrics ? [""] : []),
    },
    {
        name: "token-secret",
        value: "<ns>/<name>",
        help: `ama-metrics: the token secret the agent borrows (default ${secretText(defaultTokenSecret)})`,
        format: (c) => (c.tokenSecret !== undefined && !sameSecret(c.tokenSecret, defaultTokenSecret) ? [secretText(c.tokenSecret)] : []),
    },
    { name: "kubeconfig", value: "<file>", help: "kubeconfig to use (default: KUBECONFIG, then ~/.kube/config)" },
    { name: "context", value: "<name>", help: "kubeconfig context to use (default: the current context)" },
    { name: "json", help: 'print {"checks":[{"id","status","message","fix"}]}, or {"error":{"problems":[…]}}' },
    { name: "azure", help: "also check Azure: needs --cluster-id and --workspace-id", format: (c) => (c.azure ? [""] : []) },
    { name: "cluster-id", value: "<id>", help: "the AKS cluster's resource id", format: (c) => (c.azure ? [c.azure.clusterId] : []) },
    {
        name: "workspace-id",
        value: "<id>",
        help: "the Azure Monitor workspace's resource id",
        format: (c) => (c.azure ? [c.azure.workspaceId] : []),
    },
    { name: "timeout", value: "<seconds>", help: `budget for the whole run (default ${defaultTimeoutSeconds})` },
    { name: "help", short: "h", help: "show this help" },
];

export const usage = `Usage: ama-metrics-istio-verify --namespace <ns> --collector <${collectors.join("|")}> [options]

Checks, read-only, that an ama-metrics-istio installation works: Kubernetes objects, Istio
sidecars and policy, identity, remote write, and with --azure the Azure side.

Options:
${flagUsage(flags, 26)}

Exit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 usage or connection error, or a
check could not read what it needs (COULD NOT CHECK).
`;

/**
 * The exact arguments that make the command check `config`: namespace, collector and mode always, then
 * only what differs from the defaults, as separate words. It trusts the configuration (the component's
 * settings were checked with the same rules the command applies): it writes, the command checks.
 */
export function verifyArgs(config: VerifyConfiguration): string[] {
    return writeFlags(flags, config, "separate");
}

/** The options the arguments stand for (the inverse of `verifyArgs`). Throws a `UsageError` listing every problem. */
export function parseVerifyArgs(argv: readonly string[]): VerifyOptions {
    const { values: read, given, problems } = readFlags(flags, argv);
    // Every flag of this command is given once: its value is text, or true for a switch.
    const values = read as Record<string, string | undefined>;
    const switches = new Set(Object.keys(read).filter((name) => read[name] === true));
    const check = (name: string, value: unknown, schema: v.GenericSchema, given: unknown = value) =>
        problems.push(...shapeProblems(schema, value, `--${name}`).map((p) => ({ ...p, value: given })));

    // A flag given without its value was named already.
    const required = (name: string, fix: string) => {
        if (!given.has(name)) {
            problems.push(problem(`--${name}`, "", "required", fix));
        }
        return values[name] !== undefined;
    };
    if (required("namespace", "give the namespace the component deployed to, e.g. --namespace monitoring")) {
        check("namespace", values.namespace, collectorNamespace);
    }
    if (required("collector", `use ${collectors.join(" or ")}`)) {
        check("collector", values.collector, collectorSchema);
    }
    const meshMode = values["mesh-mode"] ?? defaults.meshMode;
    check("mesh-mode", meshMode, meshModeSchema);
    if (values.revision !== undefined) check("revision", values.revision, valueOf(formats.revision));
    const shards = values.shards === undefined ? undefined : /^\d+$/.test(values.shards) ? Number(values.shards) : values.shards;
    if (shards !== undefined) check("shards", shards, shardsSchema, values.shards);
    const tokenSecret = tokenSecretOf(values["token-secret"], problems);
    const azure = azureTarget(values, switches.has("azure"), problems);
    const timeoutSeconds = timeout(values.timeout, problems);
    for (const [flag, what] of [
        ["kubeconfig", "file"],
        ["context", "context name"],
    ] as const) {
        if (values[flag] === "") {
            problems.push(problem(`--${flag}`, "", "empty", `give a ${what} or drop the flag`));
        }
    }
    if (problems.length > 0) {
        throw new UsageError(problems);
    }

    const config: VerifyConfiguration = {
        namespace: values.namespace!,
        collector: values.collector as Collector,
        meshMode: meshMode as MeshMode,
    };
    if (values.revision !== undefined) config.revision = values.revision;
    const meshNode = switches.has("mesh-node");
    const rules = meshRuleProblems(
        config.collector,
        { mode: config.meshMode, revision: config.revision, meshNodeDaemonSet: meshNode || undefined },
        meshFlagName(flags),
    );
    // A flag only one collector reads.
    const onlyFor = (flag: string, owner: Collector, what: string) => {
        if (config.collector !== owner) {
            rules.push(problem(`--${flag}`, values[flag], `only the ${owner} collector ${what}`, `drop --${flag}`));
        }
    };
    if (shards !== undefined && shards !== prometheusDefaults.shards) onlyFor("shards", "prometheus", "has shards");
    if (given.has("token-secret")) onlyFor("token-secret", "ama-metrics", "borrows a token secret");
    const shardedKubeStateMetrics = switches.has("sharded-kube-state-metrics");
    if (shardedKubeStateMetrics) {
        onlyFor("sharded-kube-state-metrics", "prometheus", "runs kube-state-metrics");
        // The component refuses prometheus.shardKubeStateMetrics with one shard (prometheus/arguments.ts).
        if (config.collector === "prometheus" && ((shards as number | undefined) ?? prometheusDefaults.shards) <= 1) {
            rules.push(
                problem(
                    "--sharded-kube-state-metrics",
                    true,
                    "needs --shards above 1: with one shard the component runs one kube-state-metrics",
                    "give --shards as the component has it, or drop --sharded-kube-state-metrics",
                ),
            );
        }
    }
    if (rules.length > 0) {
        throw new UsageError(rules);
    }
    const options: VerifyOptions = {
        ...config,
        meshNode,
        shards: (shards as number | undefined) ?? prometheusDefaults.shards,
        shardedKubeStateMetrics,
        tokenSecret,
        json: switches.has("json"),
        timeoutSeconds,
    };
    if (values.kubeconfig !== undefined) options.kubeconfig = values.kubeconfig;
    if (values.context !== undefined) options.context = values.context;
    if (azure) options.azure = azure;
    return options;
}

/** The configuration part of parsed options, as `verifyArgs` takes it. */
export function configurationOf(options: VerifyOptions): VerifyConfiguration {
    const { namespace, collector, meshMode, revision, meshNode, shards, shardedKubeStateMetrics, tokenSecret, azure } = options;
    return {
        namespace,
        collector,
        meshMode,
        ...(revision !== undefined && { revision }),
        meshNode,
        shards,
        shardedKubeStateMetrics,
        tokenSecret,
        ...(azure && { azure }),
    };
}

/** --token-secret `<namespace>/<name>`, each part checked as the component checks its tokenSecret; the default without it. */
function tokenSecretOf(text: string | undefined, problems: Problem[]): SecretRef {
    if (text === undefined) {
        return { ...defaultTokenSecret };
    }
    const [namespace, name, ...rest] = text.split("/");
    if (name === undefined || rest.length > 0) {
        const example = `--token-secret ${secretText(defaultTokenSecret)}`;
        problems.push(problem("--token-secret", text, "not <namespace>/<name>", `give the secret's namespace and name, e.g. ${example}`));
        return { namespace: text, name: "" };
    }
    for (const [part, format] of [
        [namespace, formats.namespace],
        [name, formats.objectName],
    ] as const) {
        problems.push(...shapeProblems(valueOf(format), part, "--token-secret").map((p) => ({ ...p, value: text })));
    }
    return { namespace, name };
}

/** --azure with both resource ids (as Azure spells them), or neither id without it. */
function azureTarget(values: Record<string, string | undefined>, azure: boolean, problems: Problem[]): AzureTarget | undefined {
    const id = (flag: keyof typeof resourceIdFlags): string | undefined => {
        const { type, schema } = resourceIdFlags[flag];
        const value = values[flag];
        if (!azure && value !== undefined) {
            problems.push(problem(`--${flag}`, value, "given without --azure", "add --azure to run the Azure checks, or drop the flag"));
        } else if (azure && value === undefined) {
            const fix = `give the resource id of ${resourceTypes[type].what}, ${resourceIdForm(type)}`;
            problems.push(problem(`--${flag}`, "", "required with --azure", fix));
        } else if (azure) {
            problems.push(...shapeProblems(schema, value, `--${flag}`));
            return parseResourceId(value, type)?.id;
        }
        return undefined;
    };
    const clusterId = id("cluster-id");
    const workspaceId = id("workspace-id");
    return clusterId !== undefined && workspaceId !== undefined ? { clusterId, workspaceId } : undefined;
}

function timeout(text: string | undefined, problems: Problem[]): number {
    if (text === undefined) {
        return defaultTimeoutSeconds;
    }
    const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (!(seconds > 0 && seconds <= 3600)) {
        problems.push(problem("--timeout", text, "not a number of seconds between 0 and 3600", `e.g. --timeout ${defaultTimeoutSeconds}`));
    }
    return seconds;
}
