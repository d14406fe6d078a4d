// Runs the command's entry point against fake clusters built from the fixtures.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CliIo, main } from "../../../components/verify/cli";
import type { CheckResult, CheckStatus } from "../../../components/verify/types";
import { FakeKube, fixtureNow, readObjects, readText } from "./fakeKube";

export const repoRoot = path.resolve(__dirname, "../../..");

let scratch: string | undefined;

/** A directory inside the repository (under the ignored .tools/) for files the tests write. */
export function scratchDir(): string {
    if (scratch === undefined) {
        const tools = path.join(repoRoot, ".tools");
        fs.mkdirSync(tools, { recursive: true });
        scratch = fs.mkdtempSync(path.join(tools, "verify-test-"));
        const dir = scratch;
        process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    }
    return scratch;
}

let kubeconfigs = 0;

/** A kubeconfig whose current context points at `server` (plain HTTP, so TLS verification is off). */
export function writeKubeconfig(server: string, extraContexts: string[] = []): string {
    const file = path.join(scratchDir(), `kubeconfig-${++kubeconfigs}`);
    const contexts = ["fake", ...extraContexts].map((name) => `  - name: ${name}\n    context: {cluster: fake, user: tester}\n`).join("");
    fs.writeFileSync(
        file,
        `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster:
      server: ${server}
      insecure-skip-tls-verify: true
users:
  - name: tester
    user:
      token: fake-token
contexts:
${contexts}current-context: fake
`,
    );
    return file;
}

/** The healthy prometheus installation: sidecar mode, revision asm-1-27, two shards, service CIDR 10.0.0.0/16. */
export async function prometheusCluster(): Promise<FakeKube> {
    const fake = new FakeKube();
    for (const file of ["namespace", "statefulsets", "deployments", "daemonsets", "pods", "serviceaccounts", "peerauthentications"]) {
        fake.add(...readObjects("prometheus", `${file}.json`));
    }
    fake.add(...readObjects("kube-system", "deployments.json"), ...readObjects("kube-system", "daemonsets.json"));
    fake.add(...readObjects("default", "services.json"));
    fake.metrics.set("monitoring/prometheus-shard-0-0", readText("prometheus", "metrics-shard-0.txt"));
    fake.metrics.set("monitoring/prometheus-shard-1-0", readText("prometheus", "metrics-shard-1.txt"));
    return fake.start();
}

export const prometheusArgs = ["--namespace", "monitoring", "--collector", "prometheus", "--revision", "asm-1-27", "--shards", "2"];

/** The healthy ama-metrics installation: sidecar mode, default revision, node DaemonSet not meshed, service CIDR 10.0.0.0/16. */
export async function amaMetricsCluster(): Promise<FakeKube> {
    const fake = new FakeKube();
    for (const file of ["namespace", "deployments", "daemonsets", "statefulsets", "pods", "peerauthentications", "kube-system"]) {
        fake.add(...readObjects("ama-metrics", `${file}.json`));
    }
    fake.add(...readObjects("kube-system", "deployments.json"), ...readObjects("kube-system", "daemonsets.json"));
    fake.add(...readObjects("default", "services.json"));
    fake.metrics.set("monitoring/ama-metrics-operator-targets-5056e327c9-h8t2m", readText("ama-metrics", "metrics-target-allocator.txt"));
    return fake.start();
}

export const amaMetricsArgs = ["--namespace", "monitoring", "--collector", "ama-metrics"];

export interface Run {
    code: number;
    stdout: string;
    stderr: string;
    /** The JSON report's checks (empty when the run printed none). */
    checks: CheckResult[];
    elapsedMs: number;
}

/** Runs `main` with `--json` against a server, at the fixtures' time unless told otherwise. */
export async function verify(server: string, args: string[], io: Partial<CliIo> = {}): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const started = Date.now();
    const code = await main([...args, "--kubeconfig", writeKubeconfig(server), "--json"], {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
        now: () => fixtureNow,
        ...io,
    });
    return {
        code,
        stdout,
        stderr,
        checks: stdout === "" ? [] : (JSON.parse(stdout).checks as CheckResult[]),
        elapsedMs: Date.now() - started,
    };
}

/** The results of one check id. */
function resultsOf(run: Run, id: string): CheckResult[] {
    return run.checks.filter((c) => c.id === id);
}

/** Asserts that check `id` has exactly `status` (all its results when it reports several), and returns them. */
export function expectStatus(run: Run, id: string, status: CheckStatus): CheckResult[] {
    const results = resultsOf(run, id);
    assert.ok(results.length > 0, `no result for ${id}: ${run.stdout}${run.stderr}`);
    assert.ok(
        results.some((r) => r.status === status),
        `${id}: expected ${status}, got ${JSON.stringify(results, null, 2)}`,
    );
    return results.filter((r) => r.status === status);
}

/** Asserts that every check passed except the ones named, and that the exit code follows. */
export function expectOnlyProblems(run: Run, problems: Record<string, CheckStatus>): void {
    for (const check of run.checks) {
        const wanted = problems[check.id];
        if (wanted === undefined) {
            assert.equal(check.status, "pass", `${check.id} should pass: ${check.message} / ${check.fix}`);
        }
    }
    for (const [id, status] of Object.entries(problems)) {
        expectStatus(run, id, status);
    }
    assert.equal(run.code, Object.values(problems).includes("fail") ? 1 : 0, run.stderr);
}
