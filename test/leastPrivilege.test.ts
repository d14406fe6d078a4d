// Least privilege, end to end: after relocation nothing of the chart is left in kube-system, no
// ClusterRole grants more than the chart's own, bindings reach only the agent's service accounts;
// the component's own kube-system objects are the two shims, reading one secret.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as YAML from "yaml";
import { Manifest } from "../components/kubernetesApi";
import { relocateYaml } from "../components/relocate";
import { resolveSettings } from "../components/settings";
import { shimManifests } from "../components/chart";
import { fixture } from "./helpers";

const rendered = fs.readFileSync(fixture("ama-metrics-chart", "rendered-aks.yaml"), "utf8");
const parse = (text: string): Manifest[] => YAML.parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);

describe("least privilege", () => {
    const before = parse(rendered);
    const after = parse(
        relocateYaml(rendered, {
            namespace: "monitoring",
            tokenSecret: { name: "aad-msi-auth-token", namespace: "kube-system" },
            mesh: { mode: "sidecar", meshNodeDaemonSet: true, proxyResources: {} },
        }),
    );

    it("leaves no object of the chart in kube-system", () => {
        assert.deepEqual(after.filter((o) => o.metadata?.namespace === "kube-system").map((o) => `${o.kind}/${o.metadata?.name}`), []);
    });

    it("widens no ClusterRole: every rule is the chart's own, under the relocated name", () => {
        const roles = (objects: Manifest[]) => objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role");
        assert.equal(roles(after).length, roles(before).length);
        for (const role of roles(before)) {
            const relocated = roles(after).find((r) => r.metadata?.name === `${role.metadata?.name}-monitoring`);
            assert.ok(relocated, `${role.metadata?.name} is missing`);
            assert.deepEqual(relocated.rules, role.rules);
            assert.deepEqual(relocated.aggregationRule, role.aggregationRule);
        }
    });

    it("binds the chart's roles only to the agent's own service accounts in its namespace", () => {
        const accounts = after.filter((o) => o.kind === "ServiceAccount").map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);
        const bindings = after.filter((o) => o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding");
        assert.ok(bindings.length > 0);
        for (const binding of bindings) {
            for (const subject of binding.subjects as Array<{ kind: string; name: string; namespace: string }>) {
                assert.equal(subject.kind, "ServiceAccount");
                assert.ok(accounts.includes(`${subject.namespace}/${subject.name}`), `${binding.metadata?.name} binds ${subject.namespace}/${subject.name}`);
            }
        }
    });

    it("gives the agent, in kube-system, read access to the token secret and nothing else", () => {
        const settings = resolveSettings({
            cluster: { resourceId: "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks", location: "westeurope", kubernetesVersion: "1.33.7" },
            resourceGroupName: "rg",
        });
        const shims = shimManifests(settings);
        assert.deepEqual(
            Object.values(shims).map((o) => `${o.metadata.namespace}/${o.kind}/${o.metadata.name}`).sort(),
            ["kube-system/Role/ama-metrics-token-reader-monitoring", "kube-system/RoleBinding/ama-metrics-token-reader-monitoring", "kube-system/Service/ama-metrics-operator-targets"],
        );
        assert.deepEqual(shims.tokenReaderRole.rules, [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["aad-msi-auth-token"], verbs: ["get", "watch"] }]);
        assert.deepEqual(shims.tokenReaderBinding.subjects, [{ kind: "ServiceAccount", name: "ama-metrics-serviceaccount", namespace: "monitoring" }]);
        assert.equal(shims.targetAllocatorAlias.spec.type, "ExternalName");
        assert.equal((shims.targetAllocatorAlias.spec as { selector?: unknown }).selector, undefined, "an alias selects no pods in kube-system");
    });
});
