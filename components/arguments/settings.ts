// Fills in the defaults each group of arguments owns, after validation: each group's defaults are next to its
// schema (`…ArgumentDefaults`), the settings types derived from the argument types (core/settings.ts).

import { chartArgumentDefaults, tokenSecretArgumentDefaults } from "../amaMetrics/arguments";
import type { AmaMetricsIstioArgs } from "../core/args";
import { CommonSettings, ParsedIds, ComponentSettings, withDefaults } from "../core/settings";
import { resolveMeshSettings } from "../mesh/settings";
import { prometheusArgumentDefaults } from "../prometheus/arguments";
import { prometheusDefaults } from "../prometheus/facts";
import { targetDefaults } from "../prometheus/jobs";
import {
    alertsArgumentDefaults,
    clusterArgumentDefaults,
    recordingRulesArgumentDefaults,
    topLevelArgumentDefaults,
    workspaceArgumentDefaults,
} from "./schema";

/** Fills in defaults. Expects arguments that the validation accepted. */
export function resolveSettings(args: AmaMetricsIstioArgs, ids: ParsedIds): ComponentSettings {
    // The groups, each filled in below; every other field is top-level, filled in by topLevelArgumentDefaults.
    const { cluster, workspace, recordingRules, alerts, istio, prometheus, chart, tokenSecret, prometheusIdentity, ...topLevel } = args;
    const { collector, ...given } = withDefaults(topLevel, topLevelArgumentDefaults);
    const { resourceId: _clusterId, ...clusterWithDefaults } = withDefaults(cluster, clusterArgumentDefaults);
    const { resourceId: _workspaceId, ...workspaceWithDefaults } = withDefaults(workspace ?? {}, workspaceArgumentDefaults);
    const common: CommonSettings = {
        ...given,
        cluster: { ...clusterWithDefaults, id: ids.cluster },
        workspace: { ...workspaceWithDefaults, existing: ids.workspace, location: workspace?.location ?? cluster.location },
        recordingRules: withDefaults(recordingRules ?? {}, recordingRulesArgumentDefaults),
        alerts: withDefaults(alerts ?? {}, alertsArgumentDefaults),
        istio: resolveMeshSettings(collector, istio ?? {}, clusterWithDefaults.serviceCidr, chart?.openTelemetryMetrics ?? false),
    };
    if (collector === "prometheus") {
        return {
            ...common,
            collector,
            oidcIssuerUrl: cluster.oidcIssuerUrl!,
            prometheus: {
                ...withDefaults(prometheus ?? {}, prometheusArgumentDefaults),
                resources: {
                    requests: { ...prometheusDefaults.resources.requests, ...prometheus?.resources?.requests },
                    limits: { ...prometheusDefaults.resources.limits, ...prometheus?.resources?.limits },
                },
                targets: { ...targetDefaults, ...prometheus?.targets },
            },
        };
    }
    const chartWithDefaults = withDefaults(chart ?? {}, chartArgumentDefaults);
    return {
        ...common,
        collector,
        kubernetesVersion: cluster.kubernetesVersion!,
        chart: { ...chartWithDefaults, imageTag: chartWithDefaults.imageTag ?? chartWithDefaults.version },
        tokenSecret: withDefaults(tokenSecret ?? {}, tokenSecretArgumentDefaults),
        prometheusIdentity: prometheusIdentity === true ? { oidcIssuerUrl: cluster.oidcIssuerUrl! } : undefined,
    };
}
