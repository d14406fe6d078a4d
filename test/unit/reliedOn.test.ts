// A chart version that renames what the relocation relies on must be refused, naming what is missing and
// what to do, instead of relocating into a deployment that silently does less. Each case changes a copy
// of the chart's renderings as a new chart version could (the names come from the renderings: the
// labels, containers, Service and ServiceAccount as Azure/prometheus-collector's templates write them).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { relocateObjects, relocateText } from "../../components/amaMetrics/relocate";
import { Container, containersOf, KubernetesObject } from "../../components/core/kubernetes";
import { chartRenderings, find, fixture, fixtureObjects, podOf, relocationFor } from "../harness";

const options = relocationFor();
const containerOf = (objects: KubernetesObject[], kind: string, name: string, container: string): Container =>
    containersOf(podOf(find(objects, kind, name))).find((c) => c.name === container)!;
const relabel = (object: KubernetesObject, from: string, to: string) => {
    const labels = podOf(object).metadata!.labels!;
    labels[to] = labels[from];
    delete labels[from];
};

const cases: { name: string; change: (objects: KubernetesObject[]) => void; missing: RegExp }[] = [
    {
        name: "the target allocator's rsName label renamed (pods and Service selector alike)",
        change: (o) => {
            relabel(find(o, "Deployment", "ama-metrics-operator-targets"), "rsName", "app.kubernetes.io/instance");
            const selector = (find(o, "Service", "ama-metrics-operator-targets").spec as { selector: Record<string, string> }).selector;
            selector["app.kubernetes.io/instance"] = selector.rsName;
            delete selector.rsName;
        },
        missing: /a Deployment whose pods carry the labels rsName=ama-metrics-operator-targets \(ama-metrics-operator-targets\)/,
    },
    {
        name: "the collector's rsName label renamed",
        change: (o) => relabel(find(o, "Deployment", "ama-metrics"), "rsName", "replicaSetName"),
        missing: /a Deployment whose pods carry the labels rsName=ama-metrics \(ama-metrics\)/,
    },
    {
        name: "kube-state-metrics relabelled",
        change: (o) => relabel(find(o, "Deployment", "ama-metrics-ksm"), "app.kubernetes.io/name", "app"),
        missing: /labels app\.kubernetes\.io\/name=ama-metrics-ksm/,
    },
    {
        name: "the Windows node DaemonSet dropped",
        change: (o) => o.splice(o.indexOf(find(o, "DaemonSet", "ama-metrics-win-node")), 1),
        missing: /a DaemonSet whose pods carry the labels dsName=ama-metrics-win-node/,
    },
    {
        name: "the target allocator's Service renamed",
        change: (o) => (find(o, "Service", "ama-metrics-operator-targets").metadata.name = "ama-metrics-targetallocator"),
        missing: /the Service "ama-metrics-operator-targets" selecting rsName=ama-metrics-operator-targets on port 80 → 8080/,
    },
    {
        name: "the target allocator's Service on another port",
        change: (o) =>
            ((find(o, "Service", "ama-metrics-operator-targets").spec as { ports: { targetPort: number }[] }).ports[0].targetPort = 8443),
        missing: /the Service "ama-metrics-operator-targets"/,
    },
    {
        name: "the ServiceAccount renamed, and the pods with it",
        change: (o) => {
            find(o, "ServiceAccount", "ama-metrics-serviceaccount").metadata.name = "ama-metrics-sa";
            for (const w of o.filter((x) => x.kind === "Deployment" || x.kind === "DaemonSet")) {
                const spec = podOf(w).spec!;
                if (spec.serviceAccountName === "ama-metrics-serviceaccount") spec.serviceAccountName = "ama-metrics-sa";
            }
        },
        missing:
            /serviceAccountName ama-metrics-serviceaccount in Deployment "ama-metrics":[^]*the ServiceAccount "ama-metrics-serviceaccount"/,
    },
    {
        name: "the config reader's container renamed",
        change: (o) => (containerOf(o, "Deployment", "ama-metrics-operator-targets", "config-reader").name = "configreader"),
        missing: /the container "config-reader" in Deployment "ama-metrics-operator-targets": it reads the certificates mode's certificate/,
    },
    {
        name: "the collector's container renamed",
        change: (o) => (containerOf(o, "Deployment", "ama-metrics", "prometheus-collector").name = "otel-collector"),
        missing: /the container "prometheus-collector" in Deployment "ama-metrics"/,
    },
    {
        name: "the target allocator's container renamed",
        change: (o) => (containerOf(o, "Deployment", "ama-metrics-operator-targets", "targetallocator").name = "allocator"),
        missing: /the container "targetallocator" in Deployment "ama-metrics-operator-targets": it gets ALLOW_INSECURE_AUTH_SECRETS/,
    },
    {
        name: "the HTTPS switch's env renamed",
        change: (o) => {
            const env = containerOf(o, "Deployment", "ama-metrics", "prometheus-collector").env as { name: string }[];
            env.find((e) => e.name === "OPERATOR_TARGETS_HTTPS_ENABLED")!.name = "TA_HTTPS_ENABLED";
        },
        missing: /the env OPERATOR_TARGETS_HTTPS_ENABLED of the container "prometheus-collector" in Deployment "ama-metrics"/,
    },
    {
        name: "the Windows token adapter renamed",
        change: (o) => (containerOf(o, "DaemonSet", "ama-metrics-win-node", "addon-token-adapter-win").name = "token-adapter"),
        missing: /the container "addon-token-adapter-win" in DaemonSet "ama-metrics-win-node": it reads the token secret/,
    },
    {
        name: "the token adapter's --secret-name argument dropped",
        change: (o) => {
            const adapter = containerOf(o, "DaemonSet", "ama-metrics-node", "addon-token-adapter");
            adapter.args = (adapter.args as string[]).filter((a) => !a.startsWith("--secret-name="));
        },
        missing: /the argument --secret-name=… of the container "addon-token-adapter" in DaemonSet "ama-metrics-node"/,
    },
];

for (const rendering of chartRenderings) {
    describe(`the relocation refuses a rendering that lacks what it relies on, over ${rendering}`, () => {
        const rendered = fixtureObjects("ama-metrics-chart", rendering);

        it("relocates the rendering as it is, and its own output (a mode switch)", () => {
            assert.doesNotThrow(() => relocateObjects(relocateObjects(rendered, options), relocationFor({ istio: { mode: "off" } })));
        });

        for (const { name, change, missing } of cases) {
            it(`refuses ${name}, naming what is missing and what to do`, () => {
                const input = structuredClone(rendered);
                change(input);
                assert.throws(
                    () => relocateObjects(input, options),
                    (error: Error) => {
                        assert.match(error.message, /^The chart's rendering lacks what the relocation relies on:\n {2}- /);
                        assert.match(error.message, missing);
                        assert.match(
                            error.message,
                            /deploy chart version 7\.1\.0-main-07-07-2026-548e23dc \(the version this package is tested with\)/,
                        );
                        return true;
                    },
                );
            });
        }

        it("lists every missing part at once", () => {
            const input = structuredClone(rendered);
            for (const { change } of cases.slice(0, 3)) change(input);
            assert.throws(
                () => relocateObjects(input, options),
                (error: Error) => cases.slice(0, 3).every(({ missing }) => missing.test(error.message)),
            );
        });

        it("refuses the text of a rendering whose Service was renamed, as the post-renderer reads it", () => {
            const text = fs
                .readFileSync(fixture("ama-metrics-chart", rendering), "utf8")
                .replace(/^ {2}name: ama-metrics-operator-targets\n {2}namespace: kube-system\nspec:\n {2}internalTrafficPolicy/m, (m) =>
                    m.replace("ama-metrics-operator-targets", "ama-metrics-ta"),
                );
            assert.match(text, /name: ama-metrics-ta\n/);
            assert.throws(() => relocateText(text, options), /the Service "ama-metrics-operator-targets"/);
        });
    });
}

describe("the relocation refuses input without objects", () => {
    it("an empty list, an empty text and a text of empty documents", () => {
        const none = /The manifests hold no Kubernetes object: nothing to relocate, and Helm would remove every object of the release/;
        assert.throws(() => relocateObjects([], options), none);
        for (const text of ["", "\n", "---\n# nothing\n---\n", "---\n---\n"]) {
            assert.throws(() => relocateText(text, options), none, JSON.stringify(text));
        }
    });
});
