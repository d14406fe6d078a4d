import { containersOf, labelsMatch } from "../../core/kubernetes";
import { certsVolume } from "../../mesh/certificates";
import { hasSidecar, livePods, nameOf, Pod } from "../kubeObjects";
import { expectedWorkloads, meshExpectations } from "../workloads";
import { defineCheck, fail, pass, unreadable } from "./check";

export const podSidecars = defineCheck({
    id: "pods.sidecars",
    when: "always",
    passes:
        "every pod of a workload that should carry an `istio-proxy` sidecar (a container, or a native sidecar: an init container with " +
        "`restartPolicy: Always`) has one, and no other pod has; certificates mode: the pods of the workloads that read the mTLS scrape " +
        "job's certificate files mount the in-memory `istio-certs` volume (the prometheus shards' `prometheus` container; ama-metrics' " +
        "collector and its target allocator's `config-reader`, which validates those files)",
    appliesTo: () => true,
    reads: ["pods"],
    run({ pods }, options) {
        if (pods.state === "error") return [unreadable(`pods in ${options.namespace}`, pods)];
        const workloads = expectedWorkloads(options);
        const expectations = meshExpectations(options.collector, options.meshMode, options.meshNode);
        const all = pods.state === "found" ? livePods(pods.value) : [];
        const missing: string[] = [];
        const unexpected: string[] = [];
        const noCerts: string[] = [];
        const meshed: string[] = [];
        const plain: string[] = [];
        const readers = new Set<string>();
        let checked = 0;
        for (const workload of workloads) {
            const expectation = expectations[workload.role];
            if (!expectation) continue;
            (expectation.sidecar ? meshed : plain).push(workload.name);
            for (const pod of all.filter((p) => labelsMatch(workload.podLabels, p.metadata?.labels))) {
                checked++;
                const name = `${nameOf(pod)} (${workload.name})`;
                const sidecar = hasSidecar(pod);
                if (expectation.sidecar && !sidecar) missing.push(name);
                if (!expectation.sidecar && sidecar) unexpected.push(name);
                if (expectation.certificates) {
                    readers.add(workload.name);
                    const problem = certificatesProblem(pod, workload.certificateReaders);
                    if (problem) noCerts.push(`${name}: ${problem}`);
                }
            }
        }
        const expected = [
            meshed.length > 0 ? `sidecar expected on ${meshed.join(", ")}` : "",
            plain.length > 0 ? `none expected on ${plain.join(", ")}` : "",
        ];
        const summary = `${checked} pods (${expected.filter((s) => s !== "").join("; ")})`;
        if (missing.length === 0 && unexpected.length === 0 && noCerts.length === 0) {
            const certs = readers.size > 0 ? `; the pods of ${[...readers].join(", ")} mount ${certsVolume}` : "";
            return [pass(`${summary}: all as expected${certs}`)];
        }
        const found = [
            missing.length > 0 ? `no istio-proxy sidecar on ${missing.join(", ")}` : "",
            unexpected.length > 0
                ? `an istio-proxy sidecar on ${unexpected.join(", ")}, which mode ${options.meshMode} keeps out of the mesh`
                : "",
            noCerts.length > 0 ? `certificates not shared: ${noCerts.join("; ")}` : "",
        ].filter((s) => s !== "");
        const fixes = [
            missing.length > 0
                ? options.meshMode === "sidecar"
                    ? "fix namespace.injection-label first, then recreate the pods (kubectl rollout restart): Istio injects at pod creation"
                    : "the pod template opts in (istio.io/rev or sidecar.istio.io/inject=true): run pulumi up, then kubectl rollout restart"
                : "",
            unexpected.length > 0
                ? "pods keep the sidecar they were created with: check namespace.injection-label and the pods' sidecar.istio.io/inject=false label, then kubectl rollout restart"
                : "",
            noCerts.length > 0
                ? `run pulumi up: the pod templates of the certificates' readers add the in-memory ${certsVolume} volume and its mounts`
                : "",
        ].filter((s) => s !== "");
        return [fail(`${summary}: ${found.join("; ")}`, fixes.join("; "))];
    },
});

/** Why the pod does not share the sidecar's certificate with its `readers` containers, if it does not. */
function certificatesProblem(pod: Pod, readers: readonly string[]): string | undefined {
    const volume = (pod.spec?.volumes ?? []).find((v) => v.name === certsVolume);
    if (!volume) return `no ${certsVolume} volume`;
    if (volume.emptyDir?.medium !== "Memory") return `${certsVolume} is not an in-memory emptyDir`;
    const containers = containersOf(pod);
    const unmounted = readers.filter(
        (reader) => !containers.find((c) => c.name === reader)?.volumeMounts?.some((m) => m.name === certsVolume),
    );
    return unmounted.length > 0 ? `${unmounted.map((c) => `container ${c}`).join(", ")} does not mount ${certsVolume}` : undefined;
}
