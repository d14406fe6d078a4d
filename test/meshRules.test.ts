import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import {
    agentWorkloadInKubeSystem,
    allowPolicyWithoutSelector,
    assertMeshObjects,
    checkMeshObjects,
    deprecatedInjectAnnotation,
    describeObject,
    hostMatches,
    KubernetesObject,
    MeshRuleContext,
    meshRules,
    portLevelMtlsWithoutSelector,
    rootNamespaceAllowPolicy,
    selectorMatchesNoPod,
    tlsOriginationOnTlsPort,
    twoInjectionLabels,
    wildcardHostDnsResolution,
} from "../components/meshRules";

const seedPath = path.resolve(__dirname, "../../shared/seed/istio-ama-metrics-custom-namespace.md");
const chartPath = path.resolve(__dirname, "../../shared/fixtures/ama-metrics-chart/rendered-aks.yaml");

function seedBlocks(language: string): string[] {
    const markdown = fs.readFileSync(seedPath, "utf8");
    const fence = new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g");
    return [...markdown.matchAll(fence)].map((match) => match[1]);
}

// The seed's Kubernetes objects. Its Helm expressions (`{{ .Values.namespace | default "monitoring" }}`)
// are rendered with their defaults, as Helm renders them without values.
function seedObjects(): KubernetesObject[] {
    return seedBlocks("yaml")
        .map((block) => block.replace(/\{\{[^}]*default "([^"]*)"[^}]*\}\}/g, "$1"))
        .flatMap((block) => YAML.parseAllDocuments(block).map((doc) => doc.toJS()))
        .filter((object) => object && typeof object.apiVersion === "string" && typeof object.kind === "string");
}

function seedObject(kind: string, name: string): KubernetesObject {
    const found = seedObjects().find((o) => o.kind === kind && o.metadata.name === name);
    assert.ok(found, `the seed has no ${kind} ${name}`);
    return found;
}

// Step 1 of the seed: `kubectl create namespace $NAMESPACE` and `kubectl label namespace $NAMESPACE <label>`.
function seedNamespace(): KubernetesObject {
    const script = seedBlocks("bash").find((block) => block.includes("kubectl label namespace"));
    assert.ok(script, "the seed has no namespace labelling step");
    const name = /NAMESPACE="([^"]+)"/.exec(script)?.[1];
    const label = /kubectl label namespace \$NAMESPACE ([^=\s]+)=(\S+)/.exec(script);
    assert.ok(name && label);
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { [label[1]]: label[2] } } };
}

// The pod template labels of the chart's workloads, as they run in `namespace` once relocated.
function chartPodLabels(namespace: string): MeshRuleContext["podLabels"] {
    const docs = YAML.parseAllDocuments(fs.readFileSync(chartPath, "utf8")).map((doc) => doc.toJS());
    const pods = docs
        .filter((doc) => doc && (doc.kind === "Deployment" || doc.kind === "DaemonSet"))
        .map((doc) => doc.spec.template.metadata.labels as Record<string, string>);
    return { [namespace]: pods };
}

const context: MeshRuleContext = { rootNamespace: "istio-system", podLabels: chartPodLabels("monitoring") };

function clone<T>(value: T): T {
    return structuredClone(value);
}

function ids(objects: KubernetesObject[], ctx: MeshRuleContext = context): string[] {
    return checkMeshObjects(objects, ctx).map((v) => `${v.rule} ${v.object}`);
}

describe("meshRules", () => {
    it("reads the seed's objects", () => {
        const kinds = seedObjects().map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
        assert.ok(kinds.includes("ServiceEntry monitoring/azure-monitor-external"));
        assert.ok(kinds.includes("Deployment monitoring/ama-metrics"));
        assert.ok(kinds.includes("AuthorizationPolicy istio-system/ama-metrics-scrape-allow"));
    });

    describe("wildcard-host-dns-resolution", () => {
        it("refuses the seed's ServiceEntry (wildcard hosts, resolution DNS)", () => {
            const violations = wildcardHostDnsResolution([seedObject("ServiceEntry", "azure-monitor-external")]);
            assert.equal(violations.length, 1);
            assert.equal(violations[0].rule, "wildcard-host-dns-resolution");
            assert.equal(violations[0].object, "ServiceEntry monitoring/azure-monitor-external");
            assert.match(violations[0].message, /\*\.monitor\.azure\.com/);
            assert.match(violations[0].fix, /resolution: NONE/);
        });

        it("refuses DNS_ROUND_ROBIN too", () => {
            const entry = clone(seedObject("ServiceEntry", "azure-monitor-external"));
            entry.spec!.resolution = "DNS_ROUND_ROBIN";
            assert.equal(wildcardHostDnsResolution([entry]).length, 1);
        });

        it("accepts resolution NONE, exact hosts with DNS, and wildcard hosts with endpoints", () => {
            const none = clone(seedObject("ServiceEntry", "azure-monitor-external"));
            none.spec!.resolution = "NONE";
            const exact = clone(seedObject("ServiceEntry", "azure-monitor-external"));
            exact.spec!.hosts = ["global.handler.control.monitor.azure.com"];
            const withEndpoints = clone(seedObject("ServiceEntry", "azure-monitor-external"));
            withEndpoints.spec!.endpoints = [{ address: "10.1.2.3" }];
            assert.deepEqual(wildcardHostDnsResolution([none, exact, withEndpoints]), []);
        });
    });

    describe("tls-origination-on-tls-port", () => {
        const seedRules = () => [seedObject("DestinationRule", "azure-monitor-endpoints"), seedObject("DestinationRule", "azure-monitor-ingestion")];

        it("refuses the seed's SIMPLE DestinationRules for hosts its ServiceEntry declares HTTPS", () => {
            const violations = tlsOriginationOnTlsPort([...seedRules(), seedObject("ServiceEntry", "azure-monitor-external")]);
            assert.deepEqual(
                violations.map((v) => v.object),
                ["DestinationRule monitoring/azure-monitor-endpoints", "DestinationRule monitoring/azure-monitor-ingestion"],
            );
            assert.ok(violations.every((v) => v.rule === "tls-origination-on-tls-port"));
            assert.match(violations[0].message, /SIMPLE/);
            assert.match(violations[0].fix, /DISABLE/);
        });

        it("refuses them without a ServiceEntry: the agent's egress hosts speak TLS on 443", () => {
            assert.equal(tlsOriginationOnTlsPort(seedRules()).length, 2);
        });

        it("refuses port-level origination on the TLS port of a host a wildcard ServiceEntry covers", () => {
            const entry: KubernetesObject = {
                apiVersion: "networking.istio.io/v1",
                kind: "ServiceEntry",
                metadata: { name: "api", namespace: "shop" },
                spec: { hosts: ["*.example.com"], ports: [{ number: 8443, name: "tls", protocol: "TLS" }], resolution: "NONE" },
            };
            const rule = (port: number): KubernetesObject => ({
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                metadata: { name: `api-${port}`, namespace: "shop" },
                spec: { host: "api.example.com", trafficPolicy: { portLevelSettings: [{ port: { number: port }, tls: { mode: "MUTUAL" } }] } },
            });
            assert.deepEqual(
                tlsOriginationOnTlsPort([entry, rule(8443), rule(80)]).map((v) => v.object),
                ["DestinationRule shop/api-8443"],
            );
        });

        it("accepts DISABLE, and SIMPLE towards a plain-text port (real TLS origination)", () => {
            const disabled = seedRules().map((rule) => {
                const copy = clone(rule);
                copy.spec!.trafficPolicy = { tls: { mode: "DISABLE" } };
                return copy;
            });
            const plainEntry: KubernetesObject = {
                apiVersion: "networking.istio.io/v1",
                kind: "ServiceEntry",
                metadata: { name: "legacy", namespace: "shop" },
                spec: { hosts: ["legacy.example.com"], ports: [{ number: 80, name: "http", protocol: "HTTP" }], resolution: "DNS" },
            };
            const origination: KubernetesObject = {
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                metadata: { name: "legacy", namespace: "shop" },
                spec: { host: "legacy.example.com", trafficPolicy: { tls: { mode: "SIMPLE" } } },
            };
            assert.deepEqual(tlsOriginationOnTlsPort([...disabled, plainEntry, origination]), []);
        });
    });

    describe("root-namespace-allow-policy", () => {
        it("refuses the seed's ALLOW policy in istio-system", () => {
            const violations = rootNamespaceAllowPolicy([seedObject("AuthorizationPolicy", "ama-metrics-scrape-allow")], context);
            assert.equal(violations.length, 1);
            assert.equal(violations[0].rule, "root-namespace-allow-policy");
            assert.equal(violations[0].object, "AuthorizationPolicy istio-system/ama-metrics-scrape-allow");
        });

        it("refuses a selector-scoped or action-less ALLOW policy in the root namespace too", () => {
            const policy = clone(seedObject("AuthorizationPolicy", "ama-metrics-scrape-allow"));
            policy.metadata.namespace = "aks-istio-system";
            delete policy.spec!.action;
            policy.spec!.selector = { matchLabels: { app: "shop" } };
            assert.equal(rootNamespaceAllowPolicy([policy], { rootNamespace: "aks-istio-system" }).length, 1);
        });

        it("accepts ALLOW policies elsewhere and DENY policies in the root namespace", () => {
            const elsewhere = clone(seedObject("AuthorizationPolicy", "ama-metrics-scrape-allow"));
            elsewhere.metadata.namespace = "shop";
            const deny = clone(seedObject("AuthorizationPolicy", "ama-metrics-scrape-allow"));
            deny.spec!.action = "DENY";
            assert.deepEqual(rootNamespaceAllowPolicy([elsewhere, deny], context), []);
        });
    });

    describe("Istio's deny-all (an ALLOW policy without rules)", () => {
        const allowNothing = (namespace: string): KubernetesObject => ({
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: { name: "allow-nothing", namespace },
            spec: {},
        });

        it("is not mistaken for an ALLOW policy, in its namespace or mesh-wide in the root namespace", () => {
            assert.deepEqual(allowPolicyWithoutSelector([allowNothing("payments")]), []);
            assert.deepEqual(rootNamespaceAllowPolicy([allowNothing("istio-system")], context), []);
        });

        it("becomes one as soon as it has a rule", () => {
            const opened = { ...allowNothing("istio-system"), spec: { rules: [{}] } };
            assert.equal(allowPolicyWithoutSelector([opened]).length, 1);
            assert.equal(rootNamespaceAllowPolicy([opened], context).length, 1);
        });
    });

    describe("allow-policy-without-selector", () => {
        it("refuses the seed's ALLOW policy without a selector", () => {
            const violations = allowPolicyWithoutSelector([seedObject("AuthorizationPolicy", "ama-metrics-scrape-allow")]);
            assert.equal(violations.length, 1);
            assert.equal(violations[0].rule, "allow-policy-without-selector");
            assert.match(violations[0].fix, /selector/);
        });

        it("refuses an empty matchLabels", () => {
            const policy = clone(seedObject("AuthorizationPolicy", "ama-metrics-scrape-allow"));
            policy.spec!.selector = { matchLabels: {} };
            assert.equal(allowPolicyWithoutSelector([policy]).length, 1);
        });

        it("accepts a selector, a targetRef, and a DENY policy without either", () => {
            const selected = clone(seedObject("AuthorizationPolicy", "ama-metrics-scrape-allow"));
            selected.spec!.selector = { matchLabels: { app: "shop" } };
            const targeted = clone(seedObject("AuthorizationPolicy", "ama-metrics-scrape-allow"));
            targeted.spec!.targetRefs = [{ kind: "Service", group: "", name: "shop" }];
            const deny = clone(seedObject("AuthorizationPolicy", "ama-metrics-scrape-allow"));
            deny.spec!.action = "DENY";
            assert.deepEqual(allowPolicyWithoutSelector([selected, targeted, deny]), []);
        });
    });

    describe("two-injection-labels", () => {
        it("refuses the seed's istio-injection=enabled namespace once the AKS add-on's istio.io/rev is on it", () => {
            const namespace = seedNamespace();
            namespace.metadata.labels = { ...namespace.metadata.labels, "istio.io/rev": "asm-1-27" };
            const violations = twoInjectionLabels([namespace]);
            assert.equal(violations.length, 1);
            assert.equal(violations[0].rule, "two-injection-labels");
            assert.equal(violations[0].object, "Namespace monitoring");
            assert.match(violations[0].message, /istio-injection=enabled.*istio\.io\/rev=asm-1-27/);
        });

        it("accepts one label, either one", () => {
            const revisioned: KubernetesObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring", labels: { "istio.io/rev": "asm-1-27" } } };
            assert.deepEqual(twoInjectionLabels([seedNamespace(), revisioned]), []);
        });
    });

    describe("port-level-mtls-without-selector", () => {
        it("refuses the seed's PeerAuthentication made namespace-wide with a port exception", () => {
            const policy = clone(seedObject("PeerAuthentication", "ama-metrics-mtls"));
            delete policy.spec!.selector;
            policy.spec!.portLevelMtls = { "56681": { mode: "PERMISSIVE" } };
            const violations = portLevelMtlsWithoutSelector([policy]);
            assert.equal(violations.length, 1);
            assert.equal(violations[0].rule, "port-level-mtls-without-selector");
            assert.equal(violations[0].object, "PeerAuthentication monitoring/ama-metrics-mtls");
        });

        it("accepts the seed's PeerAuthentication as written, and a selector-scoped port exception", () => {
            const exception = clone(seedObject("PeerAuthentication", "ama-metrics-mtls"));
            exception.spec!.selector = { matchLabels: { dsName: "ama-metrics-node" } };
            exception.spec!.portLevelMtls = { "56681": { mode: "PERMISSIVE" } };
            assert.deepEqual(portLevelMtlsWithoutSelector([seedObject("PeerAuthentication", "ama-metrics-mtls"), exception]), []);
        });
    });

    describe("selector-matches-no-pod", () => {
        // The seed labels its DaemonSet pods `dsName: ama-metrics`; the chart's are `dsName: ama-metrics-node`.
        const seedDaemonSetLabels = () => seedObject("DaemonSet", "ama-metrics-node").spec!.template as { metadata: { labels: Record<string, string> } };

        it("refuses a policy selecting the seed's DaemonSet label, which no chart pod carries", () => {
            const policy = clone(seedObject("PeerAuthentication", "ama-metrics-mtls"));
            const { dsName } = seedDaemonSetLabels().metadata.labels;
            policy.spec!.selector = { matchLabels: { dsName } };
            const violations = selectorMatchesNoPod([policy], context);
            assert.equal(violations.length, 1);
            assert.equal(violations[0].rule, "selector-matches-no-pod");
            assert.match(violations[0].message, /dsName=ama-metrics\}/);
        });

        it("reads the selector of each selector-bearing kind", () => {
            const missing = { app: "nothing" };
            const objects: KubernetesObject[] = [
                { apiVersion: "security.istio.io/v1", kind: "RequestAuthentication", metadata: { name: "a", namespace: "monitoring" }, spec: { selector: { matchLabels: missing } } },
                { apiVersion: "telemetry.istio.io/v1", kind: "Telemetry", metadata: { name: "b", namespace: "monitoring" }, spec: { selector: { matchLabels: missing } } },
                { apiVersion: "networking.istio.io/v1", kind: "Sidecar", metadata: { name: "c", namespace: "monitoring" }, spec: { workloadSelector: { labels: missing } } },
            ];
            assert.equal(selectorMatchesNoPod(objects, context).length, 3);
        });

        it("accepts the seed's selector (the collector's pods), unknown namespaces and the root namespace", () => {
            const unknown = clone(seedObject("PeerAuthentication", "ama-metrics-mtls"));
            unknown.metadata.namespace = "shop";
            unknown.spec!.selector = { matchLabels: { app: "nothing" } };
            const root = clone(unknown);
            root.metadata.namespace = "istio-system";
            assert.deepEqual(selectorMatchesNoPod([seedObject("PeerAuthentication", "ama-metrics-mtls"), unknown, root], context), []);
        });
    });

    describe("deprecated-inject-annotation", () => {
        it("refuses the seed's Deployment and DaemonSet", () => {
            const violations = deprecatedInjectAnnotation([seedObject("Deployment", "ama-metrics"), seedObject("DaemonSet", "ama-metrics-node")]);
            assert.deepEqual(
                violations.map((v) => `${v.rule} ${v.object}`),
                ["deprecated-inject-annotation Deployment monitoring/ama-metrics", "deprecated-inject-annotation DaemonSet monitoring/ama-metrics-node"],
            );
        });

        it("refuses the annotation on a Pod and a CronJob's pod template", () => {
            const pod: KubernetesObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "shop", annotations: { "sidecar.istio.io/inject": "false" } } };
            const cron: KubernetesObject = {
                apiVersion: "batch/v1",
                kind: "CronJob",
                metadata: { name: "c", namespace: "shop" },
                spec: { jobTemplate: { spec: { template: { metadata: { annotations: { "sidecar.istio.io/inject": "false" } } } } } },
            };
            assert.equal(deprecatedInjectAnnotation([pod, cron]).length, 2);
        });

        it("accepts the label instead, and the chart's own workloads", () => {
            const deployment = clone(seedObject("Deployment", "ama-metrics"));
            const template = deployment.spec!.template as { metadata: { annotations: Record<string, string>; labels: Record<string, string> } };
            delete template.metadata.annotations["sidecar.istio.io/inject"];
            template.metadata.labels["sidecar.istio.io/inject"] = "true";
            const chart = YAML.parseAllDocuments(fs.readFileSync(chartPath, "utf8")).map((doc) => doc.toJS() as KubernetesObject);
            assert.deepEqual(deprecatedInjectAnnotation([deployment, ...chart]), []);
        });
    });

    describe("agent-workload-in-kube-system", () => {
        const chartObjects = () => YAML.parseAllDocuments(fs.readFileSync(chartPath, "utf8")).map((doc) => doc.toJS() as KubernetesObject);

        it("refuses the chart's workloads as rendered, in kube-system", () => {
            assert.deepEqual(
                agentWorkloadInKubeSystem(chartObjects()).map((v) => `${v.rule} ${v.object}`),
                [
                    "agent-workload-in-kube-system DaemonSet kube-system/ama-metrics-node",
                    "agent-workload-in-kube-system DaemonSet kube-system/ama-metrics-win-node",
                    "agent-workload-in-kube-system Deployment kube-system/ama-metrics",
                    "agent-workload-in-kube-system Deployment kube-system/ama-metrics-ksm",
                    "agent-workload-in-kube-system Deployment kube-system/ama-metrics-operator-targets",
                ],
            );
        });

        it("recognises a renamed workload by its pod labels", () => {
            const renamed = clone(seedObject("Deployment", "ama-metrics"));
            renamed.metadata = { name: "collector", namespace: "kube-system" };
            assert.equal(agentWorkloadInKubeSystem([renamed]).length, 1);
        });

        it("accepts the chart relocated, the seed's workloads in monitoring, and kube-system shims that are not workloads", () => {
            const relocated = chartObjects().map((object) => (object.metadata.namespace ? { ...object, metadata: { ...object.metadata, namespace: "monitoring" } } : object));
            const shims = [seedObject("Role", "read-addon-token"), seedObject("RoleBinding", "ama-metrics-read-addon-token")];
            assert.deepEqual(agentWorkloadInKubeSystem([...relocated, seedObject("Deployment", "ama-metrics"), ...shims]), []);
        });
    });

    describe("checkMeshObjects and assertMeshObjects", () => {
        it("find every problem of the seed, and nothing in its RBAC objects", () => {
            assert.deepEqual(ids(seedObjects()).sort(), [
                "allow-policy-without-selector AuthorizationPolicy istio-system/ama-metrics-scrape-allow",
                "deprecated-inject-annotation DaemonSet monitoring/ama-metrics-node",
                "deprecated-inject-annotation Deployment monitoring/ama-metrics",
                "root-namespace-allow-policy AuthorizationPolicy istio-system/ama-metrics-scrape-allow",
                "tls-origination-on-tls-port DestinationRule monitoring/azure-monitor-endpoints",
                "tls-origination-on-tls-port DestinationRule monitoring/azure-monitor-ingestion",
                "wildcard-host-dns-resolution ServiceEntry monitoring/azure-monitor-external",
            ]);
        });

        it("throws one error naming every rule, object and fix", () => {
            const objects = [...seedObjects(), seedNamespace()];
            objects[objects.length - 1].metadata.labels!["istio.io/rev"] = "asm-1-27";
            assert.throws(
                () => assertMeshObjects(objects, context),
                (error: Error) => {
                    assert.match(error.message, /^8 Istio configuration rule violation/);
                    assert.match(error.message, /\[two-injection-labels\] Namespace monitoring: .* Fix: keep only `istio\.io\/rev/);
                    assert.match(error.message, /\[wildcard-host-dns-resolution\] ServiceEntry monitoring\/azure-monitor-external: .* Fix: set `resolution: NONE`/);
                    for (const rule of ["tls-origination-on-tls-port", "root-namespace-allow-policy", "allow-policy-without-selector", "deprecated-inject-annotation"]) {
                        assert.ok(error.message.includes(`[${rule}]`), rule);
                    }
                    return true;
                },
            );
        });

        it("does not throw for objects that break no rule", () => {
            assert.doesNotThrow(() => assertMeshObjects([seedObject("PeerAuthentication", "ama-metrics-mtls")], context));
        });

        it("have stable, unique rule ids", () => {
            assert.deepEqual(
                meshRules.map((rule) => rule.id),
                [
                    "wildcard-host-dns-resolution",
                    "tls-origination-on-tls-port",
                    "root-namespace-allow-policy",
                    "allow-policy-without-selector",
                    "two-injection-labels",
                    "port-level-mtls-without-selector",
                    "selector-matches-no-pod",
                    "deprecated-inject-annotation",
                    "agent-workload-in-kube-system",
                ],
            );
        });
    });

    describe("helpers", () => {
        it("match hosts as Istio does", () => {
            assert.ok(hostMatches("*.monitor.azure.com", "westeurope.handler.control.monitor.azure.com"));
            assert.ok(hostMatches("*.monitor.azure.com", "*.ingest.monitor.azure.com"));
            assert.ok(hostMatches("*", "login.microsoftonline.com"));
            assert.ok(!hostMatches("*.monitor.azure.com", "monitor.azure.com"));
            assert.ok(!hostMatches("*.ingest.monitor.azure.com", "*.monitor.azure.com"));
        });

        it("describe objects with and without a namespace", () => {
            assert.equal(describeObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring" } }), "Namespace monitoring");
            assert.equal(describeObject(seedObject("ServiceEntry", "azure-monitor-external")), "ServiceEntry monitoring/azure-monitor-external");
        });
    });
});
