#!/usr/bin/env node
// The Helm post-renderer that relocates the ama-metrics chart: rendered manifests on stdin,
// relocated manifests on stdout. `kubernetes.helm.v4.Chart` runs it through `postRenderer`, and
// the Helm CLI through `--post-renderer` (the package's bin `ama-metrics-istio-relocate`).

import * as path from "node:path";
import { parseArgs } from "node:util";
import { defaultTokenSecret } from "./agent";
import { meshedWorkloads, proxyResourceFields } from "./podMesh";
import { relocateYaml, RelocationOptions, validateRelocationOptions } from "./relocate";
import type { MeshedWorkload } from "./settings";
import { MeshMode, meshModes, ProxyResources } from "./types";

const usage = `Usage: ama-metrics-istio-relocate --namespace <name> [options] < rendered.yaml > relocated.yaml

Moves the ama-metrics chart's manifests out of kube-system (a Helm post-renderer).

Options:
  --namespace <name>               target namespace (required)
  --mesh-mode <mode>               sidecar (default), certificates or off
  --revision <revision>            Istio revision, e.g. asm-1-27 (default: the default revision)
  --no-mesh-node                   sidecar mode: keep the Linux node DaemonSet out of the mesh
  --mesh-node=<true|false>         the same as a value (default true)
  --proxy-resources <json>         proxy resources per workload, e.g. {"collector":{"cpu":"100m","memory":"128Mi"}}
  --token-secret-name <name>       the token secret's name (default ${defaultTokenSecret.name})
  --token-secret-namespace <name>  the token secret's namespace (default ${defaultTokenSecret.namespace})
  --help                           show this help
`;

/**
 * The command-line arguments that make the post-renderer apply `options`. Always the same
 * arguments for the same options: the namespace and the mode, then only what differs from the defaults.
 */
export function postRendererArgs(options: RelocationOptions): string[] {
    // Fail in the program, not later inside Helm.
    validateRelocationOptions(options);
    const args = [`--namespace=${options.namespace}`, `--mesh-mode=${options.mesh.mode}`];
    if (options.mesh.revision !== undefined) {
        args.push(`--revision=${options.mesh.revision}`);
    }
    if (!options.mesh.meshNodeDaemonSet) {
        args.push("--no-mesh-node");
    }
    const resources = canonicalProxyResources(options.mesh.proxyResources);
    if (Object.keys(resources).length > 0) {
        args.push(`--proxy-resources=${JSON.stringify(resources)}`);
    }
    if (options.tokenSecret.name !== defaultTokenSecret.name) {
        args.push(`--token-secret-name=${options.tokenSecret.name}`);
    }
    if (options.tokenSecret.namespace !== defaultTokenSecret.namespace) {
        args.push(`--token-secret-namespace=${options.tokenSecret.namespace}`);
    }
    return args;
}

/** The options the arguments stand for (the inverse of `postRendererArgs`). Throws on bad arguments. */
export function parsePostRendererArgs(argv: string[]): RelocationOptions {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            strict: true,
            allowPositionals: false,
            options: {
                namespace: { type: "string" },
                "mesh-mode": { type: "string" },
                revision: { type: "string" },
                "mesh-node": { type: "string" },
                "no-mesh-node": { type: "boolean" },
                "proxy-resources": { type: "string" },
                "token-secret-name": { type: "string" },
                "token-secret-namespace": { type: "string" },
            },
        }));
    } catch (error) {
        throw new Error(`${(error as Error).message}. Run with --help for the options.`);
    }
    if (values.namespace === undefined) {
        throw new Error("Missing --namespace <name>: the namespace to move the chart's objects into.");
    }
    const mode = values["mesh-mode"] ?? "sidecar";
    if (!meshModes.includes(mode as MeshMode)) {
        throw new Error(`Invalid --mesh-mode ${JSON.stringify(mode)}: use one of ${meshModes.join(", ")}.`);
    }
    if (values["mesh-node"] !== undefined && values["no-mesh-node"]) {
        throw new Error("Give either --mesh-node=<true|false> or --no-mesh-node, not both.");
    }
    let meshNodeDaemonSet = !values["no-mesh-node"];
    if (values["mesh-node"] !== undefined) {
        if (values["mesh-node"] !== "true" && values["mesh-node"] !== "false") {
            throw new Error(`Invalid --mesh-node ${JSON.stringify(values["mesh-node"])}: use true or false.`);
        }
        meshNodeDaemonSet = values["mesh-node"] === "true";
    }
    const options: RelocationOptions = {
        namespace: values.namespace,
        tokenSecret: {
            name: values["token-secret-name"] ?? defaultTokenSecret.name,
            namespace: values["token-secret-namespace"] ?? defaultTokenSecret.namespace,
        },
        mesh: {
            mode: mode as MeshMode,
            meshNodeDaemonSet,
            proxyResources: parseProxyResources(values["proxy-resources"]),
        },
    };
    if (values.revision !== undefined) {
        options.mesh.revision = values.revision;
    }
    validateRelocationOptions(options);
    options.mesh.proxyResources = canonicalProxyResources(options.mesh.proxyResources);
    return options;
}

function parseProxyResources(json: string | undefined): Partial<Record<MeshedWorkload, ProxyResources>> {
    if (json === undefined) {
        return {};
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(json);
    } catch (error) {
        throw new Error(
            `Invalid --proxy-resources ${JSON.stringify(json)}: not JSON (${(error as Error).message}); ` +
                `expected e.g. {"collector":{"cpu":"100m","memory":"128Mi"}}.`,
        );
    }
    const isObject = (v: unknown): v is Record<string, unknown> =>
        typeof v === "object" && v !== null && !Array.isArray(v);
    if (!isObject(parsed) || !Object.values(parsed).every(isObject)) {
        throw new Error(
            `Invalid --proxy-resources ${json}: expected an object of workloads (${meshedWorkloads.join(", ")}) ` +
                `to objects of ${proxyResourceFields.join(", ")}, e.g. {"collector":{"cpu":"100m"}}.`,
        );
    }
    // Workload names, fields and values are checked by validateRelocationOptions.
    return parsed as Partial<Record<MeshedWorkload, ProxyResources>>;
}

/** Known workloads and fields in a fixed order, without empty entries. */
function canonicalProxyResources(
    resources: Partial<Record<MeshedWorkload, ProxyResources>>,
): Partial<Record<MeshedWorkload, ProxyResources>> {
    const result: Partial<Record<MeshedWorkload, ProxyResources>> = {};
    for (const workload of meshedWorkloads) {
        const fields: ProxyResources = {};
        for (const field of proxyResourceFields) {
            const value = resources[workload]?.[field];
            if (value !== undefined) {
                fields[field] = value;
            }
        }
        if (Object.keys(fields).length > 0) {
            result[workload] = fields;
        }
    }
    return result;
}

/**
 * The command for `kubernetes.helm.v4.Chart`'s `postRenderer`: `node` (from PATH) running this
 * file, given relative to `cwd` with forward slashes, so that no machine path reaches the Chart's
 * inputs. Pulumi runs the program and the Kubernetes provider, and Helm the post-renderer, in the
 * project directory: pass that as `cwd` (the default is the current directory). From source
 * (ts-node), the `.ts` file is run through ts-node's transpile-only hook.
 */
export function postRendererCommand(
    options: RelocationOptions,
    cwd: string = process.cwd(),
): { command: string; args: string[] } {
    const script = path.relative(cwd, __filename).split(path.sep).join("/");
    const loader = script.endsWith(".ts") ? ["--require", "ts-node/register/transpile-only"] : [];
    return { command: "node", args: [...loader, script, ...postRendererArgs(options)] };
}

async function readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
}

async function main(argv: string[]): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
        process.stdout.write(usage);
        return 0;
    }
    try {
        const options = parsePostRendererArgs(argv);
        process.stdout.write(relocateYaml(await readStdin(), options));
        return 0;
    } catch (error) {
        // Helm shows this to the user: the message only, no stack trace.
        process.stderr.write(`ama-metrics-istio-relocate: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(code => {
        process.exitCode = code;
    });
}
