// The prometheus collector's workloads on day 2: what a shard's pod does on shutdown, at what priority and
// where it runs, where its WAL lives and what turning that on later changes, the probe timings and requests,
// and kube-state-metrics sharded with the shards. Expectations come from upstream: the add-on's rendered
// chart (test/fixtures/ama-metrics-chart), Prometheus' flag defaults and Kubernetes' documented limits.

import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import type { AmaMetricsIstioArgs } from "../../components";
import { KubernetesObject, podTemplatesOf } from "../../components/core/kubernetes";
import { prometheusObjects } from "../../components/prometheus";
import { AmaMetricsIstioArgumentError } from "../../components";
import { fixtureObjects, mockStack, settingsFor, validateSchema, valueOf } from "../harness";
import { scrapeJobs } from "../../components/prometheus/jobs";

const refs = {
    clientId: "6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    remoteWriteUrl:
        "https://aks-amw-0mi2.eastus-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-00000000000000000000000000000000/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24",
};

async function objectsOf(overrides: Partial<AmaMetricsIstioArgs> = {}): Promise<KubernetesObject[]> {
    mockStack();
    return (await valueOf(pulumi.output(prometheusObjects(settingsFor(overrides), refs)))) as unknown as KubernetesObject[];
}

const all = (objects: KubernetesObject[], kind: string) => objects.filter((o) => o.kind === kind) as any[];
const find = (objects: KubernetesObject[], kind: string, name: string) => {
    const found = all(objects, kind).filter((o) => o.metadata.name === name);
    assert.equal(found.length, 1, `${kind} ${name}`);
    return found[0];
};
const podOf = (object: KubernetesObject) => podTemplatesOf(object)[0].get() as any;
const argOf = (args: string[], flag: string) => args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
const seconds = (duration: string) => {
    const match = /^(\d+)(s|m)$/.exec(duration);
    assert.ok(match, duration);
    return Number(match[1]) * (match[2] === "m" ? 60 : 1);
};
const configOf = (objects: KubernetesObject[], shard: number) =>
    YAML.parse(find(objects, "ConfigMap", `prometheus-shard-${shard}`).data["prometheus.yml"]);

// The add-on's chart as Helm renders it: its collector Deployment and its kube-state-metrics.
const chart = fixtureObjects("ama-metrics-chart", "rendered-aks-component.yaml") as any[];
const chartCollector = chart
    .find((o) => o.kind === "Deployment" && o.metadata.name === "ama-metrics")
    .spec.template.spec.containers.find((c: any) => c.name === "prometheus-collector");
const chartKsm = chart.find((o) => o.kind === "Deployment" && o.metadata.name === "ama-metrics-ksm").spec.template.spec.containers[0];

describe("prometheus collector: workloads on day 2", () => {
    describe("shutdown", () => {
        it("the grace period outlasts the remote-write flush deadline, which is Prometheus' default of 1 minute", async () => {
            for (const overrides of [{}, { prometheus: { shards: 3 } }]) {
                for (const set of all(await objectsOf(overrides), "StatefulSet")) {
                    const pod = podOf(set);
                    const deadline = seconds(argOf(pod.spec.containers[0].args, "--storage.remote.flush-deadline")!);
                    // prometheus cmd/prometheus/main.go: storage.remote.flush-deadline Default("1m").
                    assert.equal(deadline, 60);
                    assert.ok(pod.spec.terminationGracePeriodSeconds > deadline, `${pod.spec.terminationGracePeriodSeconds}`);
                }
            }
        });
    });

    describe("priority", () => {
        it("the shards and kube-state-metrics run at the component's own PriorityClass, a valid user-defined one", async () => {
            const objects = await objectsOf({ prometheus: { shards: 2, shardKubeStateMetrics: true } });
            const [priorityClass] = all(objects, "PriorityClass");
            await validateSchema(priorityClass);
            // Kubernetes "Pod Priority and Preemption": user-defined classes may not start with `system-`, and their
            // value is at most 1,000,000,000 (larger ones are the built-in classes').
            assert.ok(!priorityClass.metadata.name.startsWith("system-"));
            assert.ok(priorityClass.value <= 1_000_000_000);
            assert.equal(priorityClass.globalDefault, false);
            // Cluster-scoped: named after the installation's namespace, as its ClusterRoles.
            assert.equal(priorityClass.metadata.namespace, undefined);
            assert.match(priorityClass.metadata.name, /-monitoring$/);
            const workloads = [...all(objects, "StatefulSet"), ...all(objects, "Deployment")];
            assert.equal(workloads.length, 4);
            for (const workload of workloads) {
                assert.equal(podOf(workload).spec.priorityClassName, priorityClass.metadata.name, workload.metadata.name);
            }
        });

        it("prometheus.priorityClassName: the pods use the user's class and the component creates none", async () => {
            const objects = await objectsOf({ prometheus: { priorityClassName: "system-cluster-critical" } });
            assert.deepEqual(all(objects, "PriorityClass"), []);
            for (const workload of [...all(objects, "StatefulSet"), ...all(objects, "Deployment")]) {
                assert.equal(podOf(workload).spec.priorityClassName, "system-cluster-critical");
            }
        });
    });

    describe("placement", () => {
        it("one shard: no spread constraint", async () => {
            assert.equal(podOf(find(await objectsOf(), "StatefulSet", "prometheus-shard-0")).spec.topologySpreadConstraints, undefined);
        });

        it("several shards: spread over zones and nodes, counting every shard's pod, never blocking scheduling", async () => {
            const objects = await objectsOf({ prometheus: { shards: 3 } });
            for (const set of all(objects, "StatefulSet")) {
                const pod = podOf(set);
                const constraints = pod.spec.topologySpreadConstraints;
                assert.deepEqual(
                    constraints.map((c: any) => c.topologyKey),
                    ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
                );
                for (const constraint of constraints) {
                    assert.equal(constraint.maxSkew, 1);
                    assert.equal(constraint.whenUnsatisfiable, "ScheduleAnyway");
                    // The selector matches the pods of all three shards, not only this one's.
                    for (const other of all(objects, "StatefulSet")) {
                        const labels = podOf(other).metadata.labels;
                        for (const [key, value] of Object.entries(constraint.labelSelector.matchLabels)) {
                            assert.equal(labels[key], value);
                        }
                    }
                }
                await validateSchema(set);
            }
        });

        it("the disruption budget lets a drain take one shard at a time, of all shards", async () => {
            const objects = await objectsOf({ prometheus: { shards: 3 } });
            const budget = find(objects, "PodDisruptionBudget", "prometheus-agent");
            assert.equal(budget.spec.maxUnavailable, 1);
            for (const set of all(objects, "StatefulSet")) {
                const labels = podOf(set).metadata.labels;
                for (const [key, value] of Object.entries(budget.spec.selector.matchLabels)) {
                    assert.equal(labels[key], value);
                }
            }
        });
    });

    describe("the WAL", () => {
        it("default: an emptyDir", async () => {
            const set = find(await objectsOf(), "StatefulSet", "prometheus-shard-0");
            assert.equal(set.spec.volumeClaimTemplates, undefined);
            assert.deepEqual(
                podOf(set).spec.volumes.find((v: any) => v.name === "data"),
                { name: "data", emptyDir: {} },
            );
        });

        it("prometheus.walVolume: one claim per shard of that size and class, mounted where Prometheus keeps its WAL", async () => {
            const objects = await objectsOf({ prometheus: { shards: 2, walVolume: { size: "20Gi", storageClassName: "managed-csi" } } });
            for (const set of all(objects, "StatefulSet")) {
                await validateSchema(set);
                const pod = podOf(set);
                const [claim] = set.spec.volumeClaimTemplates;
                assert.equal(claim.metadata.name, "data");
                assert.deepEqual(claim.spec, {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: "managed-csi",
                    resources: { requests: { storage: "20Gi" } },
                });
                // A claim named like a pod volume would be shadowed by it (a template wins, but both is a mistake).
                assert.ok(!pod.spec.volumes.some((v: any) => v.name === "data"));
                const path = argOf(pod.spec.containers[0].args, "--storage.agent.path");
                assert.ok(pod.spec.containers[0].volumeMounts.some((m: any) => m.name === "data" && m.mountPath === path));
                // The claim goes with its shard: a removed or replaced shard leaves no claim behind.
                assert.deepEqual(set.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Delete", whenScaled: "Delete" });
            }
            const defaultClass = find(await objectsOf({ prometheus: { walVolume: { size: "5Gi" } } }), "StatefulSet", "prometheus-shard-0");
            assert.ok(!("storageClassName" in defaultClass.spec.volumeClaimTemplates[0].spec), "the cluster's default class");
        });

        it("turned on next month: each StatefulSet differs in its claim templates (a replacement) and nothing else outside the pod's volumes", async () => {
            const before = await objectsOf({ prometheus: { shards: 3 } });
            const after = await objectsOf({ prometheus: { shards: 3, walVolume: { size: "10Gi" } } });
            for (let shard = 0; shard < 3; shard++) {
                const [old, now] = [before, after].map((objects) => find(objects, "StatefulSet", `prometheus-shard-${shard}`));
                const changed = Object.keys({ ...old.spec, ...now.spec }).filter(
                    (key) => JSON.stringify(old.spec[key]) !== JSON.stringify(now.spec[key]),
                );
                // pulumi-kubernetes provider/pkg/provider/diff.go replaces a StatefulSet on `.spec.volumeClaimTemplates`
                // (Kubernetes forbids updating it), deleting it first as its name is fixed: the shard restarts once,
                // after flushing, one shard after another (the registration order, see the component's tests).
                assert.deepEqual(changed.sort(), ["persistentVolumeClaimRetentionPolicy", "template", "volumeClaimTemplates"]);
                const [oldPod, newPod] = [old, now].map(podOf);
                assert.deepEqual({ ...oldPod.spec, volumes: undefined }, { ...newPod.spec, volumes: undefined });
            }
            // The shards' configuration does not change: the switch costs one restart per shard, no more.
            for (let shard = 0; shard < 3; shard++) {
                assert.deepEqual(configOf(after, shard), configOf(before, shard));
            }
        });
    });

    describe("probes and requests", () => {
        it("the shards probe with the add-on's collector timings instead of Kubernetes' 1 s timeout", async () => {
            const pod = podOf(find(await objectsOf(), "StatefulSet", "prometheus-shard-0"));
            const addOn = chartCollector.livenessProbe;
            for (const probe of [pod.spec.containers[0].livenessProbe, pod.spec.containers[0].readinessProbe]) {
                assert.equal(probe.timeoutSeconds, addOn.timeoutSeconds);
                assert.equal(probe.periodSeconds, addOn.periodSeconds);
                assert.equal(probe.failureThreshold, addOn.failureThreshold);
            }
        });

        it("kube-state-metrics: the add-on's probe timings and limits, upstream's recommended requests", async () => {
            const container = podOf(find(await objectsOf(), "Deployment", "kube-state-metrics")).spec.containers[0];
            for (const kind of ["livenessProbe", "readinessProbe"]) {
                assert.equal(container[kind].timeoutSeconds, chartKsm[kind].timeoutSeconds, kind);
                assert.equal(container[kind].initialDelaySeconds, chartKsm[kind].initialDelaySeconds, kind);
                assert.deepEqual(container[kind].httpGet.path, chartKsm[kind].httpGet.path, kind);
            }
            assert.deepEqual(container.resources.limits, {
                cpu: String(chartKsm.resources.limits.cpu),
                memory: chartKsm.resources.limits.memory,
            });
            // kube-state-metrics README "Resource recommendation" (v2.19.0): 250MiB memory, 0.1 cores; the add-on asks
            // for 5m and 50Mi.
            assert.deepEqual(container.resources.requests, { cpu: "100m", memory: "250Mi" });
            assert.deepEqual(chartKsm.resources.requests, { cpu: "5m", memory: "50Mi" });
        });
    });

    describe("kube-state-metrics sharded with the shards", () => {
        it("default: one kube-state-metrics, scraped by the one shard its address hashes to", async () => {
            const objects = await objectsOf({ prometheus: { shards: 3 } });
            assert.deepEqual(
                all(objects, "Deployment").map((d) => d.metadata.name),
                ["kube-state-metrics"],
            );
            assert.equal(argOf(podOf(all(objects, "Deployment")[0]).spec.containers[0].args, "--total-shards"), undefined);
            for (let shard = 0; shard < 3; shard++) {
                const job = configOf(objects, shard).scrape_configs.find((j: any) => j.job_name === "kube-state-metrics");
                assert.equal(job.relabel_configs.at(-2).action, "hashmod");
            }
        });

        it("prometheus.shardKubeStateMetrics: instance k (--shard=k of --total-shards=n) behind its own Service, scraped by shard k alone", async () => {
            const objects = await objectsOf({ prometheus: { shards: 3, shardKubeStateMetrics: true } });
            const deployments = all(objects, "Deployment");
            assert.deepEqual(
                deployments.map((d) => d.metadata.name),
                ["kube-state-metrics-0", "kube-state-metrics-1", "kube-state-metrics-2"],
            );
            for (let shard = 0; shard < 3; shard++) {
                const deployment = find(objects, "Deployment", `kube-state-metrics-${shard}`);
                await validateSchema(deployment);
                const pod = podOf(deployment);
                assert.equal(argOf(pod.spec.containers[0].args, "--shard"), String(shard));
                assert.equal(argOf(pod.spec.containers[0].args, "--total-shards"), "3");
                const service = find(objects, "Service", `kube-state-metrics-${shard}`);
                // Its Service selects its own pod and no other instance's.
                for (const other of deployments) {
                    const labels = podOf(other).metadata.labels;
                    const selected = Object.entries(service.spec.selector).every(([key, value]) => labels[key] === value);
                    assert.equal(selected, other === deployment, `${service.metadata.name} selects ${other.metadata.name}`);
                }
                const jobs = configOf(objects, shard).scrape_configs;
                const ksm = jobs.find((j: any) => j.job_name === "kube-state-metrics");
                assert.deepEqual(ksm.static_configs, [{ targets: [`kube-state-metrics-${shard}.monitoring.svc.cluster.local:8080`] }]);
                assert.equal(ksm.relabel_configs, undefined, "no hash: the one target is this shard's");
                // Every other job the registry divides is still divided by hash.
                const unsharded = scrapeJobs.filter((j) => !j.sharded).map((j) => j.name);
                for (const job of jobs.filter((j: any) => j !== ksm && !unsharded.includes(j.job_name))) {
                    assert.equal(job.relabel_configs.at(-1).regex, String(shard), job.job_name);
                }
            }
        });
    });
});

describe("prometheus collector: the workload arguments refused", () => {
    const problemsOf = (prometheus: unknown) => {
        try {
            settingsFor({ prometheus } as Partial<AmaMetricsIstioArgs>);
        } catch (error) {
            assert.ok(error instanceof AmaMetricsIstioArgumentError, String(error));
            return error.messages;
        }
        assert.fail("accepted");
    };

    it("each with the argument, the value and the fix, before anything registers", () => {
        assert.deepEqual(problemsOf({ walVolume: { size: "ten gigs" } }), [
            'prometheus.walVolume.size = "ten gigs": not a Kubernetes quantity; use e.g. "100m" or "0.5" for CPU and "128Mi" or "1Gi" for memory',
        ]);
        assert.deepEqual(problemsOf({ walVolume: { storageClassName: "managed-csi" } }), [
            'prometheus.walVolume.size = undefined: missing; give the size of each shard\'s volume, e.g. "10Gi"',
        ]);
        assert.deepEqual(problemsOf({ walVolume: { size: "10Gi", storageClass: "managed-csi" } }), [
            'prometheus.walVolume.storageClass = "managed-csi": unknown argument; did you mean "storageClassName"? known here: "size", "storageClassName"',
        ]);
        assert.deepEqual(problemsOf({ priorityClassName: "High_Priority" }), [
            "prometheus.priorityClassName = \"High_Priority\": not a Kubernetes object name; use lower-case letters, digits, '-' and '.', at most 253 characters",
        ]);
        assert.deepEqual(problemsOf({ shardKubeStateMetrics: "yes" }), [
            'prometheus.shardKubeStateMetrics = "yes": not true or false; use true or false',
        ]);
    });
});

describe("prometheusIdentity (ama-metrics): refused where it cannot work", () => {
    const problemsOf = (args: Partial<AmaMetricsIstioArgs>, collector: "prometheus" | "ama-metrics") => {
        try {
            collector === "prometheus" ? settingsFor(args) : settingsFor(args, "ama-metrics");
        } catch (error) {
            assert.ok(error instanceof AmaMetricsIstioArgumentError, String(error));
            return error.messages;
        }
        assert.fail("accepted");
    };

    it("needs the cluster's OIDC issuer, and only the ama-metrics collector takes it", () => {
        assert.deepEqual(problemsOf({ prometheusIdentity: true }, "ama-metrics"), [
            "cluster.oidcIssuerUrl = undefined: the prometheus collector's identity trusts the cluster's OIDC issuer; give it (`az aks show --query oidcIssuerProfile.issuerUrl`), or drop prometheusIdentity",
        ]);
        assert.deepEqual(problemsOf({ prometheusIdentity: true }, "prometheus"), [
            'prometheusIdentity = true: only the ama-metrics collector uses it, the collector is "prometheus"; drop it, or set collector: "ama-metrics"',
        ]);
    });
});
