// The command as users and CI run it: exit codes, the JSON and text reports, the run's time budget
// against servers that refuse or never answer, and the compiled bin as a child process.

import * as assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { clockFrom, clockVariable, main } from "../../../components/verify/cli";
import { FakeKube, fixtureNow, readText } from "./fakeKube";
import {
    amaMetricsArgs,
    amaMetricsCluster,
    prometheusArgs,
    prometheusCluster,
    repoRoot,
    scratchDir,
    verify,
    writeKubeconfig,
} from "./harness";

/** A port on 127.0.0.1 where nothing listens: connections are refused at once. */
async function closedPort(): Promise<number> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

async function runMain(args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main(args, {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        now: () => fixtureNow,
    });
    return { code, stdout, stderr };
}

/**
 * Runs a command to its end without blocking this process, which serves the fake API. The command's
 * clock is the fixtures' (test-only variable), never the machine's: the fixtures' token has a fixed expiry.
 */
function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const env = { ...process.env, [clockVariable]: fixtureNow.toISOString() };
        const child = spawn(command, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

describe("ama-metrics-istio-verify command", () => {
    let fake: FakeKube;

    describe("its clock", () => {
        it("is the machine's unless the test-only variable names a time, which it then keeps", () => {
            const machine = clockFrom({})();
            assert.ok(Math.abs(machine.getTime() - Date.now()) < 5000);
            assert.ok(Math.abs(clockFrom({ [clockVariable]: "" })().getTime() - Date.now()) < 5000);
            assert.equal(clockFrom({ [clockVariable]: "2026-11-29T12:00:00Z" })().toISOString(), "2026-11-29T12:00:00.000Z");
        });

        it("refuses a variable that is not a time, naming it and saying to unset it", () => {
            assert.throws(
                () => clockFrom({ [clockVariable]: "yesterday" }),
                new RegExp(`${clockVariable} = "yesterday": not an ISO 8601 time; unset it`),
            );
        });
    });

    afterEach(() => fake?.stop());

    it("exits 0 with the JSON report of a healthy installation: id, status, message and fix per check", async () => {
        fake = await prometheusCluster();
        const result = await verify(fake.url, prometheusArgs);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, "");
        const report = JSON.parse(result.stdout);
        assert.deepEqual(Object.keys(report), ["checks"]);
        for (const check of report.checks) {
            assert.deepEqual(Object.keys(check), ["id", "status", "message", "fix"]);
            assert.equal(check.status, "pass");
            assert.equal(check.fix, "");
        }
    });

    it("exits 0 with warnings only, and 1 when a check fails", async () => {
        fake = await prometheusCluster();
        fake.metrics.set("monitoring/prometheus-shard-0-0", readText("variants", "metrics-forbidden.txt"));
        const failing = await verify(fake.url, prometheusArgs);
        assert.equal(failing.code, 1);
        fake.get<{ status: { startTime: string } }>("Pod", "prometheus-shard-0-0").status.startTime = "2026-11-29T11:50:00Z";
        const young = await verify(fake.url, prometheusArgs);
        assert.ok(young.checks.some((c) => c.status === "warn"));
        assert.ok(!young.checks.some((c) => c.status === "fail"), young.stdout);
        assert.equal(young.code, 0);
    });

    it("prints one line per check, with the fix indented below a warning or failure", async () => {
        fake = await amaMetricsCluster();
        fake.remove("Service", "ama-metrics-operator-targets", "kube-system");
        const result = await runMain([...amaMetricsArgs, "--kubeconfig", writeKubeconfig(fake.url)]);
        assert.equal(result.code, 1);
        const lines = result.stdout.trimEnd().split("\n");
        assert.ok(lines.includes("PASS  namespace.exists  namespace monitoring exists"), result.stdout);
        const failed = lines.findIndex((l) =>
            l.startsWith("FAIL  kube-system.alias  Service kube-system/ama-metrics-operator-targets is missing"),
        );
        assert.ok(failed >= 0, result.stdout);
        assert.match(lines[failed + 1], /^ {6}fix: run pulumi up: the agent images dial ama-metrics-operator-targets.kube-system.svc/);
        assert.equal(lines.filter((l) => !l.startsWith("      fix: ")).length, 18);
    });

    it("exits 2 on usage errors, naming each, and 0 with the help", async () => {
        const usage = await runMain(["--namespace", "monitoring", "--collector", "foo", "--verbose"]);
        assert.equal(usage.code, 2);
        assert.equal(usage.stdout, "");
        assert.equal(
            usage.stderr,
            "ama-metrics-istio-verify: --verbose = true: unknown flag; known flags: --namespace, --collector, --mesh-mode, --revision, --mesh-node, --shards, --sharded-kube-state-metrics, --token-secret, --kubeconfig, --context, --json, --azure, --cluster-id, --workspace-id, --timeout, --help\n" +
                'ama-metrics-istio-verify: --collector = "foo": unknown collector; use one of "prometheus", "ama-metrics"\n' +
                "Run with --help for the flags.\n",
        );
        const help = await runMain(["--help"]);
        assert.equal(help.code, 0);
        assert.match(help.stdout, /^Usage: ama-metrics-istio-verify --namespace <ns> --collector <prometheus\|ama-metrics>/);
    });

    it("exits 2 on an unreadable kubeconfig or an unknown context", async () => {
        const missing = await runMain([...prometheusArgs, "--kubeconfig", path.join(scratchDir(), "absent")]);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /--kubeconfig = ".*absent": cannot load: ENOENT/);
        const context = await runMain([
            ...prometheusArgs,
            "--kubeconfig",
            writeKubeconfig("http://127.0.0.1:9", ["staging"]),
            "--context",
            "prod",
        ]);
        assert.equal(context.code, 2);
        assert.match(context.stderr, /--context = "prod": no such context in the kubeconfig; use one of fake, staging/);
    });

    it("exits 2 at once when the API server's port refuses connections", async () => {
        const server = `http://127.0.0.1:${await closedPort()}`;
        const started = Date.now();
        const result = await runMain([...prometheusArgs, "--kubeconfig", writeKubeconfig(server), "--timeout", "5"]);
        assert.equal(result.code, 2);
        assert.match(result.stderr, new RegExp(`API server = "${server}": unreachable API server \\(connect ECONNREFUSED`));
        assert.ok(Date.now() - started < 5000);
    });

    it("exits 2 within --timeout when the API server never answers", async () => {
        fake = await new FakeKube().start();
        fake.behaviour = "hang";
        const started = Date.now();
        const result = await runMain([...prometheusArgs, "--kubeconfig", writeKubeconfig(fake.url), "--timeout", "0.5"]);
        const elapsed = Date.now() - started;
        assert.equal(result.code, 2);
        assert.equal(
            result.stderr,
            `ama-metrics-istio-verify: API server = "${fake.url}": unreachable API server: no answer within 0.5 s (GET /api/v1/namespaces/monitoring); ` +
                "check that this machine reaches it (VPN, private cluster, --context), or raise --timeout\n",
        );
        assert.ok(elapsed >= 450 && elapsed < 3000, `${elapsed} ms`);
    });

    it("exits 2 on an auth error", async () => {
        fake = await new FakeKube().start();
        fake.behaviour = "unauthorized";
        const result = await runMain([...prometheusArgs, "--kubeconfig", writeKubeconfig(fake.url)]);
        assert.equal(result.code, 2);
        assert.match(
            result.stderr,
            /API server = ".*": auth error: HTTP 401 Unauthorized, the credentials were refused; refresh the credentials, e.g. az aks get-credentials/,
        );
    });

    describe("the compiled bin", function () {
        // One build of the command alone, as `npm run build` compiles it (rootDir components).
        this.timeout(60000);
        let cli: string;
        let relocator: string;

        before(() => {
            const out = path.join(scratchDir(), "build");
            fs.mkdirSync(out, { recursive: true });
            const tsconfig = path.join(out, "tsconfig.json");
            fs.writeFileSync(
                tsconfig,
                JSON.stringify({
                    extends: path.join(repoRoot, "tsconfig.build.json"),
                    compilerOptions: {
                        rootDir: path.join(repoRoot, "components"),
                        outDir: path.join(out, "dist"),
                        declaration: false,
                        declarationMap: false,
                        sourceMap: false,
                    },
                    include: [
                        path.join(repoRoot, "components/verify/**/*.ts"),
                        path.join(repoRoot, "components/amaMetrics/postRenderer.ts"),
                    ],
                }),
            );
            execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", tsconfig], {
                cwd: repoRoot,
                stdio: "pipe",
            });
            cli = path.join(out, "dist", "verify", "cli.js");
            relocator = path.join(out, "dist", "amaMetrics", "postRenderer.js");
        });

        it("both bins check the Node version first and say they need Node ≥ 22", async () => {
            // Node 20 as process.versions reports it, set before the bin loads (-r runs first).
            const older = path.join(scratchDir(), "node20.cjs");
            fs.writeFileSync(older, 'Object.defineProperty(process.versions, "node", { value: "20.19.2" });\n');
            for (const [bin, name, args] of [
                [cli, "ama-metrics-istio-verify", [...prometheusArgs, "--kubeconfig", path.join(scratchDir(), "absent")]],
                [relocator, "ama-metrics-istio-relocate", ["--namespace", "monitoring"]],
            ] as const) {
                const result = await run(process.execPath, ["-r", older, bin, ...args]);
                assert.equal(result.code, 2, name);
                assert.equal(result.stdout, "");
                assert.equal(
                    result.stderr,
                    `${name}: needs Node ≥ 22; this is Node 20.19.2. Install Node 22 or later (https://nodejs.org, or nvm install 22) and run it again.\n`,
                );
            }
        });

        it("is the package's bin, starts with a shebang, and loads the ES-module client by dynamic import", async () => {
            const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
            assert.equal(manifest.bin["ama-metrics-istio-verify"], "dist/verify/cli.js");
            assert.match(fs.readFileSync(cli, "utf8"), /^#!\/usr\/bin\/env node\n/);
            assert.match(fs.readFileSync(path.join(path.dirname(cli), "kubeClient.js"), "utf8"), /import\("@kubernetes\/client-node"\)/);

            fake = await amaMetricsCluster();
            // Without require(esm), as on Node 22 before 22.12: only a real import() loads the client.
            const result = await run(process.execPath, [
                "--no-experimental-require-module",
                cli,
                ...amaMetricsArgs,
                "--kubeconfig",
                writeKubeconfig(fake.url),
                "--json",
            ]);
            assert.equal(result.code, 0, result.stderr);
            const checks = JSON.parse(result.stdout).checks as { status: string }[];
            assert.equal(checks.length, 18);
            assert.ok(checks.every((c) => c.status === "pass"));
        });

        it("loads no Pulumi SDK: it shares the package's pure core (shapes, mesh rules, facts) and starts fast", () => {
            const loaded = execFileSync(
                process.execPath,
                ["-e", `require(${JSON.stringify(cli)}); console.log(JSON.stringify(Object.keys(require.cache)))`],
                { cwd: repoRoot, encoding: "utf8" },
            );
            const modules: string[] = JSON.parse(loaded);
            assert.ok(
                modules.some((f) => f.endsWith(path.join("core", "shapes.js"))),
                "the command checks its flags with core/shapes",
            );
            assert.deepEqual(
                modules.filter((f) => f.includes("@pulumi")),
                [],
            );
        });

        it("exits 1 on a failing check and 2 within --timeout against a server that never answers", async () => {
            fake = await prometheusCluster();
            fake.remove("PeerAuthentication", "default");
            const failing = await run(process.execPath, [cli, ...prometheusArgs, "--kubeconfig", writeKubeconfig(fake.url)]);
            assert.equal(failing.code, 1, failing.stderr);
            assert.match(failing.stdout, /^FAIL {2}mesh.peer-authentication {2}no namespace-wide PeerAuthentication/m);

            fake.behaviour = "hang";
            const started = Date.now();
            const hung = await run(process.execPath, [cli, ...prometheusArgs, "--kubeconfig", writeKubeconfig(fake.url), "--timeout", "1"]);
            const elapsed = Date.now() - started;
            assert.equal(hung.code, 2);
            assert.match(hung.stderr, /unreachable API server: no answer within 1 s/);
            // The budget runs from the command's start; Node's start and a busy machine come on top. A
            // process held open by the unanswered request would run until the test's own timeout.
            assert.ok(elapsed < 10000, `${elapsed} ms`);
        });
    });
});
