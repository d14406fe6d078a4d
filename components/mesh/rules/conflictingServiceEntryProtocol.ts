import { describeObject, KubernetesObject } from "../../core/kubernetes";
import { analyzedByIstioctl, fullName, isIstio, asList, record, specOf, strings, text } from "./helpers";
import type { MeshRuleDefinition, MeshRuleViolation } from "./types";

const id = "conflicting-service-entry-protocol";

/**
 * IST0177 ConflictingServiceEntryProtocol (Istio ≥ 1.31.0-alpha only; absent from 1.30.0), as the analyzer
 * decides it (pkg/config/analysis/analyzers/serviceentry/conflictingserviceentries.go): ServiceEntries are
 * keyed by (scope, host, port), the scope being each exportTo value (`.` → the entry's namespace; empty
 * or containing `*` → `*`); a non-`*` key also takes the `*` entries of the same host and port; the key
 * conflicts when the upper-cased protocols differ (`TLS` vs `HTTPS`, `""` vs `TCP`). Hosts match by exact
 * string.
 * Skips the namespaces istioctl never analyzes (`analyzedByIstioctl`).
 */
function check(objects: readonly KubernetesObject[]): MeshRuleViolation[] {
    const index = new Map<
        string,
        { scope: string; host: string; port: number; entries: Array<{ entry: KubernetesObject; protocol: string }> }
    >();
    for (const entry of objects.filter((o) => isIstio(o, "ServiceEntry") && analyzedByIstioctl(o))) {
        const spec = specOf(entry);
        const namespace = entry.metadata?.namespace ?? "";
        const exportTo = strings(spec.exportTo);
        const scopes =
            exportTo.length === 0 || exportTo.includes("*") ? ["*"] : [...new Set(exportTo.map((e) => (e === "." ? namespace : e)))];
        for (const scope of scopes) {
            for (const host of strings(spec.hosts)) {
                for (const port of asList(spec.ports).map(record)) {
                    const number = Number(port.number);
                    const key = JSON.stringify([scope, host, number]);
                    const slot = index.get(key) ?? { scope, host, port: number, entries: [] };
                    slot.entries.push({ entry, protocol: text(port.protocol) ?? "" });
                    index.set(key, slot);
                }
            }
        }
    }
    const conflicts = new Map<KubernetesObject, string[]>();
    for (const { scope, host, port, entries } of index.values()) {
        const all = scope === "*" ? entries : [...entries, ...(index.get(JSON.stringify(["*", host, port]))?.entries ?? [])];
        const protocols = [...new Set(all.map((e) => e.protocol.toUpperCase()))].sort();
        if (protocols.length < 2) {
            continue;
        }
        const names = [...new Set(all.map((e) => fullName(e.entry)))].sort();
        const finding = `host ${host} port ${port} is defined by ${names.join(", ")} with conflicting protocols ${protocols.map((p) => p || '""').join(", ")}`;
        for (const { entry } of all) {
            const findings = conflicts.get(entry) ?? [];
            if (!findings.includes(finding)) {
                findings.push(finding);
            }
            conflicts.set(entry, findings);
        }
    }
    return [...conflicts].map(([entry, findings]) => ({
        rule: id,
        object: describeObject(entry),
        message: `${findings.join("; ")} (IST0177, reported by istioctl ≥ 1.31.0-alpha): which protocol the sidecar uses for the port is undefined`,
        fix: "declare one protocol per host and port across ServiceEntries (`TLS` and `HTTPS` count as different), or merge the entries",
    }));
}

export const conflictingServiceEntryProtocolRule: MeshRuleDefinition = {
    id,
    description: "ServiceEntries agree on the protocol of each host and port.",
    upstream: "pkg/config/analysis/analyzers/serviceentry/conflictingserviceentries.go (IST0177, Istio ≥ 1.31.0-alpha)",
    check,
    inputs: [],
    policy: { name: "one-protocol-per-service-entry-port", enforcementLevel: "advisory", scope: "stack" },
};
