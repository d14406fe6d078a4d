// Least privilege, end to end: the component's own kube-system objects are an alias and read access to
// the one token secret, both derived from the chart's rendering; after relocation no ClusterRole grants
// more than the rendering's, and bindings reach only the agent's own ServiceAccounts.

import * as assert from "node:assert/strict";
import { relocateObjects } from "../../components/amaMetrics/relocate";
import { shimObjects } from "../../components/amaMetrics/shims";
import type { AmaMetricsIstioArgs } from "../../components/core/args";
import type { Container, KubernetesObject } from "../../components/core/kubernetes";
import type { AmaMetricsCollectorSettings } from "../../components/core/settings";
import { validateArgs } from "../../components/arguments/validate";
import {
    baseArgs,
    chartRenderings,
    find,
    fixtureObjects,
    httpsOffRendering,
    podOf,
    relocationFor,
    validateSchema,
    settingsFor,
} from "../harness";

type Rule = { apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; verbs: string[]; nonResourceURLs?: string[] };

for (const rendering of chartRenderings) {
    describe(`kube-system shims and least privilege, against ${rendering}`, () => {
        const rendered = fixtureObjects("ama-metrics-chart", rendering);
        // What the rendering says: the collector's ServiceAccount, the token its adapter reads, the chart's
        // own rule for that secret, the target allocator's Service.
        const collector = find(rendered, "Deployment", "ama-metrics");
        const serviceAccount = podOf(collector).spec!.serviceAccountName as string;
        const adapterArgs = (podOf(collector).spec!.containers as Container[]).find((c) => c.name === "addon-token-adapter")!
            .args as string[];
        const argument = (name: string) => adapterArgs.find((a) => a.startsWith(`--${name}=`))!.split("=")[1];
        const token = { name: argument("secret-name"), namespace: argument("secret-namespace") };
        const chartTokenRule = (find(rendered, "ClusterRole", "ama-metrics-reader").rules as Rule[]).find((r) =>
            r.resourceNames?.includes(token.name),
        )!;
        const allocatorService = find(rendered, "Service", "ama-metrics-operator-targets");
        const httpPort = (allocatorService.spec as { ports: Array<{ port: number; targetPort: number }> }).ports.find(
            (p) => p.port === 80,
        )!;

        it("reads the facts it needs from the rendering", () => {
            assert.equal(serviceAccount, "ama-metrics-serviceaccount");
            assert.deepEqual(token, { name: "aad-msi-auth-token", namespace: "kube-system" });
            assert.deepEqual(chartTokenRule.verbs, ["get", "watch"]);
            assert.equal(httpPort.targetPort, 8080);
        });

        const cases: { label: string; args: Partial<AmaMetricsIstioArgs>; namespace: string; domain: string; secret: typeof token }[] = [
            { label: "by default", args: {}, namespace: "monitoring", domain: "cluster.local", secret: token },
            {
                label: "with another namespace, cluster domain and token secret",
                args: { namespace: "observability", tokenSecret: { name: "agent-token", namespace: "secrets" } },
                namespace: "observability",
                domain: "corp.internal",
                secret: { name: "agent-token", namespace: "secrets" },
            },
        ];
        for (const { label, args, namespace, domain, secret } of cases) {
            describe(label, () => {
                const base = baseArgs(args, "ama-metrics");
                if (domain !== "cluster.local") base.cluster = { ...base.cluster, clusterDomain: domain };
                const settings = validateArgs("metrics", base) as AmaMetricsCollectorSettings;
                const shims = shimObjects(settings);
                const byKind = (kind: string) => shims.filter((o) => o.kind === kind);

                it("are an alias Service, a Role and its RoleBinding, and nothing else", () => {
                    assert.deepEqual(shims.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort(), [
                        `Role ${secret.namespace}/ama-metrics-token-reader-${namespace}`,
                        `RoleBinding ${secret.namespace}/ama-metrics-token-reader-${namespace}`,
                        `Service kube-system/${allocatorService.metadata.name}`,
                    ]);
                });

                it("pass the Kubernetes schemas", async () => {
                    for (const object of shims) await validateSchema(object);
                });

                it("let the agent get and watch the one token secret, with the chart's own verbs, and nothing else", () => {
                    const [role] = byKind("Role");
                    assert.deepEqual(role.rules, [
                        { apiGroups: [""], resources: ["secrets"], resourceNames: [secret.name], verbs: chartTokenRule.verbs },
                    ]);
                    const [binding] = byKind("RoleBinding");
                    assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
                    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: serviceAccount, namespace }]);
                });

                it("alias the target allocator's kube-system address to its Service in the agent's namespace, selecting no pod", () => {
                    const [alias] = byKind("Service");
                    const spec = alias.spec as Record<string, unknown>;
                    assert.equal(spec.type, "ExternalName");
                    assert.equal(spec.externalName, `${allocatorService.metadata.name}.${namespace}.svc.${domain}`);
                    assert.equal(spec.selector, undefined);
                    const ports = spec.ports as Array<{ name: string; port: number; targetPort: number; protocol: string }>;
                    assert.deepEqual(
                        ports.map((p) => [p.port, p.targetPort, p.protocol]),
                        [[httpPort.port, httpPort.targetPort, "TCP"]],
                    );
                    // Istio reads the protocol from the port name.
                    assert.match(ports[0].name, /^http-/);
                });
            });
        }
    });
}

// Helm's defaults are refused (the allocator's app-level HTTPS on): only the renderings the relocation
// accepts are relocated.
for (const rendering of chartRenderings) {
    describe(`least privilege after relocating ${rendering}`, () => {
        const rendered = fixtureObjects("ama-metrics-chart", rendering);
        const relocated = relocateObjects(rendered, relocationFor());
        const roles = (objects: KubernetesObject[]) => objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role");

        it("widens no role: every rule is the chart's own with HTTPS off, under the relocated name", () => {
            // The chart's roles with the allocator's HTTPS off, which the relocation turns off in Helm's defaults too.
            const chartRoles = roles(fixtureObjects("ama-metrics-chart", httpsOffRendering));
            assert.equal(roles(relocated).length, chartRoles.length);
            for (const role of chartRoles) {
                const name = role.kind === "ClusterRole" ? `${role.metadata.name}-monitoring` : role.metadata.name!;
                const after = find(relocated, role.kind, name);
                assert.ok(after, `${role.kind} ${role.metadata.name}`);
                assert.deepEqual(after.rules, role.rules);
                assert.deepEqual(after.aggregationRule, role.aggregationRule);
            }
        });

        it("binds roles only to the agent's own ServiceAccounts in its namespace", () => {
            const accounts = relocated.filter((o) => o.kind === "ServiceAccount").map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
            const bindings = relocated.filter((o) => o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding");
            assert.ok(bindings.length > 0);
            for (const binding of bindings) {
                for (const subject of binding.subjects as Array<{ kind: string; name: string; namespace: string }>) {
                    assert.equal(subject.kind, "ServiceAccount");
                    assert.ok(
                        accounts.includes(`${subject.namespace}/${subject.name}`),
                        `${binding.metadata.name} binds ${subject.namespace}/${subject.name}`,
                    );
                }
            }
        });

        it("leaves no object of the chart in kube-system", () => {
            assert.deepEqual(
                relocated.filter((o) => o.metadata.namespace === "kube-system").map((o) => `${o.kind} ${o.metadata.name}`),
                [],
            );
        });
    });
}

describe("shimObjects", () => {
    it("follow the namespace in their names, so two installations do not collide", () => {
        const names = (namespace: string) =>
            shimObjects(settingsFor({ namespace }, "ama-metrics")).map((o) => `${o.kind} ${o.metadata.name}`);
        const a = names("monitoring");
        const b = names("observability");
        assert.deepEqual(
            a.filter((n) => b.includes(n)),
            ["Service ama-metrics-operator-targets"],
            "only the alias, whose kube-system address the agent images hard-code, is shared",
        );
    });
});
