import { describeObject, KubernetesObject } from "../../core/kubernetes";
import { allowEffect, isIstio, operationPorts } from "./helpers";
import { isIstioPort, matchesOnlyIstioPorts } from "./allowPolicyOnlyOnIstioPorts";
import { uncapturedPorts } from "./istio";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "authorization-on-istio-port";

/**
 * AuthorizationPolicy rules on Istio's own ports (15000–15090): no istiod validation refuses them
 * (validation.go only checks `security.ValidatePorts`, 0–65535), they just never take effect. The injector
 * excludes 15090, 15021 and the status port (15020 by default) from inbound capture
 * (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml, istio-init
 * `- "-d"` / `- "15090,15021,{{ excludeInboundPort … }}"`), so their traffic never reaches the inbound
 * listener where authorization is enforced; the rest of the range is the sidecar's own (istio.io "Ports
 * used by Istio": applications must not listen there), so no application traffic arrives on it.
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    // ALLOW policies that name nothing else are allow-policy-only-on-istio-ports' (an outage, not a no-op).
    const outage = (o: KubernetesObject) => allowEffect(o) === "allow-matched" && matchesOnlyIstioPorts(o);
    for (const policy of objects.filter((o) => isIstio(o, "AuthorizationPolicy") && !outage(o))) {
        const ports = new Set(operationPorts(policy).flat(2).filter(isIstioPort).map(Number));
        if (ports.size === 0) {
            continue;
        }
        const reasons = [...ports]
            .sort((a, b) => a - b)
            .map((port) =>
                uncapturedPorts.includes(port)
                    ? `${port}: the injector excludes it from inbound capture, so its traffic never reaches the sidecar that enforces authorization`
                    : `${port}: Istio reserves 15000–15090 for the sidecar itself, so no application traffic arrives there`,
            );
        violations.push({
            rule: id,
            object: describeObject(policy),
            message: `to.operation.ports names Istio's own ports, where the policy never takes effect (istiod accepts it): ${reasons.join("; ")}`,
            fix: "name the application's own ports; drop rules for Istio's ports (the merged metrics on 15020 are reachable without one)",
        });
    }
    return violations;
}

export const authorizationOnIstioPortRule: MeshRuleDefinition = {
    id,
    description: "AuthorizationPolicies do not name Istio's own ports (15000–15090), where they never take effect.",
    upstream: "manifests/charts/istio-control/istio-discovery/files/injection-template.yaml (istio-init -d); istio.io Ports used by Istio",
    check,
    inputs: [],
    policy: { name: "no-authorization-on-istio-ports", enforcementLevel: "advisory", scope: "resource" },
};
