// The `chart` argument (the ama-metrics collector): its shape and its rules, composed with the other
// features' in components/arguments.

import * as v from "valibot";
import type { AmaMetricsIstioArgs, ChartArgs, ChartDefaultedKey, TokenSecretArgs, TokenSecretDefaultedKey } from "../core/args";
import { Problem, problem } from "../core/errors";
import { formats, withFix } from "../core/formats";
import { getPath, isRecord } from "../core/kubernetes";
import { Defaults } from "../core/settings";
import { bool, mapOf, Schema, strict, valueOf } from "../core/shapes";
import { input, isPlainObject } from "../core/inputs";
import { replicaBoundsSchema } from "./collectorReplicas";
import { chartFacts, defaultChart, defaultTokenSecret } from "./facts";
import { kindScopesSchema } from "./kinds";

/** `chart.values`, which may be an Output: checked now when plain, once known otherwise. */
const chartValuesSchema = v.custom<Record<string, unknown>>(
    isPlainObject,
    "not a map; give an object, e.g. { AzureMonitorMetrics: { DeploymentReplicas: 3 } }",
);

/** The shape of the `chart` argument. */
export const chartSchema = strict({
    chart: v.optional(
        valueOf({
            test: (value) => typeof value === "string" && value.length > 0 && value.trim() === value && !/\s/.test(value),
            wrong: "not a chart reference",
            fix: "use an oci:// reference, a repository chart or a local path, without spaces",
        }),
    ),
    version: v.optional(valueOf(formats.exactVersion)),
    imageTag: v.optional(valueOf(formats.imageTag)),
    values: v.optional(input(chartValuesSchema)),
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
} satisfies Record<keyof NonNullable<AmaMetricsIstioArgs["chart"]>, Schema>);

/**
 * The defaults of the `chart` fields named in `ChartDefaultedKey` (one missing fails to compile), filled in by
 * `withDefaults` (core/settings.ts). `imageTag` follows the version, in arguments/settings.ts.
 */
export const chartArgumentDefaults = {
    chart: defaultChart.chart,
    version: defaultChart.version,
    skipAwait: false,
    openTelemetryMetrics: false,
} satisfies Defaults<ChartArgs, ChartDefaultedKey>;

/** The shape of the `tokenSecret` argument. */
export const tokenSecretSchema = strict({
    name: v.optional(valueOf(withFix(formats.objectName, `use the name AKS gives it, "${defaultTokenSecret.name}"`))),
    namespace: v.optional(valueOf(formats.namespace)),
} satisfies Record<keyof TokenSecretArgs, Schema>);

/** The defaults of the `tokenSecret` fields named in `TokenSecretDefaultedKey`: where AKS writes the add-on's token. */
export const tokenSecretArgumentDefaults = { name: defaultTokenSecret.name, namespace: defaultTokenSecret.namespace } satisfies Defaults<
    TokenSecretArgs,
    TokenSecretDefaultedKey
>;

/** The `chart` argument's rules. */
export function chartProblems(chart: NonNullable<AmaMetricsIstioArgs["chart"]>): Problem[] {
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
    const values = isPlainObject(chart.values) ? chart.values : undefined;
    const hpa = getPath(values, ["AzureMonitorMetrics", "CollectorHPAEnabled"]);
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
