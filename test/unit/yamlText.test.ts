// The post-renderer's YAML in and out (yamlText.ts, through relocateYaml): every value the relocation does
// not change keeps its text, comments and quotes stay, new strings are quoted where a YAML 1.1 reader (Helm,
// the Kubernetes tooling) would read another type, and bad documents are named without quoting the text.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as YAML from "yaml";
import { RelocationSettings, relocateText } from "../../components/amaMetrics/relocate";
import { Container, containersOf, KubernetesObject } from "../../components/core/kubernetes";
import { chartRenderings, fixture, fixtureObjects, helmDefaultsRendering, podOf, relocationFor } from "../harness";

type Mode = RelocationSettings["mesh"]["mode"];
function options(mode: Mode = "sidecar", overrides: Partial<RelocationSettings> = {}): RelocationSettings {
    const istio = mode === "certificates" ? { mode, acknowledgeDefaultRevision: true } : { mode };
    return { ...relocationFor({ istio }), ...overrides };
}
const workloads = (objects: KubernetesObject[]) => objects.filter((o) => o.kind === "Deployment" || o.kind === "DaemonSet");
const envOf = (container: Container) => (container.env ?? []) as { name: string; value?: string }[];
const namespaced = (o: KubernetesObject) => !["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"].includes(o.kind);
const ref = (o: KubernetesObject) => `${o.kind} ${o.metadata.name}`;

for (const rendering of chartRenderings) {
    describe(`relocateYaml, over ${rendering}`, () => {
        const text = fs.readFileSync(fixture("ama-metrics-chart", rendering), "utf8");
        const rendered = fixtureObjects("ama-metrics-chart", rendering);

        it("keeps the text of every value it does not change, and the comments", () => {
            const output = relocateText(text, options("certificates"));
            const before = scalarTexts(text);
            const after = scalarTexts(output);
            let kept = 0;
            for (const [path, scalar] of before) {
                const now = after.get(path);
                if (now !== undefined && now.value === scalar.value) {
                    assert.equal(now.source, scalar.source, path);
                    kept++;
                }
            }
            assert.ok(kept > 0.95 * before.size, `only ${kept} of ${before.size} scalars kept their value`);
            // Whole-line comments, and comments after a value (` # ` does not occur inside the chart's strings).
            const comments = (t: string) =>
                t
                    .split("\n")
                    .filter((line) => /^\s*#|\s#\s/.test(line))
                    .map((line) => line.slice(line.search(/(^|\s)#/)).trim());
            assert.deepEqual(comments(output), comments(text));
            // The values the relocation changes keep their quotes.
            assert.match(output, /- name: OTELCOL_NAMESPACE\n\s+value: "monitoring"\n/);
        });

        it("quotes new strings that a YAML 1.1 reader (Helm, the Kubernetes tooling) would take for another type", () => {
            for (const namespace of ["no", "on", "y", "off", "0777", "1e3", "123"]) {
                const output = relocateText(text, options("sidecar", { namespace }));
                for (const version of ["1.1", "1.2"] as const) {
                    const objects = YAML.parseAllDocuments(output, { version }).map((d) => d.toJS() as KubernetesObject);
                    for (const object of objects.filter(namespaced)) {
                        assert.equal(object.metadata.namespace, namespace, `${namespace}, YAML ${version}: ${ref(object)}`);
                    }
                    const env = workloads(objects)
                        .flatMap((w) => containersOf(podOf(w)).flatMap(envOf))
                        .find((e) => e.name === "OTELCOL_NAMESPACE");
                    assert.equal(env?.value, namespace, `${namespace}, YAML ${version}`);
                }
            }
        });

        it("drops empty documents and names a document that is not YAML or not an object", () => {
            assert.equal(relocateText(`---\n\n${text}\n---\n`, options()), relocateText(text, options()));
            assert.throws(() => relocateText("apiVersion: v1\nkind: [unclosed\n", options()), /not valid YAML \(document 1, line 3/);
            assert.throws(
                () => relocateText(`${text}\n---\njust a string\n`, options()),
                new RegExp(`Document ${rendered.length + 1} of the manifests is not a Kubernetes object`),
            );
        });
    });
}

describe("relocateYaml, on values it changes", () => {
    // The rendering with a comment and single quotes on two values the relocation changes.
    const text = fs
        .readFileSync(fixture("ama-metrics-chart", helmDefaultsRendering), "utf8")
        .replace(
            '        - name: OTELCOL_NAMESPACE\n          value: "kube-system"\n',
            "        - name: OTELCOL_NAMESPACE\n          value: 'kube-system' # the chart's literal\n",
        )
        .replace(
            "        rsName: ama-metrics\n        kubernetes.azure.com/managedby: aks\n      annotations:\n",
            "        rsName: ama-metrics\n        kubernetes.azure.com/managedby: aks\n      annotations:\n" +
                '        traffic.sidecar.istio.io/includeOutboundIPRanges: "" # set by hand\n',
        );

    it("keeps their comments, and quotes that were a choice of style", () => {
        assert.match(text, /# set by hand/);
        assert.match(text, /# the chart's literal/);
        const output = relocateText(text, options("sidecar"));
        assert.match(output, /includeOutboundIPRanges: 10\.0\.0\.0\/16 # set by hand\n/);
        assert.match(output, /value: 'monitoring' # the chart's literal\n/);
    });
});

/** Every scalar of a multi-document YAML text by document and path: its value and its text as written. */
function scalarTexts(text: string): Map<string, { value: unknown; source: string }> {
    const result = new Map<string, { value: unknown; source: string }>();
    const walk = (node: unknown, path: string) => {
        if (YAML.isMap(node)) {
            for (const pair of node.items) walk(pair.value, `${path}.${String((pair.key as YAML.Scalar).value)}`);
        } else if (YAML.isSeq(node)) {
            node.items.forEach((item, i) => walk(item, `${path}[${i}]`));
        } else if (YAML.isScalar(node) && node.range) {
            result.set(path, { value: node.value, source: text.slice(node.range[0], node.range[1]) });
        }
    };
    YAML.parseAllDocuments(text)
        .filter((d) => d.contents !== null)
        .forEach((document, i) => walk(document.contents, `${i}`));
    return result;
}
