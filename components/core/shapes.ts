// The shapes and rules the component's arguments share with the package's commands (the post-renderer,
// the verify command): each value format and each rule between mesh settings stated once, with valibot,
// and every problem in one shape. No Pulumi here: the commands run without its SDK.

import { distance } from "fastest-levenshtein";
import * as v from "valibot";
import { clouds } from "./facts/clouds";
import { parseResourceId, resourceIdForm, ResourceType, resourceTypes } from "./facts/resourceIds";
import { meshableWorkloads, workloadsWithSidecar } from "./facts/workloads";
import type { CloudEnvironment, Collector, IstioArgs, MeshMode, ResourceQuantities } from "./args";
import { isOutput, Problem, problem } from "./errors";
import { Format, formats, port } from "./formats";
import { proxyResourceFields, wellKnownRootNamespaces } from "./facts/istio";
import { defaults } from "./settings";

export const collectors: readonly Collector[] = ["prometheus", "ama-metrics"];
export const meshModes: readonly MeshMode[] = ["sidecar", "certificates", "off"];
export const cloudEnvironments = Object.keys(clouds) as CloudEnvironment[];

// ---------------------------------------------------------------------------------------------
// Building blocks.

export type Schema = v.GenericSchema;

const quotedList = (values: readonly string[]) => values.map((value) => `"${value}"`).join(", ");

/** A value of a format. */
export function valueOf(format: Format): Schema {
    return v.pipe(v.unknown(), v.check(format.test, `${format.wrong}; ${format.fix}`));
}

export const bool = v.boolean("not true or false; use true or false");
export const picklist = (options: readonly string[], wrong: string) => v.picklist(options, `${wrong}; use one of ${quotedList(options)}`);
export const stringList = (format: Format) => v.array(valueOf(format), `not a list; give a list, e.g. ["a", "b"]`);
/**
 * A map (an object of string keys), never a list: valibot's `record` alone takes arrays, which would
 * reach Azure tags, label selectors and ConfigMap data as `{"0": ...}`.
 */
export function mapOf(key: v.GenericSchema<string, string>, value: Schema, wrong: string): Schema {
    return v.pipe(
        v.custom<Record<string, unknown>>((x) => typeof x === "object" && x !== null && !Array.isArray(x), wrong),
        v.record(key, value, wrong),
    );
}
export const labelMap = mapOf(
    v.pipe(
        v.string(),
        v.check((key: string) => formats.labelKey.test(key), `${formats.labelKey.wrong}; ${formats.labelKey.fix}`),
    ),
    valueOf(formats.labelValue),
    'not a map of labels; give e.g. { app: "orders" }',
);
/** An object whose unknown keys are errors that name the nearest known key. */
export function strict(entries: v.ObjectEntries, missing: Record<string, string> = {}): Schema {
    const known = Object.keys(entries);
    return v.strictObject(entries, (issue) => {
        const key = issue.path?.[issue.path.length - 1]?.key;
        if (issue.expected === "never" && typeof key === "string") {
            return unknownKey(key, known);
        }
        if (issue.received === "undefined" && typeof key === "string") {
            return `missing; ${missing[key] ?? `give ${key}`}`;
        }
        return `not an object; give an object with ${quotedList(known)}`;
    });
}

function unknownKey(key: string, known: readonly string[]): string {
    const near = nearest(key, known);
    return `unknown argument; ${near !== undefined ? `did you mean "${near}"? ` : ""}known here: ${quotedList(known)}`;
}

/** The known name a mistyped one most likely meant, if one is close enough. */
export function nearest(key: string, known: readonly string[]): string | undefined {
    const candidate = [...known].sort((a, b) => distance(key, a) - distance(key, b))[0];
    const close = candidate !== undefined && distance(key.toLowerCase(), candidate.toLowerCase()) <= Math.max(2, key.length / 3);
    return close ? candidate : undefined;
}

/** A resource id of one type, in the form `az` prints it. */
export function resourceId(type: ResourceType, command: string): Schema {
    return valueOf({
        test: (value) => parseResourceId(value, type) !== undefined,
        wrong: `not ${resourceTypes[type].what} resource id`,
        fix: `use ${resourceIdForm(type)}; \`${command}\` prints it`,
    });
}

// ---------------------------------------------------------------------------------------------
// Shapes the component and the commands share.

export const collectorSchema = picklist(collectors, "unknown collector");
export const meshModeSchema = picklist(meshModes, "unknown mesh mode");

/** The most shards the prometheus collector runs. */
const maxShards = 32;
const shardRange = `give a whole number from 1 to ${maxShards}`;
export const shardsSchema = v.pipe(
    v.number(`not a number; ${shardRange}`),
    v.integer(`not a whole number; ${shardRange}`),
    v.minValue(1, `fewer than 1; ${shardRange}`),
    v.maxValue(maxShards, `more than ${maxShards}; ${shardRange}, and size each shard's resources`),
);

export const aksClusterIdSchema = resourceId("aksCluster", "az aks show --query id");
export const workspaceIdSchema = resourceId("workspace", "az monitor account show --query id");

/** Namespaces the collector must never run in, and why. */
const forbiddenNamespaces: Record<string, string> = {
    "kube-system": "Istio never injects kube-system and the collector would carry a kube-system identity",
    "kube-public": "it is readable by everyone, including unauthenticated users",
    "kube-node-lease": "it holds node heartbeats only",
    default: "workloads there share the default namespace's identity and policies",
};

/** The collector's namespace: a namespace name that is neither a system nor an Istio control-plane namespace. */
export const collectorNamespace: Schema = v.pipe(
    valueOf(formats.namespace),
    v.check(
        (value) => !((value as string) in forbiddenNamespaces) && !wellKnownRootNamespaces.includes(value as string),
        (issue) => {
            const why =
                forbiddenNamespaces[issue.input as string] ??
                "that is an Istio control-plane namespace: policies there apply to the whole mesh";
            return `the collector cannot run there: ${why}; use a dedicated namespace such as "monitoring"`;
        },
    ),
);

export const quantities = strict({
    cpu: v.optional(valueOf(formats.quantity)),
    memory: v.optional(valueOf(formats.quantity)),
} satisfies Record<keyof ResourceQuantities, Schema>);

// Every field a quantity; the fields are those of core/facts/istio.ts, which is tied to `ProxyResources`.
const proxyResources = strict(Object.fromEntries(proxyResourceFields.map((field) => [field, v.optional(valueOf(formats.quantity))])));

export const proxyResourcesPerWorkload = strict(
    Object.fromEntries(meshableWorkloads.map((workload) => [workload, v.optional(proxyResources)])),
);

export const excludedRanges = stringList(formats.cidr);
export const excludedPorts = v.array(valueOf(port), "not a list of ports; give e.g. [9999]");

/** The problems valibot finds, in the package's shape; `prefix` is prepended to every argument path. */
export function shapeProblems(schema: Schema, value: unknown, prefix = ""): Problem[] {
    const result = v.safeParse(schema, value, { abortEarly: false });
    if (result.success) {
        return [];
    }
    return result.issues.map((issue) => {
        const path = issue.path ?? [];
        const argument = path.reduce(
            (text: string, item) =>
                typeof item.key === "number" ? `${text}[${item.key}]` : text ? `${text}.${String(item.key)}` : String(item.key),
            prefix,
        );
        const last = path[path.length - 1];
        // An unknown key's issue carries the key as its input; show the value given under it.
        const value = issue.expected === "never" && last ? last.value : issue.input;
        if (isOutput(value) && issue.expected !== "never") {
            return {
                argument: argument || "args",
                value,
                message: "an Output; it must be a plain value, known before anything is created: give the value itself",
            };
        }
        return { argument: argument || "args", value, message: issue.message };
    });
}

// ---------------------------------------------------------------------------------------------
// Rules between mesh settings.

/** Where each mesh setting was given: `istio.revision` in the component, `--revision` in the post-renderer. */
export type MeshArgumentName = (key: keyof IstioArgs) => string;

/**
 * Rules on the mesh settings that decide pod settings. The post-renderer applies the same rules to its
 * flags (with its own argument names).
 */
export function meshRuleProblems(collector: Collector, istio: IstioArgs, name: MeshArgumentName): Problem[] {
    const problems: Problem[] = [];
    const mode = istio.mode ?? defaults.meshMode;
    if (istio.revision !== undefined && mode === "off") {
        problems.push(
            problem(
                name("revision"),
                istio.revision,
                'the mesh mode "off" injects nothing',
                'drop the revision, or choose the mesh mode "sidecar" or "certificates"',
            ),
        );
    }
    if (istio.meshNodeDaemonSet === true && (collector !== "ama-metrics" || mode !== "sidecar")) {
        problems.push(
            problem(
                name("meshNodeDaemonSet"),
                true,
                collector === "ama-metrics"
                    ? `only the sidecar mode meshes the node DaemonSet, the mode is "${mode}"`
                    : "the prometheus collector has no node DaemonSet",
                "drop it",
            ),
        );
    }
    for (const key of ["extraExcludeOutboundIPRanges", "extraExcludeOutboundPorts"] as const) {
        if (istio[key] !== undefined && mode !== "sidecar") {
            problems.push(
                problem(name(key), istio[key], `only the sidecar mode captures outbound traffic, the mode is "${mode}"`, "drop it"),
            );
        }
    }
    const meshed = workloadsWithSidecar(collector, mode, istio.meshNodeDaemonSet ?? false);
    for (const [workload, resources] of Object.entries(istio.proxyResources ?? {})) {
        if (!meshed.includes(workload as (typeof meshed)[number])) {
            const why =
                mode === "off"
                    ? 'the mesh mode "off" injects nothing'
                    : workload === "node" && collector === "ama-metrics" && mode === "sidecar"
                      ? "the node DaemonSet is not meshed (istio.meshNodeDaemonSet is false)"
                      : `${collector} has no sidecar on that workload in the mode "${mode}"`;
            problems.push(
                problem(
                    `${name("proxyResources")}.${workload}`,
                    resources,
                    why,
                    meshed.length ? `give proxy resources only for ${quotedList(meshed)}` : "drop istio.proxyResources",
                ),
            );
        }
    }
    return problems;
}
