// The target allocator's app-level HTTPS cannot work outside kube-system (its config reader signs a
// kube-system name and writes its secrets there): the relocation turns it off wherever a rendering has it
// on, exactly as the chart renders with OperatorTargetsHttpsEnabled false (PROVENANCE.md of the fixtures).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as YAML from "yaml";
import { relocateObjects, RelocationSettings, relocateText } from "../../components/amaMetrics/relocate";
import { Container, containersOf, KubernetesObject } from "../../components/core/kubernetes";
import { find, fixture, fixtureObjects, helmDefaultsRendering, podOf, relocationFor } from "../harness";

type Mode = RelocationSettings["mesh"]["mode"];
const modes: readonly Mode[] = ["sidecar", "certificates", "off"];
function options(mode: Mode = "sidecar"): RelocationSettings {
    return relocationFor({ istio: mode === "certificates" ? { mode, acknowledgeDefaultRevision: true } : { mode } });
}
const workloads = (objects: KubernetesObject[]) => objects.filter((o) => o.kind === "Deployment" || o.kind === "DaemonSet");
const envOf = (container: Container) => (container.env ?? []) as { name: string; value?: string }[];

describe("relocate turns the target allocator's app-level HTTPS off, as the chart renders it with the value false", () => {
    const helmDefaults = () => fixtureObjects("ama-metrics-chart", helmDefaultsRendering);
    const component = () => fixtureObjects("ama-metrics-chart", "rendered-aks-component.yaml");
    const tlsSecret = /operator-targets-(client|server)-tls-secret/;

    it("relocates Helm's defaults exactly as the rendering made with the value false, in every mode", () => {
        // The two renderings differ only where the value acts (PROVENANCE.md): after relocation, nowhere.
        assert.notDeepEqual(helmDefaults(), component());
        for (const mode of modes)
            assert.deepEqual(relocateObjects(helmDefaults(), options(mode)), relocateObjects(component(), options(mode)), mode);
        const text = (file: string) => fs.readFileSync(fixture("ama-metrics-chart", file), "utf8");
        const parsed = (yaml: string) => YAML.parseAllDocuments(yaml).map((d) => d.toJS());
        assert.deepEqual(
            parsed(relocateText(text(helmDefaultsRendering), options())),
            parsed(relocateText(text("rendered-aks-component.yaml"), options())),
        );
    });

    it("leaves no TLS secret, no HTTPS port and no right to create secrets from Helm's defaults", () => {
        const before = helmDefaults();
        assert.match(JSON.stringify(before), tlsSecret);
        const after = relocateObjects(before, options());
        assert.doesNotMatch(JSON.stringify(after), tlsSecret);
        const env = workloads(after)
            .flatMap((w) => containersOf(podOf(w)).flatMap(envOf))
            .filter((e) => e.name === "OPERATOR_TARGETS_HTTPS_ENABLED");
        assert.deepEqual(
            env.map((e) => e.value),
            ["false", "false"],
        );
        const service = find(after, "Service", "ama-metrics-operator-targets");
        assert.deepEqual(
            (service.spec as { ports: { name: string }[] }).ports.map((p) => p.name),
            ["targetallocation"],
        );
        const rules = find(after, "ClusterRole", "ama-metrics-reader-monitoring").rules as { resources?: string[]; verbs: string[] }[];
        assert.ok(!rules.some((r) => r.resources?.includes("secrets") && r.verbs.includes("create")));
    });

    it('turns it off where the agent reads it ("true" in any case) and where the string "false" left the mounts', () => {
        for (const value of ["true", "True", "TRUE"]) {
            const input = component();
            const reader = containersOf(podOf(find(input, "Deployment", "ama-metrics-operator-targets"))).find(
                (c) => c.name === "config-reader",
            )!;
            envOf(reader).find((e) => e.name === "OPERATOR_TARGETS_HTTPS_ENABLED")!.value = value;
            assert.deepEqual(relocateObjects(input, options()), relocateObjects(component(), options()), value);
        }
        // `{{ if }}` takes any non-empty string for true while the env prints it (PROVENANCE.md, uncertainty 2):
        // the env says "false" and the TLS secrets are still mounted.
        const quoted = helmDefaults();
        for (const e of workloads(quoted).flatMap((w) => containersOf(podOf(w)).flatMap(envOf))) {
            if (e.name === "OPERATOR_TARGETS_HTTPS_ENABLED") e.value = "false";
        }
        assert.deepEqual(relocateObjects(quoted, options()), relocateObjects(component(), options()));
    });

    it("drops a mount of a TLS secret by the secret, whatever its volume is called", () => {
        const input = component();
        const pod = podOf(find(input, "Deployment", "ama-metrics"));
        pod.spec!.volumes!.push({
            name: "certs",
            secret: { secretName: "ama-metrics-operator-targets-server-tls-secret", optional: true },
        });
        pod.spec!.containers![0].volumeMounts!.push({ name: "certs", mountPath: "/certs", readOnly: true });
        assert.deepEqual(relocateObjects(input, options()), relocateObjects(component(), options()));
    });

    it("does not modify its input", () => {
        const input = helmDefaults();
        const copy = structuredClone(input);
        relocateObjects(input, options());
        assert.deepEqual(input, copy);
    });
});
