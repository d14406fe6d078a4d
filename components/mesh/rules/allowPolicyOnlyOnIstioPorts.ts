import { describeObject, KubernetesObject, labelsMatch } from "../../core/kubernetes";
import { allowEffect, anyRootNamespaceOf, hasTarget, isIstio, matchLabels, operationPorts, specOf } from "./helpers";
import { istioPortRange } from "../../core/facts/istio";
import type { MeshRuleContext, MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "allow-policy-only-on-istio-ports";

/** Whether a port names one of Istio's own (15000–15090). */
export function isIstioPort(port: unknown): boolean {
    const number = Number(port);
    return Number.isInteger(number) && number >= istioPortRange.from && number <= istioPortRange.to;
}

/**
 * Whether every rule of the policy matches only requests to Istio's own ports: each rule has `to`, and
 * each of its operations names `ports`, all of them Istio's. An operation without `ports` (or with
 * `notPorts`) matches the application's ports too.
 */
export function matchesOnlyIstioPorts(policy: KubernetesObject): boolean {
    const rules = operationPorts(policy);
    return rules.length > 0 && rules.every((to) => to.length > 0 && to.every((ports) => ports.length > 0 && ports.every(isIstioPort)));
}

/**
 * An ALLOW AuthorizationPolicy whose every rule names only Istio's own ports (15000–15090, e.g. the merged
 * metrics on 15020). Those ports never reach the inbound listener where authorization is enforced (see
 * authorization-on-istio-port), so the policy matches no request that is enforced, yet it is an ALLOW
 * policy that applies to the workloads: Istio then denies every request no ALLOW policy matches
 * (istio.io AuthorizationPolicy reference: "If there are any ALLOW policies for the workload, allow the
 * request if any of the ALLOW policies match the request"; otherwise deny). The workloads lose all of their
 * real traffic. Not flagged where another ALLOW policy among the objects allows the application's ports to
 * workloads it may share (same namespace or a root namespace, selectors overlapping or absent).
 */
function check(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const roots = anyRootNamespaceOf(context);
    const allowPolicies = objects.filter((o) => isIstio(o, "AuthorizationPolicy") && allowEffect(o) !== undefined);
    const shareWorkloads = (a: KubernetesObject, b: KubernetesObject) => {
        const sameScope = a.metadata?.namespace === b.metadata?.namespace || roots.has(b.metadata?.namespace ?? "");
        const [sa, sb] = [matchLabels(specOf(a).selector), matchLabels(specOf(b).selector)];
        return sameScope && (!hasTarget(b) || labelsMatch(sa, sb) || labelsMatch(sb, sa));
    };
    return allowPolicies
        .filter((policy) => allowEffect(policy) === "allow-matched" && matchesOnlyIstioPorts(policy))
        .filter(
            (policy) =>
                !allowPolicies.some(
                    (other) =>
                        other !== policy &&
                        allowEffect(other) !== "deny-all" &&
                        !matchesOnlyIstioPorts(other) &&
                        shareWorkloads(policy, other),
                ),
        )
        .map((policy) => ({
            rule: id,
            object: describeObject(policy),
            message:
                "an ALLOW policy whose rules name only Istio's own ports (15000–15090), which never reach the listener that enforces authorization: it matches no enforced request, yet as an ALLOW policy it makes the workloads it applies to deny every request to their real ports",
            fix: "name the application's own ports in `to.operation.ports`, or delete the policy (the merged metrics on 15020 are reachable without one)",
        }));
}

export const allowPolicyOnlyOnIstioPortsRule: MeshRuleDefinition = {
    id,
    description: "No ALLOW AuthorizationPolicy names only Istio's own ports: it would deny all of the workload's real traffic.",
    upstream:
        "manifests/charts/istio-control/istio-discovery/files/injection-template.yaml (istio-init -d); istio.io AuthorizationPolicy reference (ALLOW evaluation)",
    check,
    inputs: ["rootNamespaces"],
    policy: { name: "no-allow-policy-only-on-istio-ports", enforcementLevel: "mandatory", scope: "stack" },
};
