// The ClusterRole the README documents is read-only and covers every request the command makes.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { validateSchema } from "../../harness";
import { FakeKube } from "./fakeKube";
import { amaMetricsArgs, amaMetricsCluster, prometheusArgs, prometheusCluster, repoRoot, verify } from "./harness";

interface Rule {
    apiGroups: string[];
    resources: string[];
    resourceNames?: string[];
    verbs: string[];
}

function documented(kind: string): any {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => YAML.parse(m[1]));
    const object = blocks.find((b) => b?.kind === kind);
    assert.ok(object, `the README shows a ${kind}`);
    return object;
}

const documentedClusterRole = (): { kind: string; metadata: { name: string }; rules: Rule[] } => documented("ClusterRole");

/** What RBAC sees of a request: API group, resource (with subresource), name and verb. */
function attributes(url: string): { group: string; resource: string; name?: string; verb: string } {
    const pathname = decodeURIComponent(new URL(url, "http://x").pathname);
    const proxy = /^\/api\/v1\/namespaces\/[^/]+\/pods\/([^/]+)\/proxy\//.exec(pathname);
    if (proxy) return { group: "", resource: "pods/proxy", name: proxy[1].split(":")[0], verb: "get" };
    const core = /^\/api\/v1\/namespaces\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(pathname);
    if (core) {
        const [, namespace, resource, name] = core;
        if (resource === undefined) return { group: "", resource: "namespaces", name: namespace, verb: "get" };
        return { group: "", resource, ...(name !== undefined && { name }), verb: name === undefined ? "list" : "get" };
    }
    const grouped = /^\/apis\/([^/]+)\/[^/]+\/namespaces\/[^/]+\/([^/]+)(?:\/([^/]+))?$/.exec(pathname);
    assert.ok(grouped, `unexpected request ${pathname}`);
    const [, group, resource, name] = grouped;
    return { group, resource, ...(name !== undefined && { name }), verb: name === undefined ? "list" : "get" };
}

describe("ama-metrics-istio-verify permissions", () => {
    let fake: FakeKube | undefined;
    afterEach(() => fake?.stop());

    it("documents a ClusterRole with read verbs only", () => {
        const role = documentedClusterRole();
        const verbs = new Set(role.rules.flatMap((r) => r.verbs));
        assert.deepEqual(
            [...verbs].filter((v) => !["get", "list", "watch"].includes(v)),
            [],
        );
        assert.ok(role.rules.every((r) => !r.resources.includes("*") && !r.apiGroups.includes("*")));
    });

    it("documents a valid binding of that ClusterRole to one Entra principal by object id", async () => {
        const binding = documented("ClusterRoleBinding");
        await validateSchema(binding);
        assert.deepEqual(binding.roleRef, {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: documentedClusterRole().metadata.name,
        });
        assert.equal(binding.subjects.length, 1);
        assert.equal(binding.subjects[0].kind, "User");
        assert.match(binding.subjects[0].name, /object id/);
    });

    for (const [collector, make, args] of [
        ["prometheus", prometheusCluster, prometheusArgs],
        ["ama-metrics", amaMetricsCluster, amaMetricsArgs],
    ] as const) {
        it(`allows every request of a run with the ${collector} collector, all of them GETs`, async () => {
            fake = await make();
            const result = await verify(fake.url, [...args]);
            assert.equal(result.code, 0, result.stdout);
            const rules = documentedClusterRole().rules;
            assert.ok(fake.requests.length > 5);
            for (const request of fake.requests) {
                assert.equal(request.method, "GET");
                const wanted = attributes(request.url);
                const allowed = rules.some(
                    (r) =>
                        r.apiGroups.includes(wanted.group) &&
                        r.resources.includes(wanted.resource) &&
                        r.verbs.includes(wanted.verb) &&
                        (r.resourceNames === undefined || (wanted.name !== undefined && r.resourceNames.includes(wanted.name))),
                );
                assert.ok(allowed, `the ClusterRole does not allow ${wanted.verb} ${wanted.resource} (${request.url})`);
            }
        });
    }
});
