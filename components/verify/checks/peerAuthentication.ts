import { ServedObject, nameOf, PeerAuthentication } from "../kubeObjects";
import { defineCheck, fail, pass, unreadable } from "./check";

/** Istio applies only the oldest namespace-wide PeerAuthentication (no selector, or no labels in it). */
export const peerAuthentication = defineCheck({
    id: "mesh.peer-authentication",
    when: "sidecar mode",
    passes: "a namespace-wide PeerAuthentication with `mtls.mode: STRICT` exists, and no older namespace-wide one has another mode (Istio applies only the oldest)",
    appliesTo: (options) => options.meshMode === "sidecar",
    reads: ["peerAuthentications"],
    run({ peerAuthentications: list }, { namespace }) {
        if (list.state === "error") return [unreadable(`PeerAuthentications in ${namespace}`, list)];
        if (list.state === "missing") {
            return [
                fail(
                    "the API server does not serve security.istio.io/v1 PeerAuthentications",
                    "install Istio (AKS: the Istio add-on, az aks mesh enable) before the component",
                ),
            ];
        }
        const namespaceWide = list.value
            .filter((p) => Object.keys(p.spec?.selector?.matchLabels ?? {}).length === 0)
            .sort((a, b) => created(a) - created(b) || nameOf(a).localeCompare(nameOf(b)));
        const describe = (p: PeerAuthentication) => `${nameOf(p)} (${modeOf(p)}, created ${p.metadata?.creationTimestamp ?? "?"})`;
        const strict = namespaceWide.find((p) => modeOf(p) === "STRICT");
        if (!strict) {
            return [
                fail(
                    `no namespace-wide PeerAuthentication with mtls.mode STRICT in ${namespace} (namespace-wide: ${namespaceWide.map(describe).join(", ") || "none"})`,
                    `run pulumi up: the component creates PeerAuthentication "default" with mtls.mode STRICT in ${namespace}`,
                ),
            ];
        }
        const oldest = namespaceWide[0];
        if (oldest !== strict) {
            return [
                fail(
                    `PeerAuthentication ${describe(oldest)} is older than ${describe(strict)}: Istio applies only the oldest namespace-wide policy, so ${namespace} runs ${modeOf(oldest)}`,
                    `delete the older policy: kubectl -n ${namespace} delete peerauthentication ${nameOf(oldest)}`,
                ),
            ];
        }
        return [pass(`PeerAuthentication ${describe(strict)} is the namespace's oldest namespace-wide policy`)];
    },
});

function modeOf(policy: PeerAuthentication): string {
    return policy.spec?.mtls?.mode ?? "UNSET";
}

function created(object: ServedObject): number {
    const time = Date.parse(object.metadata?.creationTimestamp ?? "");
    return Number.isNaN(time) ? 0 : time;
}
