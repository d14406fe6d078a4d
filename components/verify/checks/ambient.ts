import { labelsMatch } from "../../core/kubernetes";
import { dataplaneModeLabel } from "../../mesh/pod";
import { hasSidecar, livePods, nameOf } from "../kubeObjects";
import { expectedWorkloads } from "../workloads";
import { defineCheck, fail, pass, unreadable, warn } from "./check";

/**
 * Istio's ambient data plane captures every pod of a namespace labelled `istio.io/dataplane-mode=ambient`
 * (and pods labelled so themselves), except pods that carry a sidecar and pods labelled
 * `istio.io/dataplane-mode=none`; `sidecar.istio.io/inject=false` does not opt a pod out. Under STRICT,
 * ztunnel admits mTLS only as HBONE: no mode of this component scrapes such a pod's own ports (the sidecar
 * mode scrapes meshed pods through the sidecar's merged-metrics port 15020, which ambient pods lack; the
 * certificates mode speaks plain TLS to the port; the off mode plaintext).
 */
export const ambient = defineCheck({
    id: "mesh.ambient",
    when: "always",
    passes:
        "no namespace and no pod is in Istio's ambient data plane (`istio.io/dataplane-mode=ambient`); the collector's namespace in " +
        "ambient fails when a pod of the collector without a sidecar is not labelled `istio.io/dataplane-mode=none` (ztunnel then refuses " +
        "its plaintext scrape under STRICT); other ambient namespaces and pods warn: no mode scrapes their ports under STRICT",
    appliesTo: () => true,
    reads: ["ambientNamespaces", "ambientPods"],
    optionalReads: ["pods"],
    run({ ambientNamespaces: namespaces, ambientPods, pods }, options) {
        if (namespaces.state === "error") return [unreadable("the namespaces in ambient", namespaces)];
        if (ambientPods.state === "error") return [unreadable("the pods in ambient", ambientPods)];
        const names = namespaces.state === "found" ? namespaces.value.map(nameOf).sort() : [];
        const ownNamespace = names.includes(options.namespace);
        if (ownNamespace || (ambientPods.state === "found" && ambientPods.value.some((p) => p.metadata?.namespace === options.namespace))) {
            if (pods?.state === "error") return [unreadable(`pods in ${options.namespace}`, pods)];
            const live = pods?.state === "found" ? livePods(pods.value) : [];
            const captured = expectedWorkloads(options).flatMap((w) =>
                live
                    .filter((p) => labelsMatch(w.podLabels, p.metadata?.labels) && !hasSidecar(p))
                    .filter((p) => {
                        const mode = p.metadata?.labels?.[dataplaneModeLabel];
                        return mode === "ambient" || (ownNamespace && mode !== "none");
                    })
                    .map((p) => `${nameOf(p)} (${w.name})`),
            );
            if (captured.length > 0) {
                return [
                    fail(
                        `ambient captures the collector's pods without a sidecar in ${options.namespace}: ${captured.join(", ")}; ztunnel refuses their plaintext scrapes and calls under STRICT`,
                        `take the namespace out of ambient (kubectl label namespace ${options.namespace} ${dataplaneModeLabel}-), ` +
                            `or label those pods' templates ${dataplaneModeLabel}=none (run pulumi up), then kubectl rollout restart them`,
                    ),
                ];
            }
        }
        const others = names.filter((n) => n !== options.namespace);
        const podsElsewhere =
            ambientPods.state === "found"
                ? ambientPods.value.filter(
                      (p) => !names.includes(p.metadata?.namespace ?? "") && p.metadata?.namespace !== options.namespace,
                  )
                : [];
        if (others.length === 0 && podsElsewhere.length === 0) {
            return [
                pass(
                    ownNamespace
                        ? `the collector's pods in ${options.namespace} are out of ambient; no other namespace is ambient`
                        : "no namespace or pod is in Istio's ambient data plane",
                ),
            ];
        }
        const seen = [
            others.length > 0 ? `namespaces ${others.join(", ")}` : "",
            podsElsewhere.length > 0 ? `pods ${podsElsewhere.map((p) => `${p.metadata?.namespace}/${nameOf(p)}`).join(", ")}` : "",
        ].filter((s) => s !== "");
        return [
            warn(
                `in Istio's ambient data plane: ${seen.join("; ")}: under STRICT no mode of this component scrapes their ports (ztunnel admits mTLS only as HBONE, and ambient pods have no merged-metrics port 15020)`,
                "if they must be scraped, take their pods out of ambient (istio.io/dataplane-mode=none) and mesh them with sidecars; otherwise nothing to do (README, The mesh modes)",
            ),
        ];
    },
});
