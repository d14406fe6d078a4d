// Evaluates this repository's program for one stack under Pulumi's mock runtime: no CLI, no
// credentials, no network. It records every resource registration as the engine would receive it
// (type, name, parent, dependencies, inputs), which is what `npm run plan` prints and what the
// golden plans and the benchmark are built on.

import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { clusterStackOutputs } from "../clusterStack";
import { createMocks } from "../components/testing";

// Stack files are read from the project directory (where `npm run plan` runs), and the program is the one
// Pulumi.yaml names there: the compiled program, as Pulumi runs it.
const projectDir = () => process.cwd();

/** Pulumi.yaml's `main`, resolved in the project directory. */
export function pulumiMain(): string {
    const main = parse(fs.readFileSync(path.join(projectDir(), "Pulumi.yaml"), "utf8"))?.main;
    if (typeof main !== "string") {
        throw new Error("Pulumi.yaml names no main program");
    }
    return path.resolve(projectDir(), main);
}
export const project = "ama-metrics-istio";

// Pulumi marks secret values on the wire with this signature key and value.
const secretSig = "4dabf18193072939515e22adb298388d";
const secretValue = "1b47061264138c4ac30d75fd1eb44270";
export const secretMask = "[secret]";

export interface Registration {
    type: string;
    name: string;
    /** `type::name` of the parent, or undefined for the stack's direct children. */
    parent?: string;
    custom: boolean;
    /** `type::name` of the provider the resource uses, when one is given explicitly. */
    provider?: string;
    /** `type::name` of explicit dependencies and of resources whose outputs flow into the inputs. */
    dependsOn: string[];
    /** Inputs as sent, secrets masked. */
    inputs: Record<string, unknown>;
    protect: boolean;
    /** A delete leaves the resource where it is (Pulumi `retainOnDelete`). */
    retainOnDelete: boolean;
    /** Input paths whose change replaces the resource. */
    replaceOnChanges: string[];
    deleteBeforeReplace: boolean;
}

export interface StackFiles {
    /** Config of `stacks/Pulumi.<stack>.yaml`. */
    config: Record<string, unknown>;
    /** Stand-ins for the cluster stack's outputs (`stacks/offline/<stack>.cluster.yaml`, without its `standInFor`). */
    clusterOutputs: Record<string, unknown>;
}

/** A YAML file, or an error naming it (relative to the project) and where it fails to parse. */
function readYaml(file: string): any {
    try {
        return parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new Error(`${path.relative(projectDir(), file)} is not valid YAML: ${(error as Error).message.trim()}`);
    }
}

/** The cluster stack's outputs a stand-ins file gives: "a, b and optionally c". */
const standInNames = (() => {
    const outputs = Object.entries(clusterStackOutputs);
    const names = (optional: boolean) => outputs.filter(([, o]) => "optional" in o === optional).map(([name]) => name);
    return `${names(false).join(", ")} and optionally ${names(true).join(", ")}`;
})();

export function readStackFiles(stack: string): StackFiles {
    const stackFile = path.join(projectDir(), "stacks", `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        const known = fs
            .readdirSync(path.join(projectDir(), "stacks"))
            .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
            .map((f) => f.slice("Pulumi.".length, -".yaml".length));
        throw new Error(`no stack "${stack}": stacks/Pulumi.${stack}.yaml does not exist; known stacks: ${known.join(", ")}`);
    }
    const config: Record<string, unknown> = (readYaml(stackFile) ?? {}).config ?? {};
    const clusterStack = (config[`${project}:environment`] as { cluster?: { stack?: string } } | undefined)?.cluster?.stack;
    const offlineFile = path.join(projectDir(), "stacks", "offline", `${stack}.cluster.yaml`);
    if (clusterStack !== undefined && !fs.existsSync(offlineFile)) {
        throw new Error(
            `stack "${stack}" reads its cluster from the stack ${clusterStack}, and stacks/offline/${stack}.cluster.yaml has no ` +
                `stand-ins for that stack's outputs: create it with ${standInNames}, and standInFor: ${clusterStack} (see stacks/offline/staging.cluster.yaml)`,
        );
    }
    const { standInFor, ...clusterOutputs } = fs.existsSync(offlineFile) ? (readYaml(offlineFile) ?? {}) : {};
    if (clusterStack !== undefined && standInFor !== clusterStack) {
        // Stand-ins for another cluster would plan this stack against the wrong cluster, silently.
        throw new Error(
            standInFor === undefined
                ? `stacks/offline/${stack}.cluster.yaml names no stack it stands in for: add \`standInFor: ${clusterStack}\` (the cluster stack that stack "${stack}" reads)`
                : `stacks/offline/${stack}.cluster.yaml stands in for the stack ${standInFor}, and stack "${stack}" reads its cluster from ` +
                      `${clusterStack}: write that stack's outputs there with \`standInFor: ${clusterStack}\`, or correct cluster.stack`,
        );
    }
    return { config, clusterOutputs };
}

/** Stack config in the form the Pulumi runtime holds it: strings, objects as JSON, secrets masked. */
export function runtimeConfig(config: Record<string, unknown>): { values: Record<string, string>; secretKeys: string[] } {
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        if (typeof value === "object" && value !== null && "secure" in value) {
            // Ciphertext cannot be decrypted offline; the plan shows where secrets go, not what they are.
            values[fullKey] = secretMask;
            secretKeys.push(fullKey);
        } else {
            values[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys };
}

function unwire(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(unwire);
    }
    if (typeof value === "object" && value !== null) {
        const object = value as Record<string, unknown>;
        if (object[secretSig] === secretValue) {
            return secretMask;
        }
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(object).sort()) {
            out[key] = unwire(object[key]);
        }
        return out;
    }
    return value;
}

function typeAndName(urn: string): string {
    // urn:pulumi:<stack>::<project>::<parent types$>type::name
    const parts = urn.split("::");
    const types = parts[2].split("$");
    return `${types[types.length - 1]}::${parts.slice(3).join("::")}`;
}

function parentOf(urn: string): string | undefined {
    // The stack itself is everyone's root: leave it out, like a preview's tree does.
    return !urn || urn.split("::")[2] === "pulumi:pulumi:Stack" ? undefined : typeAndName(urn);
}

/**
 * The package's mocks (`ama-metrics-istio/testing`), answering like an engine creating a fresh stack, and
 * the cluster stack's outputs from their stand-ins.
 */
function offlineMocks(options: { clusterOutputs: Record<string, unknown>; subscriptionId: string }): pulumi.runtime.Mocks {
    const mocks = createMocks({ subscriptionId: options.subscriptionId });
    return {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            if (args.type === "pulumi:pulumi:StackReference") {
                return { id: args.name, state: { name: args.name, outputs: options.clusterOutputs, secretOutputNames: ["kubeconfig"] } };
            }
            return mocks.newResource(args);
        },
        call: (args) => mocks.call(args),
    };
}

/**
 * Records every registration the current (mock) monitor receives from now on, as the engine would
 * see it: parent, explicit dependencies and those carried by inputs. Returns the live list.
 */
export function captureRegistrations(): Registration[] {
    const registrations: Registration[] = [];
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        const dependsOn = new Set<string>(req.getDependenciesList().map(typeAndName));
        req.getPropertydependenciesMap().forEach((deps: any) => deps.getUrnsList().forEach((u: string) => dependsOn.add(typeAndName(u))));
        registrations.push({
            type: req.getType(),
            name: req.getName(),
            parent: parentOf(req.getParent()),
            custom: req.getCustom(),
            provider: req.getProvider() ? typeAndName(req.getProvider().split("::").slice(0, -1).join("::")) : undefined,
            dependsOn: [...dependsOn].sort(),
            inputs: unwire(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
            protect: req.getProtect() === true,
            retainOnDelete: req.getRetainondelete() === true,
            replaceOnChanges: req.getReplaceonchangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace() === true,
        });
        return register(req, callback);
    };
    return registrations;
}

/**
 * Evaluates `program` (a module exporting the stack's function; Pulumi.yaml's `main` unless given) for
 * `stack` and returns the registrations in the order the engine received them. `files` are the stack's
 * files when the caller has read them already. As the engine does, it runs the program in the
 * directory of Pulumi.yaml's `main` (paths the program hands to providers are relative to it). Call once
 * per process: the Pulumi runtime is global state.
 */
export async function evaluateStack(
    stack: string,
    { program: programPath, files = readStackFiles(stack) }: { program?: string; files?: StackFiles } = {},
): Promise<Registration[]> {
    const main = pulumiMain();
    const programDir = path.dirname(main);
    if (!fs.existsSync(programDir)) {
        throw new Error(`${path.relative(projectDir(), programDir)} does not exist: run \`npm run build\` first`);
    }
    const environment = files.config[`${project}:environment`] as { subscriptionId?: string } | undefined;
    const subscriptionId = environment?.subscriptionId ?? "00000000-0000-0000-0000-000000000000";
    await pulumi.runtime.setMocks(offlineMocks({ clusterOutputs: files.clusterOutputs, subscriptionId }), project, stack, false);
    const { values, secretKeys } = runtimeConfig(files.config);
    pulumi.runtime.setAllConfig(values, secretKeys);

    const registrations = captureRegistrations();
    // A resource whose inputs fail once known (an Output checked late) fails its registration; the runtime
    // reports it only as an unhandled rejection. Collected here, it fails the evaluation with its message.
    const failures: Error[] = [];
    const collect = (reason: unknown) => failures.push(reason instanceof Error ? reason : new Error(String(reason)));
    process.on("unhandledRejection", collect);
    const startedIn = process.cwd();
    process.chdir(programDir);
    try {
        const program = require(programPath ?? main);
        await pulumi.runtime.runInPulumiStack(async () => program());
        await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    } finally {
        process.chdir(startedIn);
    }
    await pulumi.runtime.disconnect();
    // Node reports a rejection as unhandled once the queue it was made in has drained: wait for that.
    await new Promise((resolve) => setTimeout(resolve, 0));
    process.off("unhandledRejection", collect);
    if (failures.length > 0) {
        // One message per failure; the same error often fails several resources.
        const messages = [...new Set(failures.map((f) => f.message.replace(/^error serializing property "[^"]*": /, "")))];
        throw new Error(`stack "${stack}" does not evaluate:\n${messages.join("\n")}`);
    }
    return registrations.filter((r) => r.type !== "pulumi:pulumi:Stack");
}
