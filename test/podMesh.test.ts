import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { Manifest } from "../components/kubernetesApi";
import { applyPodMesh, PodMeshOptions, PodTemplate, workloadOfPod } from "../components/podMesh";
import { relocate, RelocationOptions, relocateYaml } from "../components/relocate";
import type { Workload } from "../components/types";

const fixturePath = path.resolve(__dirname, "../../shared/fixtures/ama-metrics-chart/rendered-aks.yaml");
const fixtureText = fs.readFileSync(fixturePath, "utf8");
const fixture: Manifest[] = YAML.parseAllDocuments(fixtureText).map(d => d.toJS());

const proxyResources: PodMeshOptions["proxyResources"] = {
    collector: { cpu: "100m", memory: "128Mi" },
    node: { cpu: "200m", memory: "256Mi" },
    targetAllocator: { cpuLimit: "500m", memoryLimit: "512Mi" },
};

function relocationOptions(mesh: Partial<PodMeshOptions> & Pick<PodMeshOptions, "mode">): RelocationOptions {
    return {
        namespace: "monitoring",
        tokenSecret: { name: "aad-msi-auth-token", namespace: "kube-system" },
        mesh: { meshNodeDaemonSet: true, proxyResources, ...mesh },
    };
}

/** What a mode adds to one workload's pod, beyond the chart's own labels, annotations, volumes and mounts. */
interface Added {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    volumes?: unknown[];
    mounts?: Record<string, unknown[]>;
}

const optOut: Added = { labels: { "sidecar.istio.io/inject": "false" } };
const hold = '{"holdApplicationUntilProxyStarts":true}';
// kubelet, kube-proxy, node-exporter, CoreDNS, and Istio's merged metrics on meshed pods.
const scrapePorts = "10250,10249,19100,9153,15020";
const imds = "169.254.169.254/32";

const sidecar: Record<Workload, Added> = {
    collector: {
        annotations: {
            "proxy.istio.io/config": hold,
            "sidecar.istio.io/proxyCPU": "100m",
            "sidecar.istio.io/proxyMemory": "128Mi",
            "traffic.sidecar.istio.io/excludeOutboundIPRanges": imds,
            "traffic.sidecar.istio.io/excludeOutboundPorts": scrapePorts,
        },
    },
    node: {
        annotations: {
            "proxy.istio.io/config": hold,
            "sidecar.istio.io/proxyCPU": "200m",
            "sidecar.istio.io/proxyMemory": "256Mi",
            "traffic.sidecar.istio.io/excludeOutboundIPRanges": imds,
            "traffic.sidecar.istio.io/excludeOutboundPorts": scrapePorts,
        },
    },
    targetAllocator: {
        annotations: {
            "proxy.istio.io/config": hold,
            "sidecar.istio.io/proxyCPULimit": "500m",
            "sidecar.istio.io/proxyMemoryLimit": "512Mi",
        },
    },
    kubeStateMetrics: { annotations: { "proxy.istio.io/config": hold } },
    windowsNode: optOut,
};

function certificates(collectorLabels: Record<string, string>): Record<Workload, Added> {
    return {
        collector: {
            labels: collectorLabels,
            annotations: {
                "traffic.sidecar.istio.io/includeInboundPorts": "",
                "traffic.sidecar.istio.io/includeOutboundIPRanges": "",
                "proxy.istio.io/config":
                    '{"holdApplicationUntilProxyStarts":true,"proxyMetadata":{"OUTPUT_CERTS":"/etc/istio-output-certs"}}',
                "sidecar.istio.io/userVolumeMount": '[{"name":"istio-certs","mountPath":"/etc/istio-output-certs"}]',
                "sidecar.istio.io/proxyCPU": "100m",
                "sidecar.istio.io/proxyMemory": "128Mi",
            },
            volumes: [{ name: "istio-certs", emptyDir: { medium: "Memory" } }],
            mounts: { "prometheus-collector": [{ name: "istio-certs", mountPath: "/etc/prom-certs/", readOnly: true }] },
        },
        node: optOut,
        targetAllocator: optOut,
        kubeStateMetrics: optOut,
        windowsNode: optOut,
    };
}

const allOptedOut: Record<Workload, Added> = {
    collector: optOut,
    node: optOut,
    targetAllocator: optOut,
    kubeStateMetrics: optOut,
    windowsNode: optOut,
};

const cases: { name: string; mesh: Parameters<typeof relocationOptions>[0]; expected: Record<Workload, Added> }[] = [
    { name: "sidecar", mesh: { mode: "sidecar" }, expected: sidecar },
    { name: "sidecar with a revision", mesh: { mode: "sidecar", revision: "asm-1-27" }, expected: sidecar },
    {
        name: "sidecar without the node DaemonSet",
        mesh: { mode: "sidecar", meshNodeDaemonSet: false },
        expected: { ...sidecar, node: optOut },
    },
    { name: "certificates", mesh: { mode: "certificates" }, expected: certificates({ "sidecar.istio.io/inject": "true" }) },
    {
        name: "certificates with a revision",
        mesh: { mode: "certificates", revision: "asm-1-27" },
        expected: certificates({ "istio.io/rev": "asm-1-27" }),
    },
    { name: "off", mesh: { mode: "off" }, expected: allOptedOut },
];

/** The pod templates of the chart's workloads, by workload. */
function pods(objects: Manifest[]): Map<Workload, PodTemplate> {
    const result = new Map<Workload, PodTemplate>();
    for (const object of objects) {
        const template = (object.spec as { template?: PodTemplate } | undefined)?.template;
        if (template) {
            const workload = workloadOfPod(template);
            assert.ok(workload, `${object.kind} ${object.metadata?.name} is one of the chart's workloads`);
            result.set(workload, template);
        }
    }
    return result;
}

const chartPods = pods(fixture);

function withAdded(base: Record<string, string> | undefined, added: Record<string, string> | undefined) {
    return base === undefined && added === undefined ? undefined : { ...base, ...added };
}

describe("podMesh", () => {
    it("finds all five workloads of the chart", () => {
        assert.deepEqual([...chartPods.keys()].sort(), ["collector", "kubeStateMetrics", "node", "targetAllocator", "windowsNode"]);
    });

    for (const { name, mesh, expected } of cases) {
        describe(`mode ${name}`, () => {
            const relocated = relocate(fixture, relocationOptions(mesh));
            const relocatedPods = pods(relocated);

            for (const workload of Object.keys(expected) as Workload[]) {
                it(`gives the ${workload} pod exactly its labels, annotations, volumes and mounts`, () => {
                    const before = chartPods.get(workload)!;
                    const after = relocatedPods.get(workload)!;
                    const added = expected[workload];
                    assert.deepEqual(after.metadata?.labels, withAdded(before.metadata?.labels, added.labels));
                    assert.deepEqual(after.metadata?.annotations, withAdded(before.metadata?.annotations, added.annotations));
                    assert.deepEqual(after.spec?.volumes, [...(before.spec?.volumes ?? []), ...(added.volumes ?? [])]);
                    for (const container of after.spec?.containers ?? []) {
                        const original = before.spec?.containers?.find(c => c.name === container.name);
                        assert.deepEqual(
                            container.volumeMounts,
                            withMounts(original?.volumeMounts, added.mounts?.[container.name]),
                            `mounts of ${container.name}`,
                        );
                    }
                });
            }

            it("never sets the deprecated injection annotation", () => {
                for (const pod of relocatedPods.values()) {
                    assert.ok(!("sidecar.istio.io/inject" in (pod.metadata?.annotations ?? {})));
                }
            });

            it("keeps the chart's own certificate mount", () => {
                const collector = relocatedPods.get("collector")!.spec!.containers!.find(c => c.name === "prometheus-collector")!;
                assert.ok(collector.volumeMounts!.some(m => m.mountPath === "/etc/prometheus/certs" && m.name === "ama-metrics-tls-secret-volume"));
            });
        });
    }

    it("gives the same result when switching modes over relocated manifests", () => {
        const texts = new Map(cases.map(c => [c.name, relocateYaml(fixtureText, relocationOptions(c.mesh))]));
        for (const from of cases) {
            for (const to of cases) {
                const switched = relocateYaml(texts.get(from.name)!, relocationOptions(to.mesh));
                assert.equal(switched, texts.get(to.name), `${from.name} → ${to.name}`);
                const objects = relocate(relocate(fixture, relocationOptions(from.mesh)), relocationOptions(to.mesh));
                assert.deepEqual(objects, relocate(fixture, relocationOptions(to.mesh)), `${from.name} → ${to.name}`);
            }
        }
    });

    it("removes every key it manages before applying a mode, the deprecated annotation included", () => {
        const tainted = structuredClone(fixture);
        const collector = pods(tainted).get("collector")!;
        collector.metadata!.labels!["istio.io/rev"] = "old";
        collector.metadata!.annotations!["sidecar.istio.io/inject"] = "true";
        collector.metadata!.annotations!["traffic.sidecar.istio.io/excludeInboundPorts"] = "8080";
        collector.spec!.volumes!.push({ name: "istio-certs", emptyDir: {} });
        collector.spec!.containers![0].volumeMounts!.push({ name: "istio-certs", mountPath: "/old" });
        for (const { name, mesh } of cases) {
            const pod = pods(relocate(tainted, relocationOptions(mesh))).get("collector")!;
            const clean = pods(relocate(fixture, relocationOptions(mesh))).get("collector")!;
            // excludeInboundPorts is not this package's: it stays as the user set it.
            const { ["traffic.sidecar.istio.io/excludeInboundPorts"]: kept, ...annotations } = pod.metadata!.annotations!;
            assert.equal(kept, "8080", name);
            assert.deepEqual({ ...pod, metadata: { ...pod.metadata, annotations } }, clean, name);
        }
    });

    describe("applyPodMesh", () => {
        const options: PodMeshOptions = { mode: "sidecar", meshNodeDaemonSet: true, proxyResources };
        const otherPod: PodTemplate = {
            metadata: { labels: { app: "other" } },
            spec: { containers: [{ name: "addon-token-adapter" }, { name: "app" }] },
        };

        it("meshes a pod of no known workload like the namespace does, without proxy resources", () => {
            assert.equal(workloadOfPod(otherPod), undefined);
            assert.deepEqual(applyPodMesh(undefined, otherPod, options).metadata, {
                labels: { app: "other" },
                annotations: {
                    "proxy.istio.io/config": hold,
                    "traffic.sidecar.istio.io/excludeOutboundIPRanges": imds,
                },
            });
        });

        it("creates no empty annotations map, and does not modify the pod", () => {
            const before = structuredClone(otherPod);
            assert.deepEqual(applyPodMesh(undefined, otherPod, { ...options, mode: "off" }).metadata, {
                labels: { app: "other", "sidecar.istio.io/inject": "false" },
            });
            assert.deepEqual(otherPod, before);
        });

        it("refuses certificates mode for a collector pod without its main container", () => {
            const pod: PodTemplate = { metadata: { labels: { rsName: "ama-metrics" } }, spec: { containers: [{ name: "collector" }] } };
            assert.throws(() => applyPodMesh("collector", pod, { ...options, mode: "certificates" }), /"prometheus-collector"/);
        });
    });
});

function withMounts(base: unknown[] | undefined, added: unknown[] | undefined): unknown[] | undefined {
    return base === undefined && added === undefined ? undefined : [...(base ?? []), ...(added ?? [])];
}
