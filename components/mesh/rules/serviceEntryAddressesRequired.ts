import { describeObject, getPath, KubernetesObject } from "../../core/kubernetes";
import { analyzedByIstioctl, isIstio, asList, record, specOf, text } from "./helpers";
import type { MeshRuleContext, MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "service-entry-addresses-required";

/**
 * IST0134 ServiceEntryAddressesRequired, as the analyzer decides it
 * (pkg/config/analysis/analyzers/serviceentry/protocoladdresses.go):
 *
 *     if se.Addresses == nil && !addressAllocated(r) && !metaDNSAutoAllocated {
 *         for index, port := range se.Ports {
 *             if port.Protocol == "" || strings.EqualFold(port.Protocol, "TCP") {
 *
 * `addressAllocated` reads `status.addresses` (istiod's IP auto-allocation, written after creation and
 * never for resolution NONE); `metaDNSAutoAllocated` reads MeshConfig `defaultConfig.proxyMetadata`:
 * `ISTIO_META_DNS_CAPTURE` and (`ISTIO_META_DNS_AUTO_ALLOCATE` or `PILOT_ENABLE_IP_AUTOALLOCATE`) all
 * "true". Objects alone show neither, unless given: the status when the object carries one, the mesh
 * config through `context.meshProxyMetadata`.
 * Skips the namespaces istioctl never analyzes (`analyzedByIstioctl`).
 */
function check(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    const metadata = context.meshProxyMetadata ?? {};
    const dnsAutoAllocated =
        metadata.ISTIO_META_DNS_CAPTURE === "true" &&
        (metadata.ISTIO_META_DNS_AUTO_ALLOCATE === "true" || metadata.PILOT_ENABLE_IP_AUTOALLOCATE === "true");
    if (dnsAutoAllocated) {
        return [];
    }
    const violations: MeshRuleViolation[] = [];
    for (const entry of objects.filter((o) => isIstio(o, "ServiceEntry") && analyzedByIstioctl(o))) {
        const spec = specOf(entry);
        if (asList(spec.addresses).length > 0 || asList(getPath(entry, ["status", "addresses"])).length > 0) {
            continue;
        }
        const ports = asList(spec.ports)
            .map(record)
            .filter((port) => {
                const protocol = text(port.protocol) ?? "";
                return protocol === "" || protocol.toUpperCase() === "TCP";
            })
            .map((port) => `${port.number}${text(port.protocol) ? "" : " (protocol unset)"}`);
        if (ports.length > 0) {
            violations.push({
                rule: id,
                object: describeObject(entry),
                message: `port(s) ${ports.join(", ")} serve TCP or an unset protocol and the entry has no addresses (IST0134): without a virtual IP the sidecar cannot tell this host's TCP traffic from any other on the port. Not visible from the objects: an address istiod auto-allocates into status.addresses after creation (never for resolution NONE), or the mesh's DNS auto-allocation (MeshConfig defaultConfig.proxyMetadata ISTIO_META_DNS_CAPTURE with ISTIO_META_DNS_AUTO_ALLOCATE or PILOT_ENABLE_IP_AUTOALLOCATE)`,
                fix: "declare the port's real protocol (`TLS` or `HTTPS` for TLS traffic, which needs no address), or give the entry `addresses`",
            });
        }
    }
    return violations;
}

export const serviceEntryAddressesRequiredRule: MeshRuleDefinition = {
    id,
    description: "ServiceEntries with TCP (or unset) protocol ports have addresses.",
    upstream: "pkg/config/analysis/analyzers/serviceentry/protocoladdresses.go (IST0134)",
    check,
    inputs: ["meshProxyMetadata"],
    policy: { name: "service-entry-addresses-for-tcp", enforcementLevel: "advisory", scope: "resource" },
};
