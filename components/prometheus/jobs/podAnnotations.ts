// The add-on's annotation job (default-prom-configs/podannotationsDefault.yml, job `kubernetes-pods`), on when
// `prometheus.podAnnotationNamespaces` is given: pods annotated `prometheus.io/scrape: "true"` in the matching
// namespaces, on their `prometheus.io/port` and `/path`. The add-on appends the namespace keep after its rules
// (prometheus-config-merger.go AppendRelabelConfig); so does this job. No keep-list: the add-on's minimal
// profile has none for it.

import { limits } from "./common";
import type { ScrapeJob } from "./types";

/** What an application's job gets without a `sample_limit` of its own (index.ts). */
export const applicationSampleLimit = 50_000;

export const podAnnotations: ScrapeJob = {
    name: "kubernetes-pods",
    upstream: { file: "podannotationsDefault.yml" },
    sampleLimit: applicationSampleLimit,
    sizing: "an application's pod: no keep-list, so the limit of any job without one",
    sharded: true,
    enabled: (settings) => settings.prometheus.podAnnotationNamespaces !== undefined,
    build: (settings) => ({
        ...limits(podAnnotations.sampleLimit),
        kubernetes_sd_configs: [{ role: "pod" }],
        relabel_configs: [
            { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], action: "keep", regex: "true" },
            {
                source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
                action: "replace",
                target_label: "__metrics_path__",
                regex: "(.+)",
            },
            {
                source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
                action: "replace",
                regex: "([^:]+)(?::\\d+)?;(\\d+)",
                replacement: "$1:$2",
                target_label: "__address__",
            },
            { action: "labelmap", regex: "__meta_kubernetes_pod_label_(.+)" },
            { source_labels: ["__meta_kubernetes_namespace"], action: "replace", target_label: "kubernetes_namespace" },
            { source_labels: ["__meta_kubernetes_pod_name"], action: "replace", target_label: "kubernetes_pod_name" },
            { source_labels: ["__meta_kubernetes_namespace"], action: "keep", regex: settings.prometheus.podAnnotationNamespaces },
        ],
    }),
};
