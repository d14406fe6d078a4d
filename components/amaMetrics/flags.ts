// The post-renderer's flags: one table drives its usage text, its parsing and the arguments the
// component hands to the Chart. Values are checked with the component's own schemas and mesh rules,
// so the command refuses exactly what the component refuses.

import { parseArgs } from "node:util";
import { distance } from "fastest-levenshtein";
import * as v from "valibot";
import type { IstioArgs } from "../core/args";
import { Problem, problem, UsageError } from "../core/errors";
import { formats } from "../core/formats";
import {
    collectorNamespace,
    excludedPorts,
    excludedRanges,
    meshModes,
    meshRuleProblems,
    proxyResourcesPerWorkload,
    shapeProblems,
    valueOf,
} from "../core/shapes";
import { defaults, proxyResourcesWithDefaults } from "../core/settings";
import { meshableWorkloads, workloadsWithSidecar } from "../mesh/workloads";
import { defaultTokenSecret } from "./facts";
import { parseKindScope, Scope } from "./kinds";
import type { RelocationOptions } from "./relocate";

interface Flag {
    name: string;
    /** The value's placeholder in the usage text; absent for a switch. */
    value?: string;
    help: string;
    multiple?: boolean;
    /** The mesh setting it carries, for the mesh rules' messages. */
    meshKey?: keyof IstioArgs;
    /** Its value(s) for the options; empty when the options need no flag (a default). */
    format(options: RelocationOptions): string[];
}

const list = (values: readonly (string | number)[]) => values.join(",");

export const flags: readonly Flag[] = [
    { name: "namespace", value: "<name>", help: "target namespace (required)", format: (o) => [o.namespace] },
    {
        name: "mesh-mode",
        value: "<mode>",
        help: `${meshModes.join(", ")} (default ${defaults.meshMode})`,
        meshKey: "mode",
        format: (o) => [o.mesh.mode],
    },
    {
        name: "revision",
        value: "<revision>",
        help: "Istio revision, e.g. asm-1-27 (default: the default revision)",
        meshKey: "revision",
        format: (o) => (o.mesh.revision ? [o.mesh.revision] : []),
    },
    {
        name: "mesh-node",
        help: "sidecar mode: mesh the Linux node DaemonSet too",
        meshKey: "meshNodeDaemonSet",
        format: (o) => (o.mesh.meshNodeDaemonSet ? [""] : []),
    },
    {
        name: "proxy-resources",
        value: "<json>",
        help: `proxy resources per workload (${meshableWorkloads.join(", ")}), e.g. {"collector":{"cpu":"100m"}}`,
        meshKey: "proxyResources",
        format: (o) => {
            const given = canonicalProxyResources(o.mesh.proxyResources);
            return Object.keys(given).length ? [JSON.stringify(given)] : [];
        },
    },
    {
        name: "service-cidr",
        value: "<cidr>",
        help: `the cluster's service CIDR: the only range the sidecar mode's proxies capture (default ${defaults.serviceCidr})`,
        format: (o) => (o.mesh.serviceCidr !== defaults.serviceCidr ? [o.mesh.serviceCidr] : []),
    },
    {
        name: "exclude-outbound-ip-ranges",
        value: "<cidr,...>",
        help: "sidecar mode: ranges the proxies must not capture",
        meshKey: "extraExcludeOutboundIPRanges",
        format: (o) => (o.mesh.extraExcludeOutboundIPRanges.length ? [list(o.mesh.extraExcludeOutboundIPRanges)] : []),
    },
    {
        name: "exclude-outbound-ports",
        value: "<port,...>",
        help: "sidecar mode: outbound ports the proxies must not capture",
        meshKey: "extraExcludeOutboundPorts",
        format: (o) => (o.mesh.extraExcludeOutboundPorts.length ? [list(o.mesh.extraExcludeOutboundPorts)] : []),
    },
    {
        name: "token-secret-name",
        value: "<name>",
        help: `the token secret's name (default ${defaultTokenSecret.name})`,
        format: (o) => (o.tokenSecret.name !== defaultTokenSecret.name ? [o.tokenSecret.name] : []),
    },
    {
        name: "token-secret-namespace",
        value: "<name>",
        help: `the token secret's namespace (default ${defaultTokenSecret.namespace})`,
        format: (o) => (o.tokenSecret.namespace !== defaultTokenSecret.namespace ? [o.tokenSecret.namespace] : []),
    },
    {
        name: "kind-scope",
        value: "<group>/<Kind>=<Namespaced|Cluster>",
        help: "the scope of a kind the chart renders that the relocation does not know (repeatable)",
        multiple: true,
        format: (o) => Object.entries(o.kindScopes ?? {}).map(([key, scope]) => `${key}=${scope}`),
    },
];

export const usage = `Usage: ama-metrics-istio-relocate --namespace <name> [options] < rendered.yaml > relocated.yaml

Moves the ama-metrics chart's manifests out of kube-system (a Helm post-renderer): rendered manifests on
stdin, relocated manifests on stdout.

Options:
${flags.map((f) => `  --${`${f.name}${f.value ? ` ${f.value}` : ""}`.padEnd(40)} ${f.help}`).join("\n")}
  --help                                   show this help
`;

/** Proxy resources in a fixed order of workloads and fields, without empty entries. */
function canonicalProxyResources(resources: RelocationOptions["mesh"]["proxyResources"]): RelocationOptions["mesh"]["proxyResources"] {
    const fields = ["cpu", "memory", "cpuLimit", "memoryLimit"] as const;
    const result: RelocationOptions["mesh"]["proxyResources"] = {};
    for (const workload of meshableWorkloads) {
        const given = Object.fromEntries(
            fields.filter((f) => resources[workload]?.[f] !== undefined).map((f) => [f, resources[workload]![f]]),
        );
        if (Object.keys(given).length > 0) {
            result[workload] = given;
        }
    }
    return result;
}

/**
 * The post-renderer's arguments for `options`: always the same arguments for the same options (the
 * namespace and the mode, then only what differs from the defaults), as `--name=value`.
 */
export function postRendererArgs(options: RelocationOptions): string[] {
    return flags.flatMap((flag) => flag.format(options).map((value) => (flag.value ? `--${flag.name}=${value}` : `--${flag.name}`)));
}

const flagName = (key: keyof IstioArgs) => `--${flags.find((f) => f.meshKey === key)?.name ?? key}`;

/** The options the arguments stand for (the inverse of `postRendererArgs`). Throws a UsageError listing every problem. */
export function parsePostRendererArgs(argv: readonly string[]): RelocationOptions {
    const problems: Problem[] = [];
    const { values, given } = readFlags(argv, problems);
    const text = (name: string) => values[name] as string | undefined;
    const check = (name: string, value: unknown, schema: v.GenericSchema) => {
        problems.push(...shapeProblems(schema, value, `--${name}`));
    };

    if (!given.has("namespace")) {
        problems.push(
            problem(
                "--namespace",
                undefined,
                "missing",
                "give the namespace to move the chart's objects into, e.g. --namespace=monitoring",
            ),
        );
    } else if (text("namespace") !== undefined) {
        check("namespace", text("namespace"), collectorNamespace);
    }
    const mode = (text("mesh-mode") ?? defaults.meshMode) as RelocationOptions["mesh"]["mode"];
    check("mesh-mode", mode, v.picklist(meshModes, `unknown mesh mode; use one of ${meshModes.map((m) => `"${m}"`).join(", ")}`));
    if (text("revision") !== undefined) check("revision", text("revision"), valueOf(formats.revision));
    const proxyResources = parseJson(text("proxy-resources"), problems);
    if (proxyResources !== undefined) check("proxy-resources", proxyResources, proxyResourcesPerWorkload);
    const serviceCidr = text("service-cidr") ?? defaults.serviceCidr;
    check("service-cidr", serviceCidr, valueOf(formats.cidr));
    const ranges = splitList(text("exclude-outbound-ip-ranges"));
    if (ranges) check("exclude-outbound-ip-ranges", ranges, excludedRanges);
    const ports = splitList(text("exclude-outbound-ports"))?.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    if (ports) check("exclude-outbound-ports", ports, excludedPorts);
    const tokenSecret = {
        name: text("token-secret-name") ?? defaultTokenSecret.name,
        namespace: text("token-secret-namespace") ?? defaultTokenSecret.namespace,
    };
    check("token-secret-name", tokenSecret.name, valueOf(formats.objectName));
    check("token-secret-namespace", tokenSecret.namespace, valueOf(formats.namespace));
    const kindScopes: Record<string, Scope> = {};
    for (const entry of (values["kind-scope"] as string[] | undefined) ?? []) {
        const scope = parseKindScope(entry);
        if (scope === undefined) {
            problems.push(
                problem(
                    "--kind-scope",
                    entry,
                    "not a kind's scope",
                    "use <group>/<Kind>=Namespaced or =Cluster, e.g. autoscaling.k8s.io/VerticalPodAutoscaler=Namespaced",
                ),
            );
        } else {
            kindScopes[scope.key] = scope.scope;
        }
    }
    if (problems.length > 0) {
        throw new UsageError(problems);
    }

    const istio: IstioArgs = {
        mode,
        revision: text("revision"),
        meshNodeDaemonSet: values["mesh-node"] === true ? true : undefined,
        proxyResources: proxyResources as IstioArgs["proxyResources"],
        extraExcludeOutboundIPRanges: ranges,
        extraExcludeOutboundPorts: ports as number[] | undefined,
    };
    // The service CIDR is a fact of the cluster (the component's cluster.serviceCidr), accepted in every mode
    // like there; only the sidecar mode uses it.
    const ruleProblems = meshRuleProblems("ama-metrics", istio, flagName);
    if (ruleProblems.length > 0) {
        throw new UsageError(ruleProblems);
    }
    const meshNodeDaemonSet = istio.meshNodeDaemonSet ?? false;
    return {
        namespace: text("namespace")!,
        tokenSecret,
        mesh: {
            mode,
            revision: istio.revision,
            meshNodeDaemonSet,
            proxyResources: proxyResourcesWithDefaults(
                workloadsWithSidecar("ama-metrics", mode, meshNodeDaemonSet),
                istio.proxyResources ?? {},
            ),
            serviceCidr,
            extraExcludeOutboundIPRanges: ranges ?? [],
            extraExcludeOutboundPorts: (ports as number[] | undefined) ?? [],
        },
        ...(Object.keys(kindScopes).length ? { kindScopes } : {}),
    };
}

/**
 * The flags' values by name (lists for repeatable flags), from `argv`. Every argument that is not a known
 * flag with a well-formed value becomes a problem of the package's one shape: an unknown flag, a flag
 * without its value, a switch with one, a flag given twice, a word that is no flag.
 */
function readFlags(
    argv: readonly string[],
    problems: Problem[],
): { values: Record<string, string | boolean | string[] | undefined>; given: Set<string> } {
    // Non-strict: every token comes back, and each one is judged here.
    const { tokens } = parseArgs({
        args: [...argv],
        strict: false,
        allowPositionals: true,
        tokens: true,
        options: Object.fromEntries(flags.map((f) => [f.name, { type: f.value ? "string" : "boolean", multiple: f.multiple ?? false }])),
    });
    const values: Record<string, string | boolean | string[] | undefined> = {};
    const given = new Set<string>();
    for (const token of tokens) {
        if (token.kind === "positional") {
            problems.push(
                problem(
                    `argument ${token.index + 1}`,
                    token.value,
                    "not a flag",
                    "give every value as --<flag>=<value> (--help lists the flags)",
                ),
            );
            continue;
        }
        if (token.kind !== "option") {
            continue;
        }
        const flag = flags.find((f) => f.name === token.name && token.rawName === `--${f.name}`);
        if (flag === undefined) {
            problems.push(problem(token.rawName, token.value ?? true, "unknown flag", unknownFlagFix(token.rawName)));
            continue;
        }
        given.add(flag.name);
        if (flag.value === undefined) {
            if (token.value !== undefined) {
                problems.push(
                    problem(token.rawName, token.value, "a switch takes no value", `give ${token.rawName} alone, or leave it out`),
                );
            } else {
                if (values[flag.name] !== undefined) {
                    problems.push(problem(token.rawName, true, "given twice", "give each flag once"));
                }
                values[flag.name] = true;
            }
            continue;
        }
        // A value taken from the next argument that is itself a flag means the value was left out.
        if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) {
            problems.push(problem(token.rawName, undefined, "missing its value", `give it as ${token.rawName}=${flag.value}`));
            continue;
        }
        if (flag.multiple) {
            values[flag.name] = [...((values[flag.name] as string[] | undefined) ?? []), token.value];
        } else {
            if (values[flag.name] !== undefined) {
                problems.push(problem(token.rawName, token.value, "given twice", "give each flag once"));
            }
            values[flag.name] = token.value;
        }
    }
    return { values, given };
}

function unknownFlagFix(given: string): string {
    const names = flags.map((f) => `--${f.name}`);
    const nearest = [...names].sort((a, b) => distance(given, a) - distance(given, b))[0];
    const close = distance(given, nearest) <= Math.max(2, given.length / 3);
    return `${close ? `did you mean ${nearest}? ` : ""}known flags: ${names.join(", ")}, --help`;
}

function parseJson(json: string | undefined, problems: Problem[]): unknown {
    if (json === undefined) {
        return undefined;
    }
    try {
        return JSON.parse(json);
    } catch (error) {
        problems.push(
            problem(
                "--proxy-resources",
                json,
                `not JSON (${(error as Error).message})`,
                'give e.g. {"collector":{"cpu":"100m","memory":"128Mi"}}',
            ),
        );
        return undefined;
    }
}

function splitList(text: string | undefined): string[] | undefined {
    return text === undefined ? undefined : text.split(",").map((item) => item.trim());
}
