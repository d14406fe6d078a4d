// The per-environment program: each stack evaluates offline, its plan matches the reviewed golden
// plan, bad stack config is refused by name, and the dependency graph keeps its contract.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseEnvironment } from "../environment";
import type { Registration } from "../scripts/offline";
import { formatPlan } from "../scripts/plan";

const root = path.resolve(__dirname, "..");
const stacks = ["dev", "staging", "prod"];

function plan(stack: string, ...flags: string[]) {
    const child = spawnSync(process.execPath, ["--require", "ts-node/register/transpile-only", "scripts/plan.ts", stack, ...flags], {
        cwd: root,
        encoding: "utf8",
    });
    return child;
}

const key = (r: Registration) => `${r.type}::${r.name}`;

/** The longest chain of dependencies ending in each resource, over resources the stack creates. */
function longestChain(registrations: Registration[]): string[] {
    const byKey = new Map(registrations.map((r) => [key(r), r]));
    const memo = new Map<string, string[]>();
    const chain = (k: string): string[] => {
        if (!memo.has(k)) {
            const deps = byKey.get(k)!.dependsOn.filter((d) => byKey.has(d));
            const longest = deps.map(chain).reduce((a, b) => (b.length > a.length ? b : a), [] as string[]);
            memo.set(k, [...longest, k]);
        }
        return memo.get(k)!;
    };
    return [...byKey.keys()].map(chain).reduce((a, b) => (b.length > a.length ? b : a), [] as string[]);
}

// One offline evaluation per stack (each in its own process: the Pulumi runtime is global state).
const evaluated = new Map<string, Registration[]>();
function registrationsOf(stack: string): Registration[] {
    if (!evaluated.has(stack)) {
        const child = plan(stack, "--json");
        assert.equal(child.status, 0, child.stderr);
        evaluated.set(stack, JSON.parse(child.stdout));
    }
    return evaluated.get(stack)!;
}

describe("the per-environment program", () => {
    for (const stack of stacks) {
        describe(`stack ${stack}`, () => {
            let registrations: Registration[];
            before(() => {
                registrations = registrationsOf(stack);
            });

            it("evaluates offline, with explicit providers only", () => {
                const types = new Set(registrations.map((r) => r.type));
                for (const provider of ["pulumi:providers:kubernetes", "pulumi:providers:azure-native", "pulumi:providers:random"]) {
                    assert.ok(types.has(provider), `no explicit ${provider}`);
                }
                for (const r of registrations.filter((r) => r.custom && !r.type.startsWith("pulumi:"))) {
                    assert.ok(r.provider, `${key(r)} would use a default provider`);
                }
            });

            it("matches its golden plan", () => {
                const golden = path.join(root, "test", "golden", `${stack}.plan.yaml`);
                assert.ok(fs.existsSync(golden), `no golden plan: npm run --silent plan -- ${stack} > test/golden/${stack}.plan.yaml`);
                assert.equal(formatPlan(stack, registrations), fs.readFileSync(golden, "utf8"), `stack ${stack} drifted from its golden plan; review the change, then regenerate it with: npm run --silent plan -- ${stack} > test/golden/${stack}.plan.yaml`);
            });

            it("has the longest chain workspace → endpoint → rule → association → chart", () => {
                // Resources the stack creates: custom resources and the Chart (a remote component).
                const created = registrations.filter((r) => !r.type.startsWith("pulumi:") && (r.custom || r.type === "kubernetes:helm.sh/v4:Chart"));
                assert.deepEqual(
                    longestChain(created).map((k) => k.split("::")[0]),
                    [
                        "azure-native:monitor:AzureMonitorWorkspace",
                        "azure-native:monitor:DataCollectionEndpoint",
                        "azure-native:monitor:DataCollectionRule",
                        "azure-native:monitor:DataCollectionRuleAssociation",
                        "kubernetes:helm.sh/v4:Chart",
                    ],
                );
            });

            it("keeps Kubernetes and Istio objects off Azure resources they do not use", () => {
                for (const r of registrations.filter((r) => r.type.startsWith("kubernetes:"))) {
                    const azure = r.dependsOn.filter((d) => d.startsWith("azure-native:"));
                    if (r.type === "kubernetes:helm.sh/v4:Chart") {
                        // The agent fetches its configuration through the association: nothing else.
                        assert.deepEqual(azure, ["azure-native:monitor:DataCollectionRuleAssociation::ama-metrics-dcra"]);
                    } else {
                        assert.deepEqual(azure, [], `${key(r)} waits on ${azure.join(", ")}`);
                    }
                }
            });
        });
    }

    it("protects the workspace in prod only", () => {
        const protectedIn = stacks.filter((stack) => {
            return registrationsOf(stack).some((r) => r.type === "azure-native:monitor:AzureMonitorWorkspace" && r.protect);
        });
        assert.deepEqual(protectedIn, ["prod"]);
    });

    it("refuses an unknown stack with the list of known ones", () => {
        const child = plan("qa");
        assert.equal(child.status, 1);
        assert.match(child.stderr, /no stack "qa": stacks\/Pulumi\.qa\.yaml does not exist; known stacks: dev, prod, staging/);
    });

    describe("stack config", () => {
        const good = { subscriptionId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60", resourceGroupName: "rg", cluster: { stack: "acme/aks/dev" } };
        const cases: Array<[string, unknown, RegExp]> = [
            ["not a map", "monitoring", /ama-metrics-istio:environment = "monitoring": not a map/],
            ["unknown key", { ...good, namepsace: "monitoring" }, /environment\.namepsace = "monitoring": unknown key; use only subscriptionId, /],
            ["bad subscription", { ...good, subscriptionId: "prod-sub" }, /environment\.subscriptionId = "prod-sub": not a subscription id/],
            ["no resource group", { ...good, resourceGroupName: "" }, /environment\.resourceGroupName = "": missing/],
            ["no cluster", { ...good, cluster: undefined }, /environment\.cluster = undefined: missing; give cluster\.stack/],
            ["short stack name", { ...good, cluster: { stack: "aks/dev" } }, /environment\.cluster\.stack = "aks\/dev": not a fully qualified stack name; use <organization>\/<project>\/<stack>/],
            ["plain cluster without version", { ...good, cluster: { resourceId: "/x", location: "westeurope" } }, /environment\.cluster\.kubernetesVersion = undefined: missing while cluster\.stack is not set/],
            ["istio not a map", { ...good, istio: "sidecar" }, /environment\.istio = "sidecar": not a map/],
        ];
        for (const [title, raw, message] of cases) {
            it(`refuses ${title}`, () => {
                assert.throws(() => parseEnvironment(raw), (err: Error) => {
                    assert.match(err.message, message);
                    assert.match(err.message, /^stack config ama-metrics-istio:environment/);
                    return true;
                });
            });
        }
        it("accepts each stack's config", () => {
            for (const stack of stacks) {
                const { parse } = require("yaml");
                const config = parse(fs.readFileSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config;
                assert.doesNotThrow(() => parseEnvironment(config["ama-metrics-istio:environment"]));
                assert.deepEqual(config["pulumi:disable-default-providers"], ["*"]);
            }
        });
    });
});
