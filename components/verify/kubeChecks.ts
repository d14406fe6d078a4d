// The Kubernetes checks: pure functions from the fetched objects, the options and `now` to results.

import { isIP } from "node:net";
import { chartFacts, chartNamespace, defaultTokenSecret } from "../amaMetrics/facts";
import { tokenReaderName } from "../amaMetrics/shims";
import { formats } from "../core/formats";
import { containersOf, KubernetesObject, labelsMatch } from "../core/kubernetes";
import { certsVolume } from "../mesh/certificates";
import { namespaceLabels } from "../mesh/objects";
import { dataplaneModeLabel, namespaceInjectionLabel, podAnnotations, revisionLabel } from "../mesh/pod";
import { isAgentWorkload } from "../mesh/rules";
import { prometheusNames, tokenExchangeAudience } from "../prometheus/facts";
import {
    Container,
    formatLabels,
    hasSidecar,
    KubeObject,
    livePods,
    nameOf,
    PeerAuthentication,
    Pod,
    Role,
    RoleBinding,
    Secret,
    Service,
    startedAt,
    Volume,
    WorkloadObject,
} from "./kubeObjects";
import { parseIpRanges } from "./ipRanges";
import { judgeRemoteWrite } from "./remoteWrite";
import { formatDuration } from "./report";
import { apiServerService, Fetched, KubeSnapshot } from "./snapshot";
import { tokenExpiry } from "./token";
import { CheckId, CheckResult, fail, pass, sameSecret, SecretRef, secretText, VerifyOptions, warn } from "./types";
import {
    expectedWorkloads,
    ExpectedWorkload,
    isShardName,
    livePodsOf,
    MeshExpectations,
    meshExpectations,
    shardWorkloads,
    WorkloadKind,
} from "./workloads";

/** The namespace labels by which Istio takes a namespace into a mesh. */
const injectionLabels = [namespaceInjectionLabel, revisionLabel, dataplaneModeLabel] as const;
const workloadIdentity = {
    useLabel: prometheusNames.workloadIdentityLabel,
    clientIdAnnotation: prometheusNames.clientIdAnnotation,
    audience: tokenExchangeAudience,
    tokenFileEnv: "AZURE_FEDERATED_TOKEN_FILE",
    /** The webhook's volume until v1.5; from v1.6 it is named by this prefix and a hash of the pod name. */
    volumeName: "azure-identity-token",
    volumePrefix: "azure-workload-identity-reserved-",
};
const tokenWarnMs = 2 * 60 * 60 * 1000;

const rbacFix = 'run as an identity with the read-only ClusterRole ama-metrics-istio-verify (README, "Verifying an installation")';

export function kubernetesChecks(snapshot: KubeSnapshot, options: VerifyOptions, now: Date): CheckResult[] {
    const results: CheckResult[] = [namespaceExists(snapshot.namespace, options.namespace)];
    const scoped = snapshot.inNamespace;
    if (snapshot.namespace.state === "found") {
        results.push(injectionLabel(snapshot.namespace.value, options));
    }
    if (scoped) {
        const workloads = expectedWorkloads(options.collector, options.shards);
        const lists: Record<WorkloadKind, Fetched<WorkloadObject[]>> = {
            Deployment: scoped.deployments,
            StatefulSet: scoped.statefulSets,
            DaemonSet: scoped.daemonSets,
        };
        const expectations = meshExpectations(options.collector, options.meshMode, options.meshNode);
        results.push(...rolledOut(workloads, lists, options));
        results.push(podSidecars(workloads, expectations, scoped.pods, options));
        if (scoped.peerAuthentications) {
            results.push(peerAuthentication(scoped.peerAuthentications, options.namespace));
        }
        if (snapshot.kubernetesService) {
            results.push(serviceCidr(snapshot.kubernetesService, workloads, expectations, scoped.pods, options));
        }
    }
    results.push(noAddon(snapshot.kubeSystemDeployments, snapshot.kubeSystemDaemonSets));
    if (options.collector === "prometheus" && scoped) {
        const shards = shardWorkloads(options.shards);
        const { pods } = scoped;
        const shardPods: Fetched<Pod[]> = pods.state === "found" ? { ...pods, value: livePodsOf(shards, pods.value) } : pods;
        results.push(serviceAccount(scoped.serviceAccount));
        results.push(...identityOfPods(shards, shardPods));
        results.push(...remoteWrite(shards, shardPods, scoped, options, now));
    }
    if (snapshot.amaMetrics) {
        const ama = snapshot.amaMetrics;
        const secret = options.tokenSecret;
        results.push(tokenSecretExists(ama.tokenSecret, secret), tokenExpiryCheck(ama.tokenSecret, secret, now));
        results.push(
            alias(ama.alias, options.namespace),
            tokenReader(ama.tokenReaderRole, ama.tokenReaderBinding, options.namespace, secret),
        );
    }
    return results;
}

/** A failing result for an object that could not be read (refused, or a server error). */
function unreadable(id: CheckId, what: string, fetched: { path: string; status: number; reason: string }): CheckResult {
    return fail(
        id,
        `could not read ${what}: HTTP ${fetched.status}: ${fetched.reason} (GET ${fetched.path})`,
        fetched.status === 403 ? rbacFix : "run the command again; if it persists, check the API server's health",
    );
}

function namespaceExists(namespace: Fetched<KubeObject>, name: string): CheckResult {
    const id = "namespace.exists";
    if (namespace.state === "error") return unreadable(id, `namespace ${name}`, namespace);
    if (namespace.state === "missing") {
        return fail(id, `namespace ${name} does not exist`, "deploy the component (pulumi up), or give the --namespace it deployed to");
    }
    return pass(id, `namespace ${name} exists`);
}

function injectionLabel(namespace: KubeObject, options: VerifyOptions): CheckResult {
    const id = "namespace.injection-label";
    const labels = namespace.metadata?.labels ?? {};
    const present = Object.fromEntries(injectionLabels.filter((key) => key in labels).map((key) => [key, labels[key]]));
    const wanted = namespaceLabels({ mode: options.meshMode, revision: options.revision });
    const extra = Object.keys(present).filter((key) => !(key in wanted));
    const wrong = Object.entries(wanted).filter(([key, value]) => present[key] !== value);
    const seen = `namespace ${options.namespace} has injection labels: ${formatLabels(present)}`;
    if (extra.length === 0 && wrong.length === 0) {
        return pass(id, `${seen}, as ${options.meshMode} mode wants`);
    }
    const want = options.meshMode === "sidecar" ? formatLabels(wanted) : "none (the collector pods opt in themselves)";
    const edits = [...extra.map((key) => `${key}-`), ...wrong.map(([key, value]) => `${key}=${value}`)];
    return fail(
        id,
        `${seen}; ${options.meshMode} mode wants ${want}`,
        `run pulumi up, or kubectl label namespace ${options.namespace} ${edits.join(" ")} --overwrite; ` +
            "then restart the namespace's workloads: injection happens when a pod is created",
    );
}

function rolledOut(
    workloads: readonly ExpectedWorkload[],
    lists: Record<WorkloadKind, Fetched<WorkloadObject[]>>,
    options: VerifyOptions,
): CheckResult[] {
    const id = "workloads.rolled-out";
    const results = workloads.map((workload): CheckResult => {
        const list = lists[workload.kind];
        const label = `${workload.kind} ${workload.name}`;
        if (list.state === "error") return unreadable(id, `${workload.kind}s in ${options.namespace}`, list);
        const object = list.state === "found" ? list.value.find((o) => nameOf(o) === workload.name) : undefined;
        if (!object) {
            return fail(
                id,
                `${label} is missing in ${options.namespace}`,
                "run pulumi up; if the component created it, check for its deletion in the cluster's events",
            );
        }
        return judgeRollout(workload.kind, object, label, options.namespace);
    });
    // Shards beyond --shards: a scale-down left them, or the flag is wrong.
    if (options.collector === "prometheus" && lists.StatefulSet.state === "found") {
        const expected = new Set(workloads.map((w) => w.name));
        for (const extra of lists.StatefulSet.value.map(nameOf).filter((n) => isShardName(n) && !expected.has(n))) {
            results.push(
                warn(
                    id,
                    `StatefulSet ${extra} exists beyond --shards ${options.shards}`,
                    `give --shards as the component has it; if the component runs ${options.shards}, delete the leftover: kubectl -n ${options.namespace} delete statefulset ${extra}`,
                ),
            );
        }
    }
    return results;
}

function judgeRollout(kind: WorkloadKind, object: WorkloadObject, label: string, namespace: string): CheckResult {
    const id = "workloads.rolled-out";
    const status = object.status ?? {};
    const generation = object.metadata?.generation ?? 0;
    const observed = status.observedGeneration ?? 0;
    const [want, ready, updated] =
        kind === "DaemonSet"
            ? [status.desiredNumberScheduled ?? 0, status.numberReady ?? 0, status.updatedNumberScheduled ?? 0]
            : [object.spec?.replicas ?? 1, status.readyReplicas ?? 0, status.updatedReplicas ?? 0];
    const current =
        observed >= generation
            ? `generation ${generation} observed`
            : `generation ${generation} not yet observed (controller at ${observed})`;
    const seen = `${label}: ${ready}/${want} ready, ${updated}/${want} updated, ${current}`;
    if (ready === want && updated === want && observed >= generation) {
        return pass(id, seen);
    }
    const resource = kind.toLowerCase();
    return fail(
        id,
        `${seen}: not rolled out`,
        `kubectl -n ${namespace} rollout status ${resource}/${nameOf(object)} --timeout=5m; if it stalls, read the events: kubectl -n ${namespace} describe ${resource} ${nameOf(object)}`,
    );
}

function podSidecars(
    workloads: readonly ExpectedWorkload[],
    expectations: MeshExpectations,
    pods: Fetched<Pod[]>,
    options: VerifyOptions,
): CheckResult {
    const id = "pods.sidecars";
    if (pods.state === "error") return unreadable(id, `pods in ${options.namespace}`, pods);
    const all = pods.state === "found" ? livePods(pods.value) : [];
    const missing: string[] = [];
    const unexpected: string[] = [];
    const noCerts: string[] = [];
    const meshed: string[] = [];
    const plain: string[] = [];
    const readers = new Set<string>();
    let checked = 0;
    for (const workload of workloads) {
        const expectation = expectations[workload.workload];
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
        return pass(id, `${summary}: all as expected${certs}`);
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
    return fail(id, `${summary}: ${found.join("; ")}`, fixes.join("; "));
}

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

/** Istio applies only the oldest namespace-wide PeerAuthentication (no selector, or no labels in it). */
function peerAuthentication(list: Fetched<PeerAuthentication[]>, namespace: string): CheckResult {
    const id = "mesh.peer-authentication";
    if (list.state === "error") return unreadable(id, `PeerAuthentications in ${namespace}`, list);
    if (list.state === "missing") {
        return fail(
            id,
            "the API server does not serve security.istio.io/v1 PeerAuthentications",
            "install Istio (AKS: the Istio add-on, az aks mesh enable) before the component",
        );
    }
    const namespaceWide = list.value
        .filter((p) => Object.keys(p.spec?.selector?.matchLabels ?? {}).length === 0)
        .sort((a, b) => created(a) - created(b) || nameOf(a).localeCompare(nameOf(b)));
    const describe = (p: PeerAuthentication) => `${nameOf(p)} (${modeOf(p)}, created ${p.metadata?.creationTimestamp ?? "?"})`;
    const strict = namespaceWide.find((p) => modeOf(p) === "STRICT");
    if (!strict) {
        return fail(
            id,
            `no namespace-wide PeerAuthentication with mtls.mode STRICT in ${namespace} (namespace-wide: ${namespaceWide.map(describe).join(", ") || "none"})`,
            `run pulumi up: the component creates PeerAuthentication "default" with mtls.mode STRICT in ${namespace}`,
        );
    }
    const oldest = namespaceWide[0];
    if (oldest !== strict) {
        return fail(
            id,
            `PeerAuthentication ${describe(oldest)} is older than ${describe(strict)}: Istio applies only the oldest namespace-wide policy, so ${namespace} runs ${modeOf(oldest)}`,
            `delete the older policy: kubectl -n ${namespace} delete peerauthentication ${nameOf(oldest)}`,
        );
    }
    return pass(id, `PeerAuthentication ${describe(strict)} is the namespace's oldest namespace-wide policy`);
}

function modeOf(policy: PeerAuthentication): string {
    return policy.spec?.mtls?.mode ?? "UNSET";
}

function created(object: KubeObject): number {
    const time = Date.parse(object.metadata?.creationTimestamp ?? "");
    return Number.isNaN(time) ? 0 : time;
}

/**
 * The sidecar mode's proxies capture only the ranges in their pods' includeOutboundIPRanges (the component's
 * cluster.serviceCidr), less their excludeOutboundIPRanges. A call to a service IP outside them leaves the pod
 * in plaintext, and the STRICT proxy of the collector's own component at the other end refuses it. The API
 * server's own Service, `default/kubernetes`, takes the first address of the cluster's service range.
 */
function serviceCidr(
    service: Fetched<Service>,
    workloads: readonly ExpectedWorkload[],
    expectations: MeshExpectations,
    pods: Fetched<Pod[]>,
    options: VerifyOptions,
): CheckResult {
    const id = "mesh.service-cidr";
    const what = `Service ${apiServerService.namespace}/${apiServerService.name}`;
    if (service.state === "error") return unreadable(id, what, service);
    if (service.state === "missing") {
        return fail(id, `${what} does not exist`, "the API server keeps it in every cluster: check that --context names an AKS cluster");
    }
    if (pods.state === "error") return unreadable(id, `pods in ${options.namespace}`, pods);
    const spec = service.value.spec ?? {};
    const addresses = [...new Set([spec.clusterIP ?? "", ...(spec.clusterIPs ?? [])])].filter((ip) => isIP(ip) !== 0);
    if (addresses.length === 0) {
        return fail(
            id,
            `${what} has no cluster IP (${JSON.stringify(spec.clusterIP ?? null)})`,
            "check that --context names an AKS cluster",
        );
    }
    const live = pods.state === "found" ? livePods(pods.value) : [];
    const meshed = workloads
        .filter((w) => expectations[w.workload]?.sidecar)
        .flatMap((w) => live.filter((p) => hasSidecar(p) && labelsMatch(w.podLabels, p.metadata?.labels)));
    if (meshed.length === 0) {
        return fail(id, `no meshed pod of the collector in ${options.namespace} to compare with ${what}`, "see pods.sidecars");
    }
    const include = podAnnotations.includeOutboundIPRanges;
    const exclude = podAnnotations.excludeOutboundIPRanges;
    const ips = addresses.join(", ");
    const missed: string[] = [];
    const excluded: string[] = [];
    const unannotated: string[] = [];
    const captured = new Set<string>();
    for (const pod of meshed) {
        const podAnnotations = pod.metadata?.annotations ?? {};
        const included = podAnnotations[include];
        if (included === undefined) {
            unannotated.push(nameOf(pod));
            continue;
        }
        const includes = parseIpRanges(included);
        const excludes = parseIpRanges(podAnnotations[exclude] ?? "");
        if (!addresses.every((ip) => includes.holds(ip))) {
            missed.push(`${nameOf(pod)} (${include}=${JSON.stringify(included)})`);
        } else if (addresses.some((ip) => excludes.holds(ip))) {
            excluded.push(`${nameOf(pod)} (${exclude}=${JSON.stringify(podAnnotations[exclude])})`);
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
        return fail(id, `${what} has cluster IP ${ips}, ${seen.join("; ")}: ${bypass}`, fixes.join("; "));
    }
    if (unannotated.length > 0) {
        return warn(
            id,
            `pods without ${include}: ${unannotated.join(", ")}; their proxies capture the mesh's default ranges, which this command cannot read`,
            `run pulumi up, then kubectl -n ${options.namespace} rollout restart the collector's workloads: the component sets ${include} to cluster.serviceCidr`,
        );
    }
    return pass(
        id,
        `${what} has cluster IP ${ips}, inside the ranges the ${meshed.length} meshed pods capture (${[...captured].join("; ")})`,
    );
}

/** ama-metrics workloads in kube-system: the AKS managed add-on (or another install) is enabled. */
function noAddon(deployments: Fetched<WorkloadObject[]>, daemonSets: Fetched<WorkloadObject[]>): CheckResult {
    const id = "kube-system.no-addon";
    for (const [kind, list] of [
        ["Deployments", deployments],
        ["DaemonSets", daemonSets],
    ] as const) {
        if (list.state === "error") return unreadable(id, `${kind} in kube-system`, list);
    }
    // List items come without apiVersion and kind: the list says them.
    const inKubeSystem = (kind: WorkloadKind, list: Fetched<WorkloadObject[]>): KubernetesObject[] =>
        list.state === "found" ? list.value.map((o) => ({ ...o, apiVersion: "apps/v1", kind, metadata: { ...o.metadata } })) : [];
    const found = [...inKubeSystem("Deployment", deployments), ...inKubeSystem("DaemonSet", daemonSets)].filter(isAgentWorkload);
    if (found.length === 0) {
        return pass(id, "no ama-metrics Deployment or DaemonSet in kube-system");
    }
    return fail(
        id,
        `kube-system runs ${found.map((o) => `${o.kind} ${nameOf(o)}`).join(", ")}: an enabled managed add-on means double ingestion and name clashes`,
        "disable the add-on: az aks update --disable-azure-monitor-metrics --resource-group <group> --name <cluster>",
    );
}

function serviceAccount(account: Fetched<KubeObject> | undefined): CheckResult {
    const id = "identity.service-account";
    const what = `ServiceAccount ${prometheusNames.serviceAccount}`;
    if (!account || account.state === "missing") {
        return fail(id, `${what} is missing`, "run pulumi up: the component creates it with the identity's client-id");
    }
    if (account.state === "error") return unreadable(id, what, account);
    const clientId = account.value.metadata?.annotations?.[workloadIdentity.clientIdAnnotation];
    if (clientId === undefined) {
        return fail(
            id,
            `${what} has no ${workloadIdentity.clientIdAnnotation} annotation`,
            "run pulumi up: the component sets it to the managed identity's client id",
        );
    }
    if (!formats.guid.test(clientId)) {
        return fail(
            id,
            `${what} has ${workloadIdentity.clientIdAnnotation}=${JSON.stringify(clientId)}, not a UUID`,
            "set it to the managed identity's client id (az identity show --query clientId)",
        );
    }
    return pass(id, `${what} has ${workloadIdentity.clientIdAnnotation}=${clientId}`);
}

/** identity.pod-label and identity.token-volume over the shards' live pods (`shardPods`). */
function identityOfPods(collectors: readonly ExpectedWorkload[], shardPods: Fetched<Pod[]>): CheckResult[] {
    if (shardPods.state === "error") {
        return [
            unreadable("identity.pod-label", "the collector's pods", shardPods),
            unreadable("identity.token-volume", "the collector's pods", shardPods),
        ];
    }
    const collectorPods = shardPods.state === "found" ? shardPods.value : [];
    if (collectorPods.length === 0) {
        const message = `no pods of ${collectors.map((w) => w.name).join(", ")} to check`;
        const fix = "see workloads.rolled-out: the shards have no pods";
        return [fail("identity.pod-label", message, fix), fail("identity.token-volume", message, fix)];
    }
    const unlabelled = collectorPods.filter((p) => p.metadata?.labels?.[workloadIdentity.useLabel] !== "true").map(nameOf);
    const podLabel =
        unlabelled.length === 0
            ? pass("identity.pod-label", `${collectorPods.length} collector pods carry ${workloadIdentity.useLabel}=true`)
            : fail(
                  "identity.pod-label",
                  `pods without ${workloadIdentity.useLabel}=true: ${unlabelled.join(", ")}`,
                  "run pulumi up: the shards' pod template carries the label; then kubectl rollout restart the shards",
              );
    const problems = collectorPods.flatMap((pod) => {
        const problem = tokenVolumeProblem(pod);
        return problem ? [`${nameOf(pod)}: ${problem}`] : [];
    });
    const tokenVolume =
        problems.length === 0
            ? pass(
                  "identity.token-volume",
                  `${collectorPods.length} collector pods have the workload identity webhook's token volume and ${workloadIdentity.tokenFileEnv}`,
              )
            : fail(
                  "identity.token-volume",
                  `the workload identity webhook did not mutate: ${problems.join("; ")}`,
                  `the webhook mutates pods at creation that carry ${workloadIdentity.useLabel}=true: check identity.pod-label and that the cluster runs workload identity ` +
                      "(az aks update --enable-oidc-issuer --enable-workload-identity), then kubectl rollout restart the shards",
              );
    return [podLabel, tokenVolume];
}

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

/** remote-write.healthy per shard pod, from its `/metrics`; `shardPods` are the shards' live pods. */
function remoteWrite(
    collectors: readonly ExpectedWorkload[],
    shardPods: Fetched<Pod[]>,
    scoped: NonNullable<KubeSnapshot["inNamespace"]>,
    options: VerifyOptions,
    now: Date,
): CheckResult[] {
    const id = "remote-write.healthy";
    const { metrics = {}, peerAuthentications } = scoped;
    if (shardPods.state === "error") return [unreadable(id, "the collector's pods", shardPods)];
    const live = shardPods.state === "found" ? shardPods.value : [];
    return collectors.flatMap((shard) => {
        const running = live.filter((p) => labelsMatch(shard.podLabels, p.metadata?.labels) && p.status?.phase === "Running");
        if (running.length === 0) {
            return [fail(id, `${shard.name} has no running pod to read /metrics from`, "see workloads.rolled-out")];
        }
        return running.map((pod) => {
            const name = nameOf(pod);
            const scraped = metrics[name];
            if (!scraped || scraped.state !== "found") {
                const reason = scraped && scraped.state === "error" ? `HTTP ${scraped.status}: ${scraped.reason}` : "not read";
                return fail(
                    id,
                    `pod ${name}: could not read /metrics through the API server's pod proxy (${reason})`,
                    scraped?.state === "error" && scraped.status === 403
                        ? `${rbacFix}: it includes get on pods/proxy`
                        : `check that the pod is ready${options.meshMode === "sidecar" ? `; ${webPortExceptionFix(options.namespace, peerAuthentications)}` : ""}`,
                );
            }
            const started = startedAt(pod);
            return judgeRemoteWrite({
                pod: name,
                text: scraped.value,
                ...(scraped.date && { serverDate: scraped.date }),
                ...(started && { podStarted: started }),
                now,
            });
        });
    });
}

/**
 * When the prometheus collector's oldest shard pod started: its identity's role assignment is at least as
 * old (the shards are created after it). Undefined for ama-metrics, which has no role assignment of its own
 * to wait for, and when no shard pod has started.
 */
export function collectorStartedAt(snapshot: KubeSnapshot, options: VerifyOptions): Date | undefined {
    const pods = snapshot.inNamespace?.pods;
    if (options.collector !== "prometheus" || pods?.state !== "found") return undefined;
    const starts = livePodsOf(shardWorkloads(options.shards), pods.value).flatMap((p) => startedAt(p)?.getTime() ?? []);
    return starts.length > 0 ? new Date(Math.min(...starts)) : undefined;
}

/**
 * The API server's pod proxy is outside the mesh: in the sidecar mode its plaintext request passes the shard's
 * STRICT sidecar only through the component's PERMISSIVE exception for the web port.
 */
function webPortExceptionFix(namespace: string, policies: Fetched<PeerAuthentication[]> | undefined): string {
    const name = prometheusNames.webPortException;
    const object = `PeerAuthentication ${namespace}/${name}`;
    const missing = policies?.state === "found" && !policies.value.some((p) => nameOf(p) === name);
    return (
        `the shard's STRICT sidecar admits the API server's plaintext proxy request on port ${prometheusNames.webPort} only through ` +
        `the PERMISSIVE port exception ${object}` +
        (missing
            ? `, which is missing: run pulumi up`
            : `: check it (kubectl -n ${namespace} get peerauthentication ${name} -o yaml), and run pulumi up if it was changed`)
    );
}

function tokenSecretExists(secret: Fetched<Secret>, ref: SecretRef): CheckResult {
    const id = "token.secret";
    const what = `Secret ${secretText(ref)}`;
    const isDefault = sameSecret(ref, defaultTokenSecret);
    if (secret.state === "error") {
        const refused = unreadable(id, what, secret);
        // The README's ClusterRole names the default secret only.
        return secret.status === 403 && !isDefault
            ? { ...refused, fix: `${rbacFix}, with "${ref.name}" added to the resourceNames of its secrets rule` }
            : refused;
    }
    if (secret.state === "missing") {
        return fail(
            id,
            `${what} does not exist: the agent has no token to send metrics with`,
            isDefault
                ? "AKS writes it only while an add-on that uses it is enabled: enable the managed Prometheus add-on once " +
                      "(az aks update --enable-azure-monitor-metrics), then disable it again, or use --collector prometheus (Workload ID)"
                : `give --token-secret as the component's tokenSecret; AKS itself writes only ${secretText(defaultTokenSecret)}, ` +
                      `so whatever keeps ${secretText(ref)} up to date must have written it`,
        );
    }
    return pass(id, `${what} exists`);
}

const borrowed =
    "the agent borrows this token from the AKS managed add-on, and AKS refreshes it only while an add-on that uses it is enabled";

function tokenExpiryCheck(secret: Fetched<Secret>, ref: SecretRef, now: Date): CheckResult {
    const id = "token.expiry";
    if (secret.state !== "found") {
        return fail(id, "no token to read: see token.secret", "see token.secret");
    }
    const expiry = tokenExpiry(secret.value.data);
    const fix = `${borrowed}: keep such an add-on enabled, or move to --collector prometheus, which authenticates with Workload ID`;
    if (!expiry.found) {
        return fail(
            id,
            `cannot tell when the token expires: ${expiry.reason}`,
            `check the secret's format (kubectl -n ${ref.namespace} get secret ${ref.name} -o yaml); ${fix}`,
        );
    }
    const left = expiry.expiresAt.getTime() - now.getTime();
    const at = expiry.expiresAt.toISOString();
    if (left <= 0) {
        return fail(id, `the token expired at ${at} (${formatDuration(left)} ago, from ${expiry.source}): ${borrowed}`, fix);
    }
    if (left < tokenWarnMs) {
        return warn(id, `the token expires at ${at}, in ${formatDuration(left)} (from ${expiry.source}): ${borrowed}`, fix);
    }
    return pass(id, `the token expires at ${at}, in ${formatDuration(left)} (from ${expiry.source})`);
}

function alias(service: Fetched<Service>, namespace: string): CheckResult {
    const id = "kube-system.alias";
    const name = chartFacts.targetAllocatorService;
    const what = `Service ${chartNamespace}/${name}`;
    const target = `${name}.${namespace}.svc`;
    const fix = `run pulumi up: the agent images dial ${name}.${chartNamespace}.svc, and the component keeps this alias to ${target}.<cluster domain>`;
    if (service.state === "error") return unreadable(id, what, service);
    if (service.state === "missing") return fail(id, `${what} is missing`, fix);
    const { type, externalName } = service.value.spec ?? {};
    // `<target>.<cluster domain>`, the domain as cluster.clusterDomain takes it, fully qualified or not.
    const domain = externalName?.startsWith(`${target}.`) ? externalName.slice(target.length + 1).replace(/\.$/, "") : undefined;
    if (type !== "ExternalName" || externalName === undefined || !formats.dnsDomain.test(domain)) {
        return fail(
            id,
            `${what} is type ${type ?? "ClusterIP"}${externalName ? ` pointing at ${externalName}` : ""}, not an ExternalName alias of ${target}.<cluster domain>`,
            fix,
        );
    }
    return pass(id, `${what} is an ExternalName alias of ${externalName}`);
}

function tokenReader(role: Fetched<Role>, binding: Fetched<RoleBinding>, namespace: string, secret: SecretRef): CheckResult {
    const id = "kube-system.token-reader";
    const name = tokenReaderName(namespace);
    const where = `${secret.namespace}/${name}`;
    const fix = `run pulumi up: the component creates Role and RoleBinding ${where} for ServiceAccount ${namespace}/${chartFacts.serviceAccount}`;
    if (role.state === "error") return unreadable(id, `Role ${where}`, role);
    if (binding.state === "error") return unreadable(id, `RoleBinding ${where}`, binding);
    if (role.state !== "found" || binding.state !== "found") {
        const missing = [role.state === "missing" ? "Role" : "", binding.state === "missing" ? "RoleBinding" : ""];
        const both = role.state === "missing" && binding.state === "missing";
        return fail(id, `${missing.filter((s) => s).join(" and ")} ${where} ${both ? "are" : "is"} missing`, fix);
    }
    const problems: string[] = [];
    const ref = binding.value.roleRef;
    if (ref?.kind !== "Role" || ref.name !== name) {
        problems.push(`the binding refers to ${ref?.kind ?? "?"} ${ref?.name ?? "?"}, not Role ${name}`);
    }
    const subject = (binding.value.subjects ?? []).some(
        (s) => s.kind === "ServiceAccount" && s.name === chartFacts.serviceAccount && s.namespace === namespace,
    );
    if (!subject) problems.push(`the binding does not name ServiceAccount ${namespace}/${chartFacts.serviceAccount}`);
    const grants = (role.value.rules ?? []).some(
        (r) =>
            (r.apiGroups ?? []).includes("") &&
            (r.resources ?? []).includes("secrets") &&
            ((r.verbs ?? []).includes("get") || (r.verbs ?? []).includes("*")) &&
            (r.resourceNames === undefined || r.resourceNames.length === 0 || r.resourceNames.includes(secret.name)),
    );
    if (!grants) problems.push(`the Role does not grant get on secret ${secret.name}`);
    if (problems.length > 0) {
        return fail(id, `${where}: ${problems.join("; ")}`, fix);
    }
    return pass(id, `Role and RoleBinding ${where} let ${namespace}/${chartFacts.serviceAccount} read ${secret.name}`);
}
