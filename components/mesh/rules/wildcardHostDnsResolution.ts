import { describeObject, isRecord, KubernetesObject } from "../../core/kubernetes";
import { isIstio, specOf, asList, text, strings } from "./helpers";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "wildcard-host-dns-resolution";

/**
 * A ServiceEntry with a wildcard host and DNS resolution needs endpoints: a wildcard cannot be resolved.
 * istiod rejects it (IST0106), and a `workloadSelector` does not exempt it — the check reads only the
 * endpoints (pkg/config/validation/validation.go, `ValidateServiceEntry`):
 *
 *     case networking.ServiceEntry_DNS, networking.ServiceEntry_DNS_ROUND_ROBIN:
 *         if len(serviceEntry.Endpoints) == 0 {
 *             for _, hostname := range serviceEntry.Hosts {
 *                 if err := agent.ValidateFQDN(hostname); err != nil {
 *
 * (and a selector excludes endpoints: "only one of WorkloadSelector or Endpoints is allowed"). Where no
 * validator selects the object it is admitted and broken.
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const object of objects.filter((o) => isIstio(o, "ServiceEntry"))) {
        const spec = specOf(object);
        const resolution = text(spec.resolution);
        if ((resolution !== "DNS" && resolution !== "DNS_ROUND_ROBIN") || asList(spec.endpoints).length > 0) {
            continue;
        }
        const wildcards = strings(spec.hosts).filter((host) => host.includes("*"));
        if (wildcards.length > 0) {
            const selector = isRecord(spec.workloadSelector) ? " (a workloadSelector does not count as endpoints)" : "";
            violations.push({
                rule: id,
                object: describeObject(object),
                message: `resolution ${resolution} with wildcard host(s) ${wildcards.join(", ")} and no endpoints${selector}: a wildcard cannot be resolved; istiod rejects it ("hosts must be FQDN … if no endpoints are provided for resolution mode ${resolution}", IST0106)`,
                fix: "set `resolution: NONE` (the sidecar forwards to the address the application resolved), or list exact hosts (Istio ≥ 1.28 also offers `resolution: DYNAMIC_DNS` for wildcard hosts on HTTP and TLS ports)",
            });
        }
    }
    return violations;
}

export const wildcardHostDnsResolutionRule: MeshRuleDefinition = {
    id,
    description: "ServiceEntries with wildcard hosts and DNS resolution have endpoints (else resolution NONE).",
    upstream: "pkg/config/validation/validation.go ValidateServiceEntry (IST0106)",
    check,
    inputs: [],
    policy: { name: "no-wildcard-service-entry-with-dns", enforcementLevel: "mandatory", scope: "resource" },
};
