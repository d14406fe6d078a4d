// The pod settings of each mesh mode on the chart's five workloads (the mode table of the design), over
// the renderings the relocation accepts: exactly what each pod gains, nothing else; the certificates mode's
// mounts found from the rendering's own volumes; the seed's mistakes never made; pods on the host's network
// never meshed.

import * as assert from "node:assert/strict";
import { relocateObjects, RelocationSettings } from "../../components/amaMetrics/relocate";
import { containersOf, KubernetesObject, PodTemplate } from "../../components/core/kubernetes";
import { applyPodMesh, PodMeshOptions } from "../../components/mesh/pod";
import { fixtureObjects, httpsOffRendering, chartRenderings, relocationFor } from "../harness";

type Mode = RelocationSettings["mesh"]["mode"];
type Mesh = RelocationSettings["mesh"];

// The component's defaults, each case changing some of the mesh settings. The expected annotations below
// spell out what these defaults must give (the service CIDR 10.0.0.0/16, the collector's proxy at
// 100m/128Mi): those literals are pinned on purpose.
const defaults = relocationFor();
const baseMesh: Mesh = defaults.mesh;
const options = (mesh: Partial<Mesh>): RelocationSettings => ({ ...defaults, mesh: { ...baseMesh, ...mesh } });

// The chart's workloads, by the objects the reference names (reference/ama-metrics.md).
const workloadObjects = {
    collector: ["Deployment", "ama-metrics"],
    targetAllocator: ["Deployment", "ama-metrics-operator-targets"],
    kubeStateMetrics: ["Deployment", "ama-metrics-ksm"],
    node: ["DaemonSet", "ama-metrics-node"],
    windowsNode: ["DaemonSet", "ama-metrics-win-node"],
} as const;
type Workload = keyof typeof workloadObjects;

function podsOf(objects: KubernetesObject[]): Record<Workload, PodTemplate> {
    return Object.fromEntries(
        Object.entries(workloadObjects).map(([workload, [kind, name]]) => {
            const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
            assert.ok(object, `${kind} ${name}`);
            return [workload, (object.spec as { template: PodTemplate }).template];
        }),
    ) as Record<Workload, PodTemplate>;
}

/** What a mode adds to a pod: labels, annotations (JSON ones compared parsed), volumes, mounts by container. */
interface Added {
    labels?: Record<string, string>;
    annotations?: Record<string, unknown>;
    volumes?: unknown[];
    mounts?: Record<string, unknown[]>;
}

// Out of the sidecar mesh and out of ambient (istio/istio cni/README.md "Selection API": a pod labelled
// istio.io/dataplane-mode=none is never captured by ztunnel, whatever its namespace says).
const optOut: Added = { labels: { "sidecar.istio.io/inject": "false", "istio.io/dataplane-mode": "none" } };
const jsonAnnotations = ["proxy.istio.io/config", "sidecar.istio.io/userVolumeMount"];
const hold = { holdApplicationUntilProxyStarts: true };

// sidecar: only the cluster's services are captured (IMDS, nodes and Azure bypass the proxy), DNS is not
// captured (a mesh-wide ISTIO_META_DNS_CAPTURE would answer ServiceEntry hosts with 240.240.0.0/16 addresses
// outside the captured range: pilot/pkg/networking/serviceentry/ip_autoallocation.go), the proxy starts
// first, proxy resources as configured.
const sidecarAnnotations = (extra: Record<string, string> = {}) => ({
    "proxy.istio.io/config": { ...hold, proxyMetadata: { ISTIO_META_DNS_CAPTURE: "false" } },
    "traffic.sidecar.istio.io/includeOutboundIPRanges": "10.0.0.0/16",
    ...extra,
});

// certificates: Istio's "scrape with Istio certs" pattern, nothing intercepted (DNS included), the
// certificate written to a shared memory volume and mounted read-only where the mTLS job is read.
const certificateAnnotations = (extra: Record<string, string> = {}) => ({
    "traffic.sidecar.istio.io/includeInboundPorts": "",
    "traffic.sidecar.istio.io/includeOutboundIPRanges": "",
    "proxy.istio.io/config": { ...hold, proxyMetadata: { ISTIO_META_DNS_CAPTURE: "false", OUTPUT_CERTS: "/etc/istio-output-certs" } },
    "sidecar.istio.io/userVolumeMount": [{ name: "istio-certs", mountPath: "/etc/istio-output-certs" }],
    ...extra,
});
const certsVolume = { name: "istio-certs", emptyDir: { medium: "Memory" } };
const certsMount = { name: "istio-certs", mountPath: "/etc/prom-certs/", readOnly: true };

const cases: { name: string; mesh: Partial<Mesh>; expected: Record<Workload, Added> }[] = [
    {
        name: "sidecar",
        mesh: {},
        expected: {
            collector: {
                annotations: sidecarAnnotations({ "sidecar.istio.io/proxyCPU": "100m", "sidecar.istio.io/proxyMemory": "128Mi" }),
            },
            targetAllocator: { annotations: sidecarAnnotations() },
            kubeStateMetrics: { annotations: sidecarAnnotations() },
            node: optOut,
            windowsNode: optOut,
        },
    },
    {
        name: "sidecar with the node DaemonSet, a revision, resources and exclusions",
        mesh: {
            revision: "asm-1-27",
            meshNodeDaemonSet: true,
            proxyResources: {
                collector: { cpu: "100m", memory: "128Mi" },
                node: { cpu: "200m", memory: "256Mi" },
                targetAllocator: { cpuLimit: "500m", memoryLimit: "512Mi" },
            },
            extraExcludeOutboundIPRanges: ["10.0.5.0/24", "10.0.6.0/24"],
            extraExcludeOutboundPorts: [9999, 8443],
        },
        expected: ((): Record<Workload, Added> => {
            const excluded = {
                "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.5.0/24,10.0.6.0/24",
                "traffic.sidecar.istio.io/excludeOutboundPorts": "9999,8443",
                // The revision on the pod template: a revision change rolls the pod (issue 19.5).
                "ama-metrics-istio/istio-revision": "asm-1-27",
            };
            return {
                collector: {
                    annotations: sidecarAnnotations({
                        ...excluded,
                        "sidecar.istio.io/proxyCPU": "100m",
                        "sidecar.istio.io/proxyMemory": "128Mi",
                    }),
                },
                targetAllocator: {
                    annotations: sidecarAnnotations({
                        ...excluded,
                        "sidecar.istio.io/proxyCPULimit": "500m",
                        "sidecar.istio.io/proxyMemoryLimit": "512Mi",
                    }),
                },
                kubeStateMetrics: { annotations: sidecarAnnotations(excluded) },
                node: {
                    annotations: sidecarAnnotations({
                        ...excluded,
                        "sidecar.istio.io/proxyCPU": "200m",
                        "sidecar.istio.io/proxyMemory": "256Mi",
                    }),
                },
                windowsNode: optOut,
            };
        })(),
    },
    ...[
        { name: "certificates", revision: undefined, optIn: { "sidecar.istio.io/inject": "true" } as Record<string, string> },
        { name: "certificates with a revision", revision: "asm-1-27", optIn: { "istio.io/rev": "asm-1-27" } as Record<string, string> },
    ].map(({ name, revision, optIn }) => ({
        name,
        mesh: { mode: "certificates" as Mode, revision },
        expected: {
            collector: {
                labels: optIn,
                annotations: certificateAnnotations({ "sidecar.istio.io/proxyCPU": "100m", "sidecar.istio.io/proxyMemory": "128Mi" }),
                volumes: [certsVolume],
                mounts: { "prometheus-collector": [certsMount] },
            },
            targetAllocator: {
                labels: optIn,
                annotations: certificateAnnotations(),
                volumes: [certsVolume],
                mounts: { "config-reader": [certsMount] },
            },
            kubeStateMetrics: optOut,
            node: optOut,
            windowsNode: optOut,
        },
    })),
    {
        name: "off",
        mesh: { mode: "off", proxyResources: {} },
        expected: { collector: optOut, targetAllocator: optOut, kubeStateMetrics: optOut, node: optOut, windowsNode: optOut },
    },
];

const parsedAnnotations = (annotations: Record<string, string> | undefined) =>
    annotations &&
    Object.fromEntries(Object.entries(annotations).map(([key, value]) => [key, jsonAnnotations.includes(key) ? JSON.parse(value) : value]));
const merged = <T>(base: Record<string, T> | undefined, added: Record<string, T> | undefined) =>
    base === undefined && added === undefined ? undefined : { ...base, ...added };

for (const rendering of chartRenderings) {
    describe(`pod mesh settings, over ${rendering}`, () => {
        const rendered = fixtureObjects("ama-metrics-chart", rendering);
        // The chart's pods with the allocator's HTTPS off, which the relocation turns off in Helm's defaults too.
        const chartPods = podsOf(fixtureObjects("ama-metrics-chart", httpsOffRendering));

        for (const { name, mesh, expected } of cases) {
            describe(`mode ${name}`, () => {
                const pods = podsOf(relocateObjects(rendered, options(mesh)));

                for (const workload of Object.keys(workloadObjects) as Workload[]) {
                    it(`gives the ${workload} pod exactly its labels, annotations, volumes and mounts`, () => {
                        const before = chartPods[workload];
                        const after = pods[workload];
                        const added = expected[workload];
                        assert.deepEqual(after.metadata?.labels, merged(before.metadata?.labels, added.labels));
                        assert.deepEqual(
                            parsedAnnotations(after.metadata?.annotations),
                            merged<unknown>(before.metadata?.annotations, added.annotations),
                        );
                        assert.deepEqual(after.spec?.volumes, [...(before.spec?.volumes ?? []), ...(added.volumes ?? [])]);
                        assert.deepEqual(
                            containersOf(after).map((c) => c.name),
                            containersOf(before).map((c) => c.name),
                        );
                        for (const container of containersOf(after)) {
                            const original = containersOf(before).find((c) => c.name === container.name)!;
                            const mounts = added.mounts?.[container.name];
                            assert.deepEqual(
                                container.volumeMounts,
                                mounts ? [...(original.volumeMounts ?? []), ...mounts] : original.volumeMounts,
                                `mounts of ${container.name}`,
                            );
                        }
                        // Nothing else of the pod changes (the env of the target allocator aside, see relocate.test.ts).
                        const rest = (pod: PodTemplate) => ({
                            ...pod.spec,
                            containers: undefined,
                            initContainers: undefined,
                            volumes: undefined,
                        });
                        assert.deepEqual(rest(after), rest(before));
                    });
                }
            });
        }

        describe("certificates mode: the mTLS job's certificate reaches every container that reads it", () => {
            // The collector's custom scrape configuration: the ConfigMap the merger reads from
            // /etc/config/settings/prometheus/prometheus-config (prometheus-config-merger.go).
            const customConfig = "ama-metrics-prometheus-config";
            const readers = (pods: Record<Workload, PodTemplate>) =>
                Object.entries(pods).flatMap(([workload, pod]) => {
                    const volumes = (pod.spec?.volumes ?? [])
                        .filter((v) => (v.configMap as { name?: string } | undefined)?.name === customConfig)
                        .map((v) => v.name);
                    return containersOf(pod)
                        .filter((c) => (c.volumeMounts ?? []).some((m) => volumes.includes(m.name)))
                        .map((container) => ({ workload: workload as Workload, pod, container }));
                });

            it("finds the readers in the rendering: the collector's and the target allocator's config reader", () => {
                assert.deepEqual(
                    readers(chartPods).map((r) => `${r.workload}/${r.container.name}`),
                    ["collector/prometheus-collector", "targetAllocator/config-reader"],
                );
            });

            for (const revision of [undefined, "asm-1-27"]) {
                it(`mounts /etc/prom-certs/ into each, and opts their pods in${revision ? " with the revision" : ""}`, () => {
                    const pods = podsOf(relocateObjects(rendered, options({ mode: "certificates", revision })));
                    const found = readers(pods);
                    assert.equal(found.length, 2);
                    for (const { workload, pod, container } of found) {
                        const mount = (container.volumeMounts ?? []).find((m) => m.mountPath === "/etc/prom-certs/");
                        assert.ok(mount, `${workload}/${container.name} mounts the certificates`);
                        assert.equal(mount.readOnly, true);
                        const volume = pod.spec?.volumes?.find((v) => v.name === mount.name);
                        assert.deepEqual(volume?.emptyDir, { medium: "Memory" });
                        const labels = pod.metadata?.labels ?? {};
                        assert.deepEqual(
                            revision ? labels["istio.io/rev"] : labels["sidecar.istio.io/inject"],
                            revision ?? "true",
                            `${workload} opts in`,
                        );
                        const annotations = pod.metadata?.annotations ?? {};
                        const proxyConfig = JSON.parse(annotations["proxy.istio.io/config"]);
                        assert.equal(proxyConfig.proxyMetadata.OUTPUT_CERTS, "/etc/istio-output-certs");
                        assert.deepEqual(JSON.parse(annotations["sidecar.istio.io/userVolumeMount"]), [
                            { name: mount.name, mountPath: "/etc/istio-output-certs" },
                        ]);
                        assert.equal(annotations["traffic.sidecar.istio.io/includeInboundPorts"], "");
                        assert.equal(annotations["traffic.sidecar.istio.io/includeOutboundIPRanges"], "");
                    }
                });
            }

            for (const mode of ["sidecar", "off"] as const) {
                it(`mounts nothing in the ${mode} mode`, () => {
                    const pods = podsOf(
                        relocateObjects(rendered, options({ mode, proxyResources: mode === "off" ? {} : baseMesh.proxyResources })),
                    );
                    for (const [workload, pod] of Object.entries(pods)) {
                        assert.ok(!(pod.spec?.volumes ?? []).some((v) => v.name === "istio-certs"), workload);
                        for (const container of containersOf(pod)) {
                            assert.ok(!(container.volumeMounts ?? []).some((m) => m.mountPath === "/etc/prom-certs/"), container.name);
                        }
                    }
                });
            }
        });

        it("never makes the seed's pod-annotation mistakes", () => {
            // The seed's pods (test/fixtures/seed): injection through the deprecated annotation, and the
            // health ports excluded from inbound capture, which lets plain text past STRICT mTLS.
            const seedPods = fixtureObjects("seed", "istio-objects.yaml")
                .filter((o) => o.kind === "Deployment" || o.kind === "DaemonSet")
                .map((o) => (o.spec as { template: PodTemplate }).template.metadata?.annotations ?? {});
            assert.equal(seedPods.length, 2);
            for (const annotations of seedPods) {
                assert.equal(annotations["sidecar.istio.io/inject"], "true");
                assert.equal(annotations["traffic.sidecar.istio.io/excludeInboundPorts"], "8080,8888");
            }
            // Seeded onto the chart's pods, the deprecated annotation is taken off; the pods never get it otherwise.
            const seeded = structuredClone(rendered);
            for (const pod of Object.values(podsOf(seeded))) {
                pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, "sidecar.istio.io/inject": "true" } };
            }
            for (const { name, mesh } of cases) {
                for (const input of [rendered, seeded]) {
                    for (const [workload, pod] of Object.entries(podsOf(relocateObjects(input, options(mesh))))) {
                        const annotations = pod.metadata?.annotations ?? {};
                        assert.ok(!("sidecar.istio.io/inject" in annotations), `${name}: ${workload}`);
                        assert.ok(!("traffic.sidecar.istio.io/excludeInboundPorts" in annotations), `${name}: ${workload}`);
                    }
                }
            }
        });

        it("refuses a pod on the host's network where the mode would mesh it", () => {
            const onHostNetwork = (workload: Workload) => {
                const input = structuredClone(rendered);
                const pod = podsOf(input)[workload];
                pod.spec = { ...pod.spec, hostNetwork: true };
                return input;
            };
            for (const mode of ["sidecar", "certificates"] as const) {
                assert.throws(
                    () => relocateObjects(onHostNetwork("collector"), options({ mode })),
                    new RegExp(`collector pod runs on the host's network.*mesh mode "${mode}" would mesh it`),
                );
            }
            assert.doesNotThrow(() => relocateObjects(onHostNetwork("collector"), options({ mode: "off", proxyResources: {} })));
            // The node DaemonSet only when asked for; the kube-state-metrics pod is outside the certificates mode.
            assert.doesNotThrow(() => relocateObjects(onHostNetwork("node"), options({})));
            assert.throws(
                () => relocateObjects(onHostNetwork("node"), options({ meshNodeDaemonSet: true })),
                /node pod runs on the host's network/,
            );
            assert.doesNotThrow(() => relocateObjects(onHostNetwork("kubeStateMetrics"), options({ mode: "certificates" })));
            // The rendering's own `hostNetwork: false` is no reason to refuse.
            assert.equal(chartPods.kubeStateMetrics.spec?.hostNetwork, false);
        });

        it("takes off every key it manages before applying a mode, and leaves the others", () => {
            const tainted = structuredClone(rendered);
            const collector = podsOf(tainted).collector;
            collector.metadata!.labels!["istio.io/rev"] = "old";
            collector.metadata!.annotations = {
                ...collector.metadata!.annotations,
                "traffic.sidecar.istio.io/excludeOutboundPorts": "1",
                "traffic.sidecar.istio.io/excludeInboundPorts": "8080",
            };
            collector.spec!.volumes!.push({ name: "istio-certs", emptyDir: {} });
            collector.spec!.containers![0].volumeMounts!.push({ name: "istio-certs", mountPath: "/old" });
            for (const { name, mesh } of cases) {
                const pod = podsOf(relocateObjects(tainted, options(mesh))).collector;
                const clean = podsOf(relocateObjects(rendered, options(mesh))).collector;
                // excludeInboundPorts is not this package's: it stays as the user set it.
                const { ["traffic.sidecar.istio.io/excludeInboundPorts"]: kept, ...annotations } = pod.metadata!.annotations!;
                assert.equal(kept, "8080", name);
                assert.deepEqual({ ...pod, metadata: { ...pod.metadata, annotations } }, clean, name);
            }
        });
    });
}

describe("applyPodMesh", () => {
    const podOptions = (mode: Mode): PodMeshOptions => ({ ...baseMesh, mode, collector: "ama-metrics" });
    const otherPod: PodTemplate = {
        metadata: { labels: { app: "other" } },
        spec: { containers: [{ name: "addon-token-adapter" }, { name: "app" }] },
    };

    it("meshes a pod of no known workload as the namespace does, without proxy resources", () => {
        const pod = applyPodMesh(undefined, otherPod, podOptions("sidecar"));
        assert.deepEqual(pod.metadata?.labels, { app: "other" });
        assert.deepEqual(parsedAnnotations(pod.metadata?.annotations), sidecarAnnotations());
    });

    it("keeps a pod of no known workload out of the mesh in the other modes, and creates no empty maps", () => {
        for (const mode of ["certificates", "off"] as const) {
            assert.deepEqual(applyPodMesh(undefined, otherPod, podOptions(mode)).metadata, {
                labels: { app: "other", "sidecar.istio.io/inject": "false", "istio.io/dataplane-mode": "none" },
            });
        }
    });

    it("does not modify the pod it is given", () => {
        const before = structuredClone(otherPod);
        for (const mode of ["sidecar", "certificates", "off"] as const) applyPodMesh(undefined, otherPod, podOptions(mode));
        assert.deepEqual(otherPod, before);
    });

    it("refuses the certificates mode for a pod without the container that reads the certificates", () => {
        const pod: PodTemplate = { metadata: { labels: { rsName: "ama-metrics" } }, spec: { containers: [{ name: "collector" }] } };
        assert.throws(
            () => applyPodMesh("collector", pod, podOptions("certificates"), ["prometheus-collector"]),
            /container\(s\) prometheus-collector, but the pod has only collector/,
        );
    });
});
