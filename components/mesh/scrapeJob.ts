// The scrape job of the `certificates` mesh mode, for both collectors: the collector scrapes the
// application ports of meshed pods over mTLS, presenting the Istio workload certificate its sidecar
// writes to a shared volume (Istio's "scrape with Istio certs" pattern). It works against ports that
// are STRICT: a PERMISSIVE port also accepts it, but a port outside the mesh does not speak TLS.

import type { ScrapeConfig } from "../core/args";
import { certFiles } from "./certificates";

export const certificatesJobName = "istio-mtls-pods";

/** The pod annotations that opt a meshed pod into the mTLS scrape job. */
const scrapeAnnotations = {
    /** `"true"` to be scraped. */
    scrape: "ama-metrics-istio/scrape",
    /** The metrics port (required). */
    port: "ama-metrics-istio/port",
    /** The metrics path. Default `/metrics`. */
    path: "ama-metrics-istio/path",
};

/** Istio's injector writes this annotation on every pod it injects. */
const sidecarStatusAnnotation = "sidecar.istio.io/status";

const defaultMetricsPath = "/metrics";

/** The discovery label Prometheus' Kubernetes pod role gives an annotation's value. */
function podAnnotationLabel(annotation: string): string {
    return `__meta_kubernetes_pod_annotation_${sanitizeLabelName(annotation)}`;
}

/** The discovery label that is `"true"` when the pod carries the annotation, even with an empty value. */
function podAnnotationPresentLabel(annotation: string): string {
    return `__meta_kubernetes_pod_annotationpresent_${sanitizeLabelName(annotation)}`;
}

/**
 * The Prometheus job scraping the opted-in, meshed pods over mTLS with the sidecar's certificate.
 * `scrapeNamespaces` limits discovery to those namespaces; empty means every namespace.
 */
export function mtlsScrapeJob(scrapeNamespaces: readonly string[]): ScrapeConfig {
    const discovery: Record<string, unknown> = { role: "pod" };
    if (scrapeNamespaces.length > 0) {
        discovery.namespaces = { names: [...scrapeNamespaces] };
    }
    const port = podAnnotationLabel(scrapeAnnotations.port);
    return {
        job_name: certificatesJobName,
        scheme: "https",
        metrics_path: defaultMetricsPath,
        tls_config: {
            ca_file: certFiles.ca,
            cert_file: certFiles.cert,
            key_file: certFiles.key,
            // Istio certificates name a SPIFFE identity, not the pod's address: Prometheus cannot verify it.
            insecure_skip_verify: true,
        },
        kubernetes_sd_configs: [discovery],
        relabel_configs: [
            { source_labels: [podAnnotationLabel(scrapeAnnotations.scrape)], action: "keep", regex: "true" },
            // Only pods with a sidecar: the others do not terminate Istio mTLS.
            { source_labels: [podAnnotationPresentLabel(sidecarStatusAnnotation)], action: "keep", regex: "true" },
            { source_labels: ["__meta_kubernetes_pod_phase"], action: "drop", regex: "Succeeded|Failed" },
            { source_labels: [port], action: "keep", regex: "\\d+" },
            // The pod role yields one target per container port; all of them become the same
            // address, and identical targets collapse into one.
            {
                source_labels: ["__meta_kubernetes_pod_ip", port],
                action: "replace",
                regex: "([^:]+);(\\d+)",
                replacement: "$1:$2",
                target_label: "__address__",
            },
            {
                source_labels: ["__meta_kubernetes_pod_ip", port],
                action: "replace",
                regex: "(.+:.+);(\\d+)",
                replacement: "[$1]:$2",
                target_label: "__address__",
            },
            {
                source_labels: [podAnnotationLabel(scrapeAnnotations.path)],
                action: "replace",
                regex: "(.+)",
                target_label: "__metrics_path__",
            },
            { source_labels: ["__meta_kubernetes_namespace"], action: "replace", target_label: "namespace" },
            { source_labels: ["__meta_kubernetes_pod_name"], action: "replace", target_label: "pod" },
        ],
    };
}

// Prometheus replaces every character that is not valid in a label name with `_`.
function sanitizeLabelName(name: string): string {
    return name.replace(/[^a-zA-Z0-9_]/g, "_");
}
