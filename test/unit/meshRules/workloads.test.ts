// The mesh rules' tables, part: namespaces and workloads (injection labels, selectors, the inject
// annotation and label, the agent in kube-system).

import * as assert from "node:assert/strict";
import { KubernetesObject } from "../../../components/core/kubernetes";
import { MeshRuleContext } from "../../../components/mesh/rules";
import { authorizationPolicy, chartObjects, context, messages, namespaceObject, object, patch, seed, table } from "./plumbing";

describe("mesh rules", () => {
    // ---- 3. IST0123, as the analyzer counts ---------------------------------------------------------------

    describe("two-injection-labels", () => {
        const ns = (labels: Record<string, string>, name = "monitoring") => namespaceObject(name, labels);
        table("two-injection-labels", [
            {
                name: "istio-injection=enabled and istio.io/rev",
                objects: [ns({ "istio-injection": "enabled", "istio.io/rev": "asm-1-27" })],
                flags: ["Namespace monitoring"],
            },
            {
                name: "istio-injection=disabled and istio.io/rev (rev is not counted)",
                objects: [ns({ "istio-injection": "disabled", "istio.io/rev": "asm-1-27" })],
                flags: [],
            },
            {
                name: "istio.io/rev and the ambient dataplane-mode",
                objects: [ns({ "istio.io/rev": "asm-1-27", "istio.io/dataplane-mode": "ambient" })],
                flags: ["Namespace monitoring"],
            },
            {
                name: "istio.io/rev and dataplane-mode=none",
                objects: [ns({ "istio.io/rev": "asm-1-27", "istio.io/dataplane-mode": "none" })],
                flags: ["Namespace monitoring"],
            },
            {
                name: "istio-injection=enabled and dataplane-mode",
                objects: [ns({ "istio-injection": "enabled", "istio.io/dataplane-mode": "ambient" })],
                flags: ["Namespace monitoring"],
            },
            {
                name: "istio-injection=disabled and dataplane-mode",
                objects: [ns({ "istio-injection": "disabled", "istio.io/dataplane-mode": "ambient" })],
                flags: [],
            },
            { name: "dataplane-mode alone", objects: [ns({ "istio.io/dataplane-mode": "ambient" })], flags: [] },
            { name: "istio.io/rev alone", objects: [ns({ "istio.io/rev": "asm-1-27" })], flags: [] },
            {
                name: "two labels on the namespace named istio-system (the analyzer skips it)",
                objects: [ns({ "istio-injection": "enabled", "istio.io/rev": "x" }, "istio-system")],
                flags: [],
            },
            {
                name: "two labels on aks-istio-system (not skipped)",
                objects: [ns({ "istio-injection": "enabled", "istio.io/rev": "x" }, "aks-istio-system")],
                flags: ["Namespace aks-istio-system"],
            },
        ]);

        it("lists the labels it counted", () => {
            const [text] = messages("two-injection-labels", [ns({ "istio.io/rev": "asm-1-27", "istio.io/dataplane-mode": "ambient" })]);
            assert.match(text, /istio\.io\/rev=asm-1-27, istio\.io\/dataplane-mode=ambient \(IST0123\)/);
        });
    });

    describe("istio-injection-on-revisioned-control-plane", () => {
        const revisioned: MeshRuleContext = { revisionedControlPlane: true };
        table("istio-injection-on-revisioned-control-plane", [
            {
                name: "the seed's istio-injection=enabled on a revisioned control plane",
                objects: [seed("Namespace", "monitoring")],
                context: revisioned,
                flags: ["Namespace monitoring"],
            },
            {
                name: "istio.io/rev on a revisioned control plane",
                objects: [namespaceObject("monitoring", { "istio.io/rev": "asm-1-27" })],
                context: revisioned,
                flags: [],
            },
            {
                name: "istio-injection=disabled (an opt-out)",
                objects: [namespaceObject("monitoring", { "istio-injection": "disabled" })],
                context: revisioned,
                flags: [],
            },
            {
                name: "istio-injection=enabled where the control plane is not known to be revisioned",
                objects: [seed("Namespace", "monitoring")],
                flags: [],
            },
        ]);
    });

    // ---- the other rules ------------------------------------------------------------------------------------

    describe("selector-matches-no-pod", () => {
        const policy = seed("PeerAuthentication", "ama-metrics-mtls");
        const missing = { app: "nothing" };
        table("selector-matches-no-pod", [
            {
                name: "the seed's DaemonSet label (dsName: ama-metrics), which no chart pod carries",
                objects: [patch(policy, { spec: { selector: { matchLabels: { dsName: "ama-metrics" } } } })],
                context,
                flags: ["PeerAuthentication monitoring/ama-metrics-mtls"],
            },
            {
                name: "each selector-bearing kind",
                objects: [
                    object("security.istio.io/v1", "RequestAuthentication", "monitoring", "a", { selector: { matchLabels: missing } }),
                    object("telemetry.istio.io/v1", "Telemetry", "monitoring", "b", { selector: { matchLabels: missing } }),
                    object("networking.istio.io/v1", "Sidecar", "monitoring", "c", { workloadSelector: { labels: missing } }),
                ],
                context,
                flags: ["RequestAuthentication monitoring/a", "Telemetry monitoring/b", "Sidecar monitoring/c"],
            },
            { name: "the seed's selector (the collector's pods)", objects: [policy], context, flags: [] },
            {
                name: "a namespace whose pods are unknown",
                objects: [patch(policy, { metadata: { namespace: "shop" }, spec: { selector: { matchLabels: missing } } })],
                context,
                flags: [],
            },
            {
                name: "a PeerAuthentication in a root namespace (not judged there)",
                objects: [patch(policy, { metadata: { namespace: "istio-system" }, spec: { selector: { matchLabels: missing } } })],
                context: { ...context, podLabels: { "istio-system": [] } },
                flags: [],
            },
            {
                // authz/authorizationpolicies.go: a mesh-wide policy's selector is judged against the pods of every namespace.
                name: "a root-namespace AuthorizationPolicy whose selector matches a pod of another namespace",
                objects: [authorizationPolicy("gw", "istio-system", { selector: { matchLabels: { app: "shop" } } })],
                context: { rootNamespace: "istio-system", podLabels: { shop: [{ app: "shop" }] } },
                flags: [],
            },
            {
                name: "a root-namespace AuthorizationPolicy whose selector matches no pod anywhere",
                objects: [authorizationPolicy("gw", "istio-system", { selector: { matchLabels: missing } })],
                context: { rootNamespace: "istio-system", podLabels: { shop: [{ app: "shop" }] } },
                flags: ["AuthorizationPolicy istio-system/gw"],
            },
            {
                name: "a selector-less AuthorizationPolicy in a namespace known to hold no pod",
                objects: [authorizationPolicy("deny", "empty", {})],
                context: { podLabels: { empty: [] } },
                flags: ["AuthorizationPolicy empty/deny"],
            },
            {
                name: "a selector-less AuthorizationPolicy in a namespace with pods",
                objects: [authorizationPolicy("deny", "shop", {})],
                context: { podLabels: { shop: [{ app: "shop" }] } },
                flags: [],
            },
            {
                // local/istiod_analyze.go drops the namespaces of inject.IgnoredNamespaces.
                name: "a selector in kube-system, which istioctl never analyzes",
                objects: [authorizationPolicy("x", "kube-system", { selector: { matchLabels: missing } })],
                context: { podLabels: { "kube-system": [{ app: "shop" }] } },
                flags: [],
            },
        ]);
    });

    describe("deprecated-inject-annotation", () => {
        const deployment = seed("Deployment", "ama-metrics");
        table("deprecated-inject-annotation", [
            {
                name: "the seed's Deployment and DaemonSet",
                objects: [deployment, seed("DaemonSet", "ama-metrics-node")],
                flags: ["Deployment monitoring/ama-metrics", "DaemonSet monitoring/ama-metrics-node"],
            },
            {
                name: "a Pod and a CronJob's pod template",
                objects: [
                    {
                        apiVersion: "v1",
                        kind: "Pod",
                        metadata: { name: "p", namespace: "shop", annotations: { "sidecar.istio.io/inject": "false" } },
                    },
                    object("batch/v1", "CronJob", "shop", "c", {
                        jobTemplate: { spec: { template: { metadata: { annotations: { "sidecar.istio.io/inject": "false" } } } } },
                    }),
                ],
                flags: ["Pod shop/p", "CronJob shop/c"],
            },
            {
                name: "the label instead of the annotation",
                objects: [
                    patch(deployment, {
                        spec: {
                            template: {
                                metadata: {
                                    annotations: { "sidecar.istio.io/inject": null },
                                    labels: { "sidecar.istio.io/inject": "true" },
                                },
                            },
                        },
                    }),
                ],
                flags: [],
            },
            { name: "the chart's own workloads", objects: chartObjects(), flags: [] },
            {
                // annotations/annotations.go skips a resource that also carries the label ("Skip to avoid noise").
                name: "a pod carrying both the annotation and the inject label",
                objects: [
                    {
                        apiVersion: "v1",
                        kind: "Pod",
                        metadata: {
                            name: "p",
                            namespace: "shop",
                            annotations: { "sidecar.istio.io/inject": "false" },
                            labels: { "sidecar.istio.io/inject": "false" },
                        },
                    },
                ],
                flags: [],
            },
            {
                // annotations/annotations.go reads a Deployment's own metadata too.
                name: "a Deployment whose own metadata carries the annotation",
                objects: [
                    patch(deployment, {
                        metadata: { annotations: { "sidecar.istio.io/inject": "false" } },
                        spec: { template: { metadata: { annotations: { "sidecar.istio.io/inject": null } } } },
                    }),
                ],
                flags: ["Deployment monitoring/ama-metrics"],
            },
            {
                name: "a pod in local-path-storage, which istioctl never analyzes",
                objects: [
                    {
                        apiVersion: "v1",
                        kind: "Pod",
                        metadata: { name: "p", namespace: "local-path-storage", annotations: { "sidecar.istio.io/inject": "false" } },
                    },
                ],
                flags: [],
            },
        ]);
    });

    describe("inject-label-without-revision", () => {
        const pod = (labels: Record<string, string>, namespace = "shop"): KubernetesObject =>
            object("apps/v1", "Deployment", namespace, "app", { template: { metadata: { labels } } });
        const aks: MeshRuleContext = { revisionedControlPlane: true };
        table("inject-label-without-revision", [
            {
                // mutatingwebhook.yaml renders the `object.` webhook only `if (eq .Values.revision "")`.
                name: "inject=true in an unlabelled namespace on a revisioned control plane",
                objects: [namespaceObject("shop", {}), pod({ "sidecar.istio.io/inject": "true" })],
                context: aks,
                flags: ["Deployment shop/app"],
            },
            {
                name: "the same on a control plane with a default revision",
                objects: [namespaceObject("shop", {}), pod({ "sidecar.istio.io/inject": "true" })],
                flags: [],
            },
            {
                name: "inject=true with the pod's istio.io/rev (rev.object. selects it)",
                objects: [namespaceObject("shop", {}), pod({ "sidecar.istio.io/inject": "true", "istio.io/rev": "asm-1-27" })],
                context: aks,
                flags: [],
            },
            {
                name: "inject=true in a namespace labelled istio.io/rev (rev.namespace. selects it)",
                objects: [namespaceObject("shop", { "istio.io/rev": "asm-1-27" }), pod({ "sidecar.istio.io/inject": "true" })],
                context: aks,
                flags: [],
            },
            {
                name: "inject=true in a namespace that is not among the objects",
                objects: [pod({ "sidecar.istio.io/inject": "true" })],
                context: aks,
                flags: [],
            },
        ]);
    });

    describe("agent-workload-in-kube-system", () => {
        const relocated = () => chartObjects().map((o) => (o.metadata.namespace ? patch(o, { metadata: { namespace: "monitoring" } }) : o));
        table("agent-workload-in-kube-system", [
            {
                name: "the chart's workloads as rendered, in kube-system",
                objects: chartObjects(),
                flags: [
                    "DaemonSet kube-system/ama-metrics-node",
                    "DaemonSet kube-system/ama-metrics-win-node",
                    "Deployment kube-system/ama-metrics",
                    "Deployment kube-system/ama-metrics-ksm",
                    "Deployment kube-system/ama-metrics-operator-targets",
                ],
            },
            {
                name: "a renamed workload, by its pod labels",
                objects: [patch(seed("Deployment", "ama-metrics"), { metadata: { name: "collector", namespace: "kube-system" } })],
                flags: ["Deployment kube-system/collector"],
            },
            {
                name: "the chart relocated, the seed's workloads in monitoring, and kube-system shims that are not workloads",
                objects: [
                    ...relocated(),
                    seed("Deployment", "ama-metrics"),
                    seed("Role", "read-addon-token"),
                    seed("RoleBinding", "ama-metrics-read-addon-token"),
                ],
                flags: [],
            },
        ]);
    });
});
