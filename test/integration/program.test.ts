// The per-environment program: each stack evaluates offline as the plan script runs it, its plan matches
// the reviewed golden plan, bad stack config is refused by name, and the dependency graph keeps its contract.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { parseEnvironment } from "../../environment";
import { refuseStaleBuild } from "../../freshBuild";
import { readStackFiles, Registration } from "../../scripts/offline";
import { expectedSize, formatPlan } from "../../scripts/plan";
import { key } from "../harness";

const root = path.resolve(__dirname, "..", "..");
const stacks = ["dev", "staging", "prod"];

function plan(stack: string, options: { json?: boolean; cwd?: string } = {}) {
    return spawnSync(
        process.execPath,
        [
            "--require",
            require.resolve("ts-node/register/transpile-only"),
            path.join(root, "scripts", "plan.ts"),
            stack,
            ...(options.json ? ["--json"] : []),
        ],
        {
            cwd: options.cwd ?? root,
            encoding: "utf8",
            env: { ...process.env, TS_NODE_PROJECT: path.join(root, "tsconfig.json") },
        },
    );
}

/** The longest chain of dependencies ending in each resource, over resources the stack creates. */
function longestChain(registrations: Registration[]): string[] {
    const byKey = new Map(registrations.map((r) => [key(r), r]));
    const memo = new Map<string, string[]>();
    const chain = (k: string): string[] => {
        if (!memo.has(k)) {
            const longest = byKey
                .get(k)!
                .dependsOn.filter((d) => byKey.has(d))
                .map(chain)
                .reduce((a, b) => (b.length > a.length ? b : a), [] as string[]);
            memo.set(k, [...longest, k]);
        }
        return memo.get(k)!;
    };
    return [...byKey.keys()].map(chain).reduce((a, b) => (b.length > a.length ? b : a), [] as string[]);
}

// One offline evaluation per stack, each in its own process: the Pulumi runtime is global state.
const evaluated = new Map<string, Registration[]>();
function registrationsOf(stack: string): Registration[] {
    if (!evaluated.has(stack)) {
        const child = plan(stack, { json: true });
        assert.equal(child.status, 0, child.stderr);
        evaluated.set(stack, JSON.parse(child.stdout));
    }
    return evaluated.get(stack)!;
}

const stackConfig = (stack: string) => parse(fs.readFileSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config;
const collectorOf = (stack: string) => stackConfig(stack)["ama-metrics-istio:environment"].collector ?? "prometheus";
const shardsOf = (stack: string): number => stackConfig(stack)["ama-metrics-istio:environment"].prometheus?.shards ?? 1;

/** What the collector's Kubernetes objects may wait for on the Azure side: only what they use. */
const azureUsedBy: Array<[RegExp, RegExp]> = [
    // ama-metrics fetches its configuration through the association(s).
    [/^kubernetes:helm\.sh\/v4:Chart::/, /(DataCollectionRuleAssociation|PrivateLinkScopedResource)::/],
    // The ServiceAccount names the identity's client id.
    [/^kubernetes:core\/v1:ServiceAccount::.*\/prometheus-agent$/, /UserAssignedIdentity::/],
    // The configuration carries the ingestion URL, client and tenant ids.
    [/^kubernetes:core\/v1:ConfigMap::.*\/prometheus-shard-\d+$/, /(DataCollectionEndpoint|DataCollectionRule|UserAssignedIdentity)::/],
    // The shards write only once they may: role assignment and federated credential, and their configuration.
    [
        /^kubernetes:apps\/v1:StatefulSet::.*\/prometheus-shard-\d+$/,
        /(RoleAssignment::.*metrics-publisher|FederatedIdentityCredential|DataCollectionEndpoint|DataCollectionRule|UserAssignedIdentity|PrivateLinkScopedResource)::|metrics-publisher/,
    ],
];

describe("the per-environment program", () => {
    it("runs each collector in at least one stack", () => {
        assert.deepEqual([...new Set(stacks.map(collectorOf))].sort(), ["ama-metrics", "prometheus"]);
    });

    for (const stack of stacks) {
        describe(`stack ${stack}`, () => {
            let registrations: Registration[];
            before(() => {
                registrations = registrationsOf(stack);
            });

            it("evaluates offline, with explicit providers only", () => {
                const types = new Set(registrations.map((r) => r.type));
                for (const provider of ["pulumi:providers:kubernetes", "pulumi:providers:azure-native"]) {
                    assert.ok(types.has(provider), `no explicit ${provider}`);
                }
                for (const r of registrations.filter((r) => r.custom && !r.type.startsWith("pulumi:"))) {
                    assert.ok(r.provider, `${key(r)} would use a default provider`);
                }
            });

            it("matches its golden plan", () => {
                const golden = path.join(root, "test", "golden", `${stack}.plan.yaml`);
                const regenerate = `npm run --silent plan -- ${stack} > test/golden/${stack}.plan.yaml`;
                assert.ok(fs.existsSync(golden), `no golden plan: ${regenerate}`);
                assert.equal(
                    formatPlan(stack, registrations, expectedSize(stack, readStackFiles(stack).config)),
                    fs.readFileSync(golden, "utf8"),
                    `stack ${stack} drifted from its golden plan; review the change, then: ${regenerate}`,
                );
            });

            it("has the longest chain workspace → endpoint → rule → what the collector needs → the collector", () => {
                const created = registrations.filter(
                    (r) => !r.type.startsWith("pulumi:") && (r.custom || r.type === "kubernetes:helm.sh/v4:Chart"),
                );
                const chain = longestChain(created).map((k) => k.split("::")[0]);
                const head = [
                    "azure-native:monitor:AzureMonitorWorkspace",
                    "azure-native:monitor:DataCollectionEndpoint",
                    "azure-native:monitor:DataCollectionRule",
                ];
                assert.deepEqual(
                    chain,
                    collectorOf(stack) === "prometheus"
                        ? [
                              ...head,
                              "azure-native:authorization:RoleAssignment",
                              // The shards roll one after another: each StatefulSet waits for the previous one.
                              ...Array<string>(shardsOf(stack)).fill("kubernetes:apps/v1:StatefulSet"),
                          ]
                        : [...head, "azure-native:monitor:DataCollectionRuleAssociation", "kubernetes:helm.sh/v4:Chart"],
                );
            });

            it("keeps Kubernetes and Istio objects off Azure resources they do not use", () => {
                for (const r of registrations.filter((r) => r.type.startsWith("kubernetes:"))) {
                    const azure = r.dependsOn.filter((d) => d.startsWith("azure-native:"));
                    const allowed = azureUsedBy.find(([subject]) => subject.test(key(r)))?.[1];
                    for (const dependency of azure) {
                        assert.ok(allowed?.test(dependency), `${key(r)} waits on ${dependency}`);
                    }
                }
            });
        });
    }

    it("protects and retains the workspace in every stack but dev, which opts out", () => {
        const protectedIn = stacks.filter((stack) =>
            registrationsOf(stack).some((r) => r.type === "azure-native:monitor:AzureMonitorWorkspace" && r.protect && r.retainOnDelete),
        );
        assert.deepEqual(protectedIn, ["staging", "prod"]);
    });

    it("takes the service CIDR from the cluster stack, the one place each stack names it", () => {
        const captured = (stack: string) =>
            registrationsOf(stack)
                .filter((r) => r.type === "kubernetes:apps/v1:StatefulSet")
                .map((r) => (r.inputs as any).spec.template.metadata.annotations["traffic.sidecar.istio.io/includeOutboundIPRanges"]);
        const standIn = (stack: string) =>
            parse(fs.readFileSync(path.join(root, "stacks", "offline", `${stack}.cluster.yaml`), "utf8")).serviceCidr;
        for (const stack of ["staging", "prod"]) {
            assert.equal(stackConfig(stack)["ama-metrics-istio:environment"].cluster.serviceCidr, undefined, stack);
            assert.ok(captured(stack).length > 0, stack);
            assert.deepEqual(new Set(captured(stack)), new Set([standIn(stack)]), stack);
        }
    });

    it("refuses a service CIDR that contradicts the cluster stack's, naming both values and where each comes from", () => {
        const project = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        try {
            fs.mkdirSync(path.join(project, "stacks", "offline"), { recursive: true });
            fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
            // The compiled program, as the plan runs it (npm run build).
            fs.symlinkSync(path.join(root, "build"), path.join(project, "build"));
            const config = parse(fs.readFileSync(path.join(root, "stacks", "Pulumi.prod.yaml"), "utf8"));
            config.config["ama-metrics-istio:environment"].cluster.serviceCidr = "10.0.0.0/16";
            fs.writeFileSync(path.join(project, "stacks", "Pulumi.qa.yaml"), stringify(config));
            fs.copyFileSync(
                path.join(root, "stacks", "offline", "prod.cluster.yaml"),
                path.join(project, "stacks", "offline", "qa.cluster.yaml"),
            );
            const child = plan("qa", { cwd: project });
            assert.equal(child.status, 1, child.stdout);
            assert.match(
                child.stderr,
                /environment\.cluster\.serviceCidr = "10\.0\.0\.0\/16": stacks\/Pulumi\.qa\.yaml sets cluster\.serviceCidr 10\.0\.0\.0\/16, but the cluster stack acme\/aks-cluster\/prod exports serviceCidr "10\.240\.0\.0\/16"/,
            );
        } finally {
            fs.rmSync(project, { recursive: true, force: true });
        }
    });

    it("refuses an unknown stack with the list of known ones", () => {
        const child = plan("qa");
        assert.equal(child.status, 1);
        assert.match(child.stderr, /no stack "qa": stacks\/Pulumi\.qa\.yaml does not exist; known stacks: dev, prod, staging/);
    });

    it("names what a stack without offline stand-ins lacks", () => {
        const project = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        try {
            fs.mkdirSync(path.join(project, "stacks"));
            fs.copyFileSync(path.join(root, "stacks", "Pulumi.dev.yaml"), path.join(project, "stacks", "Pulumi.qa.yaml"));
            const child = plan("qa", { cwd: project });
            assert.equal(child.status, 1);
            assert.match(
                child.stderr,
                /stack "qa" reads its cluster from the stack acme\/aks-cluster\/dev, and stacks\/offline\/qa\.cluster\.yaml has no stand-ins/,
            );
        } finally {
            fs.rmSync(project, { recursive: true, force: true });
        }
    });

    describe("as Pulumi runs it", () => {
        it("is the compiled program, without ts-node or the TypeScript compiler", () => {
            const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
            assert.equal(project.runtime.options.typescript, false);
            assert.equal(project.main, "build/program/index.js");
            assert.ok(fs.existsSync(path.join(root, project.main)), "npm run build compiles it");
        });

        /** A project with the program's layout; returns a function setting a file's age in seconds. */
        function layout(dir: string): (file: string, age: number) => void {
            const files = ["build/program/index.js", "dist/index.js", "index.ts", "environment.ts", "components/core/args.ts"];
            for (const file of files) {
                fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
                fs.writeFileSync(path.join(dir, file), "");
            }
            const now = Date.now() / 1000;
            const age = (file: string, seconds: number) => fs.utimesSync(path.join(dir, file), now - seconds, now - seconds);
            files.forEach((file) => age(file, file.endsWith(".js") ? 10 : 100));
            return age;
        }

        it("runs when built after every source, and refuses a source changed since, naming it", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "program-"));
            try {
                const age = layout(dir);
                const program = path.join(dir, "build", "program", "index.js");
                assert.doesNotThrow(() => refuseStaleBuild(program));
                age("components/core/args.ts", 1);
                assert.throws(() => refuseStaleBuild(program), /older than components\/core\/args\.ts: run `npm run build`/);
                age("components/core/args.ts", 100);
                age("dist/index.js", 200);
                assert.throws(() => refuseStaleBuild(program), /older than .*index\.ts/);
                fs.rmSync(path.join(dir, "dist"), { recursive: true });
                assert.throws(() => refuseStaleBuild(program), /dist\/index\.js is missing: run `npm run build`/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("checks nothing when run from source (the offline plan, the tests)", () => {
            assert.doesNotThrow(() => refuseStaleBuild(path.join(os.tmpdir(), "no-such-project", "index.ts")));
        });
    });

    describe("a stack file the program refuses, as `npm run plan` shows it", () => {
        const cluster = {
            resourceId:
                "/subscriptions/6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-one",
            location: "westeurope",
            oidcIssuerUrl:
                "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/11111111-0000-0000-0000-000000000001/",
        };
        const environment = { subscriptionId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60", resourceGroupName: "rg-monitoring", cluster };
        const stackText = (env: unknown) =>
            stringify({
                config: {
                    "pulumi:disable-default-providers": ["*"],
                    "ama-metrics-istio:kubeconfig": "offline",
                    "ama-metrics-istio:environment": env,
                },
            });

        /** `npm run plan -- qa` in a project of its own with this stack file (and cluster stand-ins). */
        function planQa(stackFile: string, clusterOutputs?: Record<string, unknown>) {
            const project = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
            try {
                fs.mkdirSync(path.join(project, "stacks", "offline"), { recursive: true });
                fs.writeFileSync(
                    path.join(project, "Pulumi.yaml"),
                    stringify({ name: "ama-metrics-istio", main: path.join(root, "build", "program", "index.js") }),
                );
                fs.writeFileSync(path.join(project, "stacks", "Pulumi.qa.yaml"), stackFile);
                if (clusterOutputs) {
                    // Stand-ins name the cluster stack they stand in for (the stack file's cluster.stack).
                    const standInFor = parse(stackFile).config["ama-metrics-istio:environment"].cluster.stack;
                    fs.writeFileSync(
                        path.join(project, "stacks", "offline", "qa.cluster.yaml"),
                        stringify({ standInFor, ...clusterOutputs }),
                    );
                }
                return plan("qa", { cwd: project });
            } finally {
                fs.rmSync(project, { recursive: true, force: true });
            }
        }

        const prefix = "ama-metrics-istio:environment.";
        const cases: Array<[string, string, RegExp]> = [
            ["istio given as a string", stackText({ ...environment, istio: "sidecar" }), /environment\.istio = "sidecar": not a map/],
            [
                "a misspelt key",
                stackText({ ...environment, namespce: "monitoring" }),
                /environment\.namespce = "monitoring": unknown argument; did you mean "namespace"\?/,
            ],
            [
                "a missing resource group",
                stackText({ ...environment, resourceGroupName: undefined }),
                /environment\.resourceGroupName = undefined: missing/,
            ],
            [
                "a misspelt collector",
                stackText({ ...environment, collector: "promethues" }),
                /environment\.collector = "promethues": unknown collector/,
            ],
            [
                "a misspelt mesh key",
                stackText({ ...environment, istio: { mdoe: "sidecar" } }),
                /environment\.istio\.mdoe = "sidecar": unknown argument; did you mean "mode"\?/,
            ],
            [
                "tags given as a YAML list",
                stackText({ ...environment, tags: ["a", "b"] }),
                /environment\.tags = \["a","b"\]: not a map of tags/,
            ],
            [
                "a YAML syntax error",
                `config:\n  ama-metrics-istio:environment:\n    tags: [a, b\n`,
                /^plan failed: stacks\/Pulumi\.qa\.yaml is not valid YAML: /,
            ],
        ];
        for (const [title, stackFile, message] of cases) {
            it(`names the file and the key for ${title}, and writes no plan`, () => {
                const child = planQa(stackFile);
                assert.equal(child.status, 1);
                assert.equal(child.stdout, "");
                assert.match(child.stderr, message);
                if (!/YAML syntax/.test(title)) {
                    assert.match(
                        child.stderr,
                        /^plan failed: stacks\/Pulumi\.qa\.yaml: stack config ama-metrics-istio:environment is not usable:\n/,
                    );
                    for (const line of child.stderr.split("\n").filter((l) => l.startsWith("  - "))) {
                        assert.ok(line.startsWith(`  - ${prefix}`), line);
                    }
                }
                assert.doesNotMatch(child.stderr, /\n\s+at /, "a stack trace");
            });
        }

        it("names the cluster stack's output a refused fact came from", () => {
            const child = planQa(stackText({ ...environment, cluster: { stack: "acme/aks-cluster/qa" } }), {
                clusterResourceId: cluster.resourceId,
                location: "West Europe",
                oidcIssuerUrl: cluster.oidcIssuerUrl,
                kubeconfig: "offline",
            });
            assert.equal(child.status, 1);
            assert.equal(child.stdout, "");
            assert.match(
                child.stderr,
                /  - output location of the cluster stack acme\/aks-cluster\/qa = "West Europe": not an Azure region name/,
            );
        });

        it("writes nothing to stdout and no stack trace when an input fails once known (a stand-in issuer over http)", () => {
            const child = planQa(stackText({ ...environment, cluster: { stack: "acme/aks-cluster/qa" } }), {
                clusterResourceId: cluster.resourceId,
                location: "westeurope",
                oidcIssuerUrl: cluster.oidcIssuerUrl.replace("https:", "http:"),
                kubeconfig: "offline",
            });
            assert.equal(child.status, 1);
            assert.equal(child.stdout, "");
            assert.match(
                child.stderr,
                /^plan failed: stack "qa" does not evaluate:\n.*cluster\.oidcIssuerUrl = "http:\/\/westeurope[^"]*": not an AKS OIDC issuer URL/s,
            );
            assert.doesNotMatch(child.stderr, /\n\s+at /, "a stack trace");
        });
    });

    describe("stack config", () => {
        const good = {
            subscriptionId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60",
            resourceGroupName: "rg",
            cluster: { stack: "acme/aks/dev" },
        };
        const cases: Array<[string, unknown, RegExp]> = [
            ["not a map", "monitoring", /ama-metrics-istio:environment = "monitoring": not a map/],
            ["a bad subscription", { ...good, subscriptionId: "prod-sub" }, /environment\.subscriptionId = "prod-sub": not a GUID/],
            ["no cluster", { ...good, cluster: undefined }, /environment\.cluster = undefined: missing/],
            ["a cluster given as a string", { ...good, cluster: "aks-one" }, /environment\.cluster = "aks-one": not a map/],
            ["istio given as a string", { ...good, istio: "sidecar" }, /environment\.istio = "sidecar": not a map/],
            [
                "a short stack name",
                { ...good, cluster: { stack: "aks/dev" } },
                /environment\.cluster\.stack = "aks\/dev": not a fully qualified stack name; use <organization>\/<project>\/<stack>/,
            ],
            [
                "a plain cluster without a location",
                { ...good, cluster: { resourceId: "/x" } },
                /environment\.cluster\.location = undefined: missing while cluster\.stack is not set/,
            ],
        ];
        for (const [title, raw, message] of cases) {
            it(`refuses ${title}`, () => {
                assert.throws(
                    () => parseEnvironment(raw, "stacks/Pulumi.qa.yaml"),
                    (err: Error) => {
                        assert.match(err.message, /^stacks\/Pulumi\.qa\.yaml: stack config ama-metrics-istio:environment is not usable:/);
                        assert.match(err.message, message);
                        return true;
                    },
                );
            });
        }

        it("accepts each stack's config, and every stack turns default providers off", () => {
            for (const stack of stacks) {
                const config = stackConfig(stack);
                assert.doesNotThrow(() => parseEnvironment(config["ama-metrics-istio:environment"], `stacks/Pulumi.${stack}.yaml`));
                assert.deepEqual(config["pulumi:disable-default-providers"], ["*"]);
            }
        });
    });
});
