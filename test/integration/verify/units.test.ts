// The pure parts: which workloads carry a sidecar, the Prometheus text format, the token's expiry,
// and the remote-write verdict.

import * as assert from "node:assert/strict";
import { loadAzureIdentity } from "../../../components/verify/azure";
import { meshExpectations } from "../../../components/verify/workloads";
import { loadClientNode } from "../../../components/verify/kubeClient";
import { parseIpRanges } from "../../../components/verify/ipRanges";
import { limiter } from "../../../components/verify/limit";
import { ExpositionError, parseExposition, samplesOf } from "../../../components/verify/promText";
import { judgeRemoteWrite, remoteWriteState } from "../../../components/verify/remoteWrite";
import { jwtExpiry, tokenExpiry } from "../../../components/verify/token";
import { fixtureNow, readText } from "./fakeKube";

describe("ama-metrics-istio-verify building blocks", () => {
    describe("meshExpectations", () => {
        const sidecars = (...args: Parameters<typeof meshExpectations>) =>
            Object.fromEntries(Object.entries(meshExpectations(...args)).map(([role, e]) => [role, e!.sidecar]));

        it("meshes every prometheus workload in sidecar mode and only the shards in certificates mode", () => {
            assert.deepEqual(sidecars("prometheus", "sidecar", false), { collector: true, kubeStateMetrics: true });
            assert.deepEqual(sidecars("prometheus", "certificates", false), {
                collector: true,
                kubeStateMetrics: false,
            });
            assert.deepEqual(sidecars("prometheus", "off", false), { collector: false, kubeStateMetrics: false });
        });

        it("meshes ama-metrics' node DaemonSet only when asked, and its Windows DaemonSet never", () => {
            const all = { collector: true, targetAllocator: true, kubeStateMetrics: true };
            assert.deepEqual(sidecars("ama-metrics", "sidecar", false), { ...all, node: false, windowsNode: false });
            assert.deepEqual(sidecars("ama-metrics", "sidecar", true), { ...all, node: true, windowsNode: false });
            assert.deepEqual(sidecars("ama-metrics", "certificates", true), {
                collector: true,
                targetAllocator: true,
                kubeStateMetrics: false,
                node: false,
                windowsNode: false,
            });
            assert.deepEqual(Object.values(sidecars("ama-metrics", "off", true)), [false, false, false, false, false]);
        });

        it("shares the certificate with the workloads that read it (ama-metrics' target allocator too), in certificates mode only", () => {
            const readers = { prometheus: ["collector"], "ama-metrics": ["collector", "targetAllocator"] };
            for (const collector of ["prometheus", "ama-metrics"] as const) {
                for (const mode of ["sidecar", "certificates", "off"] as const) {
                    const withCerts = Object.entries(meshExpectations(collector, mode, false))
                        .filter(([, e]) => e!.certificates)
                        .map(([r]) => r);
                    assert.deepEqual(withCerts, mode === "certificates" ? readers[collector] : [], `${collector}/${mode}`);
                }
            }
        });
    });

    describe("the Prometheus text format", () => {
        it("reads an agent's /metrics: counters with long labels, a summary, a histogram with +Inf", () => {
            const exposition = parseExposition(readText("prometheus", "metrics-shard-0.txt"));
            const [sent] = samplesOf(exposition, "prometheus_remote_storage_samples_total");
            assert.equal(sent.value, 1843217);
            assert.equal(sent.labels.remote_name, "azure-monitor");
            assert.match(sent.labels.url, /^https:\/\/amw-aks-prod-k3v9\..*\/api\/v1\/write\?api-version=2023-04-24$/);
            const buckets = samplesOf(exposition, "prometheus_remote_storage_sent_batch_duration_seconds_bucket");
            assert.equal(buckets.length, 16);
            assert.deepEqual(buckets.at(-1)!.labels.le, "+Inf");
            assert.equal(samplesOf(exposition, "go_gc_duration_seconds").find((s) => s.labels.quantile === "1")!.value, 0.004521907);
            assert.equal(exposition.types["prometheus_remote_storage_sent_batch_duration_seconds"], "histogram");
            assert.match(exposition.help["prometheus_build_info"], /labeled by version, revision/);
        });

        it("reads escapes, special values, timestamps, spacing, a trailing comma and CRLF", () => {
            const text = [
                "# HELP odd A help with a \\\\ backslash\\nand a newline",
                "# TYPE odd gauge",
                'odd{path="C:\\\\temp",quote="say \\"hi\\"",multi="a\\nb",} 1.5e+3 1795953600000',
                'odd{ spaced = "x" }\t-Inf',
                "nan_value NaN",
                "plus_inf +Inf\r",
                "# a plain comment",
                "# EOF",
                "",
            ].join("\n");
            const exposition = parseExposition(text);
            const [odd, spaced] = samplesOf(exposition, "odd");
            assert.deepEqual(odd, {
                name: "odd",
                labels: { path: "C:\\temp", quote: 'say "hi"', multi: "a\nb" },
                value: 1500,
                timestampMs: 1795953600000,
            });
            assert.deepEqual(spaced.labels, { spaced: "x" });
            assert.equal(spaced.value, -Infinity);
            assert.ok(Number.isNaN(samplesOf(exposition, "nan_value")[0].value));
            assert.equal(samplesOf(exposition, "plus_inf")[0].value, Infinity);
            assert.equal(exposition.help.odd, "A help with a \\ backslash\nand a newline");
        });

        it("names the line it cannot read", () => {
            const bad = (line: string) => {
                try {
                    parseExposition(`ok 1\n${line}\n`);
                } catch (error) {
                    assert.ok(error instanceof ExpositionError);
                    assert.equal(error.line, 2);
                    return error.message;
                }
                return assert.fail(`accepted ${line}`);
            };
            assert.equal(bad('m{a="1} 2'), "line 2: unterminated value of label a");
            assert.equal(bad("m{a=1} 2"), "line 2: expected a quoted value for label a");
            assert.equal(bad('m{a="1" b="2"} 3'), "line 2: expected , or } after label a");
            assert.equal(bad('m{a="1",a="2"} 3'), "line 2: label a given twice");
            assert.equal(bad("m twelve"), 'line 2: invalid value "twelve"');
            assert.equal(bad("m"), "line 2: expected a value and an optional timestamp after m");
            assert.equal(bad("m 1 2 3"), "line 2: expected a value and an optional timestamp after m");
            assert.equal(bad("m 1 soon"), 'line 2: invalid timestamp "soon"');
            assert.equal(bad("9m 1"), 'line 2: invalid metric name at "9m 1"');
            assert.equal(bad("# TYPE m sometimes"), 'line 2: unknown metric type "sometimes"');
        });
    });

    describe("the token's expiry", () => {
        const data = (text: string) => ({ token: Buffer.from(text).toString("base64") });
        const jwt = (claims: object) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2lnbmF0dXJl`;

        it("reads expires_on of the JSON token response, as a string or a number", () => {
            assert.deepEqual(tokenExpiry(data('{"access_token":"x","expires_on":"1796025600","token_type":"Bearer"}')), {
                found: true,
                expiresAt: new Date("2026-11-30T08:00:00Z"),
                source: "expires_on",
            });
            const numeric = tokenExpiry(data('{"expires_on":1796025600}'));
            assert.ok(numeric.found && numeric.expiresAt.getTime() === 1796025600000);
        });

        it("falls back to the access token's exp claim, and reads a bare JWT", () => {
            const fromAccessToken = tokenExpiry(data(JSON.stringify({ access_token: jwt({ exp: 1796000000 }), token_type: "Bearer" })));
            assert.deepEqual(fromAccessToken, {
                found: true,
                expiresAt: new Date(1796000000 * 1000),
                source: "the access token's exp claim",
            });
            const bare = tokenExpiry(data(`${jwt({ aud: "https://monitor.azure.com/", exp: 1796000001 })}\n`));
            assert.deepEqual(bare, {
                found: true,
                expiresAt: new Date(1796000001 * 1000),
                source: "the JWT's exp claim",
            });
            assert.equal(jwtExpiry(jwt({ aud: "x" })), undefined, "a JWT without exp");
        });

        it("says what it found when neither is there", () => {
            assert.deepEqual(tokenExpiry(undefined), {
                found: false,
                reason: 'the secret has no "token" key (keys: none)',
            });
            assert.deepEqual(tokenExpiry({ "token.json": "e30=" }), {
                found: false,
                reason: 'the secret has no "token" key (keys: token.json)',
            });
            assert.deepEqual(tokenExpiry(data('{"expires_on":"tomorrow","token_type":"Bearer"}')), {
                found: false,
                reason: '"token" is JSON without a readable expires_on or access_token (fields: expires_on, token_type)',
            });
            assert.deepEqual(tokenExpiry(data("{not json")), {
                found: false,
                reason: '"token" starts like JSON but does not parse',
            });
            assert.equal(tokenExpiry(data("opaque")).found, false);
        });
    });

    describe("the remote-write verdict", () => {
        const metrics = (sent: number, failed: number, highestSent: number) =>
            [
                `prometheus_remote_storage_samples_total{remote_name="a",url="u"} ${sent}`,
                `prometheus_remote_storage_samples_failed_total{remote_name="a",url="u"} ${failed}`,
                `prometheus_remote_storage_queue_highest_sent_timestamp_seconds{remote_name="a",url="u"} ${highestSent}`,
            ].join("\n");
        const now = fixtureNow;
        const seconds = now.getTime() / 1000;
        const minutesAgo = (m: number) => new Date(now.getTime() - m * 60000);
        const judge = (text: string, podStartedMinutesAgo = 120, serverDate?: Date) =>
            judgeRemoteWrite({
                pod: "p",
                text,
                podStarted: minutesAgo(podStartedMinutesAgo),
                now,
                ...(serverDate && { serverDate }),
            });

        it("sums the queues", () => {
            const text = `${metrics(10, 1, seconds - 5)}\nprometheus_remote_storage_samples_total{remote_name="b",url="v"} 5\nprometheus_remote_storage_queue_highest_sent_timestamp_seconds{remote_name="b",url="v"} ${seconds - 1}`;
            assert.deepEqual(remoteWriteState(text), { sent: 15, failed: 1, highestSent: seconds - 1, queues: 2 });
        });

        it("passes fresh data without failures", () => {
            assert.equal(judge(metrics(100, 0, seconds - 30)).status, "pass");
        });

        it("judges freshness by the server's Date, not the local clock", () => {
            assert.equal(judge(metrics(100, 0, seconds - 30), 120, minutesAgo(10)).status, "pass");
            assert.equal(judge(metrics(100, 0, seconds - 30 - 600), 120, now).status, "fail");
        });

        it("fails failures of an old pod, warns about those of a young one", () => {
            assert.equal(judge(metrics(100, 100, seconds - 5)).status, "fail");
            assert.equal(judge(metrics(100, 100, seconds - 5), 29).status, "warn");
        });

        it("fails stale data and an empty queue, except right after the pod started", () => {
            const stale = judge(metrics(100, 0, seconds - 6 * 60));
            assert.equal(stale.status, "fail");
            assert.match(stale.message, /newest sent 6 min ago: nothing sent in the last 5 minutes/);
            assert.equal(judge(metrics(0, 0, 0)).status, "fail");
            assert.match(judge(metrics(0, 0, 0)).message, /newest sent never/);
            assert.equal(judge(metrics(0, 0, 0), 1).status, "warn");
        });

        it("fails without a queue or with unreadable metrics", () => {
            assert.match(judge("go_goroutines 12").message, /no remote-write queue/);
            assert.match(judge("<html>503</html>").message, /does not parse \(line 1:/);
        });
    });

    describe("the captured address ranges", () => {
        it("holds an address in any of the comma-separated IPv4 and IPv6 ranges, and nothing else", () => {
            const ranges = parseIpRanges(" 10.0.0.0/16, fd00:10::/108,192.168.1.7");
            assert.deepEqual(
                ["10.0.0.1", "10.0.255.255", "10.1.0.0", "fd00:10::1", "fd00:11::1", "192.168.1.7", "192.168.1.8"].map(ranges.holds),
                [true, true, false, true, false, true, false],
            );
            assert.deepEqual(ranges.unreadable, []);
        });

        it("holds every address for *, none for the empty text, and names entries that are no range", () => {
            assert.ok(parseIpRanges("*").holds("172.16.0.1") && parseIpRanges("*").holds("::1"));
            assert.ok(!parseIpRanges("").holds("10.0.0.1"));
            const wrong = parseIpRanges("10.0.0.0/33,services,10.0.0.0/16/8,fd00::/x,10.0.0.0/8");
            assert.deepEqual(wrong.unreadable, ["10.0.0.0/33", "services", "10.0.0.0/16/8", "fd00::/x"]);
            assert.ok(wrong.holds("10.200.0.1"));
            assert.ok(!wrong.holds("not an address"));
        });
    });

    describe("the plumbing", () => {
        it("runs at most the limit of tasks at once, all of them", async () => {
            const limit = limiter(3);
            let running = 0;
            let most = 0;
            const releases: (() => void)[] = [];
            const tasks = Array.from({ length: 10 }, (_, i) =>
                limit(async () => {
                    running++;
                    most = Math.max(most, running);
                    await new Promise<void>((resolve) => releases.push(resolve));
                    running--;
                    return i;
                }),
            );
            // Release the tasks one by one as they start, with no timer involved.
            while (releases.length > 0 || running > 0) {
                await new Promise((resolve) => setImmediate(resolve));
                releases.shift()?.();
            }
            assert.deepEqual(await Promise.all(tasks), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
            assert.equal(most, 3);
        });

        it("loads the ES-module Kubernetes client and @azure/identity by dynamic import", async () => {
            assert.equal(typeof (await loadClientNode()).KubeConfig, "function");
            assert.equal(typeof (await loadAzureIdentity()).DefaultAzureCredential, "function");
        });
    });
});
