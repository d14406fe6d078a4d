// The command line of `ama-metrics-istio-verify`: `verifyArgs` writes it for a configuration (the
// component prints the command users run), `parseVerifyArgs` reads it back. Every error names the
// flag, the value and the fix.

import { AzureTarget, Collector, collectors, MeshMode, meshModes, problem, VerifyConfiguration, VerifyError, VerifyOptions } from "./types";

export const defaultTimeoutSeconds = 30;

export const usage = `Usage: ama-metrics-istio-verify --namespace <ns> --collector <prometheus|ama-metrics> [options]

Checks, read-only, that an ama-metrics-istio installation works: Kubernetes objects, Istio
sidecars and policy, identity, remote write, and with --azure the Azure side.

Options:
  --namespace <ns>            the namespace the component deployed to (required)
  --collector <name>          prometheus or ama-metrics (required)
  --mesh-mode <mode>          sidecar (default), certificates or off
  --revision <revision>       Istio revision, e.g. asm-1-27 (default: the default revision)
  --mesh-node                 ama-metrics, sidecar mode: the Linux node DaemonSet is meshed
  --shards <n>                prometheus: the number of agent shards (default 1)
  --kubeconfig <file>         kubeconfig to use (default: KUBECONFIG, then ~/.kube/config)
  --context <name>            kubeconfig context to use (default: the current context)
  --json                      print {"checks":[{"id","status","message","fix"}]}
  --azure                     also check Azure: needs --cluster-id and --workspace-id
  --cluster-id <id>           the AKS cluster's resource id
  --workspace-id <id>         the Azure Monitor workspace's resource id
  --timeout <seconds>         budget for the whole run (default ${defaultTimeoutSeconds})
  --help                      show this help

Exit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 usage or connection error.
`;

const valueFlags = [
    "namespace",
    "collector",
    "mesh-mode",
    "revision",
    "shards",
    "kubeconfig",
    "context",
    "cluster-id",
    "workspace-id",
    "timeout",
] as const;
const booleanFlags = ["mesh-node", "json", "azure", "help"] as const;
type ValueFlag = (typeof valueFlags)[number];
type BooleanFlag = (typeof booleanFlags)[number];

// Kubernetes namespace names and label values (Istio revisions are label values).
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const labelValue = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const guid = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const aksClusterId = new RegExp(
    `^/subscriptions/${guid}/resourceGroups/[-\\w.()]+/providers/Microsoft\\.ContainerService/managedClusters/[A-Za-z0-9][-_A-Za-z0-9]*$`,
    "i",
);
const workspaceId = new RegExp(
    `^/subscriptions/${guid}/resourceGroups/[-\\w.()]+/providers/Microsoft\\.Monitor/accounts/[A-Za-z0-9][-A-Za-z0-9]*$`,
    "i",
);

/**
 * The exact arguments that make the command check `config`: namespace, collector and mode always,
 * then only what differs from the defaults. Throws a `VerifyError` for a configuration the command
 * would refuse.
 */
export function verifyArgs(config: VerifyConfiguration): string[] {
    const problems = configurationProblems(config);
    if (problems.length > 0) {
        throw new VerifyError(problems.join("\n"));
    }
    const args = ["--namespace", config.namespace, "--collector", config.collector, "--mesh-mode", config.meshMode];
    if (config.revision !== undefined) {
        args.push("--revision", config.revision);
    }
    if (config.meshNode) {
        args.push("--mesh-node");
    }
    if (config.shards !== undefined && config.shards !== 1) {
        args.push("--shards", String(config.shards));
    }
    return args;
}

/** The options the arguments stand for (the inverse of `verifyArgs`). Throws a `VerifyError` listing every problem. */
export function parseVerifyArgs(argv: readonly string[]): VerifyOptions {
    const { values, flags, problems } = readFlags(argv);
    const config: VerifyConfiguration = {
        namespace: values.namespace ?? "",
        collector: (values.collector ?? "") as Collector,
        meshMode: (values["mesh-mode"] ?? "sidecar") as MeshMode,
        meshNode: flags.has("mesh-node"),
    };
    if (values.revision !== undefined) {
        config.revision = values.revision;
    }
    if (values.shards !== undefined) {
        config.shards = /^\d+$/.test(values.shards) ? Number(values.shards) : NaN;
    }
    problems.push(...configurationProblems(config, values.shards));
    const azure = azureTarget(values, flags.has("azure"), problems);
    const timeoutSeconds = timeout(values.timeout, problems);
    for (const flag of ["kubeconfig", "context"] as const) {
        if (values[flag] === "") {
            problems.push(problem(`--${flag}`, "", "empty", `give a ${flag === "kubeconfig" ? "file" : "context name"} or drop the flag`));
        }
    }
    if (problems.length > 0) {
        throw new VerifyError(problems.join("\n"));
    }
    const options: VerifyOptions = {
        ...config,
        meshNode: config.meshNode ?? false,
        shards: config.shards ?? 1,
        json: flags.has("json"),
        timeoutSeconds,
    };
    if (values.kubeconfig !== undefined) options.kubeconfig = values.kubeconfig;
    if (values.context !== undefined) options.context = values.context;
    if (azure) options.azure = azure;
    return options;
}

const resourceIdForms = {
    "cluster-id": {
        what: "the AKS cluster's resource id",
        form: "/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>",
        pattern: aksClusterId,
        wrong: "not an AKS cluster resource id",
    },
    "workspace-id": {
        what: "the Azure Monitor workspace's resource id",
        form: "/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Monitor/accounts/<name>",
        pattern: workspaceId,
        wrong: "not an Azure Monitor workspace resource id",
    },
};

/** --azure with both resource ids, or neither id without it. */
function azureTarget(values: Flags["values"], azure: boolean, problems: string[]): AzureTarget | undefined {
    for (const flag of ["cluster-id", "workspace-id"] as const) {
        const value = values[flag];
        const { what, form, pattern, wrong } = resourceIdForms[flag];
        if (!azure && value !== undefined) {
            problems.push(problem(`--${flag}`, value, "given without --azure", "add --azure to run the Azure checks, or drop the flag"));
        } else if (azure && value === undefined) {
            problems.push(problem(`--${flag}`, "", "required with --azure", `give ${what}, ${form}`));
        } else if (azure && !pattern.test(value!)) {
            problems.push(problem(`--${flag}`, value, wrong, `use ${form}`));
        }
    }
    const clusterId = values["cluster-id"];
    const workspace = values["workspace-id"];
    return azure && clusterId !== undefined && workspace !== undefined ? { clusterId, workspaceId: workspace } : undefined;
}

function timeout(text: string | undefined, problems: string[]): number {
    if (text === undefined) {
        return defaultTimeoutSeconds;
    }
    const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (!(seconds > 0 && seconds <= 3600)) {
        problems.push(problem("--timeout", text, "not a number of seconds between 0 and 3600", `e.g. --timeout ${defaultTimeoutSeconds}`));
    }
    return seconds;
}

/** The configuration part of parsed options, as `verifyArgs` takes it. */
export function configurationOf(options: VerifyOptions): VerifyConfiguration {
    const config: VerifyConfiguration = {
        namespace: options.namespace,
        collector: options.collector,
        meshMode: options.meshMode,
        meshNode: options.meshNode,
        shards: options.shards,
    };
    if (options.revision !== undefined) {
        config.revision = options.revision;
    }
    return config;
}

/** Every problem of a configuration; `shardsText` is the flag's text when it came from a command line. */
function configurationProblems(config: VerifyConfiguration, shardsText?: string): string[] {
    const problems: string[] = [];
    if (config.namespace === "") {
        problems.push(problem("--namespace", "", "required", "give the namespace the component deployed to, e.g. --namespace monitoring"));
    } else if (!dnsLabel.test(config.namespace)) {
        problems.push(
            problem(
                "--namespace",
                config.namespace,
                "not a Kubernetes namespace name",
                "use a DNS label: lower-case letters, digits and '-', at most 63 characters",
            ),
        );
    }
    const collectorKnown = collectors.includes(config.collector);
    if ((config.collector as string) === "") {
        problems.push(problem("--collector", "", "required", `use ${collectors.join(" or ")}`));
    } else if (!collectorKnown) {
        problems.push(problem("--collector", config.collector, "unknown collector", `use ${collectors.join(" or ")}`));
    }
    if (!meshModes.includes(config.meshMode)) {
        problems.push(problem("--mesh-mode", config.meshMode, "unknown mesh mode", "use sidecar, certificates or off"));
    }
    if (config.revision !== undefined) {
        if (!labelValue.test(config.revision)) {
            problems.push(
                problem(
                    "--revision",
                    config.revision,
                    "not an Istio revision",
                    "use the revision's name as in the istio.io/rev label, e.g. asm-1-27",
                ),
            );
        } else if (config.meshMode === "off") {
            problems.push(
                problem(
                    "--revision",
                    config.revision,
                    "mesh mode off uses no revision",
                    "drop --revision, or give --mesh-mode sidecar or certificates",
                ),
            );
        }
    }
    if (config.meshNode) {
        if (collectorKnown && config.collector !== "ama-metrics") {
            problems.push(problem("--mesh-node", true, "only the ama-metrics collector has a node DaemonSet", "drop --mesh-node"));
        } else if (config.meshMode !== "sidecar") {
            problems.push(
                problem(
                    "--mesh-node",
                    true,
                    `mesh mode ${config.meshMode} meshes no node DaemonSet`,
                    "drop --mesh-node, or give --mesh-mode sidecar",
                ),
            );
        }
    }
    if (config.shards !== undefined) {
        if (!Number.isInteger(config.shards) || config.shards < 1 || config.shards > 1000) {
            problems.push(
                problem(
                    "--shards",
                    shardsText ?? config.shards,
                    "not a whole number from 1 to 1000",
                    "give the component's shard count, e.g. --shards 2",
                ),
            );
        } else if (collectorKnown && config.collector !== "prometheus" && config.shards !== 1) {
            problems.push(problem("--shards", shardsText ?? config.shards, "only the prometheus collector has shards", "drop --shards"));
        }
    }
    return problems;
}

interface Flags {
    values: Partial<Record<ValueFlag, string>>;
    flags: Set<BooleanFlag>;
    problems: string[];
}

/** Splits argv into flags: `--name value`, `--name=value` and boolean `--name`; each flag at most once. */
function readFlags(argv: readonly string[]): Flags {
    const result: Flags = { values: {}, flags: new Set(), problems: [] };
    for (let i = 0; i < argv.length; i++) {
        const token = argv[i];
        if (token === "-h") {
            result.flags.add("help");
            continue;
        }
        if (!token.startsWith("--") || token === "--") {
            result.problems.push(problem("argument", token, "not a flag", "flags take the form --name value; run --help for the flags"));
            continue;
        }
        const equals = token.indexOf("=");
        const name = token.slice(2, equals === -1 ? undefined : equals);
        const inline = equals === -1 ? undefined : token.slice(equals + 1);
        if ((booleanFlags as readonly string[]).includes(name)) {
            const flag = name as BooleanFlag;
            if (inline !== undefined) {
                result.problems.push(problem(`--${flag}`, inline, "this flag takes no value", `write --${flag} alone`));
            } else if (result.flags.has(flag)) {
                result.problems.push(problem(`--${flag}`, true, "flag given twice", "give it once"));
            }
            result.flags.add(flag);
            continue;
        }
        if (!(valueFlags as readonly string[]).includes(name)) {
            const suggestion = closestFlag(name);
            result.problems.push(
                problem(
                    "flag",
                    `--${name}`,
                    "unknown flag",
                    `${suggestion ? `did you mean --${suggestion}? ` : ""}run --help for the flags`,
                ),
            );
            continue;
        }
        const flag = name as ValueFlag;
        let value = inline;
        if (value === undefined) {
            const next = argv[i + 1];
            if (next === undefined || next.startsWith("--")) {
                result.problems.push(problem(`--${flag}`, "", "no value given", `write --${flag} <value>; run --help for the flags`));
                continue;
            }
            value = next;
            i++;
        }
        const first = result.values[flag];
        if (first !== undefined) {
            result.problems.push(problem(`--${flag}`, value, `flag given twice (first ${JSON.stringify(first)})`, "give it once"));
            continue;
        }
        result.values[flag] = value;
    }
    return result;
}

/** The known flag a mistyped one most likely meant, if any is close. */
function closestFlag(name: string): string | undefined {
    let best: { flag: string; distance: number } | undefined;
    for (const flag of [...valueFlags, ...booleanFlags]) {
        const distance = editDistance(name, flag);
        if (distance <= 2 && (best === undefined || distance < best.distance)) {
            best = { flag, distance };
        }
    }
    return best?.flag;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
