// The command line of `ama-metrics-istio-verify`: one table of flags drives its usage text, its parsing
// and `verifyArgs`, which writes the command for a configuration (the component's `verifyArgs` output).
// Values are checked with the component's own schemas and mesh rules, so the command refuses what the
// component refuses, and every problem comes out in the package's one shape.

import { parseArgs } from "node:util";
import * as v from "valibot";
import type { Collector, IstioArgs, MeshMode } from "../core/args";
import { Problem, problem, UsageError } from "../core/errors";
import { formats } from "../core/formats";
import {
    aksClusterIdSchema,
    collectorNamespace,
    collectors,
    collectorSchema,
    meshModes,
    meshModeSchema,
    meshRuleProblems,
    nearest,
    shapeProblems,
    shardsSchema,
    valueOf,
    workspaceIdSchema,
} from "../core/shapes";
import { defaults } from "../core/settings";
import { parseResourceId, resourceIdForm, resourceTypes } from "../azure/ids";
import { prometheusDefaults } from "../prometheus/facts";
import { AzureTarget, VerifyConfiguration, VerifyOptions } from "./types";

export const defaultTimeoutSeconds = 30;

interface Flag {
    name: string;
    /** The value's placeholder in the usage text; absent for a switch. */
    value?: string;
    help: string;
    /** Its one-letter form, e.g. `-h`. */
    short?: string;
    /** The mesh setting it carries, for the mesh rules' messages. */
    meshKey?: keyof IstioArgs;
    /** Its value for a configuration (`[""]` turns a switch on); absent for flags that say how to check, not what. */
    format?(config: VerifyConfiguration): string[];
}

const resourceIdFlags = {
    "cluster-id": { type: "aksCluster", schema: aksClusterIdSchema },
    "workspace-id": { type: "workspace", schema: workspaceIdSchema },
} as const;

const flags: readonly Flag[] = [
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
    { name: "kubeconfig", value: "<file>", help: "kubeconfig to use (default: KUBECONFIG, then ~/.kube/config)" },
    { name: "context", value: "<name>", help: "kubeconfig context to use (default: the current context)" },
    { name: "json", help: 'print {"checks":[{"id","status","message","fix"}]}' },
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
${flags.map((f) => `  --${`${f.name}${f.value ? ` ${f.value}` : ""}`.padEnd(26)} ${f.help}`).join("\n")}

Exit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 usage or connection error.
`;

/**
 * The exact arguments that make the command check `config`: namespace, collector and mode always, then
 * only what differs from the defaults, as separate words. It trusts the configuration (the component's
 * settings were checked with the same rules the command applies): it writes, the command checks.
 */
export function verifyArgs(config: VerifyConfiguration): string[] {
    return flags.flatMap((flag) =>
        (flag.format?.(config) ?? []).flatMap((value) => (flag.value ? [`--${flag.name}`, value] : [`--${flag.name}`])),
    );
}

const flagName = (key: keyof IstioArgs) => `--${flags.find((f) => f.meshKey === key)?.name ?? key}`;

/** The options the arguments stand for (the inverse of `verifyArgs`). Throws a `UsageError` listing every problem. */
export function parseVerifyArgs(argv: readonly string[]): VerifyOptions {
    const { values, switches, problems } = readFlags(argv);
    const check = (name: string, value: unknown, schema: v.GenericSchema, given: unknown = value) =>
        problems.push(...shapeProblems(schema, value, `--${name}`).map((p) => ({ ...p, value: given })));

    const required = (name: string, fix: string) => {
        if (values[name] === undefined || values[name] === "") {
            problems.push(problem(`--${name}`, "", "required", fix));
            return false;
        }
        return true;
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
        flagName,
    );
    if (shards !== undefined && shards !== prometheusDefaults.shards && config.collector !== "prometheus") {
        rules.push(problem("--shards", values.shards, "only the prometheus collector has shards", "drop --shards"));
    }
    if (rules.length > 0) {
        throw new UsageError(rules);
    }
    const options: VerifyOptions = {
        ...config,
        meshNode,
        shards: (shards as number | undefined) ?? prometheusDefaults.shards,
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
    const { namespace, collector, meshMode, revision, meshNode, shards, azure } = options;
    return {
        namespace,
        collector,
        meshMode,
        ...(revision !== undefined && { revision }),
        meshNode,
        shards,
        ...(azure && { azure }),
    };
}

/** --azure with both resource ids (as Azure spells them), or neither id without it. */
function azureTarget(values: Flags["values"], azure: boolean, problems: Problem[]): AzureTarget | undefined {
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

interface Flags {
    /** The value flags' values, each as first given. */
    values: Partial<Record<string, string>>;
    /** The switches given. */
    switches: Set<string>;
    problems: Problem[];
}

type Token = NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number];

/**
 * The flags of the table, read by parseArgs: `--name value`, `--name=value` and `--name` for switches,
 * each at most once. Lenient parsing, so that every mistake is named, not only the first: an unknown
 * flag, a stray argument, a missing value, a value on a switch, a flag given twice.
 */
function readFlags(argv: readonly string[]): Flags {
    const result: Flags = { values: {}, switches: new Set(), problems: [] };
    const first = new Map<string, Token & { kind: "option" }>();
    for (const token of tokensOf(argv)) {
        if (token.kind !== "option") {
            result.problems.push(
                problem(
                    "argument",
                    token.kind === "positional" ? token.value : "--",
                    "not a flag",
                    "flags take the form --name value; run --help for the flags",
                ),
            );
            continue;
        }
        const flag = flags.find((f) => f.name === token.name);
        if (flag === undefined) {
            const near = nearest(
                token.name,
                flags.map((f) => f.name),
            );
            result.problems.push(
                problem(
                    "flag",
                    token.rawName,
                    "unknown flag",
                    `${near !== undefined ? `did you mean --${near}? ` : ""}run --help for the flags`,
                ),
            );
            continue;
        }
        const name = `--${flag.name}`;
        if (flag.value === undefined && token.value !== undefined) {
            result.problems.push(problem(name, token.value, "this flag takes no value", `write ${name} alone`));
            continue;
        }
        if (flag.value !== undefined && token.value === undefined) {
            result.problems.push(problem(name, "", "no value given", `write ${name} ${flag.value}; run --help for the flags`));
            continue;
        }
        const previous = first.get(flag.name);
        if (previous !== undefined) {
            result.problems.push(
                problem(
                    name,
                    token.value ?? true,
                    `flag given twice${previous.value !== undefined ? ` (first ${JSON.stringify(previous.value)})` : ""}`,
                    "give it once",
                ),
            );
            continue;
        }
        first.set(flag.name, token);
        if (token.value !== undefined) {
            result.values[flag.name] = token.value;
        } else {
            result.switches.add(flag.name);
        }
    }
    return result;
}

/**
 * parseArgs' tokens for the table's flags. parseArgs takes whatever follows a value flag as its value,
 * another flag too: a value flag followed by a flag ends a run of arguments, so that it has no value.
 */
function tokensOf(argv: readonly string[]): Token[] {
    const valueFlags = new Set(flags.filter((f) => f.value !== undefined).map((f) => `--${f.name}`));
    const end = argv.findIndex((arg, i) => valueFlags.has(arg) && argv[i + 1]?.startsWith("--"));
    const run = end < 0 ? argv : argv.slice(0, end + 1);
    const { tokens } = parseArgs({
        args: [...run],
        strict: false,
        allowPositionals: true,
        tokens: true,
        options: Object.fromEntries(
            flags.map((f) => [f.name, { type: f.value ? "string" : "boolean", ...(f.short !== undefined && { short: f.short }) }]),
        ),
    });
    return end < 0 ? tokens : [...tokens, ...tokensOf(argv.slice(end + 1))];
}
