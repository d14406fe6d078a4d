// The ama-metrics collector's checks, end to end through the command's entry point, against a fake
// API server serving a healthy installation and each broken variant of it.

import * as assert from "node:assert/strict";
import { FakeKube, fixtureNow, readObjects, readText, ServedObject } from "./fakeKube";
import { amaMetricsArgs, amaMetricsCluster, expectOnlyProblems, expectStatus, verify } from "./harness";

/** The token secret's value as AKS writes it: the identity's token response as JSON. */
function tokenJson(expiresOn: Date): string {
    const seconds = Math.floor(expiresOn.getTime() / 1000);
    return JSON.stringify({
        access_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21vbml0b3IuYXp1cmUuY29tLyJ9.c2ln",
        expires_in: "86399",
        expires_on: String(seconds),
        ext_expires_in: "86399",
        not_before: String(seconds - 86400),
        resource: "https://monitor.azure.com/",
        token_type: "Bearer",
    });
}

const hours = (h: number) => new Date(fixtureNow.getTime() + h * 3600 * 1000);

describe("ama-metrics-istio-verify, ama-metrics collector", () => {
    let fake: FakeKube;
    const run = (args: string[] = amaMetricsArgs) => verify(fake.url, args);
    const setToken = (value: string) => {
        fake.get<{ data: Record<string, string> }>("Secret", "aad-msi-auth-token", "kube-system").data.token =
            Buffer.from(value).toString("base64");
    };

    beforeEach(async () => {
        fake = await amaMetricsCluster();
    });
    afterEach(() => fake.stop());

    it("passes every check of a healthy installation", async () => {
        const result = await run();
        expectOnlyProblems(result, {});
        assert.deepEqual(
            [...new Set(result.checks.map((c) => c.id))],
            [
                "kube-system.alias",
                "kube-system.no-addon",
                "kube-system.token-reader",
                "mesh.ambient",
                "mesh.peer-authentication",
                "mesh.service-cidr",
                "namespace.exists",
                "namespace.injection-label",
                "pods.revision",
                "pods.sidecars",
                "target-allocator.collectors",
                "token.expiry",
                "token.secret",
                "workloads.rolled-out",
            ],
        );
        assert.equal(result.checks.filter((c) => c.id === "workloads.rolled-out").length, 5);
        assert.equal(
            result.checks.find((c) => c.id === "token.expiry")!.message,
            "the token expires at 2026-11-30T08:00:00.000Z, in 20 h 0 min (from expires_on)",
        );
    });

    it("reads only, with GETs", async () => {
        await run();
        assert.deepEqual(
            fake.requests.filter((r) => r.method !== "GET"),
            [],
        );
        assert.ok(fake.requests.some((r) => r.url === "/api/v1/namespaces/kube-system/secrets/aad-msi-auth-token"));
    });

    describe("target-allocator.collectors", () => {
        const allocatorPod = "monitoring/ama-metrics-operator-targets-5056e327c9-h8t2m";
        const withoutTargetRequests = () =>
            readText("ama-metrics", "metrics-target-allocator.txt")
                .split("\n")
                .filter((line) => !line.includes('path="/jobs/:job_id/targets"'))
                .join("\n");

        it("reads the allocator's /metrics through a port-forward to port 8080 and passes on collectors and target requests", async () => {
            const result = await run();
            const [hop] = expectStatus(result, "target-allocator.collectors", "pass");
            assert.equal(
                hop.message,
                "pod ama-metrics-operator-targets-5056e327c9-h8t2m: 2 collectors to allocate to, 5470 requests for targets on /jobs/:job_id/targets",
            );
            assert.ok(
                fake.requests.some(
                    (r) =>
                        r.url === "/api/v1/namespaces/monitoring/pods/ama-metrics-operator-targets-5056e327c9-h8t2m/portforward?ports=8080",
                ),
            );
        });

        it("fails when no collector fetched its targets, naming discoverySelectors in the sidecar mode", async () => {
            fake.metrics.set(allocatorPod, withoutTargetRequests());
            const result = await run();
            expectOnlyProblems(result, { "target-allocator.collectors": "fail" });
            const [cut] = expectStatus(result, "target-allocator.collectors", "fail");
            assert.match(cut.message, /0 requests for targets on \/jobs\/:job_id\/targets: no collector fetched its targets/);
            assert.match(cut.fix, /the collectors dial ama-metrics-operator-targets.kube-system.svc, the component's ExternalName alias/);
            assert.match(cut.fix, /if meshConfig.discoverySelectors leave kube-system out, add it/);
        });

        it("fails when the allocator knows no collector, and only warns while it is younger than 2 minutes", async () => {
            fake.metrics.set(
                allocatorPod,
                readText("ama-metrics", "metrics-target-allocator.txt").replace(
                    'opentelemetry_allocator_collectors_allocatable{strategy="consistent-hashing"} 2',
                    'opentelemetry_allocator_collectors_allocatable{strategy="consistent-hashing"} 0',
                ),
            );
            const [none] = expectStatus(await run(), "target-allocator.collectors", "fail");
            assert.match(none.message, /0 collectors to allocate to.*the allocator knows no collector/);

            fake.get<{ status: { startTime: string } }>(
                "Pod",
                "ama-metrics-operator-targets-5056e327c9-h8t2m",
                "monitoring",
            ).status.startTime = new Date(fixtureNow.getTime() - 60 * 1000).toISOString();
            const [young] = expectStatus(await run(), "target-allocator.collectors", "warn");
            assert.match(young.message, /the pod started 1 min ago$/);
        });

        it("judges only the running pods it read: a terminating allocator pod of the old ReplicaSet does not make it could not check", async () => {
            // Mid-rollout: the old pod is being deleted (deletionTimestamp set) while its phase is still Running.
            const old = structuredClone(fake.get<ServedObject>("Pod", "ama-metrics-operator-targets-5056e327c9-h8t2m", "monitoring"));
            old.metadata.name = "ama-metrics-operator-targets-6b7c8d9e0f-q4w7z";
            old.metadata.labels = { ...old.metadata.labels, "pod-template-hash": "6b7c8d9e0f" };
            old.metadata.deletionTimestamp = new Date(fixtureNow.getTime() - 10 * 1000).toISOString();
            fake.add(old);
            const findings = (await run()).checks.filter((c) => c.id === "target-allocator.collectors");
            assert.deepEqual(
                findings.map((c) => [c.status, c.message]),
                [
                    [
                        "pass",
                        "pod ama-metrics-operator-targets-5056e327c9-h8t2m: 2 collectors to allocate to, 5470 requests for targets on /jobs/:job_id/targets",
                    ],
                ],
            );
            assert.ok(!fake.requests.some((r) => r.url.includes("/pods/ama-metrics-operator-targets-6b7c8d9e0f-q4w7z/portforward")));
        });

        it("could not check when nothing listens on the allocator's port (exit 2)", async () => {
            fake.metrics.delete(allocatorPod);
            const result = await run();
            const [unread] = expectStatus(result, "target-allocator.collectors", "error");
            assert.match(
                unread.message,
                /could not read \/metrics through a port-forward to port 8080 \(HTTP 502: .*connection refused\)$/,
            );
            assert.equal(result.code, 2);
        });
    });

    it("fails token.expiry when the borrowed token has expired, and explains why", async () => {
        setToken(tokenJson(hours(-3)));
        const result = await run();
        expectOnlyProblems(result, { "token.expiry": "fail" });
        const [expired] = expectStatus(result, "token.expiry", "fail");
        assert.match(expired.message, /^the token expired at 2026-11-29T09:00:00.000Z \(3 h 0 min ago, from expires_on\)/);
        assert.match(
            expired.message,
            /borrows this token from the AKS managed add-on, and AKS refreshes it only while an add-on that uses it is enabled/,
        );
    });

    it("warns on token.expiry when less than 2 hours are left, without failing the run", async () => {
        setToken(tokenJson(hours(1.5)));
        const result = await run();
        expectOnlyProblems(result, { "token.expiry": "warn" });
        assert.match(expectStatus(result, "token.expiry", "warn")[0].message, /in 1 h 30 min/);
    });

    it("reads the expiry of a bare JWT, and fails clearly when neither format is there", async () => {
        const claims = Buffer.from(JSON.stringify({ aud: "https://monitor.azure.com/", exp: hours(10).getTime() / 1000 })).toString(
            "base64url",
        );
        setToken(`eyJhbGciOiJSUzI1NiJ9.${claims}.c2ln`);
        assert.match(expectStatus(await run(), "token.expiry", "pass")[0].message, /in 10 h 0 min \(from the JWT's exp claim\)/);
        setToken("not a token");
        const [unknown] = expectStatus(await run(), "token.expiry", "fail");
        assert.match(
            unknown.message,
            /cannot tell when the token expires: "token" holds neither JSON with expires_on nor a JWT with an exp claim/,
        );
    });

    it("fails token.secret (and token.expiry) when the secret is missing", async () => {
        fake.remove("Secret", "aad-msi-auth-token", "kube-system");
        const result = await run();
        expectOnlyProblems(result, { "token.secret": "fail", "token.expiry": "fail" });
        assert.match(expectStatus(result, "token.secret", "fail")[0].fix, /enable the managed Prometheus add-on once/);
    });

    describe("with the component's tokenSecret elsewhere (--token-secret)", () => {
        const customArgs = [...amaMetricsArgs, "--token-secret", "secrets/agent-token"];

        beforeEach(() => {
            // What the component creates for tokenSecret { namespace: "secrets", name: "agent-token" }: the
            // reader Role and RoleBinding next to the secret, naming it.
            const secret = fake.get<{ metadata: { name: string; namespace: string } }>("Secret", "aad-msi-auth-token", "kube-system");
            Object.assign(secret.metadata, { name: "agent-token", namespace: "secrets" });
            for (const kind of ["Role", "RoleBinding"]) {
                fake.get<{ metadata: { namespace: string } }>(
                    kind,
                    "ama-metrics-token-reader-monitoring",
                    "kube-system",
                ).metadata.namespace = "secrets";
            }
            fake.get<{ rules: { resourceNames: string[] }[] }>(
                "Role",
                "ama-metrics-token-reader-monitoring",
                "secrets",
            ).rules[0].resourceNames = ["agent-token"];
        });

        it("reads that secret and its reader Role and RoleBinding, and passes", async () => {
            const result = await run(customArgs);
            expectOnlyProblems(result, {});
            assert.equal(expectStatus(result, "token.secret", "pass")[0].message, "Secret secrets/agent-token exists");
            assert.equal(
                expectStatus(result, "kube-system.token-reader", "pass")[0].message,
                "Role and RoleBinding secrets/ama-metrics-token-reader-monitoring let monitoring/ama-metrics-serviceaccount read agent-token",
            );
            const paths = fake.requests.map((r) => r.url);
            assert.ok(paths.includes("/api/v1/namespaces/secrets/secrets/agent-token"));
            assert.ok(
                paths.includes("/apis/rbac.authorization.k8s.io/v1/namespaces/secrets/rolebindings/ama-metrics-token-reader-monitoring"),
            );
            assert.ok(!paths.some((p) => p.includes("aad-msi-auth-token")));
        });

        it("fails without the flag, where AKS's secret and a reader for it are missing", async () => {
            const result = await run();
            expectOnlyProblems(result, { "token.secret": "fail", "token.expiry": "fail", "kube-system.token-reader": "fail" });
            assert.equal(
                expectStatus(result, "token.secret", "fail")[0].message,
                "Secret kube-system/aad-msi-auth-token does not exist: the agent has no token to send metrics with",
            );
        });

        it("names the secret in the fixes: it is not AKS's, and the documented ClusterRole does not list it", async () => {
            fake.remove("Secret", "agent-token", "secrets");
            const [missing] = expectStatus(await run(customArgs), "token.secret", "fail");
            assert.match(
                missing.fix,
                /^give --token-secret as the component's tokenSecret; AKS itself writes only kube-system\/aad-msi-auth-token/,
            );
            fake.overrides.set("/api/v1/namespaces/secrets/secrets/agent-token", {
                status: 403,
                body: {
                    kind: "Status",
                    apiVersion: "v1",
                    status: "Failure",
                    reason: "Forbidden",
                    code: 403,
                    message: 'secrets "agent-token" is forbidden',
                },
            });
            const [refused] = expectStatus(await run(customArgs), "token.secret", "error");
            assert.match(refused.message, /^could not read Secret secrets\/agent-token: HTTP 403: secrets "agent-token" is forbidden/);
            assert.match(
                refused.fix,
                /ClusterRole ama-metrics-istio-verify .*, with "agent-token" added to the resourceNames of its secrets rule$/,
            );
        });
    });

    it("fails kube-system.alias when the Service is not an ExternalName alias of the relocated one", async () => {
        const service = fake.get<{ spec: Record<string, unknown> }>("Service", "ama-metrics-operator-targets", "kube-system");
        service.spec = { type: "ClusterIP", clusterIP: "10.0.112.4", ports: [{ port: 80, targetPort: 8080 }] };
        const result = await run();
        expectOnlyProblems(result, { "kube-system.alias": "fail" });
        assert.match(
            expectStatus(result, "kube-system.alias", "fail")[0].message,
            /is type ClusterIP, not an ExternalName alias of ama-metrics-operator-targets.monitoring.svc/,
        );
        service.spec = { type: "ExternalName", externalName: "ama-metrics-operator-targets.other.svc.cluster.local" };
        expectStatus(await run(), "kube-system.alias", "fail");
        fake.remove("Service", "ama-metrics-operator-targets", "kube-system");
        expectStatus(await run(), "kube-system.alias", "fail");
    });

    it("accepts the alias with another cluster domain", async () => {
        const service = fake.get<{ spec: Record<string, unknown> }>("Service", "ama-metrics-operator-targets", "kube-system");
        service.spec = {
            type: "ExternalName",
            externalName: "ama-metrics-operator-targets.monitoring.svc.corp.example.",
        };
        expectOnlyProblems(await run(), {});
    });

    it("fails kube-system.token-reader when the binding names another service account, or the Role is gone", async () => {
        const binding = fake.get<{ subjects: { namespace: string }[] }>(
            "RoleBinding",
            "ama-metrics-token-reader-monitoring",
            "kube-system",
        );
        binding.subjects[0].namespace = "kube-system";
        const result = await run();
        expectOnlyProblems(result, { "kube-system.token-reader": "fail" });
        assert.match(
            expectStatus(result, "kube-system.token-reader", "fail")[0].message,
            /the binding does not name ServiceAccount monitoring\/ama-metrics-serviceaccount/,
        );
        fake.remove("Role", "ama-metrics-token-reader-monitoring", "kube-system");
        assert.match(
            expectStatus(await run(), "kube-system.token-reader", "fail")[0].message,
            /^Role kube-system\/ama-metrics-token-reader-monitoring is missing/,
        );
    });

    it("fails pods.sidecars when an unmeshed node pod carries a sidecar, and when --mesh-node expects one", async () => {
        const nodePod = fake.get<{ spec: { containers: { name: string }[] } }>("Pod", "ama-metrics-node-b9k2s", "monitoring");
        nodePod.spec.containers.push({ name: "istio-proxy" });
        const [unexpected] = expectStatus(await run(), "pods.sidecars", "fail");
        assert.match(
            unexpected.message,
            /an istio-proxy sidecar on ama-metrics-node-b9k2s \(ama-metrics-node\), which mode sidecar keeps out of the mesh/,
        );
        const [missing] = expectStatus(await run([...amaMetricsArgs, "--mesh-node"]), "pods.sidecars", "fail");
        assert.match(
            missing.message,
            /no istio-proxy sidecar on ama-metrics-node-4xv7n \(ama-metrics-node\), ama-metrics-node-t6p3f \(ama-metrics-node\)/,
        );
    });

    it("fails mesh.service-cidr when the cluster's service range is another than the one the meshed pods capture", async () => {
        fake.remove("Service", "kubernetes", "default");
        fake.add(...readObjects("variants", "kubernetes-service-other-cidr.json"));
        const result = await run();
        expectOnlyProblems(result, { "mesh.service-cidr": "fail" });
        const [outside] = expectStatus(result, "mesh.service-cidr", "fail");
        // The collector, the target allocator and kube-state-metrics; the unmeshed node pods do not count.
        assert.match(
            outside.message,
            /^Service default\/kubernetes has cluster IP 10.2.0.1, outside the ranges the proxies of ama-metrics-112e544f23-h8t2m /,
        );
        assert.match(outside.message, /ama-metrics-operator-targets-5056e327c9-h8t2m .*ama-metrics-ksm-47f5606395-h8t2m /);
        assert.doesNotMatch(outside.message, /ama-metrics-node/);
        assert.match(
            outside.message,
            /\(the collector's calls to its target allocator fail, and so does the scrape of kube-state-metrics\)$/,
        );
        assert.match(outside.fix, /^set cluster.serviceCidr to the cluster's service CIDR/);
    });

    it("fails workloads.rolled-out for a DaemonSet still rolling out", async () => {
        const daemonSet = fake.get<{ status: Record<string, number> }>("DaemonSet", "ama-metrics-node", "monitoring");
        daemonSet.status.updatedNumberScheduled = 2;
        daemonSet.status.numberReady = 2;
        const result = await run();
        expectOnlyProblems(result, { "workloads.rolled-out": "fail" });
        assert.equal(
            expectStatus(result, "workloads.rolled-out", "fail")[0].message,
            "DaemonSet ama-metrics-node: 2/3 ready, 2/3 updated, generation 4 observed: not rolled out",
        );
    });

    describe("in certificates mode", () => {
        interface PodFixture {
            metadata: { name: string; labels: Record<string, string> };
            spec: { containers: { name: string; volumeMounts?: object[] }[]; volumes?: object[] };
        }
        const certificatesArgs = [...amaMetricsArgs, "--mesh-mode", "certificates"];
        const pods = () => readObjects("ama-metrics", "pods.json").map((p) => fake.get<PodFixture>("Pod", p.metadata.name, "monitoring"));
        const readers: Record<string, string> = { "ama-metrics": "prometheus-collector", "ama-metrics-operator-targets": "config-reader" };

        beforeEach(() => {
            // The namespace is not meshed; the collector and the target allocator opt in and share the certificate.
            delete fake.get<{ metadata: { labels: Record<string, string> } }>("Namespace", "monitoring").metadata.labels["istio-injection"];
            for (const pod of pods()) {
                const reader = readers[pod.metadata.labels.rsName];
                if (reader !== undefined) {
                    pod.spec.volumes = [...(pod.spec.volumes ?? []), { name: "istio-certs", emptyDir: { medium: "Memory" } }];
                    const container = pod.spec.containers.find((c) => c.name === reader)!;
                    container.volumeMounts = [
                        ...(container.volumeMounts ?? []),
                        { name: "istio-certs", mountPath: "/etc/prom-certs/", readOnly: true },
                    ];
                } else if (pod.metadata.labels["app.kubernetes.io/name"] === "ama-metrics-ksm") {
                    pod.spec.containers = pod.spec.containers.filter((c) => c.name !== "istio-proxy");
                }
            }
        });

        it("passes when the collector and the target allocator's config reader mount the certificates", async () => {
            const result = await run(certificatesArgs);
            expectOnlyProblems(result, {});
            assert.match(
                result.checks.find((c) => c.id === "pods.sidecars")!.message,
                /sidecar expected on ama-metrics, ama-metrics-operator-targets; .*the pods of ama-metrics, ama-metrics-operator-targets mount istio-certs$/,
            );
        });

        it("fails pods.sidecars when the target allocator's config reader does not mount them", async () => {
            const allocator = pods().find((p) => p.metadata.labels.rsName === "ama-metrics-operator-targets")!;
            allocator.spec.containers.find((c) => c.name === "config-reader")!.volumeMounts = [];
            const result = await run(certificatesArgs);
            expectOnlyProblems(result, { "pods.sidecars": "fail" });
            const [unshared] = expectStatus(result, "pods.sidecars", "fail");
            assert.match(
                unshared.message,
                /certificates not shared: ama-metrics-operator-targets-5056e327c9-h8t2m \(ama-metrics-operator-targets\): container config-reader does not mount istio-certs$/,
            );
        });
    });

    it("expects no namespace label and no namespace-wide policy in the off mode", async () => {
        const result = await run([...amaMetricsArgs, "--mesh-mode", "off"]);
        const [label] = expectStatus(result, "namespace.injection-label", "fail");
        assert.match(label.message, /has injection labels: istio-injection=enabled; off mode wants none/);
        assert.match(label.fix, /kubectl label namespace monitoring istio-injection- --overwrite/);
        assert.equal(result.checks.filter((c) => c.id === "mesh.peer-authentication").length, 0);
    });
});
