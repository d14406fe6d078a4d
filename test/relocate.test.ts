import * as assert from "node:assert/strict";
import * as YAML from "yaml";
import { Manifest } from "../components/kubernetesApi";
import { clusterScopedName, relocate, RelocationOptions, relocateYaml } from "../components/relocate";

function options(overrides: Partial<RelocationOptions> = {}): RelocationOptions {
    return {
        namespace: "monitoring",
        tokenSecret: { name: "aad-msi-auth-token", namespace: "kube-system" },
        mesh: { mode: "off", meshNodeDaemonSet: true, proxyResources: {} },
        ...overrides,
    };
}

const clusterRole = (name: string): Manifest => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name },
    rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }],
});

const binding = (kind: string, name: string, roleRef: string, namespace?: string): Manifest => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: namespace ? { name, namespace } : { name },
    subjects: [
        { kind: "ServiceAccount", name: "agent", namespace: "kube-system" },
        { kind: "ServiceAccount", name: "other", namespace: "tenant-a" },
        { kind: "Group", name: "system:authenticated", apiGroup: "rbac.authorization.k8s.io" },
    ],
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleRef },
});

const deployment = (spec: Record<string, unknown>): Manifest => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "app", namespace: "kube-system" },
    spec: {
        selector: { matchLabels: { app: "app" } },
        template: { metadata: { labels: { app: "app" } }, spec },
    },
});

const crd = (kind: string, plural: string, scope: string): Manifest => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.example.com` },
    spec: {
        group: "example.com",
        names: { kind, plural, listKind: `${kind}List`, singular: kind.toLowerCase() },
        scope,
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } }],
    },
});

function find(objects: Manifest[], kind: string): Manifest[] {
    return objects.filter(o => o.kind === kind);
}

describe("relocate", () => {
    it("moves every namespaced object into the target namespace, with or without a namespace before", () => {
        const input: Manifest[] = [
            { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "kube-system" }, data: { k: "v" } },
            { apiVersion: "v1", kind: "Secret", metadata: { name: "b" }, type: "Opaque" },
            { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "c", namespace: "default" } },
        ];
        const output = relocate(input, options());
        assert.deepEqual(
            output.map(o => o.metadata?.namespace),
            ["monitoring", "monitoring", "monitoring"],
        );
        // The namespace goes next to the name, so the manifest reads as usual.
        assert.deepEqual(Object.keys(output[1].metadata ?? {}), ["name", "namespace"]);
    });

    it("refuses a kind that is neither built in nor defined by a CRD in the input, and says what to do", () => {
        const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "kube-system" } };
        assert.throws(
            () => relocate([widget], options()),
            (error: Error) =>
                /example\.com\/v1 Widget "w"/.test(error.message) &&
                /CustomResourceDefinition/.test(error.message) &&
                /kubernetesApi\.ts/.test(error.message),
        );
    });

    it("refuses an object without apiVersion or kind", () => {
        assert.throws(() => relocate([{ metadata: { name: "x" } }], options()), /"x" has no apiVersion or kind/);
    });

    it("takes the scope of custom resources from the CRDs in the input, in any order", () => {
        const input: Manifest[] = [
            { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "kube-system" }, spec: {} },
            { apiVersion: "example.com/v1", kind: "Gadget", metadata: { name: "g", namespace: "kube-system" }, spec: {} },
            crd("Widget", "widgets", "Namespaced"),
            crd("Gadget", "gadgets", "Cluster"),
        ];
        const output = relocate(input, options());
        assert.deepEqual(output[0].metadata, { name: "w", namespace: "monitoring" });
        // Cluster-scoped custom resources are renamed like any cluster-scoped object; the stray namespace goes.
        assert.deepEqual(output[1].metadata, { name: "g-monitoring" });
        // CRD names are fixed by group and plural.
        assert.deepEqual(
            find(output, "CustomResourceDefinition").map(o => o.metadata?.name),
            ["widgets.example.com", "gadgets.example.com"],
        );
        assert.equal(find(output, "CustomResourceDefinition")[0].metadata?.namespace, undefined);
    });

    it("refuses a CRD whose scope it cannot read", () => {
        const broken = crd("Widget", "widgets", "Everywhere");
        assert.throws(() => relocate([broken], options()), /widgets\.example\.com.*spec\.scope/);
    });

    it("renames cluster-scoped objects and rewrites the references to them", () => {
        const input: Manifest[] = [
            clusterRole("reader"),
            binding("ClusterRoleBinding", "reader", "reader"),
            binding("RoleBinding", "reader-here", "reader", "kube-system"),
            // A reference to a ClusterRole the input does not carry stays as it is.
            binding("ClusterRoleBinding", "viewer", "view"),
            { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "agent-critical" }, value: 1000 },
            deployment({ priorityClassName: "agent-critical", containers: [{ name: "c", image: "busybox" }] }),
            {
                apiVersion: "batch/v1",
                kind: "CronJob",
                metadata: { name: "job" },
                spec: {
                    schedule: "* * * * *",
                    jobTemplate: {
                        spec: {
                            template: {
                                spec: {
                                    priorityClassName: "system-node-critical",
                                    restartPolicy: "Never",
                                    containers: [{ name: "c", image: "busybox" }],
                                },
                            },
                        },
                    },
                },
            },
            { apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", metadata: { name: "v1beta1.metrics.k8s.io" }, spec: {} },
        ];
        const output = relocate(input, options());
        assert.equal(output[0].metadata?.name, "reader-monitoring");
        assert.equal(output[1].metadata?.name, "reader-monitoring");
        assert.deepEqual(output[1].roleRef, {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "reader-monitoring",
        });
        assert.equal(output[2].metadata?.name, "reader-here");
        assert.equal(output[2].metadata?.namespace, "monitoring");
        assert.equal((output[2].roleRef as { name: string }).name, "reader-monitoring");
        assert.equal(output[3].metadata?.name, "viewer-monitoring");
        assert.equal((output[3].roleRef as { name: string }).name, "view");
        assert.equal(output[4].metadata?.name, "agent-critical-monitoring");
        const podSpec = (o: Manifest, ...path: string[]) =>
            path.reduce<any>((v, k) => v[k], o) as { priorityClassName: string };
        assert.equal(podSpec(output[5], "spec", "template", "spec").priorityClassName, "agent-critical-monitoring");
        assert.equal(
            podSpec(output[6], "spec", "jobTemplate", "spec", "template", "spec").priorityClassName,
            "system-node-critical",
        );
        assert.equal(output[7].metadata?.name, "v1beta1.metrics.k8s.io");
    });

    it("points the chart's ServiceAccount subjects at the target namespace, and no others", () => {
        const [clusterBinding, roleBinding] = relocate(
            [binding("ClusterRoleBinding", "b", "view"), binding("RoleBinding", "r", "view", "kube-system")],
            options({ namespace: "observability" }),
        );
        for (const object of [clusterBinding, roleBinding]) {
            assert.deepEqual(object.subjects, [
                { kind: "ServiceAccount", name: "agent", namespace: "observability" },
                { kind: "ServiceAccount", name: "other", namespace: "tenant-a" },
                { kind: "Group", name: "system:authenticated", apiGroup: "rbac.authorization.k8s.io" },
            ]);
        }
    });

    it("replaces the literal kube-system of the namespace env variables only", () => {
        const env = [
            { name: "OTELCOL_NAMESPACE", value: "kube-system" },
            { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
            { name: "SOMETHING_ELSE", value: "kube-system" },
        ];
        const [output] = relocate(
            [
                deployment({
                    containers: [{ name: "a", image: "x", env }],
                    initContainers: [{ name: "b", image: "x", env: [{ name: "POD_NAMESPACE", value: "kube-system" }] }],
                }),
            ],
            options(),
        );
        const spec = (output.spec as any).template.spec;
        assert.deepEqual(spec.containers[0].env, [
            { name: "OTELCOL_NAMESPACE", value: "monitoring" },
            { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
            { name: "SOMETHING_ELSE", value: "kube-system" },
        ]);
        assert.deepEqual(spec.initContainers[0].env, [{ name: "POD_NAMESPACE", value: "monitoring" }]);
    });

    it("sets the token adapter's secret from the options", () => {
        const args = ["--secret-namespace=kube-system", "--secret-name=aad-msi-auth-token", "--token-server-listening-port=7777"];
        const input = [
            deployment({
                containers: [
                    { name: "addon-token-adapter", image: "x", args },
                    { name: "other", image: "x", args: ["--secret-name=mine"] },
                ],
            }),
        ];
        const unchanged = (relocate(input, options()) as any)[0].spec.template.spec.containers;
        assert.deepEqual(unchanged[0].args, args);
        const moved = (relocate(input, options({ tokenSecret: { name: "agent-token", namespace: "secrets" } })) as any)[0]
            .spec.template.spec.containers;
        assert.deepEqual(moved[0].args, [
            "--secret-namespace=secrets",
            "--secret-name=agent-token",
            "--token-server-listening-port=7777",
        ]);
        assert.deepEqual(moved[1].args, ["--secret-name=mine"]);
    });

    it("lets webhook clients and Pulumi dependencies follow the objects they name", () => {
        const input: Manifest[] = [
            { apiVersion: "v1", kind: "Service", metadata: { name: "hook", namespace: "kube-system" }, spec: {} },
            {
                apiVersion: "admissionregistration.k8s.io/v1",
                kind: "ValidatingWebhookConfiguration",
                metadata: { name: "hook" },
                webhooks: [
                    { name: "a.example.com", clientConfig: { service: { name: "hook", namespace: "kube-system" } } },
                    { name: "b.example.com", clientConfig: { service: { name: "elsewhere", namespace: "kube-system" } } },
                ],
            },
            {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: {
                    name: "after",
                    namespace: "kube-system",
                    annotations: {
                        "config.kubernetes.io/depends-on":
                            "/namespaces/kube-system/Service/hook,admissionregistration.k8s.io/ValidatingWebhookConfiguration/hook",
                    },
                },
            },
        ];
        const output = relocate(input, options());
        assert.deepEqual(
            (output[1].webhooks as any[]).map(w => w.clientConfig.service),
            [
                { name: "hook", namespace: "monitoring" },
                { name: "elsewhere", namespace: "kube-system" },
            ],
        );
        assert.equal(
            output[2].metadata?.annotations?.["config.kubernetes.io/depends-on"],
            "/namespaces/monitoring/Service/hook,admissionregistration.k8s.io/ValidatingWebhookConfiguration/hook-monitoring",
        );
    });

    it("relocates the items of lists", () => {
        const list: Manifest = {
            apiVersion: "v1",
            kind: "List",
            items: [
                { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "agent", namespace: "kube-system" } },
                clusterRole("reader"),
            ],
        };
        const [output] = relocate([list, binding("ClusterRoleBinding", "b", "reader")], options());
        assert.deepEqual(
            (output.items as Manifest[]).map(i => i.metadata),
            [{ name: "agent", namespace: "monitoring" }, { name: "reader-monitoring" }],
        );
    });

    it("is idempotent and does not suffix a suffixed name again", () => {
        const input = [clusterRole("reader"), clusterRole("viewer-monitoring"), binding("ClusterRoleBinding", "b", "reader")];
        const once = relocate(input, options());
        assert.deepEqual(
            once.map(o => o.metadata?.name),
            ["reader-monitoring", "viewer-monitoring", "b-monitoring"],
        );
        assert.deepEqual(relocate(once, options()), once);
        assert.equal(clusterScopedName("x-monitoring", "monitoring"), "x-monitoring");
        assert.equal(clusterScopedName("x-monitoring", "observability"), "x-monitoring-observability");
    });

    it("does not modify its input", () => {
        const input = [
            clusterRole("reader"),
            binding("ClusterRoleBinding", "b", "reader"),
            deployment({ containers: [{ name: "addon-token-adapter", image: "x", env: [{ name: "POD_NAMESPACE", value: "kube-system" }] }] }),
        ];
        const before = structuredClone(input);
        relocate(input, options({ mesh: { mode: "sidecar", meshNodeDaemonSet: true, proxyResources: {} } }));
        assert.deepEqual(input, before);
    });

    it("refuses names that would clash or grow too long", () => {
        assert.throws(
            () => relocate([clusterRole("a"), clusterRole("a-monitoring")], options()),
            /ClusterRole "a" and "a-monitoring" would both be named "a-monitoring"/,
        );
        const long = "r".repeat(250);
        assert.throws(() => relocate([clusterRole(long)], options()), /longer than Kubernetes' 253-character limit/);
    });

    it("names the bad option, the value and the fix", () => {
        assert.throws(() => relocate([], options({ namespace: "Monitoring" })), /Invalid namespace "Monitoring".*e\.g\. "monitoring"/);
        assert.throws(
            () => relocate([], options({ tokenSecret: { name: "token", namespace: "kube_system" } })),
            /Invalid tokenSecret\.namespace "kube_system"/,
        );
        assert.throws(
            () => relocate([], options({ mesh: { mode: "ambient" as never, meshNodeDaemonSet: true, proxyResources: {} } })),
            /Invalid mesh mode "ambient": use one of sidecar, certificates, off/,
        );
        assert.throws(
            () =>
                relocate(
                    [],
                    options({ mesh: { mode: "sidecar", meshNodeDaemonSet: true, proxyResources: { collector: { cpu: "lots" } } } }),
                ),
            /Invalid proxyResources\.collector\.cpu "lots".*"100m"/,
        );
    });
});

describe("relocate, with an autoscaler", () => {
    const scaled = (name: string): Manifest => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: "kube-system" },
        spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [] } } },
    });
    const hpa: Manifest = {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "collector-hpa", namespace: "kube-system" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "collector" }, minReplicas: 2, maxReplicas: 30 },
    };

    it("leaves the replica count of the autoscaled workload to the autoscaler, and keeps everyone else's", () => {
        const out = relocate([scaled("collector"), scaled("allocator"), hpa], options());
        assert.equal((out[0].spec as Record<string, unknown>).replicas, undefined);
        assert.equal((out[1].spec as Record<string, unknown>).replicas, 2);
        assert.deepEqual(out[2].spec, hpa.spec);
    });

    it("keeps the replica count when no autoscaler of the input targets the workload", () => {
        const out = relocate([scaled("collector")], options());
        assert.equal((out[0].spec as Record<string, unknown>).replicas, 2);
    });
});

describe("relocateYaml", () => {
    const text = [
        "# leading comment",
        "---",
        "",
        "---",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: settings",
        "  namespace: kube-system",
        "data:",
        '  quoted: "1"',
        "  version: 2.19.0",
        "  flag: 'true'",
        "  word: yes",
        "  empty: \"\"",
        "---",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: app",
        "  namespace: kube-system",
        "spec:",
        "  replicas: 2",
        "  paused: false",
        "  selector:",
        "    matchLabels: {app: app}",
        "  template:",
        "    metadata:",
        "      labels:",
        "        app: app",
        "    spec:",
        "      containers:",
        "      - name: c",
        "        image: busybox",
        "        env:",
        "        - name: POD_NAMESPACE",
        '          value: "kube-system" # literal',
        "        resources:",
        "          limits:",
        "            cpu: 1",
        "            memory: 1.5Gi",
        "",
    ].join("\n");

    it("drops empty documents, keeps order and every value it does not change", () => {
        const output = relocateYaml(text, options());
        const documents = YAML.parseAllDocuments(output).map(d => d.toJS());
        assert.deepEqual(
            documents.map(d => d.kind),
            ["ConfigMap", "Deployment"],
        );
        const expected = YAML.parseAllDocuments(text)
            .map(d => d.toJS())
            .filter(d => d !== null);
        expected[0].metadata.namespace = "monitoring";
        expected[1].metadata.namespace = "monitoring";
        expected[1].spec.template.metadata.labels["sidecar.istio.io/inject"] = "false";
        expected[1].spec.template.spec.containers[0].env[0].value = "monitoring";
        // Same values and the same scalar types (numbers stay numbers, quoted strings stay strings).
        assert.deepEqual(documents, expected);
        assert.equal(typeof documents[1].spec.template.spec.containers[0].resources.limits.cpu, "number");
        assert.equal(typeof documents[0].data.flag, "string");
        // Unchanged scalars keep their text; a changed string keeps its quotes and comment.
        assert.match(output, /quoted: "1"\n/);
        assert.match(output, /flag: 'true'\n/);
        assert.match(output, /value: "monitoring" # literal\n/);
        assert.match(output, /sidecar\.istio\.io\/inject: "false"\n/);
    });

    it("quotes new strings a YAML 1.1 reader would take for another type", () => {
        const output = relocateYaml(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: kube-system\n",
            options({ namespace: "yes" }),
        );
        assert.match(output, /namespace: "yes"\n/);
        assert.equal(YAML.parse(output, { version: "1.1" }).metadata.namespace, "yes");
    });

    it("gives no documents for empty input", () => {
        assert.equal(relocateYaml("", options()), "");
        assert.equal(relocateYaml("---\n# nothing\n---\n", options()), "");
    });

    it("gives the same text when run over its own output", () => {
        const once = relocateYaml(text, options());
        assert.equal(relocateYaml(once, options()), once);
    });

    it("names the document that is not YAML or not an object", () => {
        assert.throws(() => relocateYaml("apiVersion: v1\nkind: [unclosed\n", options()), /not valid YAML \(document 1\)/);
        assert.throws(
            () => relocateYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\njust a string\n", options()),
            /Document 2 of the manifests is not a Kubernetes object/,
        );
    });
});
