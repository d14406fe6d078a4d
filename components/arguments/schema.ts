// The shape of the component's arguments, composed from each feature's pieces (mesh/arguments.ts,
// prometheus/arguments.ts, amaMetrics/arguments.ts) and the shared building blocks of core/shapes.ts.
// `satisfies` keeps each set of keys equal to its public type's. A field typed `pulumi.Input` is declared
// `input(...)`: checked now when plain, once known otherwise (validate.ts finds it by walking this schema).

import * as v from "valibot";
import { chartSchema, tokenSecretSchema } from "../amaMetrics/arguments";
import { workspaceName } from "../azure/names";
import type {
    AlertsArgs,
    AlertsDefaultedKey,
    AmaMetricsIstioArgs,
    ArgumentGroupKey,
    ClusterArgs,
    ClusterDefaultedKey,
    GrafanaArgs,
    RecordingRulesArgs,
    RecordingRulesDefaultedKey,
    TopLevelDefaultedKey,
    WorkspaceArgs,
    WorkspaceDefaultedKey,
} from "../core/args";
import { formats, withFix } from "../core/formats";
import { defaults, Defaults } from "../core/settings";
import {
    aksClusterIdSchema,
    bool,
    cloudEnvironments,
    collectorNamespace,
    collectorSchema,
    mapOf,
    picklist,
    resourceId,
    Schema,
    strict,
    valueOf,
    workspaceIdSchema,
} from "../core/shapes";
import { input } from "../core/inputs";
import { scrapeJobs } from "../core/scrapeConfig";
import { istioSchema } from "../mesh/arguments";
import { prometheusSchema } from "../prometheus/arguments";

const clusterSchema = strict(
    {
        resourceId: input(aksClusterIdSchema),
        location: valueOf(formats.azureRegion),
        kubernetesVersion: v.optional(input(valueOf(formats.kubernetesVersion))),
        oidcIssuerUrl: v.optional(input(valueOf(formats.oidcIssuerUrl))),
        serviceCidr: v.optional(
            valueOf(withFix(formats.cidr, "use the cluster's service CIDR, `az aks show --query networkProfile.serviceCidr`")),
        ),
        private: v.optional(bool),
        configurationAccessEndpointId: v.optional(
            input(resourceId("dataCollectionEndpoint", "az monitor data-collection endpoint show --query id")),
        ),
        cloudEnvironment: v.optional(picklist(cloudEnvironments, "not a cloud the collector knows")),
        clusterDomain: v.optional(valueOf(withFix(formats.dnsDomain, 'use the cluster\'s DNS domain, normally "cluster.local"'))),
    } satisfies Record<keyof ClusterArgs, Schema>,
    {
        resourceId: "give the AKS cluster's resource id (`az aks show --query id`)",
        location: 'give the cluster\'s region, e.g. "westeurope"',
    },
);

// The defaults of each group's fields named in its `…DefaultedKey` (core/args.ts; one missing, or one too many,
// fails to compile), filled in by `withDefaults` (core/settings.ts) in arguments/settings.ts.

export const clusterArgumentDefaults = {
    serviceCidr: defaults.serviceCidr,
    private: false,
    cloudEnvironment: defaults.cloudEnvironment,
    clusterDomain: defaults.clusterDomain,
} satisfies Defaults<ClusterArgs, ClusterDefaultedKey>;

// Created workspaces are protected by default (azure/workspace.ts).
export const workspaceArgumentDefaults = { protect: true } satisfies Defaults<WorkspaceArgs, WorkspaceDefaultedKey>;

export const recordingRulesArgumentDefaults = { enabled: true, windows: false } satisfies Defaults<
    RecordingRulesArgs,
    RecordingRulesDefaultedKey
>;

export const alertsArgumentDefaults = { enabled: true, actionGroupIds: [], recommended: false } satisfies Defaults<
    AlertsArgs,
    AlertsDefaultedKey
>;

export const topLevelArgumentDefaults = {
    collector: defaults.collector,
    namespace: defaults.namespace,
    createNamespace: true,
    scrapeConfigs: [],
} satisfies Defaults<Omit<AmaMetricsIstioArgs, ArgumentGroupKey>, TopLevelDefaultedKey>;

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

export const argsSchema = strict(
    {
        collector: v.optional(collectorSchema),
        cluster: clusterSchema,
        resourceGroupName: input(valueOf(formats.resourceGroupName)),
        namespace: v.optional(collectorNamespace),
        createNamespace: v.optional(bool),
        workspace: v.optional(
            strict({
                resourceId: v.optional(input(workspaceIdSchema)),
                name: v.optional(valueOf(workspaceName)),
                location: v.optional(valueOf(formats.azureRegion)),
                protect: v.optional(bool),
            } satisfies Record<keyof WorkspaceArgs, Schema>),
        ),
        recordingRules: v.optional(
            strict({ enabled: v.optional(bool), windows: v.optional(bool) } satisfies Record<keyof RecordingRulesArgs, Schema>),
        ),
        grafana: v.optional(
            strict(
                {
                    principalId: input(
                        valueOf(withFix(formats.guid, "use the principal id (a GUID) of the Grafana instance's managed identity")),
                    ),
                } satisfies Record<keyof GrafanaArgs, Schema>,
                { principalId: "give the principal id of the Grafana instance's managed identity, or drop grafana" },
            ),
        ),
        privateLinkScopeId: v.optional(input(resourceId("privateLinkScope", "az monitor private-link-scope show --query id"))),
        alerts: v.optional(
            strict({
                enabled: v.optional(bool),
                actionGroupIds: v.optional(
                    v.array(
                        input(resourceId("actionGroup", "az monitor action-group show --query id")),
                        "not a list; give a list of action group resource ids",
                    ),
                ),
                recommended: v.optional(bool),
            } satisfies Record<keyof AlertsArgs, Schema>),
        ),
        prometheus: v.optional(prometheusSchema),
        scrapeConfigs: v.optional(scrapeJobs),
        chart: v.optional(chartSchema),
        tokenSecret: v.optional(tokenSecretSchema),
        istio: v.optional(istioSchema),
        tags: v.optional(tags),
        prometheusIdentity: v.optional(bool),
    } satisfies Record<keyof AmaMetricsIstioArgs, Schema>,
    {
        cluster: "pass { resourceId, location, ... } of the AKS cluster",
        resourceGroupName: "give the resource group for the Azure Monitor resources",
    },
);
