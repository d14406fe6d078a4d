import * as assert from "node:assert/strict";
import * as YAML from "yaml";
import { certFiles } from "../components/istioCerts";
import {
    mtlsScrapeConfigMap,
    podAnnotationLabel,
    podAnnotationPresentLabel,
    scrapeAnnotations,
} from "../components/scrapeConfig";

type Labels = Record<string, string>;

interface RelabelConfig {
    source_labels?: string[];
    separator?: string;
    regex?: string;
    replacement?: string;
    target_label?: string;
    action?: string;
}

interface ScrapeJob {
    job_name: string;
    scheme: string;
    metrics_path: string;
    tls_config: Record<string, unknown>;
    kubernetes_sd_configs: Array<{ role: string; namespaces?: { names: string[] } }>;
    relabel_configs: RelabelConfig[];
}

function parsedJobs(scrapeNamespaces: string[] = []): ScrapeJob[] {
    const configMap = mtlsScrapeConfigMap({ namespace: "monitoring", scrapeNamespaces });
    const config = YAML.parse(configMap.data!["prometheus-config"]);
    return config.scrape_configs;
}

// Prometheus' relabelling for the actions the job uses: the source label values joined with the
// separator must fully match the regex; `replace` expands `$n`/`${n}` and deletes the target label
// when the result is empty.
function relabel(labels: Labels, rules: RelabelConfig[]): Labels | undefined {
    const current = { ...labels };
    for (const rule of rules) {
        const value = (rule.source_labels ?? []).map((name) => current[name] ?? "").join(rule.separator ?? ";");
        const match = new RegExp(`^(?:${rule.regex ?? "(.*)"})$`).exec(value);
        switch (rule.action ?? "replace") {
            case "keep":
                if (!match) return undefined;
                break;
            case "drop":
                if (match) return undefined;
                break;
            case "replace":
                if (match) {
                    const result = (rule.replacement ?? "$1").replace(/\$\{?(\w+)\}?/g, (_, group: string) => match[Number(group)] ?? "");
                    if (result === "") {
                        delete current[rule.target_label!];
                    } else {
                        current[rule.target_label!] = result;
                    }
                }
                break;
            default:
                throw new Error(`the evaluator does not know action ${rule.action}`);
        }
    }
    return current;
}

interface ExamplePod {
    namespace: string;
    name: string;
    ip: string;
    phase?: string;
    annotations: Record<string, string>;
    containerPorts: number[];
}

// What Prometheus' Kubernetes pod discovery yields: one target per container port, annotation
// names with every character outside [a-zA-Z0-9_] replaced by `_`.
function discover(pod: ExamplePod, job: ScrapeJob): Labels[] {
    const base: Labels = {
        job: job.job_name,
        __scheme__: job.scheme,
        __metrics_path__: job.metrics_path,
        __meta_kubernetes_namespace: pod.namespace,
        __meta_kubernetes_pod_name: pod.name,
        __meta_kubernetes_pod_ip: pod.ip,
        __meta_kubernetes_pod_phase: pod.phase ?? "Running",
    };
    for (const [name, value] of Object.entries(pod.annotations)) {
        const sanitized = name.replace(/[^a-zA-Z0-9_]/g, "_");
        base[`__meta_kubernetes_pod_annotation_${sanitized}`] = value;
        base[`__meta_kubernetes_pod_annotationpresent_${sanitized}`] = "true";
    }
    const host = pod.ip.includes(":") ? `[${pod.ip}]` : pod.ip;
    return pod.containerPorts.map((port) => ({ ...base, __address__: `${host}:${port}`, __meta_kubernetes_pod_container_port_number: String(port) }));
}

function scrapeTargets(pod: ExamplePod): Labels[] {
    const job = parsedJobs()[0];
    const kept = discover(pod, job)
        .map((labels) => relabel(labels, job.relabel_configs))
        .filter((labels): labels is Labels => labels !== undefined)
        .map((labels) => ({
            address: labels.__address__,
            path: labels.__metrics_path__,
            scheme: labels.__scheme__,
            namespace: labels.namespace,
            pod: labels.pod,
        }));
    // Prometheus keeps one target per distinct label set.
    return [...new Map(kept.map((target) => [JSON.stringify(target), target])).values()];
}

const injected = { "sidecar.istio.io/status": '{"initContainers":["istio-init"],"containers":["istio-proxy"]}' };

describe("scrapeConfig", () => {
    it("is the ConfigMap the collector reads custom jobs from, in the agent's namespace", () => {
        const configMap = mtlsScrapeConfigMap({ namespace: "observability", scrapeNamespaces: [] });
        assert.equal(configMap.apiVersion, "v1");
        assert.equal(configMap.kind, "ConfigMap");
        assert.deepEqual(configMap.metadata, { name: "ama-metrics-prometheus-config", namespace: "observability" });
        assert.deepEqual(Object.keys(configMap.data!), ["prometheus-config"]);
    });

    it("holds one https job using the sidecar's certificate files", () => {
        const jobs = parsedJobs();
        assert.equal(jobs.length, 1);
        assert.equal(jobs[0].job_name, "istio-mtls-pods");
        assert.equal(jobs[0].scheme, "https");
        assert.deepEqual(jobs[0].tls_config, {
            ca_file: certFiles.ca,
            cert_file: certFiles.cert,
            key_file: certFiles.key,
            insecure_skip_verify: true,
        });
        assert.equal(certFiles.ca, "/etc/prom-certs/root-cert.pem");
    });

    it("discovers pods in every namespace by default, or only in the given ones", () => {
        assert.deepEqual(parsedJobs()[0].kubernetes_sd_configs, [{ role: "pod" }]);
        assert.deepEqual(parsedJobs(["shop", "payments"])[0].kubernetes_sd_configs, [{ role: "pod", namespaces: { names: ["shop", "payments"] } }]);
    });

    it("serializes the same way every time", () => {
        const a = mtlsScrapeConfigMap({ namespace: "monitoring", scrapeNamespaces: ["shop"] });
        const b = mtlsScrapeConfigMap({ namespace: "monitoring", scrapeNamespaces: ["shop"] });
        assert.equal(a.data!["prometheus-config"], b.data!["prometheus-config"]);
    });

    it("names the annotations and their discovery labels", () => {
        assert.deepEqual(scrapeAnnotations, {
            scrape: "ama-metrics-istio/scrape",
            port: "ama-metrics-istio/port",
            path: "ama-metrics-istio/path",
        });
        assert.equal(podAnnotationLabel(scrapeAnnotations.port), "__meta_kubernetes_pod_annotation_ama_metrics_istio_port");
        assert.equal(podAnnotationPresentLabel("sidecar.istio.io/status"), "__meta_kubernetes_pod_annotationpresent_sidecar_istio_io_status");
    });

    describe("relabelling", () => {
        const pod = (overrides: Partial<ExamplePod>): ExamplePod => ({
            namespace: "shop",
            name: "cart-7d9f",
            ip: "10.244.1.17",
            annotations: { ...injected, "ama-metrics-istio/scrape": "true", "ama-metrics-istio/port": "9090" },
            containerPorts: [8080, 9090, 15090],
            ...overrides,
        });

        it("keeps an opted-in meshed pod once, on the annotated port and path", () => {
            const annotations = { ...pod({}).annotations, "ama-metrics-istio/path": "/actuator/prometheus" };
            assert.deepEqual(scrapeTargets(pod({ annotations })), [
                { address: "10.244.1.17:9090", path: "/actuator/prometheus", scheme: "https", namespace: "shop", pod: "cart-7d9f" },
            ]);
        });

        it("defaults the path to /metrics", () => {
            assert.deepEqual(scrapeTargets(pod({})).map((t) => t.path), ["/metrics"]);
        });

        it("brackets IPv6 pod addresses", () => {
            assert.deepEqual(scrapeTargets(pod({ ip: "fd00:10:244::11" })).map((t) => t.address), ["[fd00:10:244::11]:9090"]);
        });

        it("drops pods without a sidecar: they do not terminate Istio mTLS", () => {
            const annotations = { "ama-metrics-istio/scrape": "true", "ama-metrics-istio/port": "9090" };
            assert.deepEqual(scrapeTargets(pod({ annotations })), []);
        });

        it("drops pods that did not opt in, or opted out", () => {
            assert.deepEqual(scrapeTargets(pod({ annotations: { ...injected, "ama-metrics-istio/port": "9090" } })), []);
            assert.deepEqual(scrapeTargets(pod({ annotations: { ...injected, "ama-metrics-istio/scrape": "false", "ama-metrics-istio/port": "9090" } })), []);
        });

        it("drops pods without a port annotation, or with one that is not a number", () => {
            assert.deepEqual(scrapeTargets(pod({ annotations: { ...injected, "ama-metrics-istio/scrape": "true" } })), []);
            assert.deepEqual(scrapeTargets(pod({ annotations: { ...injected, "ama-metrics-istio/scrape": "true", "ama-metrics-istio/port": "http-metrics" } })), []);
        });

        it("drops finished pods", () => {
            assert.deepEqual(scrapeTargets(pod({ phase: "Succeeded" })), []);
            assert.deepEqual(scrapeTargets(pod({ phase: "Failed" })), []);
        });

        it("ignores Prometheus' own prometheus.io annotations", () => {
            const annotations = { ...injected, "prometheus.io/scrape": "true", "prometheus.io/port": "9090" };
            assert.deepEqual(scrapeTargets(pod({ annotations })), []);
        });
    });
});
