import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    apiGroup,
    builtInKinds,
    findBuiltInKind,
    hasStructuralName,
    isList,
    kindKey,
} from "../components/kubernetesApi";

const modelsRoot = path.resolve(__dirname, "../node_modules/kubernetes-models");

interface ExportedKind {
    apiVersion: string;
    kind: string;
}

/** Every top-level kind (a class with a static apiVersion and kind) of every group/version folder of kubernetes-models. */
async function exportedKinds(): Promise<ExportedKind[]> {
    const isDir = (p: string) => fs.statSync(p).isDirectory();
    const groupVersions: string[] = [];
    for (const entry of fs.readdirSync(modelsRoot).sort()) {
        const dir = path.join(modelsRoot, entry);
        if (entry.startsWith("_") || !isDir(dir)) continue;
        const versions = fs.readdirSync(dir).filter(v => isDir(path.join(dir, v)));
        // The core group has no group folder: `v1/` holds its models directly.
        groupVersions.push(...(versions.length === 0 ? [entry] : versions.sort().map(v => `${entry}/${v}`)));
    }
    const kinds: ExportedKind[] = [];
    for (const groupVersion of groupVersions) {
        const module: Record<string, unknown> = await import(`kubernetes-models/${groupVersion}`);
        for (const value of Object.values(module)) {
            const model = value as { apiVersion?: unknown; kind?: unknown };
            if (typeof value === "function" && typeof model.apiVersion === "string" && typeof model.kind === "string") {
                assert.equal(model.apiVersion, groupVersion, `${model.kind} is exported from the folder of its apiVersion`);
                kinds.push({ apiVersion: model.apiVersion, kind: model.kind });
            }
        }
    }
    return kinds;
}

describe("kubernetesApi", () => {
    it("knows the scope of every top-level kind kubernetes-models exports", async () => {
        const kinds = await exportedKinds();
        // kubernetes-models 5 exports over two hundred kinds; fewer means the folders were not found.
        assert.ok(kinds.length > 200, `found only ${kinds.length} kinds under ${modelsRoot}`);
        const missing: string[] = [];
        let lists = 0;
        for (const { apiVersion, kind } of kinds) {
            const group = apiGroup(apiVersion);
            if (findBuiltInKind(group, kind)) continue;
            // A list (`<Kind>List`, or the generic core `List`) is expanded into its items, whose kind must be known.
            if (kind.endsWith("List") && (kind === "List" || findBuiltInKind(group, kind.slice(0, -"List".length)))) {
                lists++;
                continue;
            }
            missing.push(`${apiVersion} ${kind}`);
        }
        assert.deepEqual(missing, [], "kinds without a scope in kubernetesApi.ts");
        assert.ok(lists > 50, `only ${lists} list kinds recognised`);
    });

    it("lists each kind once", () => {
        const keys = builtInKinds.map(k => kindKey(k.group, k.kind));
        assert.deepEqual(
            keys.filter((key, i) => keys.indexOf(key) !== i),
            [],
        );
    });

    it("has the scopes the API server reports", () => {
        const expected: [string, string, boolean][] = [
            // What the ama-metrics chart renders.
            ["policy", "PodDisruptionBudget", true],
            ["", "ServiceAccount", true],
            ["apiextensions.k8s.io", "CustomResourceDefinition", false],
            ["rbac.authorization.k8s.io", "ClusterRole", false],
            ["rbac.authorization.k8s.io", "ClusterRoleBinding", false],
            ["", "Service", true],
            ["apps", "DaemonSet", true],
            ["apps", "Deployment", true],
            ["autoscaling", "HorizontalPodAutoscaler", true],
            // Kinds whose scope is easy to get wrong.
            ["authorization.k8s.io", "LocalSubjectAccessReview", true],
            ["authorization.k8s.io", "SubjectAccessReview", false],
            ["events.k8s.io", "Event", true],
            ["", "PersistentVolume", false],
            ["", "PersistentVolumeClaim", true],
            ["storage.k8s.io", "CSIStorageCapacity", true],
            ["storage.k8s.io", "VolumeAttachment", false],
            ["networking.k8s.io", "IngressClass", false],
            ["resource.k8s.io", "ResourceSlice", false],
            ["resource.k8s.io", "ResourceClaim", true],
            ["coordination.k8s.io", "LeaseCandidate", true],
            ["certificates.k8s.io", "ClusterTrustBundle", false],
            ["scheduling.k8s.io", "PriorityClass", false],
        ];
        for (const [group, kind, namespaced] of expected) {
            assert.equal(findBuiltInKind(group, kind)?.namespaced, namespaced, `${group}/${kind}`);
        }
        assert.equal(findBuiltInKind("azmonitoring.coreos.com", "PodMonitor"), undefined);
    });

    it("parses the group of an apiVersion", () => {
        assert.equal(apiGroup("v1"), "");
        assert.equal(apiGroup("apps/v1"), "apps");
        assert.equal(apiGroup("rbac.authorization.k8s.io/v1"), "rbac.authorization.k8s.io");
    });

    it("keeps the names the API server derives or checks", () => {
        assert.ok(hasStructuralName("apiextensions.k8s.io", "CustomResourceDefinition"));
        assert.ok(hasStructuralName("apiregistration.k8s.io", "APIService"));
        assert.ok(!hasStructuralName("rbac.authorization.k8s.io", "ClusterRole"));
        assert.ok(!hasStructuralName("scheduling.k8s.io", "PriorityClass"));
    });

    it("recognises lists by kind and items", () => {
        assert.ok(isList({ apiVersion: "v1", kind: "List", items: [] }));
        assert.ok(isList({ apiVersion: "v1", kind: "ConfigMapList", items: [{}] }));
        assert.ok(!isList({ apiVersion: "v1", kind: "ConfigMap", data: {} }));
        assert.ok(!isList({ apiVersion: "example.com/v1", kind: "PriceList", spec: {} }));
    });
});
