import { isIP } from "node:net";
import { podAnnotations } from "../../mesh/pod";
import { parseIpRanges } from "../ipRanges";
import { nameOf } from "../kubeObjects";
import { apiServerService } from "../reads";
import { meshedPods } from "../workloads";
import { defineCheck, fail, pass, unreadable, warn } from "./check";

/**
 * The sidecar mode's proxies capture only the ranges in their pods' includeOutboundIPRanges (the component's
 * cluster.serviceCidr), less their excludeOutboundIPRanges. A call to a service IP outside them leaves the pod
 * in plaintext, and the STRICT proxy of the collector's own component at the other end refuses it. The API
 * server's own Service, `default/kubernetes`, takes the first address of the cluster's service range.
 */
export const serviceCidr = defineCheck({
    id: "mesh.service-cidr",
    when: "sidecar mode",
    passes:
        "the API server's Service IP (`default/kubernetes`) lies in every meshed collector pod's `includeOutboundIPRanges` and outside its " +
        "`excludeOutboundIPRanges`: a wrong `cluster.serviceCidr` sends the collector's calls to the API server around its proxy; a pod without the annotation warns",
    appliesTo: (options) => options.meshMode === "sidecar",
    reads: ["kubernetesService", "pods"],
    run({ kubernetesService: service, pods }, options) {
        const what = `Service ${apiServerService.namespace}/${apiServerService.name}`;
        if (service.state === "error") return [unreadable(what, service)];
        if (service.state === "missing") {
            return [fail(`${what} does not exist`, "the API server keeps it in every cluster: check that --context names an AKS cluster")];
        }
        if (pods.state === "error") return [unreadable(`pods in ${options.namespace}`, pods)];
        const spec = service.value.spec ?? {};
        const addresses = [...new Set([spec.clusterIP ?? "", ...(spec.clusterIPs ?? [])])].filter((ip) => isIP(ip) !== 0);
        if (addresses.length === 0) {
            return [
                fail(`${what} has no cluster IP (${JSON.stringify(spec.clusterIP ?? null)})`, "check that --context names an AKS cluster"),
            ];
        }
        const meshed = meshedPods(pods.state === "found" ? pods.value : [], options).map(({ pod }) => pod);
        if (meshed.length === 0) {
            return [fail(`no meshed pod of the collector in ${options.namespace} to compare with ${what}`, "see pods.sidecars")];
        }
        const include = podAnnotations.includeOutboundIPRanges;
        const exclude = podAnnotations.excludeOutboundIPRanges;
        const ips = addresses.join(", ");
        const missed: string[] = [];
        const excluded: string[] = [];
        const unannotated: string[] = [];
        const captured = new Set<string>();
        for (const pod of meshed) {
            const annotations = pod.metadata?.annotations ?? {};
            const included = annotations[include];
            if (included === undefined) {
                unannotated.push(nameOf(pod));
                continue;
            }
            const includes = parseIpRanges(included);
            const excludes = parseIpRanges(annotations[exclude] ?? "");
            if (!addresses.every((ip) => includes.holds(ip))) {
                missed.push(`${nameOf(pod)} (${include}=${JSON.stringify(included)})`);
            } else if (addresses.some((ip) => excludes.holds(ip))) {
                excluded.push(`${nameOf(pod)} (${exclude}=${JSON.stringify(annotations[exclude])})`);
            } else {
                captured.add(included);
            }
        }
        const bypass =
            "calls between the collector's components bypass the proxy in plaintext and STRICT mTLS refuses them " +
            (options.collector === "prometheus"
                ? "(Prometheus' scrape of kube-state-metrics fails)"
                : "(the collector's calls to its target allocator fail, and so does the scrape of kube-state-metrics)");
        if (missed.length > 0 || excluded.length > 0) {
            const seen = [
                missed.length > 0 ? `outside the ranges the proxies of ${missed.join(", ")} capture` : "",
                excluded.length > 0 ? `excluded from capture on ${excluded.join(", ")}` : "",
            ].filter((s) => s !== "");
            const fixes = [
                missed.length > 0
                    ? "set cluster.serviceCidr to the cluster's service CIDR (`az aks show --query networkProfile.serviceCidr`) and run pulumi up"
                    : "",
                excluded.length > 0 ? "drop the range that holds it from istio.extraExcludeOutboundIPRanges and run pulumi up" : "",
            ].filter((s) => s !== "");
            return [fail(`${what} has cluster IP ${ips}, ${seen.join("; ")}: ${bypass}`, fixes.join("; "))];
        }
        if (unannotated.length > 0) {
            return [
                warn(
                    `pods without ${include}: ${unannotated.join(", ")}; their proxies capture the mesh's default ranges, which this command cannot read`,
                    `run pulumi up, then kubectl -n ${options.namespace} rollout restart the collector's workloads: the component sets ${include} to cluster.serviceCidr`,
                ),
            ];
        }
        return [
            pass(`${what} has cluster IP ${ips}, inside the ranges the ${meshed.length} meshed pods capture (${[...captured].join("; ")})`),
        ];
    },
});
