// When the command cannot read what it needs, it says "could not check" and exits 2, never 1: a CI deploy
// must not look broken when the verifier is (an identity without the ClusterRole, a failing API server, a
// proxy's login page, answers of the wrong shape). With --json, errors are a JSON object too.

import * as assert from "node:assert/strict";
import * as path from "node:path";
import { main } from "../../../components/verify/cli";
import { FakeKube, fixtureNow } from "./fakeKube";
import { amaMetricsArgs, amaMetricsCluster, prometheusArgs, prometheusCluster, scratchDir, verify, writeKubeconfig } from "./harness";

describe("ama-metrics-istio-verify, when it cannot read", () => {
    let fake: FakeKube | undefined;
    afterEach(() => fake?.stop());

    for (const [behaviour, seen] of [
        ["forbidden", /^could not read .*: HTTP 403: forbidden: User "ci" cannot get path/],
        ["server-error", /^could not read .*: HTTP 500: Internal error occurred: etcdserver: request timed out/],
        ["login-page", /^could not read .*: HTTP 200: the answer is not JSON: <!DOCTYPE html><html><head><title>Sign in/],
    ] as const) {
        for (const [collector, make, args] of [
            ["prometheus", prometheusCluster, prometheusArgs],
            ["ama-metrics", amaMetricsCluster, amaMetricsArgs],
        ] as const) {
            it(`${behaviour}, ${collector}: every check could not check, none failed, exit 2`, async () => {
                fake = await make();
                fake.behaviour = behaviour;
                const result = await verify(fake.url, [...args]);
                assert.equal(result.code, 2, result.stdout);
                assert.ok(result.checks.length >= 8, result.stdout);
                for (const check of result.checks) {
                    assert.equal(check.status, "error", `${check.id}: ${check.message}`);
                }
                assert.match(result.checks.find((c) => c.id === "namespace.exists")!.message, seen);
                if (behaviour === "forbidden") {
                    assert.ok(
                        result.checks.every((c) => c.fix.includes("ClusterRole ama-metrics-istio-verify") || c.fix.startsWith("see ")),
                    );
                }
            });
        }
    }

    for (const [answer, reason] of [
        [{ kind: "PodList", items: "nope" }, /the answer is not a list \(items is not an array\)/],
        [{ kind: "PodList", items: [null] }, /the answer is not a list of objects \(items\[0\] is null\)/],
        [[], /the answer is not a JSON object/],
    ] as const) {
        it(`reports a pod list answered as ${JSON.stringify(answer)} as could not check, without a stack trace`, async () => {
            fake = await prometheusCluster();
            fake.overrides.set("/api/v1/namespaces/monitoring/pods", { status: 200, body: answer });
            const result = await verify(fake.url, prometheusArgs);
            assert.equal(result.code, 2);
            assert.equal(result.stderr, "");
            const sidecars = result.checks.find((c) => c.id === "pods.sidecars")!;
            assert.equal(sidecars.status, "error");
            assert.match(sidecars.message, reason);
            assert.match(sidecars.message, /\(GET \/api\/v1\/namespaces\/monitoring\/pods\)$/);
        });
    }

    it("reports a field of an unexpected type deep inside an answer as could not check for the check that meets it", async () => {
        fake = await prometheusCluster();
        const shard = fake.get<{ spec: { containers: unknown } }>("Pod", "prometheus-shard-0-0", "monitoring");
        shard.spec.containers = "prometheus";
        const result = await verify(fake.url, prometheusArgs);
        assert.equal(result.code, 2);
        assert.equal(result.stderr, "");
        const wrong = result.checks.filter((c) => c.status === "error");
        assert.ok(wrong.length > 0, result.stdout);
        for (const check of wrong) {
            assert.match(check.message, /^could not check: an answer has an unexpected shape \(.+\)$/);
            assert.doesNotMatch(check.message, /\n\s+at /, "no stack trace");
        }
        assert.equal(result.checks.find((c) => c.id === "namespace.exists")!.status, "pass");
    });

    describe("--json", () => {
        const runJson = async (args: string[]) => {
            let stdout = "";
            let stderr = "";
            const code = await main([...args, "--json"], {
                stdout: (t) => (stdout += t),
                stderr: (t) => (stderr += t),
                now: () => fixtureNow,
            });
            return { code, stdout, stderr };
        };

        it("prints usage errors as a JSON object with every problem", async () => {
            const result = await runJson(["--namespace", "monitoring", "--collector", "foo"]);
            assert.equal(result.code, 2);
            assert.deepEqual(JSON.parse(result.stdout), {
                error: {
                    problems: [
                        {
                            argument: "--collector",
                            value: "foo",
                            message: 'unknown collector; use one of "prometheus", "ama-metrics"',
                            text: '--collector = "foo": unknown collector; use one of "prometheus", "ama-metrics"',
                        },
                    ],
                },
            });
        });

        it("prints connection and credential errors as a JSON object", async () => {
            const missing = await runJson([...prometheusArgs, "--kubeconfig", path.join(scratchDir(), "absent")]);
            assert.equal(missing.code, 2);
            const [problem] = JSON.parse(missing.stdout).error.problems;
            assert.equal(problem.argument, "--kubeconfig");
            assert.match(problem.message, /^cannot load: ENOENT/);

            fake = await new FakeKube().start();
            fake.behaviour = "unauthorized";
            const refused = await runJson([...prometheusArgs, "--kubeconfig", writeKubeconfig(fake.url)]);
            assert.equal(refused.code, 2);
            assert.match(JSON.parse(refused.stdout).error.problems[0].message, /^auth error: HTTP 401 Unauthorized/);
        });
    });
});
