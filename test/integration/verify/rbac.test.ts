// The ClusterRole the README documents is the one derived from the command's reads, is read-only (but for the
// port-forward's connect subresource), and covers every request the command makes; the README's check
// table is the registry's.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { checks, checkTable } from "../../../components/verify/checks";
import { verifyClusterRole } from "../../../components/verify/rbac";
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
function attributes(url: string): { group: string; resource: string; name?: string; verb: string }[] {
    const pathname = decodeURIComponent(new URL(url, "http://x").pathname);
    const forward = /^\/api\/v1\/namespaces\/[^/]+\/pods\/([^/]+)\/portforward$/.exec(pathname);
    // A websocket GET: authorized as get, and from Kubernetes 1.35 also as create (kubernetes/kubernetes #134577).
    if (forward) return ["get", "create"].map((verb) => ({ group: "", resource: "pods/portforward", name: forward[1], verb }));
    return [plainAttributes(pathname)];
}

function plainAttributes(pathname: string): { group: string; resource: string; name?: string; verb: string } {
    const clusterList = /^\/api\/v1\/(namespaces|pods)$/.exec(pathname);
    if (clusterList) return { group: "", resource: clusterList[1], verb: "list" };
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

    it("documents the ClusterRole derived from the command's reads", () => {
        assert.deepEqual(
            documentedClusterRole(),
            verifyClusterRole(),
            "run scripts/node22 ts-node --transpile-only scripts/verifyReadme.ts",
        );
    });

    it("documents the registry's checks, in its (sorted) order, as the README's table", () => {
        const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
        assert.ok(
            readme.includes(`${checkTable()}\n`),
            "README's check table differs from the registry: run scripts/node22 ts-node --transpile-only scripts/verifyReadme.ts",
        );
        const ids = checks.map((c) => c.id);
        assert.deepEqual(ids, [...ids].sort());
        assert.equal(new Set(ids).size, ids.length);
    });

    it("documents a ClusterRole with read verbs only, but create on pods/portforward, the connect subresource a port-forward needs", () => {
        const role = documentedClusterRole();
        const writes = role.rules.filter((r) => r.verbs.some((v) => !["get", "list", "watch"].includes(v)));
        assert.deepEqual(writes, [{ apiGroups: [""], resources: ["pods/portforward"], verbs: ["get", "create"] }]);
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
                for (const wanted of attributes(request.url)) {
                    const allowed = rules.some(
                        (r) =>
                            r.apiGroups.includes(wanted.group) &&
                            r.resources.includes(wanted.resource) &&
                            r.verbs.includes(wanted.verb) &&
                            (r.resourceNames === undefined || (wanted.name !== undefined && r.resourceNames.includes(wanted.name))),
                    );
                    assert.ok(allowed, `the ClusterRole does not allow ${wanted.verb} ${wanted.resource} (${request.url})`);
                }
            }
        });
    }
});
