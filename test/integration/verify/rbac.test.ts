// The ClusterRole and the Role the README documents are the ones derived from the command's reads: the
// ClusterRole is read-only and opens no port-forward, the Role in the collector's namespace grants only the
// port-forward's subresource, and together they cover every request the command makes; the README's check
// table is the registry's.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { checks, checkTable } from "../../../components/verify/checks";
import { verifyClusterRole, verifyNamespaceRole, verifyRoleName } from "../../../components/verify/rbac";
import { validateSchema } from "../../harness";
import { FakeKube } from "./fakeKube";
import { amaMetricsArgs, amaMetricsCluster, prometheusArgs, prometheusCluster, repoRoot, verify } from "./harness";

interface Rule {
    apiGroups: string[];
    resources: string[];
    resourceNames?: string[];
    verbs: string[];
}

/** The README's block of `kind` named `name` (it shows other roles, for the agent's secrets, too). */
function documented(kind: string, name = verifyRoleName): any {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => YAML.parse(m[1]));
    const object = blocks.find((b) => b?.kind === kind && b.metadata?.name === name);
    assert.ok(object, `the README shows a ${kind} ${name}`);
    return object;
}

type Role = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; rules: Rule[] };
const documentedClusterRole = (): Role => documented("ClusterRole");
const documentedRole = (): Role => documented("Role");

/** What RBAC sees of a request: API group, resource (with subresource), namespace, name and verb. */
interface Attributes {
    group: string;
    resource: string;
    /** The namespace of a namespaced request; absent for a cluster-wide one. */
    namespace?: string;
    name?: string;
    verb: string;
}

function attributes(url: string): Attributes[] {
    const pathname = decodeURIComponent(new URL(url, "http://x").pathname);
    const forward = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(pathname);
    // A websocket GET: authorized as get, and from Kubernetes 1.35 also as create (kubernetes/kubernetes #134577).
    if (forward) {
        return ["get", "create"].map((verb) => ({
            group: "",
            resource: "pods/portforward",
            namespace: forward[1],
            name: forward[2],
            verb,
        }));
    }
    return [plainAttributes(pathname)];
}

function plainAttributes(pathname: string): Attributes {
    const clusterList = /^\/api\/v1\/(namespaces|pods)$/.exec(pathname);
    if (clusterList) return { group: "", resource: clusterList[1], verb: "list" };
    const core = /^\/api\/v1\/namespaces\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(pathname);
    if (core) {
        const [, namespace, resource, name] = core;
        // A namespace itself is a cluster-scoped object.
        if (resource === undefined) return { group: "", resource: "namespaces", name: namespace, verb: "get" };
        return { group: "", resource, namespace, ...(name !== undefined && { name }), verb: name === undefined ? "list" : "get" };
    }
    const grouped = /^\/apis\/([^/]+)\/[^/]+\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(pathname);
    assert.ok(grouped, `unexpected request ${pathname}`);
    const [, group, namespace, resource, name] = grouped;
    return { group, resource, namespace, ...(name !== undefined && { name }), verb: name === undefined ? "list" : "get" };
}

/** Whether one of `rules` allows the request, as Kubernetes' RBAC authorizer matches a rule. */
function allows(rules: readonly Rule[], wanted: Attributes): boolean {
    return rules.some(
        (r) =>
            r.apiGroups.includes(wanted.group) &&
            r.resources.includes(wanted.resource) &&
            r.verbs.includes(wanted.verb) &&
            (r.resourceNames === undefined || (wanted.name !== undefined && r.resourceNames.includes(wanted.name))),
    );
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

    it("documents the Role in the collector's namespace derived from the command's reads, as a valid object", async () => {
        const role = documentedRole();
        await validateSchema(role);
        assert.deepEqual(role, verifyNamespaceRole(), "run scripts/node22 ts-node --transpile-only scripts/verifyReadme.ts");
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

    it("documents a ClusterRole with read verbs only and no port-forward: it would open every pod's loopback in the cluster", () => {
        const role = documentedClusterRole();
        assert.deepEqual(
            role.rules.filter((r) => r.verbs.some((v) => !["get", "list", "watch"].includes(v))),
            [],
        );
        assert.deepEqual(
            role.rules.filter((r) => r.resources.some((resource) => resource.startsWith("pods/"))),
            [],
        );
        assert.ok(role.rules.every((r) => !r.resources.includes("*") && !r.apiGroups.includes("*")));
    });

    it("documents a Role that grants only pods/portforward (get, and the create a port-forward needs from Kubernetes 1.35)", () => {
        assert.deepEqual(documentedRole().rules, [{ apiGroups: [""], resources: ["pods/portforward"], verbs: ["get", "create"] }]);
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

    it("documents a valid binding of the Role, in its namespace, to the same principal", async () => {
        const binding = documented("RoleBinding");
        await validateSchema(binding);
        const role = documentedRole();
        assert.equal(binding.metadata.namespace, role.metadata.namespace);
        assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
        assert.deepEqual(binding.subjects, documented("ClusterRoleBinding").subjects);
    });

    for (const [collector, make, args] of [
        ["prometheus", prometheusCluster, prometheusArgs],
        ["ama-metrics", amaMetricsCluster, amaMetricsArgs],
    ] as const) {
        it(`allows every request of a run with the ${collector} collector by the ClusterRole and the Role in its namespace, all of them GETs`, async () => {
            fake = await make();
            const result = await verify(fake.url, [...args]);
            assert.equal(result.code, 0, result.stdout);
            // The Role is created in the collector's namespace, whatever the README's example names.
            const namespace = args[args.indexOf("--namespace") + 1];
            const clusterRules = documentedClusterRole().rules;
            const roleRules = documentedRole().rules;
            assert.ok(fake.requests.length > 5);
            assert.ok(
                fake.requests.some((r) => r.url.includes("/portforward")),
                "the run opens port-forwards",
            );
            for (const request of fake.requests) {
                assert.equal(request.method, "GET");
                for (const wanted of attributes(request.url)) {
                    const allowed = allows(clusterRules, wanted) || (wanted.namespace === namespace && allows(roleRules, wanted));
                    assert.ok(
                        allowed,
                        `neither the ClusterRole nor the Role in ${namespace} allows ${wanted.verb} ${wanted.resource} (${request.url})`,
                    );
                }
            }
        });
    }
});
