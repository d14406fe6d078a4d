import { azureTlsHosts } from "../../core/facts/clouds";
import { describeObject, getPath, KubernetesObject } from "../../core/kubernetes";
import { isIstio, specOf, asList, text, strings } from "./helpers";
import { hostMatches, hostsOverlap } from "./istio";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "tls-origination-on-tls-port";

/**
 * TLS origination towards a port that already carries TLS. The application speaks TLS; a DestinationRule
 * with `tls.mode` SIMPLE or MUTUAL makes the sidecar wrap it again (Istio's "double TLS" failure, `wrong
 * version number`), and ISTIO_MUTUAL towards a mesh-external host wraps it in Istio mTLS for a server
 * that is no sidecar. Only *auto* mTLS skips mesh-external hosts; a user-supplied ISTIO_MUTUAL is applied
 * first (pilot/pkg/networking/core/cluster_tls.go, `buildUpstreamTLSSettings`):
 *
 *     if tls != nil {
 *         …
 *         if tls.Mode != networking.ClientTLSSettings_ISTIO_MUTUAL { return tls, userSupplied }
 *         …
 *         return cb.buildIstioMutualTLS(subjectAltNamesToUse, sniToUse, tls.InsecureSkipVerify), userSupplied
 *     }
 *     if meshExternal || !autoMTLSEnabled || … { return nil, userSupplied }
 *
 * A port is known to carry TLS when a ServiceEntry among the objects declares it with protocol TLS or
 * HTTPS (mesh-external unless `location: MESH_INTERNAL`), and for the agent's Azure hosts (TLS on 443,
 * mesh-external). For ISTIO_MUTUAL the Azure hosts count only for rules naming them (or hosts under
 * them): a mesh-wide `*` rule reaches them only through a ServiceEntry. A DestinationRule with a more
 * specific host for a TLS host takes it over (Istio picks the most specific host; namespace lookup
 * order and exportTo are not modelled).
 *
 * A subset's traffic policy applies only to traffic a VirtualService routes to that subset (istio.io
 * DestinationRule reference: "Policies specified for subsets will not take effect until a route rule
 * explicitly sends traffic to this subset"), so it is judged only where a `tls` or `tcp` route among the
 * objects sends a TLS port's traffic there. Istio's egress TLS-origination task is therefore accepted: its
 * current form originates TLS on the plain-text port 80 (`targetPort: 443`), its older form on port 443 of
 * a subset that only an `http` route from port 80 uses. A top-level SIMPLE on a TLS port stays refused: the
 * application's own `https://` calls to that port would be wrapped twice.
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const tlsPorts: TlsPort[] = azureTlsHosts.map((host) => ({
        host,
        port: 443,
        external: true,
        implicit: true,
        source: "an Azure Monitor host",
    }));
    for (const entry of objects.filter((o) => isIstio(o, "ServiceEntry"))) {
        const spec = specOf(entry);
        const external = text(spec.location) !== "MESH_INTERNAL";
        const ports = asList(spec.ports)
            .filter((port) => ["TLS", "HTTPS"].includes((text(getPath(port, ["protocol"])) ?? "").toUpperCase()))
            .map((port) => Number(getPath(port, ["number"])));
        for (const host of strings(spec.hosts)) {
            for (const port of ports) {
                tlsPorts.push({ host, port, external, implicit: false, source: describeObject(entry) });
            }
        }
    }

    const tlsRoutedSubsets = objects
        .filter((o) => isIstio(o, "VirtualService"))
        .flatMap((service) => [...asList(specOf(service).tls), ...asList(specOf(service).tcp)])
        .flatMap((route) => asList(getPath(route, ["route"])))
        .map((destination) => ({
            host: text(getPath(destination, ["destination", "host"])) ?? "",
            subset: text(getPath(destination, ["destination", "subset"])),
        }))
        .filter((routed) => routed.subset !== undefined);
    const rules = objects.filter((o) => isIstio(o, "DestinationRule"));
    const ruleHosts = rules.map((rule) => text(specOf(rule).host)).filter((host): host is string => host !== undefined);
    const violations: MeshRuleViolation[] = [];
    for (const rule of rules) {
        const spec = specOf(rule);
        const host = text(spec.host);
        if (host === undefined) {
            continue;
        }
        // A rule with a more specific host that covers the TLS host is the one Istio picks for it.
        const takenOver = (known: TlsPort) =>
            ruleHosts.some(
                (other) => other !== host && hostMatches(other, known.host) && hostMatches(host, other) && !hostMatches(other, host),
            );
        const doubleTls = new Set<string>();
        const istioMutual = new Set<string>();
        // A subset's policy applies only to traffic a route sends to the subset; only tls and tcp routes carry
        // the application's own TLS there.
        const subsetPolicies = asList(spec.subsets)
            .filter((subset) =>
                tlsRoutedSubsets.some((routed) => routed.subset === text(getPath(subset, ["name"])) && hostMatches(host, routed.host)),
            )
            .map((subset) => getPath(subset, ["trafficPolicy"]));
        for (const policy of [spec.trafficPolicy, ...subsetPolicies]) {
            for (const known of tlsPorts.filter((k) => hostsOverlap(host, k.host) && !takenOver(k))) {
                const mode = effectiveTlsMode(policy, known.port);
                const where = `${known.host} port ${known.port} (TLS per ${known.source})`;
                if (mode === "SIMPLE" || mode === "MUTUAL") {
                    doubleTls.add(`tls.mode ${mode} for ${where}`);
                } else if (mode === "ISTIO_MUTUAL" && known.external && (!known.implicit || hostMatches(known.host, host))) {
                    istioMutual.add(`tls.mode ISTIO_MUTUAL for mesh-external ${where}`);
                }
            }
        }
        const findings = [
            ...(doubleTls.size > 0 ? [`${[...doubleTls].join("; ")}: the sidecar would wrap TLS in TLS`] : []),
            ...(istioMutual.size > 0
                ? [
                      `${[...istioMutual].join("; ")}: istiod applies a user-supplied ISTIO_MUTUAL before it checks for mesh-external hosts, so the sidecar would wrap the application's TLS in Istio mTLS towards a server that is no sidecar`,
                  ]
                : []),
        ];
        if (findings.length > 0) {
            violations.push({
                rule: id,
                object: describeObject(rule),
                message: `originates TLS on a port the application already speaks TLS on: ${findings.join("; ")}`,
                fix: "remove the tls setting for these hosts (auto mTLS already leaves mesh-external hosts alone); where a broader rule forces ISTIO_MUTUAL (a mesh-wide `*` DestinationRule), add a DestinationRule for these hosts with `tls.mode: DISABLE`",
            });
        }
    }
    return violations;
}

export const tlsOriginationOnTlsPortRule: MeshRuleDefinition = {
    id,
    description:
        "No DestinationRule originates TLS (SIMPLE, MUTUAL, or ISTIO_MUTUAL to mesh-external hosts) towards a port that already carries TLS.",
    upstream: "pilot/pkg/networking/core/cluster_tls.go buildUpstreamTLSSettings",
    check,
    inputs: [],
    policy: { name: "no-tls-origination-on-tls-ports", enforcementLevel: "mandatory", scope: "stack" },
};

interface TlsPort {
    host: string;
    port: number;
    /** Not served by a sidecar: MESH_EXTERNAL (a ServiceEntry's default) or an Azure host. */
    external: boolean;
    /** Known from the package's list of Azure hosts rather than from a ServiceEntry among the objects. */
    implicit: boolean;
    source: string;
}

// A traffic policy's TLS mode on one port: the port-level setting's, else the policy's own.
function effectiveTlsMode(policy: unknown, port: number): string | undefined {
    const portLevel = asList(getPath(policy, ["portLevelSettings"])).find(
        (setting) => Number(getPath(setting, ["port", "number"])) === port,
    );
    const portMode = text(getPath(portLevel, ["tls", "mode"]));
    return portMode ?? text(getPath(policy, ["tls", "mode"]));
}
