// The component's arguments, checked before anything is registered: the shape of each argument (a
// valibot schema: unknown keys are refused at every level, with the nearest known key), then the rules
// that relate arguments to each other. Values that are Outputs are checked with the same schema once
// known, in the resource that uses them. Every problem comes out in one shape.

import * as pulumi from "@pulumi/pulumi";
import * as semver from "semver";
import * as v from "valibot";
import { replicaBoundsSchema } from "../amaMetrics/collectorReplicas";
import { chartFacts } from "../amaMetrics/facts";
import { kindScopesSchema } from "../amaMetrics/kinds";
import { workspaceName } from "../azure/names";
import { AksResourceId, parseAksResourceId, parseResourceId, WorkspaceResourceId } from "../azure/ids";
import { aksAddonRootNamespace, istioPortRange, wellKnownRootNamespaces } from "../mesh/rules";
import { certificatesJobName } from "../mesh/scrapeJob";
import { minimumPrometheusVersion, prometheusDefaults } from "../prometheus/facts";
import { defaultJobNames, targetDefaults, targetProblems } from "../prometheus/jobs";
import { AmaMetricsIstioArgs, AuthorizationPolicyTarget, ClusterArgs, Collector, IstioArgs } from "./args";
import { AmaMetricsIstioArgumentError, Problem, problem } from "./errors";
import { getPath, isRecord } from "./kubernetes";
import { formats, port, withFix } from "./formats";
import {
    aksClusterIdSchema,
    bool,
    cloudEnvironments,
    collectorNamespace,
    collectorSchema,
    excludedPorts,
    excludedRanges,
    labelMap,
    mapOf,
    meshModeSchema,
    meshRuleProblems,
    picklist,
    proxyResourcesPerWorkload,
    quantities,
    resourceId,
    Schema,
    shapeProblems,
    shardsSchema,
    strict,
    stringList,
    valueOf,
    workspaceIdSchema,
} from "./shapes";
import { defaults, resolveSettings, Settings } from "./settings";
import { resourceProblems } from "./resources";
import { scrapeJobProblems, scrapeJobs } from "./scrapeConfig";
import { scrapeIntervalProblems } from "./scrapeInterval";
import { ineffectiveMeshProblems } from "./ineffective";

// ---------------------------------------------------------------------------------------------
// Building blocks.

const map = (example: string) => v.custom<Record<string, unknown>>(isPlainObject, `not a map; give an object, e.g. ${example}`);

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return isRecord(value) && !pulumi.Output.isInstance(value);
}

/** A value that may be an Output: checked now when it is plain, once known otherwise (see `checkedInput`). */
function input(schema: Schema): Schema {
    return v.lazy((value) => (pulumi.Output.isInstance(value) ? v.any() : schema));
}

// ---------------------------------------------------------------------------------------------
// The arguments' shapes. `satisfies` keeps each set of keys equal to its public type's.

/** The arguments that may be Outputs: checked now when plain (argsSchema), once known otherwise (checkedOutputs). */
const outputArguments = {
    kubernetesVersion: valueOf(formats.kubernetesVersion),
    oidcIssuerUrl: valueOf(formats.oidcIssuerUrl),
    configurationAccessEndpointId: resourceId("dataCollectionEndpoint", "az monitor data-collection endpoint show --query id"),
    resourceGroupName: valueOf(formats.resourceGroupName),
    grafanaPrincipalId: valueOf(withFix(formats.guid, "use the principal id (a GUID) of the Grafana instance's managed identity")),
    privateLinkScopeId: resourceId("privateLinkScope", "az monitor private-link-scope show --query id"),
    actionGroupId: resourceId("actionGroup", "az monitor action-group show --query id"),
    chartValues: map("{ AzureMonitorMetrics: { DeploymentReplicas: 3 } }"),
};

const authorizationPolicyTarget = strict(
    {
        namespace: valueOf(formats.namespace),
        selector: labelMap,
        ports: v.array(valueOf(port), "not a list of ports; give the workload's metrics ports, e.g. [9090]"),
        acknowledgeDefaultDeny: bool,
    } satisfies Record<keyof AuthorizationPolicyTarget, Schema>,
    {
        namespace: "give the namespace of the scraped workload",
        selector: 'give the pod labels of the scraped workload, e.g. { app: "orders" }',
        ports: "give the workload's metrics ports, e.g. [9090]",
        acknowledgeDefaultDeny: "set it to true once the workload is default-deny: an ALLOW policy denies every request it does not match",
    },
);

const istioSchema = strict({
    mode: v.optional(meshModeSchema),
    revision: v.optional(valueOf(formats.revision)),
    acknowledgeDefaultRevision: v.optional(bool),
    rootNamespace: v.optional(valueOf(formats.namespace)),
    trustDomain: v.optional(valueOf(withFix(formats.dnsDomain, 'use the mesh\'s trust domain, normally "cluster.local"'))),
    meshNodeDaemonSet: v.optional(bool),
    proxyResources: v.optional(proxyResourcesPerWorkload),
    extraExcludeOutboundIPRanges: v.optional(excludedRanges),
    extraExcludeOutboundPorts: v.optional(excludedPorts),
    authorizationPolicies: v.optional(
        v.array(authorizationPolicyTarget, "not a list; give a list of { namespace, selector, ports, acknowledgeDefaultDeny }"),
    ),
    scrapeNamespaces: v.optional(stringList(formats.namespace)),
} satisfies Record<keyof IstioArgs, Schema>);

const clusterSchema = strict(
    {
        resourceId: input(aksClusterIdSchema),
        location: valueOf(formats.azureRegion),
        kubernetesVersion: v.optional(input(outputArguments.kubernetesVersion)),
        oidcIssuerUrl: v.optional(input(outputArguments.oidcIssuerUrl)),
        serviceCidr: v.optional(
            valueOf(withFix(formats.cidr, "use the cluster's service CIDR, `az aks show --query networkProfile.serviceCidr`")),
        ),
        private: v.optional(bool),
        configurationAccessEndpointId: v.optional(input(outputArguments.configurationAccessEndpointId)),
        cloudEnvironment: v.optional(picklist(cloudEnvironments, "not a cloud the collector knows")),
        clusterDomain: v.optional(valueOf(withFix(formats.dnsDomain, 'use the cluster\'s DNS domain, normally "cluster.local"'))),
    } satisfies Record<keyof ClusterArgs, Schema>,
    {
        resourceId: "give the AKS cluster's resource id (`az aks show --query id`)",
        location: 'give the cluster\'s region, e.g. "westeurope"',
    },
);

const tagValue = v.pipe(
    v.string("not a string; tag values are strings"),
    v.maxLength(256, "longer than 256 characters; Azure tag values are at most 256 characters"),
);

const tags = input(
    mapOf(
        v.pipe(
            v.string(),
            v.check(
                (key) => key.length >= 1 && key.length <= 512 && !/[<>%&\\?/]/.test(key),
                "not an Azure tag name; use at most 512 characters, none of < > % & \\ ? /",
            ),
        ),
        input(tagValue),
        'not a map of tags; give e.g. { environment: "prod" }',
    ),
);

const argsSchema = strict(
    {
        collector: v.optional(collectorSchema),
        cluster: clusterSchema,
        resourceGroupName: input(outputArguments.resourceGroupName),
        namespace: v.optional(collectorNamespace),
        createNamespace: v.optional(bool),
        workspace: v.optional(
            strict({
                resourceId: v.optional(input(workspaceIdSchema)),
                name: v.optional(valueOf(workspaceName)),
                location: v.optional(valueOf(formats.azureRegion)),
                protect: v.optional(bool),
            }),
        ),
        recordingRules: v.optional(strict({ enabled: v.optional(bool), windows: v.optional(bool) })),
        grafana: v.optional(
            strict(
                {
                    principalId: input(outputArguments.grafanaPrincipalId),
                },
                { principalId: "give the principal id of the Grafana instance's managed identity, or drop grafana" },
            ),
        ),
        privateLinkScopeId: v.optional(input(outputArguments.privateLinkScopeId)),
        alerts: v.optional(
            strict({
                enabled: v.optional(bool),
                actionGroupIds: v.optional(
                    v.array(input(outputArguments.actionGroupId), "not a list; give a list of action group resource ids"),
                ),
                recommended: v.optional(bool),
            }),
        ),
        prometheus: v.optional(
            strict({
                image: v.optional(valueOf(formats.image)),
                shards: v.optional(shardsSchema),
                resources: v.optional(strict({ requests: v.optional(quantities), limits: v.optional(quantities) })),
                scrapeInterval: v.optional(valueOf(formats.duration)),
                walVolume: v.optional(
                    strict(
                        { size: valueOf(formats.quantity), storageClassName: v.optional(valueOf(formats.objectName)) },
                        { size: 'give the size of each shard\'s volume, e.g. "10Gi"' },
                    ),
                ),
                priorityClassName: v.optional(valueOf(formats.objectName)),
                shardKubeStateMetrics: v.optional(bool),
                targets: v.optional(strict(Object.fromEntries(Object.keys(targetDefaults).map((target) => [target, v.optional(bool)])))),
                podAnnotationNamespaces: v.optional(
                    v.pipe(
                        v.string("not a string; give a regular expression over namespace names"),
                        v.minLength(1, 'empty; give a regular expression over namespace names, e.g. "shop|orders"'),
                    ),
                ),
                windowsKubelet: v.optional(bool),
            } satisfies Record<keyof NonNullable<AmaMetricsIstioArgs["prometheus"]>, Schema>),
        ),
        scrapeConfigs: v.optional(scrapeJobs),
        chart: v.optional(
            strict({
                chart: v.optional(
                    valueOf({
                        test: (value) => typeof value === "string" && value.length > 0 && value.trim() === value && !/\s/.test(value),
                        wrong: "not a chart reference",
                        fix: "use an oci:// reference, a repository chart or a local path, without spaces",
                    }),
                ),
                version: v.optional(valueOf(formats.exactVersion)),
                imageTag: v.optional(valueOf(formats.imageTag)),
                values: v.optional(input(outputArguments.chartValues)),
                skipAwait: v.optional(bool),
                openTelemetryMetrics: v.optional(bool),
                settings: v.optional(
                    mapOf(
                        v.string(),
                        v.string("not a string; ConfigMap data values are strings, e.g. TOML text"),
                        'not a map; give the ConfigMap\'s data, e.g. { "schema-version": "v2", "cluster-metrics": "..." }',
                    ),
                ),
                kindScopes: v.optional(kindScopesSchema),
                collectorReplicas: v.optional(replicaBoundsSchema),
            }),
        ),
        tokenSecret: v.optional(
            strict({
                name: v.optional(valueOf(withFix(formats.objectName, 'use the name AKS gives it, "aad-msi-auth-token"'))),
                namespace: v.optional(valueOf(formats.namespace)),
            }),
        ),
        istio: v.optional(istioSchema),
        tags: v.optional(tags),
        prometheusIdentity: v.optional(bool),
    } satisfies Record<keyof AmaMetricsIstioArgs, Schema>,
    {
        cluster: "pass { resourceId, location, ... } of the AKS cluster",
        resourceGroupName: "give the resource group for the Azure Monitor resources",
    },
);

// ---------------------------------------------------------------------------------------------
// Rules between arguments.

function collectorProblems(args: AmaMetricsIstioArgs, collector: Collector): Problem[] {
    const problems: Problem[] = [];
    const only = (argument: string, value: unknown, owner: Collector) => {
        if (value !== undefined && collector !== owner) {
            problems.push(
                problem(
                    argument,
                    pulumi.Output.isInstance(value) ? "<output>" : value,
                    `only the ${owner} collector uses it, the collector is "${collector}"`,
                    `drop it, or set collector: "${owner}"`,
                ),
            );
        }
    };
    only("chart", args.chart, "ama-metrics");
    only("tokenSecret", args.tokenSecret, "ama-metrics");
    only("cluster.kubernetesVersion", args.cluster.kubernetesVersion, "ama-metrics");
    only("cluster.configurationAccessEndpointId", args.cluster.configurationAccessEndpointId, "ama-metrics");
    only("prometheus", args.prometheus, "prometheus");
    // ama-metrics uses the issuer only for the prometheus collector's identity created ahead of a switch.
    only("cluster.oidcIssuerUrl", args.prometheusIdentity === true ? undefined : args.cluster.oidcIssuerUrl, "prometheus");
    only("prometheusIdentity", args.prometheusIdentity, "ama-metrics");
    // Microsoft's Windows groups read windows-exporter series, which only the ama-metrics agent scrapes.
    only("recordingRules.windows", args.recordingRules?.windows === true ? true : undefined, "ama-metrics");
    if (collector === "ama-metrics" && args.prometheusIdentity === true && args.cluster.oidcIssuerUrl === undefined) {
        problems.push(
            problem(
                "cluster.oidcIssuerUrl",
                undefined,
                "the prometheus collector's identity trusts the cluster's OIDC issuer",
                "give it (`az aks show --query oidcIssuerProfile.issuerUrl`), or drop prometheusIdentity",
            ),
        );
    }
    if (collector === "prometheus" && args.cluster.oidcIssuerUrl === undefined) {
        problems.push(
            problem(
                "cluster.oidcIssuerUrl",
                undefined,
                "the prometheus collector authenticates with Workload ID, which trusts the cluster's OIDC issuer",
                "give it (`az aks show --query oidcIssuerProfile.issuerUrl`; enable it with `az aks update --enable-oidc-issuer --enable-workload-identity`)",
            ),
        );
    }
    if (collector === "ama-metrics" && args.cluster.kubernetesVersion === undefined) {
        problems.push(
            problem(
                "cluster.kubernetesVersion",
                undefined,
                "the ama-metrics chart shapes its RBAC, HPA and PDB by it",
                'give the cluster\'s version, e.g. "1.33.7"',
            ),
        );
    }
    return problems;
}

function prometheusProblems(prometheus: NonNullable<AmaMetricsIstioArgs["prometheus"]>): Problem[] {
    // The tag after the last path segment's ':'; a digest-only reference names no version to judge.
    const tag = prometheus.image
        ?.replace(/@sha256:[a-f0-9]+$/, "")
        .split("/")
        .pop()
        ?.split(":")[1];
    // Pre-releases kept: v3.14.0-rc.0 is before v3.14.0.
    const version = tag !== undefined && /^v?\d/.test(tag) ? semver.coerce(tag, { includePrerelease: true }) : null;
    if (version === null || semver.gte(version, minimumPrometheusVersion)) {
        return scrapeIntervalProblems(prometheus.scrapeInterval);
    }
    return [
        ...scrapeIntervalProblems(prometheus.scrapeInterval),
        problem(
            "prometheus.image",
            prometheus.image,
            `Prometheus before v${minimumPrometheusVersion} reads the Workload ID token from a fixed path instead of AZURE_FEDERATED_TOKEN_FILE, where the webhook mounts it (prometheus/prometheus #18973): remote write would not authenticate`,
            `use v${minimumPrometheusVersion} or later`,
        ),
    ];
}

function namespaceProblems(args: AmaMetricsIstioArgs): Problem[] {
    const namespace = args.namespace ?? defaults.namespace;
    const rootNamespace = args.istio?.rootNamespace ?? defaults.rootNamespace;
    return namespace === rootNamespace
        ? [
              problem(
                  "namespace",
                  namespace,
                  "that is Istio's root namespace (istio.rootNamespace): policies there apply to the whole mesh",
                  'use a dedicated namespace such as "monitoring"',
              ),
          ]
        : [];
}

function azureProblems(args: AmaMetricsIstioArgs, collector: Collector): Problem[] {
    const problems: Problem[] = [];
    const workspace = args.workspace ?? {};
    if (workspace.resourceId !== undefined) {
        if (workspace.name !== undefined) {
            problems.push(
                problem(
                    "workspace.name",
                    workspace.name,
                    "a name is for a workspace the component creates, but workspace.resourceId names an existing one",
                    "give either workspace.resourceId or workspace.name",
                ),
            );
        }
        if (args.grafana !== undefined) {
            // Azure allows one assignment of a role to a principal on a scope, whatever its name
            // (RoleAssignmentExists): a second cluster's stack could neither create its own nor share one.
            problems.push(
                problem(
                    "grafana",
                    "<given>",
                    "the component grants Grafana access only on a workspace it creates; an existing workspace is shared, and Azure keeps one assignment of a role to a principal on it, so a second stack's grant would fail and destroying either would revoke it for all",
                    "grant Monitoring Data Reader in the stack that creates the workspace, and drop grafana here",
                ),
            );
        }
        if (workspace.protect !== undefined) {
            problems.push(
                problem(
                    "workspace.protect",
                    workspace.protect,
                    "the component does not own an existing workspace",
                    "protect it in the stack that creates it, or drop workspace.resourceId to let the component create one",
                ),
            );
        }
    }
    if (args.alerts?.enabled === false) {
        for (const key of ["recommended", "actionGroupIds"] as const) {
            const value = args.alerts[key];
            if (value !== undefined && value !== false) {
                problems.push(
                    problem(
                        `alerts.${key}`,
                        key === "actionGroupIds" ? "<given>" : value,
                        "alerts.enabled is false, so no alert is created",
                        `drop alerts.${key}, or alerts.enabled`,
                    ),
                );
            }
        }
    }
    if (args.recordingRules?.enabled === false && args.recordingRules.windows === true) {
        problems.push(
            problem(
                "recordingRules.windows",
                true,
                "Windows rules were asked for while recordingRules.enabled is false",
                "drop one of the two",
            ),
        );
    }
    const isPrivate = args.cluster.private === true;
    if (args.privateLinkScopeId !== undefined && !isPrivate) {
        problems.push(
            problem(
                "privateLinkScopeId",
                pulumi.Output.isInstance(args.privateLinkScopeId) ? "<output>" : args.privateLinkScopeId,
                "linking the endpoints to a private link scope makes the collector ingest through private link",
                "set cluster.private: true as well",
            ),
        );
    }
    if (isPrivate && args.privateLinkScopeId === undefined) {
        problems.push(
            problem(
                "cluster.private",
                true,
                "private link ingestion needs the component's data collection endpoints linked to an Azure Monitor Private Link Scope",
                "give privateLinkScopeId (`az monitor private-link-scope show --query id`)",
            ),
        );
    }
    if (args.cluster.configurationAccessEndpointId !== undefined && collector === "ama-metrics" && !isPrivate) {
        problems.push(
            problem(
                "cluster.configurationAccessEndpointId",
                "<given>",
                "only a private cluster's agent fetches its configuration through a configurationAccessEndpoint",
                "drop it, or set cluster.private: true",
            ),
        );
    }
    return problems;
}

function chartProblems(chart: NonNullable<AmaMetricsIstioArgs["chart"]>): Problem[] {
    const problems: Problem[] = [];
    // Microsoft packages the same chart contents a second time as `<version>-arc` for the Arc extension's
    // rollout (Azure/prometheus-collector .pipelines/azure-pipeline-build.yml, "package helm chart (aks +
    // arc-tagged variant)"); the image tags carry no `-arc`, and the default imageTag is the chart version.
    const arc = typeof chart.version === "string" ? /^(.*?)-arc(?:$|[.+-])/.exec(chart.version) : null;
    if (arc !== null && chart.imageTag === undefined) {
        problems.push(
            problem(
                "chart.version",
                chart.version,
                `the images would be tagged "${chart.version}", and no "-arc" image tag exists (the Arc twin repackages the same chart; its images are the release's own)`,
                `use version "${arc[1]}", or set chart.imageTag to the release tag, "${arc[1]}"`,
            ),
        );
    }
    if (typeof chart.imageTag === "string" && /-arc(?:$|[.+-])/.test(chart.imageTag)) {
        problems.push(
            problem(
                "chart.imageTag",
                chart.imageTag,
                'no "-arc" image tag exists (only the chart has an Arc twin)',
                "give the release tag without -arc",
            ),
        );
    }
    const hpa = getPath(isPlainObject(chart.values) ? chart.values : undefined, ["AzureMonitorMetrics", "CollectorHPAEnabled"]);
    if (chart.collectorReplicas !== undefined && hpa !== undefined && hpa !== true) {
        problems.push(
            problem(
                "chart.collectorReplicas",
                chart.collectorReplicas,
                `bounds of an autoscaler that chart.values.AzureMonitorMetrics.CollectorHPAEnabled = ${JSON.stringify(hpa)} turns off`,
                "drop one of them",
            ),
        );
    }
    if (typeof chart.imageTag === "string" && /-(win|targetallocator|cfg)$/.test(chart.imageTag)) {
        problems.push(
            problem(
                "chart.imageTag",
                chart.imageTag,
                "that is one of the derived tags",
                "give the release tag without the -win, -targetallocator or -cfg suffix; the component derives those",
            ),
        );
    }
    const values = isPlainObject(chart.values) ? chart.values : undefined;
    const appmonitoring = values?.AppmonitoringAgent as { isOpenTelemetryMetricsEnabled?: unknown } | undefined;
    if (appmonitoring?.isOpenTelemetryMetricsEnabled === true && chart.openTelemetryMetrics !== true) {
        problems.push(
            problem(
                "chart.values.AppmonitoringAgent.isOpenTelemetryMetricsEnabled",
                true,
                "set through chart values, the mesh does not learn that the node agent now receives OTLP",
                "set chart.openTelemetryMetrics: true instead",
            ),
        );
    }
    // The component turns the allocator's app-level TLS off, which relocation needs (and the post-renderer
    // turns off again whatever the values say): a value that turns it on would be silently overruled.
    const httpsPath = chartFacts.operatorTargetsHttps.value.split(".");
    const httpsParent = getPath(values, httpsPath.slice(0, -1));
    const httpsKey = httpsPath[httpsPath.length - 1];
    if (isRecord(httpsParent) && httpsKey in httpsParent && httpsParent[httpsKey] !== false) {
        problems.push(
            problem(
                `chart.values.${chartFacts.operatorTargetsHttps.value}`,
                httpsParent[httpsKey],
                "the agent's TLS to its target allocator is bound to kube-system names and secrets, which cannot work outside kube-system",
                "drop it: the component sets it to false",
            ),
        );
    }
    const owned = chartFacts.configMaps.settings;
    if (chart.settings !== undefined && Object.keys(chart.settings).length === 0) {
        problems.push(
            problem("chart.settings", chart.settings, `an empty ${owned} changes nothing`, "drop it, or give the keys to change"),
        );
    }
    return problems;
}

function istioProblems(args: AmaMetricsIstioArgs, collector: Collector): Problem[] {
    const istio = args.istio ?? {};
    const mode = istio.mode ?? defaults.meshMode;
    const rootNamespace = istio.rootNamespace ?? defaults.rootNamespace;
    const problems = meshRuleProblems(collector, istio, (key) => `istio.${key}`);

    // The AKS add-on's control plane injects only through `istio.io/rev`: without a revision nothing
    // would be injected, silently.
    if (rootNamespace === aksAddonRootNamespace && istio.revision === undefined && mode !== "off") {
        problems.push(
            problem(
                "istio.revision",
                undefined,
                "the AKS Istio add-on (root namespace aks-istio-system) injects only pods labelled with its revision",
                'give the add-on\'s revision, e.g. "asm-1-27" (`az aks show --query serviceMeshProfile.istio.revisions`)',
            ),
        );
    }
    if (
        mode === "certificates" &&
        istio.revision === undefined &&
        istio.acknowledgeDefaultRevision !== true &&
        rootNamespace !== aksAddonRootNamespace
    ) {
        problems.push(
            problem(
                "istio.acknowledgeDefaultRevision",
                istio.acknowledgeDefaultRevision,
                "without a revision, the collector opts in with the label sidecar.istio.io/inject, which only a default revision (or the `default` tag) honours; with none, nothing injects it and mTLS scrapes fail silently",
                "give istio.revision, or set istio.acknowledgeDefaultRevision: true if a default revision exists",
            ),
        );
    }
    if (istio.acknowledgeDefaultRevision !== undefined && (mode !== "certificates" || istio.revision !== undefined)) {
        problems.push(
            problem(
                "istio.acknowledgeDefaultRevision",
                istio.acknowledgeDefaultRevision,
                "only the certificates mode without a revision needs it",
                "drop it",
            ),
        );
    }

    const targets = istio.authorizationPolicies ?? [];
    if (targets.length > 0 && mode !== "certificates") {
        problems.push(
            problem(
                "istio.authorizationPolicies",
                targets.map((t) => t.namespace),
                `only the certificates mode scrapes with the collector's mesh identity, the mode is "${mode}"`,
                mode === "sidecar"
                    ? "drop them: scrapes through Istio's merged metrics (port 15020) never reach authorization"
                    : 'use istio.mode "certificates"',
            ),
        );
    }
    const seen = new Map<string, number>();
    targets.forEach((target, i) => {
        const argument = `istio.authorizationPolicies[${i}]`;
        const key = JSON.stringify([target.namespace, Object.entries(target.selector).sort()]);
        const previous = seen.get(key);
        if (previous !== undefined) {
            problems.push(
                problem(
                    argument,
                    target,
                    `repeats the namespace and selector of istio.authorizationPolicies[${previous}]`,
                    "merge their ports into one entry",
                ),
            );
        }
        seen.set(key, i);
        if (target.namespace === rootNamespace || wellKnownRootNamespaces.includes(target.namespace)) {
            problems.push(
                problem(
                    `${argument}.namespace`,
                    target.namespace,
                    "that is an Istio root namespace: an ALLOW policy there applies to every workload of the mesh and denies what it does not match",
                    "name the namespace of the scraped workload",
                ),
            );
        }
        if (Object.keys(target.selector).length === 0) {
            problems.push(
                problem(
                    `${argument}.selector`,
                    target.selector,
                    "an ALLOW policy without a selector covers the whole namespace",
                    'give the pod labels of the scraped workload, e.g. { app: "orders" }',
                ),
            );
        }
        if (target.ports.length === 0) {
            problems.push(problem(`${argument}.ports`, target.ports, "empty", "give the workload's metrics container ports, e.g. [9090]"));
        }
        for (const reserved of target.ports.filter((p) => p >= istioPortRange.from && p <= istioPortRange.to)) {
            problems.push(
                problem(
                    `${argument}.ports`,
                    reserved,
                    `Istio reserves ports ${istioPortRange.from}-${istioPortRange.to} for its proxy; they are never captured, so authorization on them has no effect`,
                    "give the application's own metrics port",
                ),
            );
        }
        if (target.acknowledgeDefaultDeny !== true) {
            problems.push(
                problem(
                    `${argument}.acknowledgeDefaultDeny`,
                    target.acknowledgeDefaultDeny,
                    "an ALLOW policy on a workload that is not default-deny denies every request it does not match: the workload would be cut off",
                    "make the workload default-deny first, then set it to true",
                ),
            );
        }
    });
    if (istio.scrapeNamespaces !== undefined && mode !== "certificates") {
        problems.push(
            problem(
                "istio.scrapeNamespaces",
                istio.scrapeNamespaces,
                `only the certificates mode adds an mTLS scrape job, the mode is "${mode}"`,
                'drop it or use istio.mode "certificates"',
            ),
        );
    }
    return problems;
}

/** The `global.scrape_interval` a job inherits: the collector's, or Prometheus' default for the agent's custom jobs. */
function globalScrapeInterval(args: AmaMetricsIstioArgs, collector: Collector): string {
    return collector === "prometheus" ? (args.prometheus?.scrapeInterval ?? prometheusDefaults.scrapeInterval) : "1m";
}

function scrapeConfigProblems(args: AmaMetricsIstioArgs, collector: Collector): Problem[] {
    const problems: Problem[] = [];
    const reserved = new Set([
        ...defaultJobNames(collector),
        ...((args.istio?.mode ?? defaults.meshMode) === "certificates" ? [certificatesJobName] : []),
    ]);
    const seen = new Map<string, number>();
    (args.scrapeConfigs ?? []).forEach((job, i) => {
        const argument = `scrapeConfigs[${i}].job_name`;
        if (reserved.has(job.job_name)) {
            problems.push(
                problem(
                    argument,
                    job.job_name,
                    `the ${collector} collector already runs a job of that name`,
                    "give the job a name of its own",
                ),
            );
        }
        const previous = seen.get(job.job_name);
        if (previous !== undefined) {
            problems.push(
                problem(argument, job.job_name, `repeats scrapeConfigs[${previous}].job_name`, "give each job a name of its own"),
            );
        }
        seen.set(job.job_name, i);
        problems.push(...scrapeJobProblems(job, `scrapeConfigs[${i}]`, globalScrapeInterval(args, collector)));
    });
    return problems;
}

// ---------------------------------------------------------------------------------------------
// Values known later.

/**
 * An input checked when its value becomes known. Plain values were checked up front; an Output (from
 * another resource or stack) is checked in the resource that uses it, which then fails with the same
 * message instead of deploying a bad value.
 */
function checkedInput<T>(component: string, argument: string, value: pulumi.Input<T>, schema: Schema): pulumi.Input<T> {
    if (!pulumi.Output.isInstance(value)) {
        return value;
    }
    return value.apply((known) => {
        const problems = shapeProblems(schema, known, argument);
        if (problems.length > 0) {
            throw new AmaMetricsIstioArgumentError(component, problems);
        }
        return known;
    });
}

/** Tags as a whole, or each tag value, may be Outputs: each is checked once known. */
function checkedTags(component: string, given: AmaMetricsIstioArgs["tags"]): AmaMetricsIstioArgs["tags"] {
    if (given === undefined || pulumi.Output.isInstance(given)) {
        return given === undefined ? undefined : checkedInput(component, "tags", given, tags);
    }
    return Object.fromEntries(Object.entries(given).map(([key, value]) => [key, checkedInput(component, `tags.${key}`, value, tagValue)]));
}

function checkedOutputs(component: string, args: AmaMetricsIstioArgs): AmaMetricsIstioArgs {
    const check = <T>(argument: string, value: pulumi.Input<T> | undefined, schema: Schema) =>
        value === undefined ? undefined : checkedInput(component, argument, value, schema);
    const cluster = args.cluster;
    return {
        ...args,
        cluster: {
            ...cluster,
            kubernetesVersion: check("cluster.kubernetesVersion", cluster.kubernetesVersion, outputArguments.kubernetesVersion),
            oidcIssuerUrl: check("cluster.oidcIssuerUrl", cluster.oidcIssuerUrl, outputArguments.oidcIssuerUrl),
            configurationAccessEndpointId: check(
                "cluster.configurationAccessEndpointId",
                cluster.configurationAccessEndpointId,
                outputArguments.configurationAccessEndpointId,
            ),
        },
        resourceGroupName: check("resourceGroupName", args.resourceGroupName, outputArguments.resourceGroupName)!,
        grafana: args.grafana && {
            principalId: check("grafana.principalId", args.grafana.principalId, outputArguments.grafanaPrincipalId)!,
        },
        privateLinkScopeId: check("privateLinkScopeId", args.privateLinkScopeId, outputArguments.privateLinkScopeId),
        alerts: args.alerts && {
            ...args.alerts,
            actionGroupIds: args.alerts.actionGroupIds?.map((id, i) =>
                check(`alerts.actionGroupIds[${i}]`, id, outputArguments.actionGroupId)!,
            ),
        },
        chart: args.chart && { ...args.chart, values: check("chart.values", args.chart.values, outputArguments.chartValues) },
        tags: checkedTags(component, args.tags),
    };
}

/** The cluster's and an existing workspace's ids, parsed (and checked) once known. */
function parsedIds(
    component: string,
    args: AmaMetricsIstioArgs,
): { cluster: pulumi.Output<AksResourceId>; workspace?: pulumi.Output<WorkspaceResourceId> } {
    const parse = <T>(argument: string, value: pulumi.Input<string>, parser: (id: string) => T | undefined, schema: Schema) =>
        pulumi.output(value).apply((id) => {
            const parsed = parser(id);
            if (parsed === undefined) {
                throw new AmaMetricsIstioArgumentError(component, shapeProblems(schema, id, argument));
            }
            return parsed;
        });
    const workspaceId = args.workspace?.resourceId;
    return {
        cluster: parse("cluster.resourceId", args.cluster.resourceId, parseAksResourceId, aksClusterIdSchema),
        workspace:
            workspaceId === undefined
                ? undefined
                : parse("workspace.resourceId", workspaceId, (id) => parseResourceId(id, "workspace"), workspaceIdSchema),
    };
}

/**
 * Checks the component's arguments and fills in defaults. Throws `AmaMetricsIstioArgumentError` listing
 * every problem; nothing has been registered at that point.
 */
export function validateArgs(component: string, args: AmaMetricsIstioArgs): Settings {
    if (typeof component !== "string" || component.length === 0) {
        throw new AmaMetricsIstioArgumentError(String(component), [
            problem("name", component, "empty", 'give the component a name, e.g. "metrics"'),
        ]);
    }
    const shape = shapeProblems(argsSchema, args);
    if (shape.length > 0) {
        // Rules between arguments assume each argument has its shape.
        throw new AmaMetricsIstioArgumentError(component, shape);
    }
    const collector = args.collector ?? defaults.collector;
    const problems = [
        ...collectorProblems(args, collector),
        ...namespaceProblems(args),
        ...(args.prometheus ? [...prometheusProblems(args.prometheus), ...targetProblems(args.prometheus)] : []),
        ...azureProblems(args, collector),
        ...(args.chart ? chartProblems(args.chart) : []),
        ...istioProblems(args, collector),
        ...scrapeConfigProblems(args, collector),
        ...resourceProblems(args),
        ...ineffectiveMeshProblems(args, collector),
    ];
    if (problems.length > 0) {
        throw new AmaMetricsIstioArgumentError(component, problems);
    }
    return resolveSettings(checkedOutputs(component, args), parsedIds(component, args));
}
