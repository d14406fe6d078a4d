import { describeObject, KubernetesObject } from "../../core/kubernetes";
import { isIstio, hasSelector, specOf, record } from "./helpers";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "port-level-mtls-without-selector";

/**
 * `portLevelMtls` is only valid on a PeerAuthentication with a selector; istiod rejects it otherwise
 * ("mesh/namespace peer authentication cannot have port level mTLS", validation.go `ValidatePeerAuthentication`).
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    return objects
        .filter((o) => isIstio(o, "PeerAuthentication"))
        .filter((o) => Object.keys(record(specOf(o).portLevelMtls)).length > 0 && !hasSelector(specOf(o).selector))
        .map((object) => ({
            rule: id,
            object: describeObject(object),
            message: `portLevelMtls on ports ${Object.keys(record(specOf(object).portLevelMtls)).join(", ")} without a selector (istiod rejects it)`,
            fix: "keep the namespace-wide policy without portLevelMtls, and put port exceptions in a separate PeerAuthentication whose selector names the workload",
        }));
}

export const portLevelMtlsWithoutSelectorRule: MeshRuleDefinition = {
    id,
    description: "portLevelMtls only on PeerAuthentications with a selector.",
    upstream: "pkg/config/validation/validation.go ValidatePeerAuthentication",
    check,
    inputs: [],
    policy: { name: "port-level-mtls-needs-selector", enforcementLevel: "mandatory", scope: "resource" },
};
