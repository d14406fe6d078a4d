import { describeObject, KubernetesObject } from "../../core/kubernetes";
import { analyzedByIstioctl, isKind, asList, record, specOf, text } from "./helpers";
import { managedGatewayControllers, servicePortPrefixes, servicePortProtocol } from "./istio";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "external-name-port-protocol";

/**
 * Ports of an ExternalName Service whose protocol Istio cannot tell (IST0150
 * ExternalNameServiceTypeInvalidPortName), as the analyzer decides it
 * (pkg/config/analysis/analyzers/service/portname.go, `analyzeService`):
 *
 *     instance := configKube.ConvertProtocol(port.Port, port.Name, port.Protocol, port.AppProtocol)
 *     if instance.IsUnsupported() || port.Name == "tcp" && svc.Type == "ExternalName" {
 *
 * `ConvertProtocol` (pkg/config/kube/conversion.go): UDP → UDP; `appProtocol`, when set, replaces the name
 * (`kubernetes.io/h2c`, `kubernetes.io/ws`, `kubernetes.io/wss` are known); a `grpc-web` prefix; else the
 * text before the first `-`, parsed case-insensitively (pkg/config/protocol/instance.go `Parse`); an
 * unknown protocol on port 25, 53, 3306 or 27017 is TCP. The name exactly `tcp` is flagged whatever the
 * rest. Services labelled `istio` or `release=istio` and gateway-managed ones are skipped, as upstream.
 * Skips the namespaces istioctl never analyzes (`analyzedByIstioctl`).
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const violations: MeshRuleViolation[] = [];
    for (const service of objects.filter(
        (o) => isKind(o, "", "Service") && text(specOf(o).type) === "ExternalName" && analyzedByIstioctl(o),
    )) {
        const labels = service.metadata.labels ?? {};
        if (
            "istio" in labels ||
            labels.release === "istio" ||
            managedGatewayControllers.includes(labels["gateway.istio.io/managed"] ?? "")
        ) {
            continue;
        }
        const bad = asList(specOf(service).ports)
            .map(record)
            .filter((port) => {
                const name = text(port.name) ?? "";
                return (
                    name === "tcp" ||
                    servicePortProtocol(Number(port.port), name, text(port.protocol), text(port.appProtocol)) === undefined
                );
            })
            .map((port) => `${port.port}${text(port.name) === undefined ? " (unnamed)" : ` (${text(port.name)})`}`);
        if (bad.length > 0) {
            violations.push({
                rule: id,
                object: describeObject(service),
                message: `ExternalName Service port(s) ${bad.join(", ")} do not name a protocol Istio accepts (IST0150): the sidecar may not forward their traffic correctly`,
                fix: `name each port \`<protocol>\` or \`<protocol>-<suffix>\` with protocol one of ${servicePortPrefixes.join(", ")} (e.g. \`https\` for TLS on 443), or set \`appProtocol\`; the name \`tcp\` alone is refused too`,
            });
        }
    }
    return violations;
}

export const externalNamePortProtocolRule: MeshRuleDefinition = {
    id,
    description: "ExternalName Service ports name a protocol Istio accepts.",
    upstream: "pkg/config/analysis/analyzers/service/portname.go (IST0150); pkg/config/kube/conversion.go ConvertProtocol",
    check,
    inputs: [],
    policy: { name: "external-name-service-port-protocol", enforcementLevel: "advisory", scope: "resource" },
};
