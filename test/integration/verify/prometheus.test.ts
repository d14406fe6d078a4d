// The prometheus collector's checks, end to end through the command's entry point, against a fake
// API server serving a healthy installation and each broken variant of it.

import * as assert from "node:assert/strict";
import { FakeKube, fixtureNow, readObjects, readText } from "./fakeKube";
import { expectOnlyProblems, expectStatus, prometheusArgs, prometheusCluster, verify } from "./harness";

interface PodFixture {
    metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
    spec: {
        containers: { name: string; env?: { name: string }[]; volumeMounts?: { name: string }[] }[];
        initContainers?: { name: string; restartPolicy?: string }[];
        volumes: { name: string }[];
    };
    status: { startTime: string; phase: string };
}

describe("ama-metrics-istio-verify, prometheus collector", () => {
    let fake: FakeKube;
    const pod = (name: string) => fake.get<PodFixture>("Pod", name, "monitoring");
    const run = (args: string[] = prometheusArgs) => verify(fake.url, args);

    beforeEach(async () => {
        fake = await prometheusCluster();
    });
    afterEach(() => fake.stop());

    it("passes every check of a healthy installation, in a stable order", async () => {
        const result = await run();
        expectOnlyProblems(result, {});
        assert.deepEqual(
            result.checks.map((c) => c.id),
            [
                "identity.pod-label",
                "identity.service-account",
                "identity.token-volume",
                "kube-system.no-addon",
                "mesh.ambient",
                "mesh.peer-authentication",
                "mesh.service-cidr",
                "namespace.exists",
                "namespace.injection-label",
                "pods.revision",
                "pods.sidecars",
                "remote-write.healthy",
                "remote-write.healthy",
                "workloads.rolled-out",
                "workloads.rolled-out",
                "workloads.rolled-out",
            ],
        );
        assert.match(
            result.checks.find((c) => c.id === "workloads.rolled-out")!.message,
            /^StatefulSet prometheus-shard-0: 1\/1 ready, 1\/1 updated, generation 3 observed$/,
        );
        assert.match(
            result.checks.filter((c) => c.id === "remote-write.healthy").at(-1)!.message,
            /prometheus-shard-1-0: 1702554 samples sent, 0 failed since the pod started, newest sent 17 s ago/,
        );
    });

    it("reads only, with GETs, and reads each shard's /metrics through a port-forward, not the pod proxy", async () => {
        await run();
        assert.deepEqual(
            fake.requests.filter((r) => r.method !== "GET"),
            [],
        );
        assert.ok(fake.requests.every((r) => r.authorization === "Bearer fake-token"));
        const paths = fake.requests.map((r) => decodeURIComponent(r.url)).sort();
        assert.deepEqual(paths, [
            "/api/v1/namespaces/default/services/kubernetes",
            "/api/v1/namespaces/monitoring",
            "/api/v1/namespaces/monitoring/pods",
            "/api/v1/namespaces/monitoring/pods/prometheus-shard-0-0/portforward?ports=9090",
            "/api/v1/namespaces/monitoring/pods/prometheus-shard-1-0/portforward?ports=9090",
            "/api/v1/namespaces/monitoring/serviceaccounts/prometheus-agent",
            "/api/v1/namespaces?labelSelector=istio.io/dataplane-mode=ambient",
            "/api/v1/pods?labelSelector=istio.io/dataplane-mode=ambient",
            "/apis/apps/v1/namespaces/kube-system/daemonsets",
            "/apis/apps/v1/namespaces/kube-system/deployments",
            "/apis/apps/v1/namespaces/monitoring/daemonsets",
            "/apis/apps/v1/namespaces/monitoring/deployments",
            "/apis/apps/v1/namespaces/monitoring/statefulsets",
            "/apis/security.istio.io/v1/namespaces/monitoring/peerauthentications",
        ]);
    });

    it("fails namespace.exists, and skips the namespace's checks, when the namespace is missing", async () => {
        fake.remove("Namespace", "monitoring");
        const result = await run();
        const [missing] = expectStatus(result, "namespace.exists", "fail");
        assert.equal(missing.message, "namespace monitoring does not exist");
        assert.deepEqual(
            result.checks.map((c) => c.id),
            ["kube-system.no-addon", "mesh.ambient", "namespace.exists"],
        );
        assert.equal(result.code, 1);
    });

    it("fails namespace.injection-label on a wrong injection label", async () => {
        const labels = fake.get<{ metadata: { labels: Record<string, string> } }>("Namespace", "monitoring").metadata.labels;
        delete labels["istio.io/rev"];
        labels["istio-injection"] = "enabled";
        const result = await run();
        const [wrong] = expectStatus(result, "namespace.injection-label", "fail");
        assert.match(wrong.message, /has injection labels: istio-injection=enabled; sidecar mode wants istio.io\/rev=asm-1-27/);
        assert.match(wrong.fix, /kubectl label namespace monitoring istio-injection- istio.io\/rev=asm-1-27 --overwrite/);
    });

    it("fails namespace.injection-label on an ambient label next to the revision", async () => {
        fake.get<{ metadata: { labels: Record<string, string> } }>("Namespace", "monitoring").metadata.labels["istio.io/dataplane-mode"] =
            "ambient";
        expectStatus(await run(), "namespace.injection-label", "fail");
    });

    it("fails workloads.rolled-out for a shard whose rollout has not finished", async () => {
        const shard = fake.get<{ metadata: { generation: number }; status: Record<string, number> }>("StatefulSet", "prometheus-shard-1");
        shard.metadata.generation = 4;
        shard.status.readyReplicas = 0;
        shard.status.updatedReplicas = 0;
        const result = await run();
        expectOnlyProblems(result, { "workloads.rolled-out": "fail" });
        const [stalled] = expectStatus(result, "workloads.rolled-out", "fail");
        assert.equal(
            stalled.message,
            "StatefulSet prometheus-shard-1: 0/1 ready, 0/1 updated, generation 4 not yet observed (controller at 3): not rolled out",
        );
        assert.match(stalled.fix, /kubectl -n monitoring rollout status statefulset\/prometheus-shard-1/);
    });

    it("fails workloads.rolled-out for a missing workload, and warns about a shard beyond --shards", async () => {
        fake.remove("Deployment", "kube-state-metrics");
        const result = await verify(fake.url, prometheusArgs.slice(0, -2));
        const [missing] = expectStatus(result, "workloads.rolled-out", "fail");
        assert.equal(missing.message, "Deployment kube-state-metrics is missing in monitoring");
        const [extra] = expectStatus(result, "workloads.rolled-out", "warn");
        assert.equal(extra.message, "StatefulSet prometheus-shard-1 exists beyond --shards 1");
    });

    it("fails pods.sidecars when a shard pod lacks its (native) sidecar", async () => {
        const shard = pod("prometheus-shard-0-0");
        shard.spec.initContainers = shard.spec.initContainers!.filter((c) => c.name !== "istio-proxy");
        const result = await run();
        expectOnlyProblems(result, { "pods.sidecars": "fail" });
        const [missing] = expectStatus(result, "pods.sidecars", "fail");
        assert.match(missing.message, /no istio-proxy sidecar on prometheus-shard-0-0 \(prometheus-shard-0\)/);
        assert.match(missing.fix, /fix namespace.injection-label first/);
    });

    it("does not count an istio-proxy init container that runs to completion as a sidecar", async () => {
        const shard = pod("prometheus-shard-0-0");
        delete shard.spec.initContainers!.find((c) => c.name === "istio-proxy")!.restartPolicy;
        expectStatus(await run(), "pods.sidecars", "fail");
    });

    it("fails pods.sidecars in certificates mode for kube-state-metrics' sidecar and a collector without istio-certs", async () => {
        const labels = fake.get<{ metadata: { labels: Record<string, string> } }>("Namespace", "monitoring").metadata.labels;
        delete labels["istio.io/rev"];
        const result = await run([...prometheusArgs, "--mesh-mode", "certificates"]);
        expectOnlyProblems(result, { "pods.sidecars": "fail" });
        const [problem] = expectStatus(result, "pods.sidecars", "fail");
        assert.match(
            problem.message,
            /an istio-proxy sidecar on kube-state-metrics-6d4f9c7b8d-w2x7c \(kube-state-metrics\), which mode certificates keeps out of the mesh/,
        );
        assert.match(problem.message, /prometheus-shard-0-0 \(prometheus-shard-0\): no istio-certs volume/);
        // Certificates mode has no namespace-wide policy to check.
        assert.equal(result.checks.filter((c) => c.id === "mesh.peer-authentication").length, 0);
    });

    it("passes certificates mode once the collectors share the certificate and kube-state-metrics is out of the mesh", async () => {
        delete fake.get<{ metadata: { labels: Record<string, string> } }>("Namespace", "monitoring").metadata.labels["istio.io/rev"];
        for (const name of ["prometheus-shard-0-0", "prometheus-shard-1-0"]) {
            const shard = pod(name);
            shard.spec.volumes.push({ name: "istio-certs", emptyDir: { medium: "Memory" } } as { name: string });
            shard.spec.containers[0].volumeMounts!.push({
                name: "istio-certs",
                mountPath: "/etc/prom-certs/",
                readOnly: true,
            } as { name: string });
        }
        const ksm = pod("kube-state-metrics-6d4f9c7b8d-w2x7c");
        ksm.spec.containers = ksm.spec.containers.filter((c) => c.name !== "istio-proxy");
        ksm.metadata.labels["sidecar.istio.io/inject"] = "false";
        const result = await run([...prometheusArgs, "--mesh-mode", "certificates"]);
        expectOnlyProblems(result, {});
        assert.match(
            result.checks.find((c) => c.id === "pods.sidecars")!.message,
            /the pods of prometheus-shard-0, prometheus-shard-1 mount istio-certs/,
        );
    });

    it("fails mesh.peer-authentication when an older namespace-wide policy is PERMISSIVE", async () => {
        fake.add(...readObjects("variants", "older-permissive-peerauthentication.json"));
        const result = await run();
        expectOnlyProblems(result, { "mesh.peer-authentication": "fail" });
        const [older] = expectStatus(result, "mesh.peer-authentication", "fail");
        assert.match(
            older.message,
            /^PeerAuthentication legacy-permissive \(PERMISSIVE, created 2026-10-30T12:00:00Z\) is older than default \(STRICT/,
        );
        assert.match(older.message, /Istio applies only the oldest namespace-wide policy, so monitoring runs PERMISSIVE/);
        assert.equal(older.fix, "delete the older policy: kubectl -n monitoring delete peerauthentication legacy-permissive");
    });

    it("ignores an older PERMISSIVE policy that selects workloads", async () => {
        const [legacy] = readObjects("variants", "older-permissive-peerauthentication.json");
        (legacy.spec as Record<string, unknown>).selector = { matchLabels: { app: "legacy" } };
        fake.add(legacy);
        expectOnlyProblems(await run(), {});
    });

    it("fails mesh.peer-authentication without a STRICT policy, and without Istio's API", async () => {
        fake.remove("PeerAuthentication", "default");
        const [none] = expectStatus(await run(), "mesh.peer-authentication", "fail");
        assert.match(none.message, /no namespace-wide PeerAuthentication with mtls.mode STRICT in monitoring \(namespace-wide: none\)/);
        fake.istio = false;
        const [noApi] = expectStatus(await run(), "mesh.peer-authentication", "fail");
        assert.match(noApi.message, /does not serve security.istio.io\/v1 PeerAuthentications/);
    });

    describe("mesh.service-cidr", () => {
        const include = "traffic.sidecar.istio.io/includeOutboundIPRanges";
        const meshedPods = ["prometheus-shard-0-0", "prometheus-shard-1-0", "kube-state-metrics-6d4f9c7b8d-w2x7c"];
        const apiService = () => fake.get<{ spec: { clusterIP: string; clusterIPs: string[] } }>("Service", "kubernetes", "default");

        it("passes when the API server's Service lies in the range the meshed pods capture", async () => {
            const [inside] = expectStatus(await run(), "mesh.service-cidr", "pass");
            assert.equal(
                inside.message,
                "Service default/kubernetes has cluster IP 10.0.0.1, inside the ranges the 3 meshed pods capture (10.0.0.0/16)",
            );
        });

        it("fails when the cluster's service range is another than the captured one, with cluster.serviceCidr as the fix", async () => {
            fake.remove("Service", "kubernetes", "default");
            fake.add(...readObjects("variants", "kubernetes-service-other-cidr.json"));
            const result = await run();
            expectOnlyProblems(result, { "mesh.service-cidr": "fail" });
            const [outside] = expectStatus(result, "mesh.service-cidr", "fail");
            assert.equal(
                outside.message,
                "Service default/kubernetes has cluster IP 10.2.0.1, outside the ranges the proxies of " +
                    meshedPods.map((name) => `${name} (${include}="10.0.0.0/16")`).join(", ") +
                    " capture: calls between the collector's components bypass the proxy in plaintext and STRICT mTLS refuses them " +
                    "(Prometheus' scrape of kube-state-metrics fails)",
            );
            assert.equal(
                outside.fix,
                "set cluster.serviceCidr to the cluster's service CIDR (`az aks show --query networkProfile.serviceCidr`) and run pulumi up",
            );
        });

        it("fails when one pod's proxy misses the address, and when an excluded range holds it", async () => {
            pod("kube-state-metrics-6d4f9c7b8d-w2x7c").metadata.annotations![include] = "10.1.0.0/16";
            const [one] = expectStatus(await run(), "mesh.service-cidr", "fail");
            assert.match(
                one.message,
                /outside the ranges the proxies of kube-state-metrics-6d4f9c7b8d-w2x7c \(.*="10.1.0.0\/16"\) capture/,
            );
            pod("kube-state-metrics-6d4f9c7b8d-w2x7c").metadata.annotations![include] = "10.0.0.0/16";
            pod("prometheus-shard-0-0").metadata.annotations!["traffic.sidecar.istio.io/excludeOutboundIPRanges"] = "10.0.0.0/30";
            const [excluded] = expectStatus(await run(), "mesh.service-cidr", "fail");
            assert.match(
                excluded.message,
                /cluster IP 10.0.0.1, excluded from capture on prometheus-shard-0-0 \(traffic.sidecar.istio.io\/excludeOutboundIPRanges="10.0.0.0\/30"\)/,
            );
            assert.equal(excluded.fix, "drop the range that holds it from istio.extraExcludeOutboundIPRanges and run pulumi up");
        });

        it("reads IPv6 service addresses and ranges", async () => {
            Object.assign(apiService().spec, { clusterIP: "fd00:10::1", clusterIPs: ["fd00:10::1"] });
            for (const name of meshedPods) pod(name).metadata.annotations![include] = "fd00:10::/108";
            expectStatus(await run(), "mesh.service-cidr", "pass");
            pod("prometheus-shard-1-0").metadata.annotations![include] = "10.0.0.0/16,fd00:11::/108";
            assert.match(
                expectStatus(await run(), "mesh.service-cidr", "fail")[0].message,
                /^Service default\/kubernetes has cluster IP fd00:10::1, outside/,
            );
        });

        it("checks every address of a dual-stack Service", async () => {
            apiService().spec.clusterIPs = ["10.0.0.1", "fd00:10::1"];
            assert.match(expectStatus(await run(), "mesh.service-cidr", "fail")[0].message, /has cluster IP 10.0.0.1, fd00:10::1, outside/);
            for (const name of meshedPods) pod(name).metadata.annotations![include] = "10.0.0.0/16, fd00:10::/108";
            expectStatus(await run(), "mesh.service-cidr", "pass");
        });

        it("warns about meshed pods that carry no captured range: their proxies capture the mesh's default", async () => {
            delete pod("prometheus-shard-1-0").metadata.annotations![include];
            const result = await run();
            expectOnlyProblems(result, { "mesh.service-cidr": "warn" });
            assert.match(
                expectStatus(result, "mesh.service-cidr", "warn")[0].message,
                /^pods without traffic.sidecar.istio.io\/includeOutboundIPRanges: prometheus-shard-1-0;/,
            );
        });

        it("is neither checked nor read outside the sidecar mode", async () => {
            const base = ["--namespace", "monitoring", "--collector", "prometheus", "--shards", "2"];
            for (const mode of ["certificates", "off"]) {
                fake.requests.length = 0;
                const result = await run([...base, "--mesh-mode", mode]);
                assert.deepEqual(
                    result.checks.filter((c) => c.id === "mesh.service-cidr"),
                    [],
                );
                assert.ok(result.checks.length > 0);
                assert.ok(!fake.requests.some((r) => r.url.includes("/services/")), mode);
            }
        });
    });

    it("fails kube-system.no-addon when the managed add-on's workloads run in kube-system", async () => {
        fake.add(...readObjects("variants", "addon-workloads.json"));
        const result = await run();
        expectOnlyProblems(result, { "kube-system.no-addon": "fail" });
        const [addon] = expectStatus(result, "kube-system.no-addon", "fail");
        assert.match(
            addon.message,
            /^kube-system runs Deployment ama-metrics, DaemonSet ama-metrics-node: an enabled managed add-on means double ingestion and name clashes$/,
        );
        assert.match(addon.fix, /az aks update --disable-azure-monitor-metrics/);
    });

    it("fails identity.service-account without a UUID client-id", async () => {
        const account = fake.get<{ metadata: { annotations: Record<string, string> } }>("ServiceAccount", "prometheus-agent").metadata;
        account.annotations["azure.workload.identity/client-id"] = "prometheus-identity";
        const result = await run();
        expectOnlyProblems(result, { "identity.service-account": "fail" });
        assert.match(expectStatus(result, "identity.service-account", "fail")[0].message, /"prometheus-identity", not a UUID/);
        fake.remove("ServiceAccount", "prometheus-agent");
        assert.match(
            expectStatus(await run(), "identity.service-account", "fail")[0].message,
            /ServiceAccount prometheus-agent is missing/,
        );
    });

    it("fails identity.pod-label for a shard pod without azure.workload.identity/use", async () => {
        delete pod("prometheus-shard-1-0").metadata.labels["azure.workload.identity/use"];
        const result = await run();
        expectOnlyProblems(result, { "identity.pod-label": "fail" });
        assert.equal(
            expectStatus(result, "identity.pod-label", "fail")[0].message,
            "pods without azure.workload.identity/use=true: prometheus-shard-1-0",
        );
    });

    it("fails identity.token-volume when the workload identity webhook did not mutate a shard pod", async () => {
        const shard = pod("prometheus-shard-0-0");
        shard.spec.volumes = shard.spec.volumes.filter((v) => v.name !== "azure-identity-token");
        const result = await run();
        expectOnlyProblems(result, { "identity.token-volume": "fail" });
        const [unmutated] = expectStatus(result, "identity.token-volume", "fail");
        assert.equal(
            unmutated.message,
            "the workload identity webhook did not mutate: prometheus-shard-0-0: no azure-identity-token volume",
        );
    });

    it("fails identity.token-volume without AZURE_FEDERATED_TOKEN_FILE on container prometheus", async () => {
        const container = pod("prometheus-shard-1-0").spec.containers[0];
        container.env = container.env!.filter((e) => e.name !== "AZURE_FEDERATED_TOKEN_FILE");
        assert.match(
            expectStatus(await run(), "identity.token-volume", "fail")[0].message,
            /prometheus-shard-1-0: container prometheus has no AZURE_FEDERATED_TOKEN_FILE/,
        );
    });

    it("fails remote-write.healthy when a shard's samples fail and the pod is older than 30 minutes", async () => {
        fake.metrics.set("monitoring/prometheus-shard-0-0", readText("variants", "metrics-forbidden.txt"));
        const result = await run();
        expectOnlyProblems(result, { "remote-write.healthy": "fail" });
        const [failing] = expectStatus(result, "remote-write.healthy", "fail");
        assert.match(failing.message, /^pod prometheus-shard-0-0: 48210 samples sent, 48210 failed since the pod started/);
        assert.match(failing.fix, /HTTP 403 means the identity lacks "Monitoring Metrics Publisher"/);
    });

    it("only warns about failing samples while the pod is younger than 30 minutes (role assignment delay)", async () => {
        fake.metrics.set("monitoring/prometheus-shard-0-0", readText("variants", "metrics-forbidden.txt"));
        pod("prometheus-shard-0-0").status.startTime = new Date(fixtureNow.getTime() - 12 * 60 * 1000).toISOString();
        const result = await run();
        expectOnlyProblems(result, { "remote-write.healthy": "warn" });
        const [early] = expectStatus(result, "remote-write.healthy", "warn");
        assert.match(
            early.message,
            /the pod started 12 min ago, and Microsoft documents that a new "Monitoring Metrics Publisher" role assignment can take about 30 minutes/,
        );
    });

    it("could not check remote-write.healthy when nothing listens on the shard's port (the kubelet's error channel), exit 2", async () => {
        fake.metrics.delete("monitoring/prometheus-shard-1-0");
        const result = await run();
        const [unreachable] = expectStatus(result, "remote-write.healthy", "error");
        assert.match(
            unreachable.message,
            /^pod prometheus-shard-1-0: could not read \/metrics through a port-forward to port 9090 \(HTTP 502: the port-forward to prometheus-shard-1-0:9090 failed: error forwarding port 9090 to pod monitoring\/prometheus-shard-1-0: failed to connect to localhost:9090 inside namespace: connect: connection refused\)$/,
        );
        assert.match(unreachable.fix, /^check that the pod is ready and its container prometheus listens on 9090/);
        assert.equal(result.code, 2);
    });

    it("names pods/portforward in the fix when the API server refuses the port-forward", async () => {
        fake.overrides.set("/api/v1/namespaces/monitoring/pods/prometheus-shard-0-0/portforward", {
            status: 403,
            body: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Forbidden", code: 403, message: "forbidden" },
        });
        const result = await run();
        const [refused] = expectStatus(result, "remote-write.healthy", "error");
        assert.match(refused.message, /^pod prometheus-shard-0-0: could not read \/metrics through a port-forward to port 9090 \(HTTP 403/);
        assert.match(
            refused.fix,
            /^bind the identity to the Role ama-metrics-istio-verify in namespace monitoring too: it grants get and create on pods\/portforward/,
        );
        assert.equal(result.code, 2);
    });

    it("fails with the ClusterRole as the fix when the API refuses a read", async () => {
        fake.overrides.set("/api/v1/namespaces/monitoring/serviceaccounts/prometheus-agent", {
            status: 403,
            body: {
                kind: "Status",
                apiVersion: "v1",
                status: "Failure",
                reason: "Forbidden",
                code: 403,
                message:
                    'serviceaccounts "prometheus-agent" is forbidden: User "ci" cannot get resource "serviceaccounts" in API group "" in the namespace "monitoring"',
            },
        });
        const result = await run();
        const [refused] = expectStatus(result, "identity.service-account", "error");
        assert.match(
            refused.message,
            /^could not read ServiceAccount prometheus-agent: HTTP 403: serviceaccounts "prometheus-agent" is forbidden/,
        );
        assert.match(refused.fix, /read-only ClusterRole ama-metrics-istio-verify/);
        assert.equal(result.code, 2, "the verifier could not read: exit 2, not 1");
    });
});
