// Fills in the defaults each group of arguments owns, after validation: each group's defaults are next to its
// schema (`…ArgumentDefaults`), the settings types derived from the argument types (core/settings.ts).

import { chartArgumentDefaults, tokenSecretArgumentDefaults } from "../amaMetrics/arguments";
import type { AmaMetricsIstioArgs } from "../core/args";
import { CommonSettings, ParsedIds, ComponentSettings, topLevelArguments, withDefaults } from "../core/settings";
import { resolveMeshSettings } from "../mesh/settings";
import { prometheusArgumentDefaults, prometheusResources } from "../prometheus/arguments";
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
    // prometheusIdentity is the ama-metrics collector's alone, resolved below.
    const { collector, prometheusIdentity, ...given } = withDefaults(topLevelArguments(args), topLevelArgumentDefaults);
    const { resourceId, oidcIssuerUrl, kubernetesVersion, serviceCidr, ...cluster } = withDefaults(args.cluster, clusterArgumentDefaults);
    const { resourceId: workspaceId, ...workspace } = withDefaults(args.workspace ?? {}, workspaceArgumentDefaults);
    const chart = withDefaults(args.chart ?? {}, chartArgumentDefaults);
    const common: CommonSettings = {
        ...given,
        cluster: { ...cluster, id: ids.cluster },
        workspace: { ...workspace, existing: ids.workspace, location: workspace.location ?? cluster.location },
        recordingRules: withDefaults(args.recordingRules ?? {}, recordingRulesArgumentDefaults),
        alerts: withDefaults(args.alerts ?? {}, alertsArgumentDefaults),
        istio: { ...resolveMeshSettings(collector, args.istio ?? {}, serviceCidr), otlpIngestion: chart.openTelemetryMetrics },
    };
    if (collector === "prometheus") {
        const prometheus = args.prometheus ?? {};
        return {
            ...common,
            collector,
            oidcIssuerUrl: oidcIssuerUrl!,
            prometheus: {
                ...withDefaults(prometheus, prometheusArgumentDefaults),
                resources: prometheusResources(prometheus.resources),
                targets: { ...targetDefaults, ...prometheus.targets },
            },
        };
    }
    return {
        ...common,
        collector,
        kubernetesVersion: kubernetesVersion!,
        chart: { ...chart, imageTag: chart.imageTag ?? chart.version },
        tokenSecret: withDefaults(args.tokenSecret ?? {}, tokenSecretArgumentDefaults),
        prometheusIdentity: prometheusIdentity === true ? { oidcIssuerUrl: oidcIssuerUrl! } : undefined,
    };
}
