import * as pulumi from "@pulumi/pulumi";
import {
    dataCollectionEndpointName,
    dataCollectionRuleAssociationName,
    dataCollectionRuleName,
    defaultWorkspaceName,
    parseAksResourceId,
    parseWorkspaceResourceId,
    workspaceNameProblem,
} from "./azureNames";
import { isDnsLabel, isDnsSubdomain } from "./kubernetesApi";
import { meshedWorkloads } from "./podMesh";
import { meshModes, AmaMetricsIstioArgs, ProxyResources } from "./types";
import { defaults, resolveSettings, Settings } from "./settings";

/**
 * Raised for arguments the component cannot work with. Every problem found is listed, each naming the
 * argument, the value given and what would be valid, before any resource is registered.
 */
export class AmaMetricsIstioArgumentError extends Error {
    constructor(
        public readonly component: string,
        public readonly problems: string[],
    ) {
        super(`AmaMetricsIstio "${component}" has invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "AmaMetricsIstioArgumentError";
    }
}

/** One problem: `<argument> = <value>: <what is wrong>; <what would be valid>`. */
export function problem(argument: string, value: unknown, wrong: string, fix: string): string {
    return `${argument} = ${JSON.stringify(value)}: ${wrong}; ${fix}`;
}

// Azure region programmatic names: "westeurope", "eastus2", "swedencentral".
const azureRegion = /^[a-z][a-z0-9]{2,39}$/;
// Resource group names: 1-90 of letters, digits, underscores, hyphens, periods, parentheses; no trailing period.
const resourceGroup = /^[-\w.()]{0,89}[-\w()]$/;
const kubernetesVersion = /^1\.\d+(\.\d+)?$/;
// Helm chart versions are SemVer 2; the image release tag derives from them.
const semver = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
// OCI image tags (distribution spec).
const imageTag = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// Kubernetes quantities as Istio's proxy annotations take them.
const cpuQuantity = /^(\d+m|\d+(\.\d+)?)$/;
const memoryQuantity = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;

/** Namespaces the agent must never be moved to, and why. */
const forbiddenNamespaces: Record<string, string> = {
    "kube-system": "Istio never injects kube-system and the agent would carry a kube-system identity",
    "kube-public": "it is readable by everyone, including unauthenticated users",
    "kube-node-lease": "it holds node heartbeats only",
    default: "workloads there share the default namespace's identity and policies",
};

/** The plain value of an input, or undefined when it is only known later (an Output). */
function plain<T>(value: pulumi.Input<T> | undefined): T | undefined {
    return pulumi.Output.isInstance(value) ? undefined : (value as T | undefined);
}

function checkNamespaceName(problems: string[], argument: string, value: unknown) {
    if (!isDnsLabel(value)) {
        problems.push(problem(argument, value, "not a Kubernetes namespace name", "use a DNS label of at most 63 characters: lower-case letters, digits and '-', e.g. \"monitoring\""));
        return false;
    }
    return true;
}

/** Checks the AKS resource id once its value is known. */
export function aksResourceIdProblem(value: unknown): string | undefined {
    if (typeof value === "string" && parseAksResourceId(value)) {
        return undefined;
    }
    return problem(
        "cluster.resourceId",
        value,
        "not an AKS cluster resource id",
        "use /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<cluster name>",
    );
}

/**
 * The Azure names the component derives from the cluster's name and regions (as Microsoft's template
 * does) must be valid too: check them now rather than fail halfway through a deployment.
 */
function derivedNameProblems(args: AmaMetricsIstioArgs, resourceId: string): string[] {
    const clusterName = parseAksResourceId(resourceId)!.clusterName;
    const clusterLocation = args.cluster.location;
    const workspaceLocation = args.workspace?.location ?? clusterLocation;
    if (typeof clusterLocation !== "string" || !azureRegion.test(clusterLocation) || !azureRegion.test(workspaceLocation)) {
        return []; // the region itself is reported
    }
    const derive: Array<() => string> = [
        () => dataCollectionEndpointName(workspaceLocation, clusterName),
        () => dataCollectionRuleName(workspaceLocation, clusterName),
        () => dataCollectionRuleAssociationName(clusterLocation, clusterName),
    ];
    if (args.workspace?.name === undefined && args.workspace?.resourceId === undefined) {
        derive.push(() => defaultWorkspaceName(clusterName));
    }
    const problems: string[] = [];
    for (const name of derive) {
        try {
            name();
        } catch (error) {
            problems.push(problem("cluster.resourceId", resourceId, (error as Error).message.replace(/\.$/, ""), "the names derive from the cluster's name as in Microsoft's template"));
        }
    }
    return problems;
}

/** Checks the Kubernetes version once its value is known. */
export function kubernetesVersionProblem(value: unknown): string | undefined {
    if (typeof value === "string" && kubernetesVersion.test(value)) {
        return undefined;
    }
    return problem("cluster.kubernetesVersion", value, "not a Kubernetes version", "use the cluster's version as AKS reports it, e.g. \"1.33.7\" (no leading 'v')");
}

/** Checks the existing workspace's id once its value is known. */
export function workspaceIdProblem(value: unknown): string | undefined {
    if (typeof value === "string" && parseWorkspaceResourceId(value)) {
        return undefined;
    }
    return problem(
        "workspace.resourceId",
        value,
        "not an Azure Monitor workspace resource id",
        "use /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.Monitor/accounts/<workspace name>",
    );
}

/** Checks the Grafana principal id once its value is known. */
export function principalIdProblem(value: unknown): string | undefined {
    if (typeof value === "string" && guid.test(value)) {
        return undefined;
    }
    return problem("grafana.principalId", value, "not an Entra ID object id", "use the principal id (a GUID) of the Grafana instance's managed identity");
}

/**
 * An input checked when its value becomes known. Plain values were checked up front; an Output
 * (from another resource or stack) is checked in the resource that uses it, which then fails with
 * the same message instead of deploying a bad value.
 */
export function checkedInput<T>(
    component: string,
    value: pulumi.Input<T>,
    check: (value: unknown) => string | undefined,
): pulumi.Input<T> {
    if (!pulumi.Output.isInstance(value)) {
        return value;
    }
    return value.apply((known) => {
        const found = check(known);
        if (found) {
            throw new AmaMetricsIstioArgumentError(component, [found]);
        }
        return known;
    });
}

function checkProxyResources(problems: string[], argument: string, resources: ProxyResources | undefined) {
    if (resources === undefined) {
        return;
    }
    for (const [key, value] of Object.entries(resources)) {
        const path = `${argument}.${key}`;
        if (key === "cpu" || key === "cpuLimit") {
            if (typeof value !== "string" || !cpuQuantity.test(value)) {
                problems.push(problem(path, value, "not a CPU quantity", "use millicores or cores, e.g. \"100m\" or \"0.5\""));
            }
        } else if (key === "memory" || key === "memoryLimit") {
            if (typeof value !== "string" || !memoryQuantity.test(value)) {
                problems.push(problem(path, value, "not a memory quantity", "use a Kubernetes quantity, e.g. \"128Mi\" or \"1Gi\""));
            }
        } else {
            problems.push(problem(path, value, "unknown proxy setting", "use cpu, memory, cpuLimit or memoryLimit"));
        }
    }
}

/**
 * Validates the component's arguments and fills in defaults. Throws `AmaMetricsIstioArgumentError`
 * listing every problem; nothing has been registered at that point.
 */
export function validateArgs(component: string, args: AmaMetricsIstioArgs): Settings {
    const problems: string[] = [];
    if (typeof component !== "string" || component.length === 0) {
        throw new AmaMetricsIstioArgumentError(String(component), [problem("name", component, "empty", "give the component a name, e.g. \"ama-metrics\"")]);
    }
    if (!args || typeof args !== "object") {
        throw new AmaMetricsIstioArgumentError(component, [problem("args", args, "missing", "pass at least cluster and resourceGroupName")]);
    }
    const cluster = args.cluster;
    if (!cluster || typeof cluster !== "object") {
        problems.push(problem("cluster", cluster, "missing", "pass { resourceId, location, kubernetesVersion } of the AKS cluster"));
    } else {
        const resourceId = plain(cluster.resourceId);
        if (!pulumi.Output.isInstance(cluster.resourceId)) {
            const found = aksResourceIdProblem(resourceId);
            if (found) problems.push(found);
            else problems.push(...derivedNameProblems(args, resourceId as string));
        }
        if (typeof cluster.location !== "string" || !azureRegion.test(cluster.location)) {
            problems.push(problem("cluster.location", cluster.location, "not an Azure region name", "use the programmatic region name, e.g. \"westeurope\" (not \"West Europe\")"));
        }
        if (!pulumi.Output.isInstance(cluster.kubernetesVersion)) {
            const found = kubernetesVersionProblem(cluster.kubernetesVersion);
            if (found) problems.push(found);
        }
        if (cluster.cloudEnvironment !== undefined && !/^[a-z]+$/.test(cluster.cloudEnvironment)) {
            problems.push(problem("cluster.cloudEnvironment", cluster.cloudEnvironment, "not a cloud name the chart knows", "use the chart's lower-case name, e.g. \"azurepubliccloud\" or \"azureusgovernmentcloud\""));
        }
        if (cluster.clusterDomain !== undefined && !isDnsSubdomain(cluster.clusterDomain)) {
            problems.push(problem("cluster.clusterDomain", cluster.clusterDomain, "not a DNS domain", "use the cluster's DNS domain, normally \"cluster.local\""));
        }
    }

    const group = plain(args.resourceGroupName);
    if (!pulumi.Output.isInstance(args.resourceGroupName) && (typeof group !== "string" || !resourceGroup.test(group))) {
        problems.push(problem("resourceGroupName", group, "not a resource group name", "use 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'"));
    }

    const istio = args.istio ?? {};
    const mode = istio.mode ?? defaults.meshMode;
    const rootNamespace = istio.rootNamespace ?? defaults.rootNamespace;
    if (!meshModes.includes(mode)) {
        problems.push(problem("istio.mode", istio.mode, "unknown mesh mode", `use one of ${meshModes.map((m) => `"${m}"`).join(", ")}`));
    }
    if (istio.rootNamespace !== undefined) {
        checkNamespaceName(problems, "istio.rootNamespace", istio.rootNamespace);
    }

    const namespace = args.namespace ?? defaults.namespace;
    if (checkNamespaceName(problems, "namespace", namespace)) {
        if (forbiddenNamespaces[namespace]) {
            problems.push(problem("namespace", namespace, `the agent cannot run there: ${forbiddenNamespaces[namespace]}`, "use a dedicated namespace such as \"monitoring\""));
        } else if (namespace === rootNamespace || namespace === "istio-system" || namespace === "aks-istio-system") {
            problems.push(problem("namespace", namespace, "that is an Istio control-plane namespace: policies there apply to the whole mesh", "use a dedicated namespace such as \"monitoring\""));
        }
    }

    const workspace = args.workspace ?? {};
    if (workspace.resourceId !== undefined) {
        if (!pulumi.Output.isInstance(workspace.resourceId)) {
            const found = workspaceIdProblem(workspace.resourceId);
            if (found) problems.push(found);
        }
        if (workspace.name !== undefined) {
            problems.push(problem("workspace.name", workspace.name, "a name is for a workspace the component creates, but workspace.resourceId names an existing one", "give either workspace.resourceId or workspace.name"));
        }
        if (workspace.protect !== undefined) {
            problems.push(problem("workspace.protect", workspace.protect, "the component does not own an existing workspace", "protect it in the stack that creates it, or drop workspace.resourceId to let the component create one"));
        }
    }
    if (workspace.name !== undefined) {
        const found = workspaceNameProblem(workspace.name);
        if (found) problems.push(problem("workspace.name", workspace.name, found, "use 4-44 letters, digits and '-', starting and ending with a letter or digit"));
    }
    if (workspace.location !== undefined && (typeof workspace.location !== "string" || !azureRegion.test(workspace.location))) {
        problems.push(problem("workspace.location", workspace.location, "not an Azure region name", "use the programmatic region name, e.g. \"westeurope\""));
    }

    if (args.recordingRules?.enabled === false && args.recordingRules.windows === true) {
        problems.push(problem("recordingRules.windows", true, "Windows rules were asked for while recordingRules.enabled is false", "drop one of the two"));
    }

    if (args.grafana !== undefined) {
        if (!args.grafana || args.grafana.principalId === undefined) {
            problems.push(problem("grafana.principalId", undefined, "missing", "give the principal id of the Grafana instance's managed identity, or drop grafana"));
        } else if (!pulumi.Output.isInstance(args.grafana.principalId)) {
            const found = principalIdProblem(args.grafana.principalId);
            if (found) problems.push(found);
        }
    }

    const chart = args.chart ?? {};
    if (chart.chart !== undefined && (typeof chart.chart !== "string" || chart.chart.trim() !== chart.chart || chart.chart.length === 0)) {
        problems.push(problem("chart.chart", chart.chart, "not a chart reference", "use an oci:// reference, a repository chart or a local path, without spaces"));
    }
    if (chart.version !== undefined && (typeof chart.version !== "string" || !semver.test(chart.version))) {
        problems.push(problem("chart.version", chart.version, "not an exact chart version", "pin an exact SemVer version, e.g. \"7.1.0-main-07-07-2026-548e23dc\"; ranges would let previews drift"));
    }
    if (chart.imageTag !== undefined) {
        if (typeof chart.imageTag !== "string" || !imageTag.test(chart.imageTag)) {
            problems.push(problem("chart.imageTag", chart.imageTag, "not an image tag", "use the agent's release tag, e.g. \"7.1.0-main-07-07-2026-548e23dc\""));
        } else if (/-(win|targetallocator|cfg)$/.test(chart.imageTag)) {
            problems.push(problem("chart.imageTag", chart.imageTag, "that is one of the derived tags", "give the release tag without the -win, -targetallocator or -cfg suffix; the component derives those"));
        }
    }
    const values = plain(chart.values);
    if (chart.values !== undefined && !pulumi.Output.isInstance(chart.values) && (typeof values !== "object" || values === null || Array.isArray(values))) {
        problems.push(problem("chart.values", values, "not a map of chart values", "pass an object, e.g. { AzureMonitorMetrics: { DeploymentReplicas: 3 } }"));
    }

    const appmonitoring = (values as { AppmonitoringAgent?: { isOpenTelemetryMetricsEnabled?: unknown } } | undefined)?.AppmonitoringAgent;
    if (appmonitoring?.isOpenTelemetryMetricsEnabled === true && chart.openTelemetryMetrics !== true) {
        problems.push(problem("chart.values.AppmonitoringAgent.isOpenTelemetryMetricsEnabled", true, "set through chart values, the mesh does not learn that the node agent now receives OTLP", "set chart.openTelemetryMetrics: true instead"));
    }

    const tokenSecret = args.tokenSecret ?? {};
    if (tokenSecret.name !== undefined && !isDnsSubdomain(tokenSecret.name)) {
        problems.push(problem("tokenSecret.name", tokenSecret.name, "not a Secret name", "use the name AKS gives it, \"aad-msi-auth-token\""));
    }
    if (tokenSecret.namespace !== undefined) {
        checkNamespaceName(problems, "tokenSecret.namespace", tokenSecret.namespace);
    }

    validateMesh(problems, istio, mode, rootNamespace);

    if (problems.length > 0) {
        throw new AmaMetricsIstioArgumentError(component, problems);
    }
    return resolveSettings(args);
}

function validateMesh(problems: string[], istio: NonNullable<AmaMetricsIstioArgs["istio"]>, mode: string, rootNamespace: string) {
    if (istio.revision !== undefined && !isDnsLabel(istio.revision)) {
        problems.push(problem("istio.revision", istio.revision, "not an Istio revision name", "use the revision as the control plane names it, e.g. \"asm-1-27\", or leave it out for a default-revision install"));
    }
    if (istio.trustDomain !== undefined && !isDnsSubdomain(istio.trustDomain)) {
        problems.push(problem("istio.trustDomain", istio.trustDomain, "not a trust domain", "use the mesh's trust domain, normally \"cluster.local\""));
    }

    // The AKS add-on's control plane (root namespace aks-istio-system) injects only through
    // `istio.io/rev`: without a revision nothing would be injected, silently.
    if (rootNamespace === "aks-istio-system" && istio.revision === undefined && mode !== "off") {
        problems.push(problem("istio.revision", undefined, "the AKS Istio add-on (root namespace aks-istio-system) injects only pods labelled with its revision", "give the add-on's revision, e.g. \"asm-1-27\" (az aks show --query serviceMeshProfile.istio.revisions)"));
    }

    // Settings that only mean something in one mode are refused elsewhere: a silently ignored
    // setting would hide a misunderstanding of what the mode does.
    const sidecarOnly: Array<[string, unknown, boolean]> = [
        ["istio.meshNodeDaemonSet", istio.meshNodeDaemonSet, istio.meshNodeDaemonSet === true],
        ["istio.egressServiceEntry", istio.egressServiceEntry, istio.egressServiceEntry === true],
        ["istio.meshWideIstioMutual", istio.meshWideIstioMutual, istio.meshWideIstioMutual === true],
    ];
    for (const [argument, value, set] of sidecarOnly) {
        if (set && mode !== "sidecar") {
            problems.push(problem(argument, value, `only the sidecar mode uses it, the mode is "${mode}"`, "drop it or use istio.mode \"sidecar\""));
        }
    }
    if (istio.meshWideIstioMutual === true && istio.egressServiceEntry === false) {
        problems.push(problem("istio.meshWideIstioMutual", true, "the DestinationRules it adds only take effect on the egress ServiceEntry's hosts, which istio.egressServiceEntry turns off", "keep istio.egressServiceEntry on, or drop istio.meshWideIstioMutual"));
    }

    const proxyResources = istio.proxyResources ?? {};
    for (const [workload, resources] of Object.entries(proxyResources)) {
        const argument = `istio.proxyResources.${workload}`;
        if (!(meshedWorkloads as readonly string[]).includes(workload)) {
            problems.push(problem(argument, resources, "unknown or unmeshable workload (Istio does not inject Windows pods)", "use collector, targetAllocator, kubeStateMetrics or node"));
            continue;
        }
        if (mode === "off" || (mode === "certificates" && workload !== "collector")) {
            problems.push(problem(argument, resources, `that workload has no sidecar in mode "${mode}"`, mode === "off" ? "drop istio.proxyResources" : "only the collector has a sidecar in the certificates mode"));
            continue;
        }
        if (workload === "node" && istio.meshNodeDaemonSet === false) {
            problems.push(problem(argument, resources, "the node DaemonSet is not meshed (istio.meshNodeDaemonSet is false)", "drop it or mesh the DaemonSet"));
            continue;
        }
        checkProxyResources(problems, argument, resources);
    }

    const targets = istio.authorizationPolicies ?? [];
    if (targets.length > 0 && mode !== "certificates") {
        problems.push(problem("istio.authorizationPolicies", targets.map((t) => t.namespace), `only the certificates mode scrapes with the collector's mesh identity, the mode is "${mode}"`, mode === "sidecar" ? "drop them: scrapes through port 15020 never reach authorization" : "use istio.mode \"certificates\""));
    }
    const seen = new Map<string, number>();
    targets.forEach((target, i) => {
        const argument = `istio.authorizationPolicies[${i}]`;
        const key = JSON.stringify([target?.namespace, Object.entries(target?.selector ?? {}).sort()]);
        if (seen.has(key)) {
            problems.push(problem(argument, target, `repeats the namespace and selector of istio.authorizationPolicies[${seen.get(key)}]`, "merge their ports into one entry"));
        }
        seen.set(key, i);
        if (checkNamespaceName(problems, `${argument}.namespace`, target?.namespace) && target.namespace === rootNamespace) {
            problems.push(problem(`${argument}.namespace`, target.namespace, "an ALLOW policy in the root namespace applies to every workload of the mesh and denies what it does not match", "name the namespace of the scraped workload"));
        }
        const labels = target?.selector;
        if (!labels || typeof labels !== "object" || Object.keys(labels).length === 0) {
            problems.push(problem(`${argument}.selector`, labels, "an ALLOW policy without a selector covers the whole namespace", "give the pod labels of the scraped workload, e.g. { app: \"orders\" }"));
        }
        const ports = target?.ports;
        if (!Array.isArray(ports) || ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
            problems.push(problem(`${argument}.ports`, ports, "not a list of ports", "give the workload's metrics container ports, e.g. [9090]"));
        }
    });
    if (istio.scrapeNamespaces !== undefined) {
        if (mode !== "certificates") {
            problems.push(problem("istio.scrapeNamespaces", istio.scrapeNamespaces, `only the certificates mode adds an mTLS scrape job, the mode is "${mode}"`, "drop it or use istio.mode \"certificates\""));
        }
        istio.scrapeNamespaces.forEach((ns, i) => checkNamespaceName(problems, `istio.scrapeNamespaces[${i}]`, ns));
    }
}
