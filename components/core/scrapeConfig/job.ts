// One scrape job's keys (prometheus/prometheus v3.14.0 config/config.go `ScrapeConfig`), with the HTTP
// client's keys inlined and the service discoveries supported here. Unknown keys are refused, naming
// the nearest known one; keys of Prometheus' top level or of other discoveries say why they are refused.

import * as v from "valibot";
import { bool, nearest, picklist } from "../shapes";
import { discoveries, otherDiscoveries } from "./discovery";
import { httpClientEntries } from "./httpClient";
import { relabelConfigs } from "./relabel";
import { count, duration, list, map, text } from "./values";

// Supported values, case-sensitive (`ScrapeProtocol.Validate`, `model.ValidationScheme`, `model.EscapingScheme`).
const scrapeProtocols = ["PrometheusProto", "OpenMetricsText0.0.1", "OpenMetricsText1.0.0", "PrometheusText0.0.4", "PrometheusText1.0.0"];
const protocol = picklist(scrapeProtocols, "not a scrape protocol");
// alecthomas/units `ParseBase2Bytes`: "0", or amounts with a unit ("512KiB", "100MB", "1GB512MB").
const bytesPattern = /^(?:0|(?:\d+(?:\.\d+)?(?:[KMGTPE]i?B|B))+)$/;

// The keys of Prometheus' configuration file (config.go `Config`): the component writes them.
const topLevelKeys = [
    "global",
    "runtime",
    "rule_files",
    "scrape_config_files",
    "scrape_configs",
    "storage",
    "tracing",
    "alerting",
    "remote_write",
    "remote_read",
    "otlp",
];

const jobEntries: v.ObjectEntries = {
    job_name: v.pipe(
        v.string('not a string; every scrape job needs a job_name, e.g. "orders"'),
        v.minLength(1, "empty; give the job a name"),
        v.check((name) => !/[\r\n]/.test(name), "more than one line; give the job a one-line name"),
    ),
    honor_labels: v.optional(bool),
    honor_timestamps: v.optional(bool),
    track_timestamps_staleness: v.optional(bool),
    params: v.optional(map(list(text(), '["value"]'), '{ module: ["http_2xx"] }')),
    scrape_interval: v.optional(duration),
    scrape_timeout: v.optional(duration),
    scrape_protocols: v.optional(list(protocol, '["OpenMetricsText1.0.0", "PrometheusText0.0.4"]')),
    fallback_scrape_protocol: v.optional(protocol),
    scrape_native_histograms: v.optional(bool),
    always_scrape_classic_histograms: v.optional(bool),
    convert_classic_histograms_to_nhcb: v.optional(bool),
    scrape_failure_log_file: v.optional(text("a file path")),
    metrics_path: v.optional(text('a path, e.g. "/metrics"')),
    scheme: v.optional(picklist(["http", "https"], "not a scrape scheme")),
    enable_compression: v.optional(bool),
    body_size_limit: v.optional(
        v.pipe(
            v.unknown(),
            v.check(
                (value) => typeof value === "string" && bytesPattern.test(value),
                'not a size with a unit; use e.g. "10MB" or "512KiB", "0" for no limit',
            ),
        ),
    ),
    sample_limit: v.optional(count),
    target_limit: v.optional(count),
    label_limit: v.optional(count),
    label_name_length_limit: v.optional(count),
    label_value_length_limit: v.optional(count),
    native_histogram_bucket_limit: v.optional(count),
    native_histogram_min_bucket_factor: v.optional(
        v.pipe(v.number("not a number; give e.g. 1.1"), v.minValue(0, "negative; give e.g. 1.1")),
    ),
    keep_dropped_targets: v.optional(count),
    metric_name_validation_scheme: v.optional(picklist(["", "legacy", "utf8"], "not a name validation scheme")),
    metric_name_escaping_scheme: v.optional(picklist(["allow-utf-8", "underscores", "dots", "values"], "not a name escaping scheme")),
    extra_scrape_metrics: v.optional(bool),
    ...httpClientEntries,
    ...Object.fromEntries(discoveries.map((d) => [d.key, v.optional(list(d.schema, "[{ ... }]"))])),
    relabel_configs: v.optional(relabelConfigs),
    metric_relabel_configs: v.optional(relabelConfigs),
};
const jobKeys = Object.keys(jobEntries);

function unknownJobKey(key: string): string {
    if (topLevelKeys.includes(key)) {
        return "a top-level key of Prometheus' configuration, not of a scrape job; drop it: the component writes the top level";
    }
    if (otherDiscoveries.includes(key)) {
        return `that service discovery finds targets outside the cluster or in files the collector does not have; use ${discoveries.map((d) => d.key).join(", ")}`;
    }
    const near = nearest(key, jobKeys);
    return `not a scrape_config key of Prometheus v3.14.0; ${near !== undefined ? `did you mean "${near}"?` : "see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config"}`;
}

/** One scrape job's shape. */
export const scrapeJob = v.strictObject(jobEntries, (issue) => {
    const key = issue.path?.[issue.path.length - 1]?.key;
    if (issue.expected === "never" && typeof key === "string") return unknownJobKey(key);
    if (issue.received === "undefined" && key === "job_name") return "missing; every scrape job needs a job_name";
    return "not a scrape job; give a Prometheus scrape_config object with a job_name";
});
