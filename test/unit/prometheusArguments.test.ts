// Arguments the prometheus collector refuses: each comes back in the package's one error shape
// (`<argument> = <value>: <what is wrong>; <the fix>`), and the component registers nothing.

import assert from "node:assert/strict";
import { AmaMetricsIstio, AmaMetricsIstioArgs, AmaMetricsIstioArgumentError } from "../../components";
import { refusedTargets, scrapeJobs } from "../../components/prometheus/jobs";
import { baseArgs, clusterId, mockStack, settled, testProviders } from "../harness";

const shape = /^(?<argument>[^\s=]+) = (?<value>.+?): (?<what>[^;]+); (?<fix>.+)$/;

/** Constructs the component under fresh mocks; returns its error and every registration it caused. */
async function refused(args: AmaMetricsIstioArgs): Promise<{ error: AmaMetricsIstioArgumentError; registered: string[] }> {
    const registrations = mockStack();
    // The test's explicit providers register themselves; nothing else may.
    const providers = testProviders();
    let error: unknown;
    try {
        new AmaMetricsIstio("metrics", args, { providers });
    } catch (e) {
        error = e;
    }
    await settled();
    assert.ok(error instanceof AmaMetricsIstioArgumentError, `expected an argument error, got ${String(error)}`);
    return {
        error,
        registered: registrations.filter((r) => !r.type.startsWith("pulumi:providers:")).map((r) => `${r.type}::${r.name}`),
    };
}

/** The one problem of the error, checked against the shape and the expected text. */
function assertOneProblem(error: AmaMetricsIstioArgumentError, expected: string): void {
    assert.deepEqual(error.messages, [expected]);
    assert.match(expected, shape);
    assert.ok(error.message.includes(`  - ${expected}`), error.message);
}

const cluster = { resourceId: clusterId, location: "westeurope" };

describe("prometheus collector: refused arguments", () => {
    const cases: Array<{ title: string; args: AmaMetricsIstioArgs; problem: string }> = [
        {
            title: "no OIDC issuer",
            args: baseArgs({ cluster }),
            problem:
                "cluster.oidcIssuerUrl = undefined: the prometheus collector authenticates with Workload ID, which trusts the cluster's OIDC issuer; give it (`az aks show --query oidcIssuerProfile.issuerUrl`; enable it with `az aks update --enable-oidc-issuer --enable-workload-identity`)",
        },
        {
            title: "an OIDC issuer that is not https",
            args: baseArgs({ cluster: { ...cluster, oidcIssuerUrl: "http://westeurope.oic.prod-aks.azure.com/t/c/" } }),
            problem:
                'cluster.oidcIssuerUrl = "http://westeurope.oic.prod-aks.azure.com/t/c/": not an AKS OIDC issuer URL; use the URL `az aks show --query oidcIssuerProfile.issuerUrl` prints, with its trailing "/", e.g. "https://westeurope.oic.prod-aks.azure.com/<tenant>/<id>/"',
        },
        {
            title: "fewer than one shard",
            args: baseArgs({ prometheus: { shards: 0 } }),
            problem: "prometheus.shards = 0: fewer than 1; give a whole number from 1 to 32",
        },
        {
            title: "more than 32 shards",
            args: baseArgs({ prometheus: { shards: 33 } }),
            problem: "prometheus.shards = 33: more than 32; give a whole number from 1 to 32, and size each shard's resources",
        },
        {
            title: "a fractional number of shards",
            args: baseArgs({ prometheus: { shards: 1.5 } }),
            problem: "prometheus.shards = 1.5: not a whole number; give a whole number from 1 to 32",
        },
        {
            title: "chart with the prometheus collector",
            args: baseArgs({ chart: { version: "7.1.0-main-07-07-2026-548e23dc" } }),
            problem:
                'chart = {"version":"7.1.0-main-07-07-2026-548e23dc"}: only the ama-metrics collector uses it, the collector is "prometheus"; drop it, or set collector: "ama-metrics"',
        },
        {
            title: "tokenSecret with the prometheus collector",
            args: baseArgs({ tokenSecret: { name: "aad-msi-auth-token" } }),
            problem:
                'tokenSecret = {"name":"aad-msi-auth-token"}: only the ama-metrics collector uses it, the collector is "prometheus"; drop it, or set collector: "ama-metrics"',
        },
        ...scrapeJobs.map(({ name: job }) => ({
            title: `a scrape job named like the default job ${job}`,
            args: baseArgs({ scrapeConfigs: [{ job_name: job, static_configs: [{ targets: ["app:8080"] }] }] }),
            problem: `scrapeConfigs[0].job_name = "${job}": the prometheus collector already runs a job of that name; give the job a name of its own`,
        })),
        {
            title: "a scrape job named like the certificates mode's mTLS job",
            args: baseArgs({
                scrapeConfigs: [{ job_name: "istio-mtls-pods" }],
                istio: { mode: "certificates", revision: "asm-1-27" },
            }),
            problem:
                'scrapeConfigs[0].job_name = "istio-mtls-pods": the prometheus collector already runs a job of that name; give the job a name of its own',
        },
        ...refusedTargets.map(({ target, reason, fix }) => ({
            title: `the add-on target ${target}, which only its node DaemonSet can scrape`,
            args: baseArgs({ prometheus: { targets: { [target]: true } } }),
            problem: `prometheus.targets.${target} = true: ${reason}; ${fix}`,
        })),
        {
            title: "an unknown target",
            args: baseArgs({ prometheus: { targets: { windowsexporter: true } as never } }),
            problem:
                'prometheus.targets.windowsexporter = true: unknown argument; did you mean "nodeexporter"? known here: "kubelet", "cadvisor", "nodeexporter", "kubestate", "acstor-capacity-provisioner", "acstor-metrics-exporter", "networkobservabilityRetina", "networkobservabilityHubble", "networkobservabilityCilium", "coredns", "kubeproxy", "apiserver", "kappiebasic"',
        },
        {
            title: "an annotation namespace pattern that is not a regular expression",
            args: baseArgs({ prometheus: { podAnnotationNamespaces: "shop(" } }),
            problem:
                'prometheus.podAnnotationNamespaces = "shop(": not a regular expression Prometheus compiles (RE2: error parsing regexp: missing closing ): `^(?s:shop()$`); give an RE2 regular expression over namespace names, e.g. "shop|orders" (no lookaround such as (?!…))',
        },
        {
            title: "one kube-state-metrics per shard with a single shard",
            args: baseArgs({ prometheus: { shardKubeStateMetrics: true } }),
            problem:
                "prometheus.shardKubeStateMetrics = true: with one shard there is nothing to divide kube-state-metrics over; drop it, or set prometheus.shards above 1",
        },
        {
            // JavaScript's RegExp takes a lookahead; Prometheus' RE2 refuses it, and with it the whole file.
            title: "an annotation namespace pattern only JavaScript compiles (a lookahead)",
            args: baseArgs({ prometheus: { podAnnotationNamespaces: "^(?!kube-system).*" } }),
            problem:
                'prometheus.podAnnotationNamespaces = "^(?!kube-system).*": not a regular expression Prometheus compiles (RE2: error parsing regexp: invalid or unsupported Perl syntax: `(?!`); give an RE2 regular expression over namespace names, e.g. "shop|orders" (no lookaround such as (?!…))',
        },
    ];

    for (const { title, args, problem } of cases) {
        it(`refuses ${title}, registering nothing`, async () => {
            const { error, registered } = await refused(args);
            assertOneProblem(error, problem);
            assert.deepEqual(registered, []);
        });
    }

    it("registers the component for the same arguments made valid (the check above can see registrations)", async () => {
        const registrations = mockStack();
        new AmaMetricsIstio("metrics", baseArgs(), { providers: testProviders() });
        await settled();
        assert.ok(registrations.some((r) => r.type === "ama-metrics-istio:index:AmaMetricsIstio"));
        assert.ok(registrations.some((r) => r.type === "kubernetes:apps/v1:StatefulSet"));
    });

    it("lists every problem at once, each in the same shape", async () => {
        const { error, registered } = await refused(
            baseArgs({ cluster, chart: {}, tokenSecret: {}, scrapeConfigs: [{ job_name: "node" }] }),
        );
        assert.equal(error.messages.length, 4);
        for (const line of error.messages) {
            assert.match(line, shape);
        }
        assert.deepEqual(
            error.messages.map((line) => line.match(shape)!.groups!.argument),
            ["chart", "tokenSecret", "cluster.oidcIssuerUrl", "scrapeConfigs[0].job_name"],
        );
        assert.deepEqual(registered, []);
    });
});
