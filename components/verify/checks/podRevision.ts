import { revisionLabel } from "../../mesh/pod";
import { nameOf } from "../kubeObjects";
import { meshedPods } from "../workloads";
import { defineCheck, fail, pass, unreadable, warn } from "./check";

/** What Istio's injector writes for a control plane without a revision. */
const defaultRevision = "default";

/**
 * The injector annotates every pod it injects with its own revision: `istio.io/rev: {{ .Revision | default
 * "default" }}` (istio/istio manifests/charts/istio-control/istio-discovery/files/injection-template.yaml).
 * A pod keeps the proxy it was created with: after a revision change (AKS: az aks mesh upgrade), pods not
 * recreated run the old revision's proxy, whose certificates stop rotating once that control plane goes.
 */
export const podRevision = defineCheck({
    id: "pods.revision",
    when: "sidecar and certificates modes",
    passes:
        "every meshed pod of the collector was injected by the expected revision: its `istio.io/rev` annotation, which Istio's injector " +
        "writes, equals `--revision` (`default` without one); a pod of another revision fails (recreate it), one without the annotation warns",
    appliesTo: (options) => options.meshMode !== "off",
    reads: ["pods"],
    run({ pods }, options) {
        if (pods.state === "error") return [unreadable(`pods in ${options.namespace}`, pods)];
        const expected = options.revision ?? defaultRevision;
        const meshed = meshedPods(pods.state === "found" ? pods.value : [], options);
        if (meshed.length === 0) return [pass(`no meshed pod of the collector to compare with revision ${expected} (see pods.sidecars)`)];
        const other = meshed.filter(({ pod }) => {
            const injected = pod.metadata?.annotations?.[revisionLabel];
            return injected !== undefined && injected !== expected;
        });
        const unknown = meshed.filter(({ pod }) => pod.metadata?.annotations?.[revisionLabel] === undefined);
        const restart = [...new Set([...other, ...unknown].map(({ workload: w }) => `${w.kind.toLowerCase()}/${w.name}`))].join(" ");
        const fix = `kubectl -n ${options.namespace} rollout restart ${restart}: Istio injects the namespace's (or pod template's) revision when a pod is created`;
        if (other.length > 0) {
            const seen = other.map(({ pod }) => `${nameOf(pod)} (${pod.metadata?.annotations?.[revisionLabel]})`).join(", ");
            return [
                fail(
                    `pods injected by another revision than ${expected}: ${seen}; their proxies stop getting certificates once that revision's control plane is removed`,
                    `check namespace.injection-label and --revision, then ${fix}`,
                ),
            ];
        }
        if (unknown.length > 0) {
            return [
                warn(
                    `meshed pods without the ${revisionLabel} annotation the injector writes: ${unknown.map(({ pod }) => nameOf(pod)).join(", ")}; their revision is unknown`,
                    fix,
                ),
            ];
        }
        return [pass(`${meshed.length} meshed pods were injected by revision ${expected}`)];
    },
});
