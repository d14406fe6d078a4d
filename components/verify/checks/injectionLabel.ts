import { namespaceLabels } from "../../mesh/objects";
import { dataplaneModeLabel, namespaceInjectionLabel, revisionLabel } from "../../mesh/pod";
import { formatLabels } from "../kubeObjects";
import { defineCheck, fail, pass } from "./check";

/** The namespace labels by which Istio takes a namespace into a mesh. */
const injectionLabels = [namespaceInjectionLabel, revisionLabel, dataplaneModeLabel] as const;

export const injectionLabel = defineCheck({
    id: "namespace.injection-label",
    when: "always",
    passes:
        "sidecar mode: `istio.io/rev=<revision>` (or `istio-injection=enabled` without a revision) and no other injection label; " +
        "certificates and off: none of `istio-injection`, `istio.io/rev`, `istio.io/dataplane-mode`",
    appliesTo: () => true,
    reads: ["namespace"],
    run({ namespace }, options) {
        // namespace.exists reports a namespace that is missing or unreadable.
        if (namespace.state !== "found") return [];
        const labels = namespace.value.metadata?.labels ?? {};
        const present = Object.fromEntries(injectionLabels.filter((key) => key in labels).map((key) => [key, labels[key]]));
        const wanted = namespaceLabels({ mode: options.meshMode, revision: options.revision });
        const extra = Object.keys(present).filter((key) => !(key in wanted));
        const wrong = Object.entries(wanted).filter(([key, value]) => present[key] !== value);
        const seen = `namespace ${options.namespace} has injection labels: ${formatLabels(present)}`;
        if (extra.length === 0 && wrong.length === 0) {
            return [pass(`${seen}, as ${options.meshMode} mode wants`)];
        }
        const want = options.meshMode === "sidecar" ? formatLabels(wanted) : "none (the collector pods opt in themselves)";
        const edits = [...extra.map((key) => `${key}-`), ...wrong.map(([key, value]) => `${key}=${value}`)];
        return [
            fail(
                `${seen}; ${options.meshMode} mode wants ${want}`,
                `run pulumi up, or kubectl label namespace ${options.namespace} ${edits.join(" ")} --overwrite; ` +
                    "then restart the namespace's workloads: injection happens when a pod is created",
            ),
        ];
    },
});
