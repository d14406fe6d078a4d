// Fills in the defaults each feature owns (the chart's, Prometheus', the targets'), after validation.

import { chartArgumentDefaults } from "../amaMetrics/arguments";
import { defaultTokenSecret } from "../amaMetrics/facts";
import type { AmaMetricsIstioArgs } from "../core/args";
import { CommonSettings, defaults, ParsedIds, resolveMeshSettings, ComponentSettings, withDefaults } from "../core/settings";
import { prometheusArgumentDefaults } from "../prometheus/arguments";
import { prometheusDefaults } from "../prometheus/facts";
import { targetDefaults } from "../prometheus/jobs";

/** Fills in defaults. Expects arguments that the validation accepted. */
export function resolveSettings(args: AmaMetricsIstioArgs, ids: ParsedIds): ComponentSettings {
    const collector = args.collector ?? defaults.collector;
    const serviceCidr = args.cluster.serviceCidr ?? defaults.serviceCidr;
    const common: CommonSettings = {
        namespace: args.namespace ?? defaults.namespace,
        createNamespace: args.createNamespace ?? true,
        cluster: {
            id: ids.cluster,
            location: args.cluster.location,
            private: args.cluster.private ?? false,
            configurationAccessEndpointId: args.cluster.configurationAccessEndpointId,
            cloudEnvironment: args.cluster.cloudEnvironment ?? defaults.cloudEnvironment,
            clusterDomain: args.cluster.clusterDomain ?? defaults.clusterDomain,
        },
        resourceGroupName: args.resourceGroupName,
        workspace: {
            existing: ids.workspace,
            name: args.workspace?.name,
            location: args.workspace?.location ?? args.cluster.location,
            // Created workspaces are protected by default (azure/workspace.ts).
            protect: args.workspace?.protect ?? true,
        },
        recordingRules: {
            enabled: args.recordingRules?.enabled ?? true,
            windows: args.recordingRules?.windows ?? false,
        },
        grafana: args.grafana ? { principalId: args.grafana.principalId } : undefined,
        alerts: {
            enabled: args.alerts?.enabled ?? true,
            actionGroupIds: args.alerts?.actionGroupIds ?? [],
            recommended: args.alerts?.recommended ?? false,
        },
        privateLinkScopeId: args.privateLinkScopeId,
        scrapeConfigs: args.scrapeConfigs ?? [],
        istio: resolveMeshSettings(collector, args, serviceCidr),
        tags: args.tags,
    };
    if (collector === "prometheus") {
        const prometheus = args.prometheus ?? {};
        return {
            ...common,
            collector,
            oidcIssuerUrl: args.cluster.oidcIssuerUrl!,
            prometheus: {
                ...withDefaults(prometheus, prometheusArgumentDefaults),
                resources: {
                    requests: { ...prometheusDefaults.resources.requests, ...prometheus.resources?.requests },
                    limits: { ...prometheusDefaults.resources.limits, ...prometheus.resources?.limits },
                },
                targets: { ...targetDefaults, ...prometheus.targets },
            },
        };
    }
    const chart = withDefaults(args.chart ?? {}, chartArgumentDefaults);
    return {
        ...common,
        collector,
        kubernetesVersion: args.cluster.kubernetesVersion!,
        chart: { ...chart, imageTag: chart.imageTag ?? chart.version },
        tokenSecret: {
            name: args.tokenSecret?.name ?? defaultTokenSecret.name,
            namespace: args.tokenSecret?.namespace ?? defaultTokenSecret.namespace,
        },
        prometheusIdentity: args.prometheusIdentity === true ? { oidcIssuerUrl: args.cluster.oidcIssuerUrl! } : undefined,
    };
}
