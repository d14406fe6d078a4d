import { prometheusNames } from "../../prometheus/facts";
import { Container, nameOf, Pod, Volume } from "../kubeObjects";
import { defineCheck, fail, pass } from "./check";
import { shardPodsOrResult, workloadIdentity } from "./identity";

export const tokenVolume = defineCheck({
    id: "identity.token-volume",
    when: "prometheus",
    passes:
        "each shard pod has the workload identity webhook's projected token volume (audience `api://AzureADTokenExchange`) mounted in " +
        "container `prometheus`, with `AZURE_FEDERATED_TOKEN_FILE`: proof that the webhook ran",
    appliesTo: (options) => options.collector === "prometheus",
    reads: ["pods"],
    run({ pods }, options) {
        const shards = shardPodsOrResult(pods, options);
        if ("result" in shards) return [shards.result];
        const collectorPods = shards.pods;
        const problems = collectorPods.flatMap((pod) => {
            const problem = tokenVolumeProblem(pod);
            return problem ? [`${nameOf(pod)}: ${problem}`] : [];
        });
        if (problems.length === 0) {
            return [
                pass(
                    `${collectorPods.length} collector pods have the workload identity webhook's token volume and ${workloadIdentity.tokenFileEnv}`,
                ),
            ];
        }
        return [
            fail(
                `the workload identity webhook did not mutate: ${problems.join("; ")}`,
                `the webhook mutates pods at creation that carry ${workloadIdentity.useLabel}=true: check identity.pod-label and that the cluster runs workload identity ` +
                    "(az aks update --enable-oidc-issuer --enable-workload-identity), then kubectl rollout restart the shards",
            ),
        ];
    },
});

/** What the webhook's mutation lacks on the pod, if anything. */
function tokenVolumeProblem(pod: Pod): string | undefined {
    const volume = (pod.spec?.volumes ?? []).find(
        (v) => v.name === workloadIdentity.volumeName || v.name.startsWith(workloadIdentity.volumePrefix),
    );
    if (!volume) return `no ${workloadIdentity.volumeName} volume`;
    if (!hasAudience(volume)) {
        return `volume ${volume.name} is no projected service account token for ${workloadIdentity.audience}`;
    }
    const name = prometheusNames.container;
    const container: Container | undefined = (pod.spec?.containers ?? []).find((c) => c.name === name);
    if (!container) return `no container ${name}`;
    if (!container.env?.some((e) => e.name === workloadIdentity.tokenFileEnv && e.value)) {
        return `container ${name} has no ${workloadIdentity.tokenFileEnv}`;
    }
    if (!container.volumeMounts?.some((m) => m.name === volume.name)) {
        return `container ${name} does not mount ${volume.name}`;
    }
    return undefined;
}

function hasAudience(volume: Volume): boolean {
    return (volume.projected?.sources ?? []).some((s) => s.serviceAccountToken?.audience === workloadIdentity.audience);
}
