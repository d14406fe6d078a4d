import { describeObject, KubernetesObject } from "../../core/kubernetes";
import { isIstio, hasSelector, specOf, record } from "./helpers";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "port-level-mtls-without-selector";

/**
 * `portLevelMtls` as istiod's validation accepts it (pkg/config/validation/validation.go
 * `ValidatePeerAuthentication`): only with a selector that has labels ("mesh/namespace peer authentication
 * cannot have port level mTLS"), never present but empty ("port level mTLS, if defined, must have at least
 * one element"; the CRD's `minProperties: 1`), and on ports 1–65535.
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const object of objects.filter((o) => isIstio(o, "PeerAuthentication"))) {
        const portLevel = specOf(object).portLevelMtls;
        if (portLevel === undefined || portLevel === null) {
            continue;
        }
        const ports = Object.keys(record(portLevel));
        const faults = [
            ...(ports.length > 0 && !hasSelector(specOf(object).selector)
                ? [`portLevelMtls on ports ${ports.join(", ")} without a selector`]
                : []),
            ...(ports.length === 0 ? ["portLevelMtls is present but empty"] : []),
            ...ports
                .filter((port) => !/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)
                .map((port) => `port ${port} is not in 1–65535`),
        ];
        if (faults.length > 0) {
            violations.push({
                rule: id,
                object: describeObject(object),
                message: `${faults.join("; ")} (istiod's validation rejects it)`,
                fix: "keep the namespace-wide policy without portLevelMtls, and put port exceptions (ports 1–65535) in a separate PeerAuthentication whose selector names the workload; drop an empty portLevelMtls",
            });
        }
    }
    return violations;
}

export const portLevelMtlsWithoutSelectorRule: MeshRuleDefinition = {
    id,
    description: "portLevelMtls only on PeerAuthentications with a selector, never empty, on ports 1–65535.",
    upstream: "pkg/config/validation/validation.go ValidatePeerAuthentication",
    check,
    inputs: [],
    policy: { name: "port-level-mtls-needs-selector", enforcementLevel: "mandatory", scope: "resource" },
};
