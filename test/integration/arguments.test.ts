// Bad input is refused before anything is registered, with one message shape that names the argument,
// the value, what is wrong and the fix. Values only known later fail the resource that uses them instead.

import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AmaMetricsIstio, AmaMetricsIstioArgs, AmaMetricsIstioArgumentError } from "../../components";
import { captureRegistrations } from "../../scripts/offline";
import { baseArgs, clusterId, evaluate, mockStack, settled, testProviders, valueOf } from "../harness";

const prometheus = baseArgs();
const amaMetrics = baseArgs({}, "ama-metrics");
const withIstio = (istio: AmaMetricsIstioArgs["istio"], base = prometheus): AmaMetricsIstioArgs => ({ ...base, istio });
const withCluster = (cluster: Partial<AmaMetricsIstioArgs["cluster"]>, base = prometheus): AmaMetricsIstioArgs => ({
    ...base,
    cluster: { ...base.cluster, ...cluster },
});
const certificates = (istio: AmaMetricsIstioArgs["istio"], base = prometheus) =>
    withIstio({ mode: "certificates", revision: "asm-1-27", ...istio }, base);
const target = { namespace: "payments", selector: { app: "ledger" }, ports: [9090], acknowledgeDefaultDeny: true };
const workspaceId = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Monitor/accounts/amw";
const scopeId =
    "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/Microsoft.Insights/privateLinkScopes/ampls";

const job = (fields: Record<string, unknown>, base = prometheus): AmaMetricsIstioArgs => ({
    ...base,
    scrapeConfigs: [{ job_name: "apps", ...fields }],
});

function scrapeJobCases(): Array<[string, unknown, string, RegExp]> {
    const rule = (fields: Record<string, unknown>) => job({ relabel_configs: [fields] });
    return [
        [
            "a misspelt scrape job key",
            job({ scrape_intervl: "1m" }),
            `scrapeConfigs[0].scrape_intervl = "1m"`,
            /did you mean "scrape_interval"\?/,
        ],
        [
            "global inside a scrape job",
            job({ global: { scrape_interval: "1s" } }),
            "scrapeConfigs[0].global = ",
            /top-level key of Prometheus' configuration/,
        ],
        [
            "remote_write inside a scrape job",
            job({ remote_write: [{ url: "https://x" }] }),
            "scrapeConfigs[0].remote_write = ",
            /top-level key/,
        ],
        ["rule_files inside a scrape job", job({ rule_files: ["a.rules"] }), "scrapeConfigs[0].rule_files = ", /top-level key/],
        ["alerting inside a scrape job", job({ alerting: {} }), "scrapeConfigs[0].alerting = ", /top-level key/],
        ["a discovery of another system", job({ consul_sd_configs: [{}] }), "scrapeConfigs[0].consul_sd_configs = ", /outside the cluster/],
        [
            "a scrape interval without a unit",
            job({ scrape_interval: "30" }),
            `scrapeConfigs[0].scrape_interval = "30"`,
            /not a Prometheus duration/,
        ],
        [
            "a scrape timeout in a Go unit Prometheus lacks",
            job({ scrape_timeout: "1.5s" }),
            `scrapeConfigs[0].scrape_timeout = "1.5s"`,
            /not a Prometheus duration/,
        ],
        [
            "a timeout longer than the interval",
            job({ scrape_interval: "10s", scrape_timeout: "15s" }),
            `scrapeConfigs[0].scrape_timeout = "15s"`,
            /longer than the job's scrape interval \(10s\)/,
        ],
        [
            "a timeout longer than the inherited interval",
            job({ scrape_timeout: "45s" }),
            `scrapeConfigs[0].scrape_timeout = "45s"`,
            /longer than the job's scrape interval \(30s, the global one\)/,
        ],
        [
            "a scheme other than http(s)",
            job({ scheme: "ftp" }),
            `scrapeConfigs[0].scheme = "ftp"`,
            /not a scrape scheme; use one of "http", "https"/,
        ],
        [
            "an unknown Kubernetes SD role",
            job({ kubernetes_sd_configs: [{ role: "pods" }] }),
            `scrapeConfigs[0].kubernetes_sd_configs[0].role = "pods"`,
            /not a Kubernetes SD role/,
        ],
        [
            "an empty source label",
            rule({ source_labels: [""], action: "keep" }),
            `scrapeConfigs[0].relabel_configs[0].source_labels[0] = ""`,
            /empty; give a label name/,
        ],
        [
            "an unknown relabel action",
            rule({ action: "kepp" }),
            `scrapeConfigs[0].relabel_configs[0].action = "kepp"`,
            /not a relabel action; use one of replace, keep/,
        ],
        // JavaScript's RegExp takes lookahead and back-references; Go's RE2, which Prometheus uses, does not.
        [
            "a relabel regex with lookahead",
            rule({ regex: "(?=foo).*", action: "keep", source_labels: ["a"] }),
            `scrapeConfigs[0].relabel_configs[0].regex = "(?=foo).*"`,
            /Go's RE2.*invalid or unsupported Perl syntax/,
        ],
        [
            "a relabel regex with a back-reference",
            rule({ regex: "(a)\\1", action: "drop", source_labels: ["a"] }),
            `scrapeConfigs[0].relabel_configs[0].regex = "(a)\\\\1"`,
            /invalid escape sequence/,
        ],
        [
            "a metric relabel regex with a possessive repeat",
            job({ metric_relabel_configs: [{ regex: "a++", action: "drop", source_labels: ["__name__"] }] }),
            "scrapeConfigs[0].metric_relabel_configs[0].regex",
            /nested repetition/,
        ],
        ["a job_name of two lines", job({ job_name: "apps\nmore" }), `scrapeConfigs[0].job_name = "apps\\nmore"`, /more than one line/],
        ["a numeric job_name", job({ job_name: 42 }), "scrapeConfigs[0].job_name = 42", /not a string; every scrape job needs a job_name/],
        [
            "a bearer token file of the Workload ID token",
            job({ bearer_token_file: "/var/run/secrets/azure/tokens/azure-identity-token" }),
            `scrapeConfigs[0].bearer_token_file = "/var/run/secrets/azure/tokens/azure-identity-token"`,
            /Azure Workload ID token is mounted: it would be sent to every target/,
        ],
        [
            "credentials from the Workload ID token's new mount",
            job({ authorization: { credentials_file: "/var/run/secrets/azure/wi/token/azure-identity-token" } }),
            "scrapeConfigs[0].authorization.credentials_file = ",
            /Workload ID token/,
        ],
        [
            "an OAuth 2 secret file from the token directory, through /run",
            job({
                oauth2: {
                    client_id: "x",
                    token_url: "https://login.example/token",
                    client_secret_file: "/run/secrets/azure/tokens/azure-identity-token",
                },
            }),
            "scrapeConfigs[0].oauth2.client_secret_file = ",
            /Workload ID token/,
        ],
        [
            "a Kubernetes SD token file from the token directory",
            job({
                kubernetes_sd_configs: [
                    { role: "pod", api_server: "https://k8s.example:443", bearer_token_file: "/var/run/secrets/../secrets/azure/tokens/t" },
                ],
            }),
            "scrapeConfigs[0].kubernetes_sd_configs[0].bearer_token_file = ",
            /Workload ID token/,
        ],
        [
            "relabel_configs given as an object",
            job({ relabel_configs: { action: "keep" } }, { ...prometheus, prometheus: { shards: 2 } }),
            "scrapeConfigs[0].relabel_configs = ",
            /not a list/,
        ],
    ];
}

// [title, args, `<argument> = <value>` as the message starts, the rest of the message]
const cases: Array<[string, unknown, string, RegExp]> = [
    // Unknown keys, at any level, with the nearest known key.
    [
        "a misspelt top-level key",
        { ...prometheus, namepsace: "monitoring" },
        `namepsace = "monitoring"`,
        /unknown argument; did you mean "namespace"\?/,
    ],
    [
        "a misspelt nested key",
        withIstio({ revison: "asm-1-27" } as never),
        `istio.revison = "asm-1-27"`,
        /unknown argument; did you mean "revision"\?/,
    ],
    [
        "a key far from every known one",
        withCluster({ flavour: "x" } as never),
        `cluster.flavour = "x"`,
        /unknown argument; known here: "resourceId"/,
    ],
    [
        "an unknown proxy setting",
        withIstio({ proxyResources: { collector: { cpus: "1" } as never } }),
        `istio.proxyResources.collector.cpus = "1"`,
        /did you mean "cpu"\?/,
    ],
    [
        "proxy resources for the Windows DaemonSet",
        withIstio({ proxyResources: { windowsNode: { cpu: "1" } } as never }, amaMetrics),
        "istio.proxyResources.windowsNode = ",
        /unknown argument/,
    ],
    // The namespace.
    [
        "namespace kube-system",
        { ...prometheus, namespace: "kube-system" },
        `namespace = "kube-system"`,
        /Istio never injects kube-system.*use a dedicated namespace/,
    ],
    ["namespace default", { ...prometheus, namespace: "default" }, `namespace = "default"`, /use a dedicated namespace/],
    ["namespace kube-public", { ...prometheus, namespace: "kube-public" }, `namespace = "kube-public"`, /readable by everyone/],
    [
        "namespace with capitals",
        { ...prometheus, namespace: "Monitoring" },
        `namespace = "Monitoring"`,
        /DNS label of at most 63 characters/,
    ],
    [
        "namespace of 64 characters",
        { ...prometheus, namespace: "m".repeat(64) },
        `namespace = "${"m".repeat(64)}"`,
        /at most 63 characters/,
    ],
    ["namespace istio-system", { ...prometheus, namespace: "istio-system" }, `namespace = "istio-system"`, /Istio control-plane namespace/],
    [
        "namespace aks-istio-system",
        { ...prometheus, namespace: "aks-istio-system" },
        `namespace = "aks-istio-system"`,
        /Istio control-plane namespace/,
    ],
    [
        "namespace the configured root namespace",
        { ...prometheus, namespace: "mesh-root", istio: { rootNamespace: "mesh-root" } },
        `namespace = "mesh-root"`,
        /Istio's root namespace/,
    ],
    // The cluster.
    ["no cluster", { resourceGroupName: "rg" }, "cluster = undefined", /missing; pass \{ resourceId, location, \.\.\. \}/],
    [
        "a virtual machine id as cluster",
        withCluster({ resourceId: clusterId.replace("Microsoft.ContainerService/managedClusters", "Microsoft.Compute/virtualMachines") }),
        "cluster.resourceId = ",
        /not an AKS cluster resource id; use \/subscriptions\/<subscription id>.*managedClusters\/<cluster name>; `az aks show --query id` prints it/,
    ],
    ["an empty cluster id", withCluster({ resourceId: "" }), `cluster.resourceId = ""`, /not an AKS cluster resource id/],
    [
        "a cluster id with a trailing slash",
        withCluster({ resourceId: `${clusterId}/` }),
        `cluster.resourceId = "${clusterId}/"`,
        /not an AKS cluster resource id/,
    ],
    [
        "a display region name",
        withCluster({ location: "West Europe" }),
        `cluster.location = "West Europe"`,
        /programmatic region name, e\.g\. "westeurope"/,
    ],
    ["a region that is a number", withCluster({ location: 7 as never }), "cluster.location = 7", /not an Azure region name/],
    [
        "a version with a v",
        withCluster({ kubernetesVersion: "v1.33.7" }, amaMetrics),
        `cluster.kubernetesVersion = "v1.33.7"`,
        /no leading 'v'/,
    ],
    [
        "a cloud in the wrong case",
        withCluster({ cloudEnvironment: "AzurePublicCloud" as never }),
        `cluster.cloudEnvironment = "AzurePublicCloud"`,
        /use one of "azurepubliccloud", "azureusgovernmentcloud", "azurechinacloud"/,
    ],
    [
        "a bad cluster domain",
        withCluster({ clusterDomain: "cluster_local" }),
        `cluster.clusterDomain = "cluster_local"`,
        /normally "cluster\.local"/,
    ],
    [
        "a service CIDR with host bits",
        withCluster({ serviceCidr: "10.0.0.1/16" }),
        `cluster.serviceCidr = "10.0.0.1/16"`,
        /not an IP range in CIDR notation/,
    ],
    [
        "a service CIDR without a prefix",
        withCluster({ serviceCidr: "10.0.0.0" }),
        `cluster.serviceCidr = "10.0.0.0"`,
        /networkProfile\.serviceCidr/,
    ],
    // The collectors' own arguments.
    ["an unknown collector", { ...prometheus, collector: "otel" }, `collector = "otel"`, /use one of "prometheus", "ama-metrics"/],
    [
        "prometheus without an OIDC issuer",
        withCluster({ oidcIssuerUrl: undefined }),
        "cluster.oidcIssuerUrl = undefined",
        /Workload ID.*--enable-oidc-issuer --enable-workload-identity/,
    ],
    [
        "an OIDC issuer that is not https",
        withCluster({ oidcIssuerUrl: "http://issuer.example/" }),
        `cluster.oidcIssuerUrl = "http://issuer.example/"`,
        /not an AKS OIDC issuer URL/,
    ],
    ["0 shards", { ...prometheus, prometheus: { shards: 0 } }, "prometheus.shards = 0", /fewer than 1; give a whole number from 1 to 32/],
    ["33 shards", { ...prometheus, prometheus: { shards: 33 } }, "prometheus.shards = 33", /more than 32/],
    ["1.5 shards", { ...prometheus, prometheus: { shards: 1.5 } }, "prometheus.shards = 1.5", /not a whole number/],
    [
        "an image without a tag",
        { ...prometheus, prometheus: { image: "quay.io/prometheus/prometheus" } },
        `prometheus.image = "quay.io/prometheus/prometheus"`,
        /not an image reference/,
    ],
    [
        "a Prometheus older than the first that reads the webhook's token file",
        { ...prometheus, prometheus: { image: "quay.io/prometheus/prometheus:v3.13.1" } },
        `prometheus.image = "quay.io/prometheus/prometheus:v3.13.1"`,
        /reads the Workload ID token from a fixed path .* use v3\.14\.0 or later/,
    ],
    [
        "an old Prometheus from a mirror, pinned by digest too",
        { ...prometheus, prometheus: { image: `registry.acme.example:5000/mirror/prometheus:v3.7.0@sha256:${"b".repeat(64)}` } },
        "prometheus.image = ",
        /use v3\.14\.0 or later/,
    ],
    [
        "a scrape interval in words",
        { ...prometheus, prometheus: { scrapeInterval: "half a minute" } },
        `prometheus.scrapeInterval = "half a minute"`,
        /e\.g\. "30s"/,
    ],
    [
        "a CPU request in words",
        { ...prometheus, prometheus: { resources: { requests: { cpu: "two" } } } },
        `prometheus.resources.requests.cpu = "two"`,
        /not a Kubernetes quantity/,
    ],
    [
        "chart arguments with prometheus",
        { ...prometheus, chart: { skipAwait: true } },
        "chart = ",
        /only the ama-metrics collector uses it, the collector is "prometheus"; drop it, or set collector: "ama-metrics"/,
    ],
    [
        "tokenSecret with prometheus",
        { ...prometheus, tokenSecret: { name: "x" } },
        "tokenSecret = ",
        /only the ama-metrics collector uses it/,
    ],
    [
        "kubernetesVersion with prometheus",
        withCluster({ kubernetesVersion: "1.33.7" }),
        `cluster.kubernetesVersion = "1.33.7"`,
        /only the ama-metrics collector uses it/,
    ],
    [
        "prometheus settings with ama-metrics",
        { ...amaMetrics, prometheus: { shards: 2 } },
        "prometheus = ",
        /only the prometheus collector uses it, the collector is "ama-metrics"/,
    ],
    [
        "an OIDC issuer with ama-metrics",
        withCluster({ oidcIssuerUrl: "https://issuer.example/t/c/" }, amaMetrics),
        `cluster.oidcIssuerUrl = "https://issuer.example/t/c/"`,
        /only the prometheus collector uses it/,
    ],
    [
        "ama-metrics without a Kubernetes version",
        withCluster({ kubernetesVersion: undefined }, amaMetrics),
        "cluster.kubernetesVersion = undefined",
        /shapes its RBAC, HPA and PDB/,
    ],
    [
        "a scrape job named like a default job",
        { ...prometheus, scrapeConfigs: [{ job_name: "kubelet" }] },
        `scrapeConfigs[0].job_name = "kubelet"`,
        /already runs a job of that name/,
    ],
    [
        "a scrape job named like an add-on job",
        { ...amaMetrics, scrapeConfigs: [{ job_name: "kube-proxy" }] },
        `scrapeConfigs[0].job_name = "kube-proxy"`,
        /the ama-metrics collector already runs a job of that name/,
    ],
    [
        "two scrape jobs of one name",
        { ...prometheus, scrapeConfigs: [{ job_name: "apps" }, { job_name: "apps" }] },
        `scrapeConfigs[1].job_name = "apps"`,
        /repeats scrapeConfigs\[0\]\.job_name/,
    ],
    [
        "a scrape job named like the certificates job",
        certificates({}, { ...prometheus, scrapeConfigs: [{ job_name: "istio-mtls-pods" }] }),
        `scrapeConfigs[0].job_name = "istio-mtls-pods"`,
        /already runs a job of that name/,
    ],
    [
        "a scrape job without a name",
        { ...prometheus, scrapeConfigs: [{ static_configs: [] }] },
        "scrapeConfigs[0].job_name = undefined",
        /every scrape job needs a job_name/,
    ],
    // Each scrape job as Prometheus v3.14.0 loads it (more cases: test/unit/scrapeConfigOracle.test.ts).
    ...scrapeJobCases(),
    // Lists where maps belong: valibot's record alone takes arrays, which would reach Azure as {"0": ...}.
    ["tags given as a list", { ...prometheus, tags: ["a", "b"] }, `tags = ["a","b"]`, /not a map of tags/],
    [
        "an authorization policy selector given as a list",
        certificates({ authorizationPolicies: [{ ...target, selector: ["orders"] as never }] }),
        `istio.authorizationPolicies[0].selector = ["orders"]`,
        /not a map of labels/,
    ],
    [
        "chart settings given as a list",
        { ...amaMetrics, chart: { settings: ["a"] as never } },
        `chart.settings = ["a"]`,
        /not a map; give the ConfigMap's data/,
    ],
    ["chart values given as a list", { ...amaMetrics, chart: { values: [1] as never } }, "chart.values = [1]", /not a map/],
    ["scrape params given as a list", job({ params: ["module"] }), `scrapeConfigs[0].params = ["module"]`, /not a map/],
    // Values printed as given.
    [
        "an Output for a plain-only argument",
        { ...prometheus, namespace: pulumi.output("monitoring") as never },
        "namespace = <output>",
        /an Output; it must be a plain value/,
    ],
    ["a NaN shard count", { ...prometheus, prometheus: { shards: NaN } }, "prometheus.shards = NaN", /give a whole number from 1 to 32/],
    ["an infinite shard count", { ...prometheus, prometheus: { shards: Infinity } }, "prometheus.shards = Infinity", /whole number/],
    // Requests and limits, compared as quantities after the defaults are merged.
    [
        "a memory request above the default limit",
        { ...prometheus, prometheus: { resources: { requests: { memory: "4Gi" } } } },
        `prometheus.resources.limits.memory = "3Gi"`,
        /below the memory request 4Gi \(defaults included\).*give a limit of at least 4Gi, or lower prometheus\.resources\.requests\.memory/,
    ],
    [
        "a CPU limit below the default request",
        { ...prometheus, prometheus: { resources: { limits: { cpu: "0.1" } } } },
        `prometheus.resources.limits.cpu = "0.1"`,
        /below the cpu request 200m/,
    ],
    [
        "a memory limit below a request in another unit",
        { ...prometheus, prometheus: { resources: { requests: { memory: "1G" }, limits: { memory: "900Mi" } } } },
        `prometheus.resources.limits.memory = "900Mi"`,
        /below the memory request 1G/,
    ],
    [
        "a sidecar CPU limit below the default proxy request",
        withIstio({ proxyResources: { collector: { cpuLimit: "50m" } } }),
        `istio.proxyResources.collector.cpuLimit = "50m"`,
        /below the cpu request 100m.*lower istio\.proxyResources\.collector\.cpu/,
    ],
    // The default jobs' interval.
    [
        "a scrape interval of 5m",
        { ...prometheus, prometheus: { scrapeInterval: "5m" } },
        `prometheus.scrapeInterval = "5m"`,
        /longer than 1m.*from 1s to 1m/,
    ],
    [
        "a scrape interval of 1h",
        { ...prometheus, prometheus: { scrapeInterval: "1h" } },
        `prometheus.scrapeInterval = "1h"`,
        /rate\(\) over 5m windows/,
    ],
    [
        "a scrape interval of 999ms",
        { ...prometheus, prometheus: { scrapeInterval: "999ms" } },
        `prometheus.scrapeInterval = "999ms"`,
        /shorter than 1s/,
    ],
    [
        "a scrape interval of 1ms",
        { ...prometheus, prometheus: { scrapeInterval: "1ms" } },
        `prometheus.scrapeInterval = "1ms"`,
        /shorter than 1s: the scrape timeout, at most the interval, would be as short; give an interval from 1s to 1m/,
    ],
    [
        // model.ParseDuration refuses what overflows a time.Duration (about 292 years), so Prometheus would not start.
        "a scrape interval of 300y",
        { ...prometheus, prometheus: { scrapeInterval: "300y" } },
        `prometheus.scrapeInterval = "300y"`,
        /not a Prometheus duration; use a number and a unit/,
    ],
    // The OIDC issuer as `az aks show` prints it: Entra matches it exactly.
    [
        "an OIDC issuer without its trailing slash",
        withCluster({
            oidcIssuerUrl:
                "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/11111111-0000-0000-0000-000000000001",
        }),
        `cluster.oidcIssuerUrl = "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/11111111-0000-0000-0000-000000000001"`,
        /not an AKS OIDC issuer URL; .*with its trailing "\/"/,
    ],
    [
        "an OIDC issuer with a query",
        withCluster({
            oidcIssuerUrl:
                "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/11111111-0000-0000-0000-000000000001/?x=1",
        }),
        "cluster.oidcIssuerUrl = ",
        /not an AKS OIDC issuer URL/,
    ],
    [
        "an OIDC issuer with a fragment",
        withCluster({
            oidcIssuerUrl:
                "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/11111111-0000-0000-0000-000000000001/#x",
        }),
        "cluster.oidcIssuerUrl = ",
        /not an AKS OIDC issuer URL/,
    ],
    [
        "an OIDC issuer with credentials",
        withCluster({ oidcIssuerUrl: "https://u:p@westeurope.oic.prod-aks.azure.com/t/c/" }),
        "cluster.oidcIssuerUrl = ",
        /not an AKS OIDC issuer URL/,
    ],
    [
        "an OIDC issuer without a path",
        withCluster({ oidcIssuerUrl: "https://westeurope.oic.prod-aks.azure.com/" }),
        "cluster.oidcIssuerUrl = ",
        /not an AKS OIDC issuer URL/,
    ],
    [
        "a release candidate of the minimum Prometheus",
        { ...prometheus, prometheus: { image: "quay.io/prometheus/prometheus:v3.14.0-rc.0" } },
        `prometheus.image = "quay.io/prometheus/prometheus:v3.14.0-rc.0"`,
        /use v3\.14\.0 or later/,
    ],
    // Policies and namespaces that cannot take effect.
    [
        "an authorization policy in kube-system",
        certificates({ authorizationPolicies: [{ ...target, namespace: "kube-system" }] }),
        `istio.authorizationPolicies[0].namespace = "kube-system"`,
        /creates no policy in Kubernetes' system namespaces/,
    ],
    [
        "an authorization policy for the prometheus collector's kube-state-metrics",
        certificates({
            authorizationPolicies: [{ ...target, namespace: "monitoring", selector: { "app.kubernetes.io/name": "kube-state-metrics" } }],
        }),
        "istio.authorizationPolicies[0].selector = ",
        /kube-state-metrics, which has no sidecar in the mode "certificates"/,
    ],
    [
        "an authorization policy for the agent's kube-state-metrics",
        certificates(
            { authorizationPolicies: [{ ...target, namespace: "monitoring", selector: { "app.kubernetes.io/name": "ama-metrics-ksm" } }] },
            amaMetrics,
        ),
        "istio.authorizationPolicies[0].selector = ",
        /kube-state-metrics, which has no sidecar/,
    ],
    [
        "an empty list of scrape namespaces",
        certificates({ scrapeNamespaces: [] }),
        "istio.scrapeNamespaces = []",
        /would mean every namespace/,
    ],
    [
        "an IPv6 range with host bits set",
        withIstio({ mode: "sidecar", extraExcludeOutboundIPRanges: ["fd00::1/64"] }),
        `istio.extraExcludeOutboundIPRanges[0] = "fd00::1/64"`,
        /no host bits/,
    ],
    // The Azure side.
    [
        "a resource group with a slash",
        { ...prometheus, resourceGroupName: "rg/monitoring" },
        `resourceGroupName = "rg/monitoring"`,
        /1-90 letters/,
    ],
    [
        "a resource group ending in a period",
        { ...prometheus, resourceGroupName: "rg-monitoring." },
        `resourceGroupName = "rg-monitoring."`,
        /not ending in '\.'/,
    ],
    [
        "a Log Analytics workspace id",
        {
            ...prometheus,
            workspace: { resourceId: workspaceId.replace("Microsoft.Monitor/accounts", "Microsoft.OperationalInsights/workspaces") },
        },
        "workspace.resourceId = ",
        /Microsoft\.Monitor\/accounts\/<workspace name>/,
    ],
    [
        "an existing workspace with a name",
        { ...prometheus, workspace: { resourceId: workspaceId, name: "amw-two" } },
        `workspace.name = "amw-two"`,
        /either workspace\.resourceId or workspace\.name/,
    ],
    [
        "a workspace name of 45 characters",
        { ...prometheus, workspace: { name: "a".repeat(45) } },
        `workspace.name = "${"a".repeat(45)}"`,
        /4-44 letters, digits and '-'/,
    ],
    [
        "a workspace name ending in a hyphen",
        { ...prometheus, workspace: { name: "amw-prod-" } },
        `workspace.name = "amw-prod-"`,
        /starting and ending with a letter or digit/,
    ],
    [
        "protecting an existing workspace",
        { ...prometheus, workspace: { resourceId: workspaceId, protect: true } },
        "workspace.protect = true",
        /protect it in the stack that creates it/,
    ],
    [
        "Windows rules without rules",
        { ...amaMetrics, recordingRules: { enabled: false, windows: true } },
        "recordingRules.windows = true",
        /drop one of the two/,
    ],
    [
        "Windows rules with the prometheus collector, which scrapes no windows-exporter",
        { ...prometheus, recordingRules: { windows: true } },
        "recordingRules.windows = true",
        /only the ama-metrics collector uses it/,
    ],
    [
        "a Grafana principal that is a name",
        { ...prometheus, grafana: { principalId: "grafana-prod" } },
        `grafana.principalId = "grafana-prod"`,
        /principal id \(a GUID\)/,
    ],
    [
        "a private link scope without private ingestion",
        { ...prometheus, privateLinkScopeId: scopeId },
        "privateLinkScopeId = ",
        /set cluster\.private: true as well/,
    ],
    ["private ingestion without a scope", withCluster({ private: true }), "cluster.private = true", /give privateLinkScopeId/],
    [
        "a private link scope id of another type",
        { ...withCluster({ private: true }), privateLinkScopeId: workspaceId },
        "privateLinkScopeId = ",
        /not an Azure Monitor Private Link Scope resource id/,
    ],
    [
        "a configuration endpoint for a public cluster",
        withCluster(
            { configurationAccessEndpointId: scopeId.replace("privateLinkScopes/ampls", "dataCollectionEndpoints/dce") },
            amaMetrics,
        ),
        "cluster.configurationAccessEndpointId = ",
        /only a private cluster's agent/,
    ],
    [
        "a tag value of 257 characters",
        { ...prometheus, tags: { owner: "x".repeat(257) } },
        "tags.owner = ",
        /Azure tag values are at most 256 characters/,
    ],
    // The chart.
    ["a chart version range", { ...amaMetrics, chart: { version: "^7.1.0" } }, `chart.version = "^7.1.0"`, /pin an exact SemVer version/],
    [
        "an Arc chart version",
        { ...amaMetrics, chart: { version: "7.1.0-main-07-07-2026-548e23dc-arc" } },
        `chart.version = "7.1.0-main-07-07-2026-548e23dc-arc"`,
        /no "-arc" image tag exists .*use version "7\.1\.0-main-07-07-2026-548e23dc", or set chart\.imageTag/,
    ],
    [
        "a derived image tag",
        { ...amaMetrics, chart: { imageTag: "7.1.0-main-07-07-2026-548e23dc-cfg" } },
        `chart.imageTag = "7.1.0-main-07-07-2026-548e23dc-cfg"`,
        /without the -win, -targetallocator or -cfg suffix/,
    ],
    [
        "a chart reference with spaces",
        { ...amaMetrics, chart: { chart: " oci://x/ama-metrics" } },
        `chart.chart = " oci://x/ama-metrics"`,
        /without spaces/,
    ],
    ["chart values as a list", { ...amaMetrics, chart: { values: [1, 2] } }, "chart.values = [1,2]", /not a map; give an object/],
    [
        "OpenTelemetry metrics turned on behind the mesh's back",
        { ...amaMetrics, chart: { values: { AppmonitoringAgent: { isOpenTelemetryMetricsEnabled: true } } } },
        "chart.values.AppmonitoringAgent.isOpenTelemetryMetricsEnabled = true",
        /set chart\.openTelemetryMetrics: true instead/,
    ],
    [
        "the target allocator's app-level TLS turned back on",
        { ...amaMetrics, chart: { values: { AzureMonitorMetrics: { OperatorTargetsHttpsEnabled: true } } } },
        "chart.values.AzureMonitorMetrics.OperatorTargetsHttpsEnabled = true",
        /bound to kube-system names and secrets.*drop it: the component sets it to false/,
    ],
    [
        "the target allocator's TLS off as a string, which the chart still renders with its TLS mounts",
        { ...amaMetrics, chart: { values: { AzureMonitorMetrics: { OperatorTargetsHttpsEnabled: "false" } } } },
        `chart.values.AzureMonitorMetrics.OperatorTargetsHttpsEnabled = "false"`,
        /drop it/,
    ],
    [
        "settings that are not text",
        { ...amaMetrics, chart: { settings: { "schema-version": 2 } } },
        `chart.settings.schema-version = 2`,
        /ConfigMap data values are strings/,
    ],
    [
        "a token secret name with an underscore",
        { ...amaMetrics, tokenSecret: { name: "aad_msi_auth_token" } },
        `tokenSecret.name = "aad_msi_auth_token"`,
        /"aad-msi-auth-token"/,
    ],
    // The mesh.
    [
        "an unknown mesh mode",
        withIstio({ mode: "ambient" as never }),
        `istio.mode = "ambient"`,
        /use one of "sidecar", "certificates", "off"/,
    ],
    ["a revision with underscores", withIstio({ revision: "asm_1_27" }), `istio.revision = "asm_1_27"`, /e\.g\. "asm-1-27"/],
    [
        "a revision with the mode off",
        withIstio({ mode: "off", revision: "asm-1-27" }),
        `istio.revision = "asm-1-27"`,
        /the mesh mode "off" injects nothing/,
    ],
    [
        "the AKS add-on without a revision",
        withIstio({ rootNamespace: "aks-istio-system" }),
        "istio.revision = undefined",
        /injects only pods labelled with its revision; give the add-on's revision/,
    ],
    [
        "certificates without a revision, unacknowledged",
        withIstio({ mode: "certificates" }),
        "istio.acknowledgeDefaultRevision = undefined",
        /only a default revision .* honours.*set istio\.acknowledgeDefaultRevision: true/,
    ],
    [
        "an acknowledgement the mode does not need",
        withIstio({ acknowledgeDefaultRevision: true }),
        "istio.acknowledgeDefaultRevision = true",
        /only the certificates mode without a revision needs it/,
    ],
    ["a bad trust domain", withIstio({ trustDomain: "cluster local" }), `istio.trustDomain = "cluster local"`, /normally "cluster\.local"/],
    [
        "meshing the DaemonSet of prometheus",
        withIstio({ meshNodeDaemonSet: true }),
        "istio.meshNodeDaemonSet = true",
        /the prometheus collector has no node DaemonSet/,
    ],
    [
        "meshing the DaemonSet in the off mode",
        withIstio({ mode: "off", meshNodeDaemonSet: true }, amaMetrics),
        "istio.meshNodeDaemonSet = true",
        /the mode is "off"/,
    ],
    [
        "excluded ranges outside the sidecar mode",
        certificates({ extraExcludeOutboundIPRanges: ["10.1.0.0/16"] }),
        `istio.extraExcludeOutboundIPRanges = ["10.1.0.0/16"]`,
        /only the sidecar mode captures outbound traffic/,
    ],
    [
        "an excluded port of 70000",
        withIstio({ extraExcludeOutboundPorts: [70000] }),
        "istio.extraExcludeOutboundPorts[0] = 70000",
        /from 1 to 65535/,
    ],
    [
        "a CPU quantity in words",
        withIstio({ proxyResources: { collector: { cpu: "100 millicores" } } }),
        `istio.proxyResources.collector.cpu = "100 millicores"`,
        /e\.g\. "100m" or "0\.5"/,
    ],
    [
        "a memory quantity in MB",
        withIstio({ proxyResources: { collector: { memory: "128MB" } } }),
        `istio.proxyResources.collector.memory = "128MB"`,
        /"128Mi" or "1Gi"/,
    ],
    [
        "proxy resources for the target allocator of prometheus",
        withIstio({ proxyResources: { targetAllocator: { cpu: "1" } } }),
        "istio.proxyResources.targetAllocator = ",
        /prometheus has no sidecar on that workload/,
    ],
    [
        "proxy resources for an opted-out DaemonSet",
        withIstio({ proxyResources: { node: { cpu: "100m" } } }, amaMetrics),
        "istio.proxyResources.node = ",
        /the node DaemonSet is not meshed/,
    ],
    [
        "AuthorizationPolicies in the sidecar mode",
        withIstio({ authorizationPolicies: [target] }),
        `istio.authorizationPolicies = ["payments"]`,
        /never reach authorization/,
    ],
    [
        "an AuthorizationPolicy in the root namespace",
        certificates({ authorizationPolicies: [{ ...target, namespace: "istio-system" }] }),
        `istio.authorizationPolicies[0].namespace = "istio-system"`,
        /Istio root namespace/,
    ],
    [
        "an AuthorizationPolicy in the AKS root namespace, whatever the configured root",
        certificates({ rootNamespace: "mesh-root", authorizationPolicies: [{ ...target, namespace: "aks-istio-system" }] }),
        `istio.authorizationPolicies[0].namespace = "aks-istio-system"`,
        /Istio root namespace/,
    ],
    [
        "an AuthorizationPolicy without a selector",
        certificates({ authorizationPolicies: [{ ...target, selector: {} }] }),
        "istio.authorizationPolicies[0].selector = {}",
        /give the pod labels of the scraped workload/,
    ],
    [
        "an AuthorizationPolicy on port 0",
        certificates({ authorizationPolicies: [{ ...target, ports: [0] }] }),
        "istio.authorizationPolicies[0].ports[0] = 0",
        /from 1 to 65535/,
    ],
    [
        "an AuthorizationPolicy on Istio's port 15020",
        certificates({ authorizationPolicies: [{ ...target, ports: [15020] }] }),
        "istio.authorizationPolicies[0].ports = 15020",
        /Istio reserves ports 15000-15090/,
    ],
    [
        "an AuthorizationPolicy without the default-deny acknowledgement",
        certificates({ authorizationPolicies: [{ ...target, acknowledgeDefaultDeny: false }] }),
        "istio.authorizationPolicies[0].acknowledgeDefaultDeny = false",
        /would be cut off/,
    ],
    [
        "an AuthorizationPolicy missing the acknowledgement",
        certificates({ authorizationPolicies: [{ namespace: "payments", selector: { app: "ledger" }, ports: [9090] } as never] }),
        "istio.authorizationPolicies[0].acknowledgeDefaultDeny = undefined",
        /missing; set it to true once the workload is default-deny/,
    ],
    [
        "the same workload listed twice",
        certificates({ authorizationPolicies: [target, { ...target, ports: [9091] }] }),
        "istio.authorizationPolicies[1] = ",
        /repeats the namespace and selector of istio\.authorizationPolicies\[0\]; merge their ports into one entry/,
    ],
    [
        "scrape namespaces in the sidecar mode",
        withIstio({ scrapeNamespaces: ["payments"] }),
        `istio.scrapeNamespaces = ["payments"]`,
        /use istio\.mode "certificates"/,
    ],
    ["a bad scrape namespace", certificates({ scrapeNamespaces: ["Payments"] }), `istio.scrapeNamespaces[0] = "Payments"`, /DNS label/],
];

describe("argument validation", () => {
    for (const [title, args, argumentAndValue, rest] of cases) {
        it(`refuses ${title}`, async () => {
            const registrations = mockStack();
            assert.throws(
                () => new AmaMetricsIstio("bad", args as AmaMetricsIstioArgs, { providers: testProviders() }),
                (err: unknown) => {
                    assert.ok(err instanceof AmaMetricsIstioArgumentError, `not an argument error: ${err}`);
                    assert.match(err.message, /^AmaMetricsIstio "bad" has invalid arguments:\n {2}- /);
                    const line = err.messages.find((p) => p.startsWith(argumentAndValue));
                    assert.ok(line, `no problem starts with ${argumentAndValue}:\n${err.message}`);
                    // One shape everywhere: `<argument> = <value>: <what is wrong>; <the fix>`.
                    assert.match(line, /^[^=]+ = .+: .+; .+/);
                    assert.match(line, rest);
                    return true;
                },
            );
            await settled();
            assert.deepEqual(
                registrations.filter((r) => !r.type.startsWith("pulumi:providers:")),
                [],
                "something was registered before the refusal",
            );
        });
    }

    it("lists every problem at once", () => {
        mockStack();
        assert.throws(
            () =>
                new AmaMetricsIstio(
                    "bad",
                    { ...prometheus, namespace: "kube-system", istio: { revision: "asm_1" } },
                    { providers: testProviders() },
                ),
            (err: AmaMetricsIstioArgumentError) => err.messages.length === 2,
        );
    });

    it("refuses to run on default providers, naming each missing one", () => {
        mockStack();
        const { kubernetes } = testProviders();
        assert.throws(
            () => new AmaMetricsIstio("bad", prometheus, { providers: { kubernetes } }),
            (err: AmaMetricsIstioArgumentError) => {
                assert.deepEqual(
                    err.messages.map((p) => p.split(" = ")[0]),
                    ['opts.providers["azure-native"]'],
                );
                assert.match(err.message, /never falls back to a default provider/);
                return true;
            },
        );
    });

    it("takes the providers from a list, or from the parent component", async () => {
        mockStack();
        const providers = testProviders();
        assert.doesNotThrow(() => new AmaMetricsIstio("list", prometheus, { providers: Object.values(providers) }));
        const parent = new pulumi.ComponentResource("test:index:Parent", "parent", {}, { providers });
        assert.doesNotThrow(() => new AmaMetricsIstio("child", prometheus, { parent }));
        await settled();
    });

    it("accepts the defaults and each mode's own settings, for both collectors", async () => {
        for (const args of [
            prometheus,
            amaMetrics,
            withIstio({
                revision: "asm-1-27",
                proxyResources: { collector: { cpu: "0.5", memoryLimit: "1Gi" } },
                extraExcludeOutboundPorts: [9999],
            }),
            withIstio({ revision: "asm-1-27", meshNodeDaemonSet: true, proxyResources: { node: { cpu: "1e3" } } }, amaMetrics),
            certificates({
                authorizationPolicies: [target],
                scrapeNamespaces: ["payments"],
                proxyResources: { collector: { cpu: "50m" } },
            }),
            withIstio({ mode: "certificates", acknowledgeDefaultRevision: true }, amaMetrics),
            withIstio({ mode: "off" }),
            { ...withCluster({ private: true }), privateLinkScopeId: scopeId, workspace: { location: "northeurope" } },
            { ...prometheus, prometheus: { shards: 32, image: "quay.io/prometheus/prometheus:v3.14.0@sha256:" + "a".repeat(64) } },
            // A later release, one whose tag names no version, and one pinned only by digest.
            { ...prometheus, prometheus: { image: "registry.acme.example:5000/mirror/prometheus:v3.15.2" } },
            { ...prometheus, prometheus: { image: "registry.acme.example/prometheus:acme-build-17" } },
            { ...prometheus, prometheus: { image: "quay.io/prometheus/prometheus@sha256:" + "c".repeat(64) } },
            { ...prometheus, resourceGroupName: "rg-überwachung" },
            withCluster({ resourceId: clusterId.replace("aks-one", "aks_one") }),
            { ...prometheus, prometheus: { scrapeInterval: "1s", resources: { requests: { memory: "2Gi" }, limits: { cpu: "200m" } } } },
            { ...prometheus, prometheus: { scrapeInterval: "1m0s", image: "quay.io/prometheus/prometheus:v3.14.1-rc.0" } },
            withIstio({ mode: "sidecar", extraExcludeOutboundIPRanges: ["fd00::/8", "2001:db8:0:1::/64", "::ffff:10.0.0.0/104"] }),
            { ...prometheus, tags: { owner: pulumi.output("platform") } },
            {
                ...prometheus,
                scrapeConfigs: [
                    {
                        job_name: "apps",
                        scrape_interval: "15s",
                        scrape_timeout: "15s",
                        kubernetes_sd_configs: [
                            { role: "pod", namespaces: { names: ["shop"] }, selectors: [{ role: "pod", label: "app in (orders, cart)" }] },
                        ],
                        relabel_configs: [
                            { source_labels: ["__meta_kubernetes_pod_label_app"], regex: "(?P<app>orders|cart)", action: "keep" },
                        ],
                        bearer_token_file: "/var/run/secrets/kubernetes.io/serviceaccount/token",
                    },
                    // The default client, spelt out: Prometheus compares with it, not with the keys given.
                    {
                        job_name: "in-cluster",
                        kubernetes_sd_configs: [
                            { role: "node", follow_redirects: true, enable_http2: true, tls_config: { insecure_skip_verify: false } },
                        ],
                    },
                ],
            },
        ] as AmaMetricsIstioArgs[]) {
            await assert.doesNotReject(evaluate(args), `refused ${JSON.stringify(args)}`);
        }
    });

    for (const [argument, args, message] of [
        [
            "cluster.resourceId",
            withCluster({ resourceId: pulumi.output("/subscriptions/x/resourceGroups/rg") }),
            /cluster\.resourceId = "\/subscriptions\/x\/resourceGroups\/rg": not an AKS cluster resource id/,
        ],
        [
            "resourceGroupName",
            { ...prometheus, resourceGroupName: pulumi.output("rg/bad") },
            /resourceGroupName = "rg\/bad": not a resource group name/,
        ],
        [
            "cluster.oidcIssuerUrl",
            withCluster({ oidcIssuerUrl: pulumi.output("http://issuer/") }),
            /cluster\.oidcIssuerUrl = "http:\/\/issuer\/": not an AKS OIDC issuer URL/,
        ],
        [
            "grafana.principalId",
            { ...prometheus, grafana: { principalId: pulumi.output("grafana") } },
            /grafana\.principalId = "grafana": not a GUID/,
        ],
        ["tags", { ...prometheus, tags: pulumi.output({ owner: "x".repeat(300) }) }, /tags\.owner = "x+": longer than 256 characters/],
        [
            "a tag value",
            { ...prometheus, tags: { owner: pulumi.output("x".repeat(300)) } },
            /tags\.owner = "x+": longer than 256 characters/,
        ],
        [
            "cluster.kubernetesVersion",
            withCluster({ kubernetesVersion: pulumi.output("1.33") }, amaMetrics),
            /cluster\.kubernetesVersion = "1\.33": /,
        ],
        [
            "alerts.actionGroupIds",
            { ...prometheus, alerts: { actionGroupIds: [pulumi.output("/subscriptions/x/resourceGroups/rg")] } },
            /alerts\.actionGroupIds\[0\] = "\/subscriptions\/x\/resourceGroups\/rg": /,
        ],
        ["chart.values", { ...amaMetrics, chart: { values: pulumi.output(["a"] as never) } }, /chart\.values = \["a"\]: not a map/],
        [
            "workspace.resourceId",
            { ...prometheus, workspace: { resourceId: pulumi.output("/subscriptions/x") } },
            /workspace\.resourceId = "\/subscriptions\/x": /,
        ],
        [
            "a tag value that is not a string",
            { ...prometheus, tags: { owner: pulumi.output(7 as never) } },
            /tags\.owner = 7: not a string/,
        ],
    ] as Array<[string, AmaMetricsIstioArgs, RegExp]>) {
        it(`checks ${argument} known only later in the resource that uses it, with the same message`, async () => {
            // What the Pulumi runner would also see: promises that fail with nothing waiting for them.
            const unawaited: unknown[] = [];
            const collect = (reason: unknown) => unawaited.push(reason);
            process.on("unhandledRejection", collect);
            try {
                const { failures } = await evaluate(args);
                await new Promise((resolve) => setImmediate(resolve));
                assert.ok(
                    failures.some((error) => message.test(error.message)),
                    `no resource failed with ${message}:\n${failures.map((e) => e.message).join("\n")}`,
                );
                // One error, however many resources it reaches: the value is checked once, so the run reports it once.
                const errors = new Set([...failures, ...unawaited].filter((error) => message.test((error as Error).message)));
                assert.equal(errors.size, 1);
            } finally {
                process.off("unhandledRejection", collect);
            }
        });
    }

    it("does not crash on values unknown during a preview: every resource is still registered", async () => {
        pulumi.runtime.setMocks(
            { newResource: (args) => ({ id: `${args.name}-id`, state: {} }), call: () => ({}) },
            "ama-metrics-istio",
            "preview",
            true,
        );
        const registrations = captureRegistrations();
        // An output the preview does not know yet, as a new resource's are.
        class Later extends pulumi.CustomResource {
            declare readonly value: pulumi.Output<string>;
        }
        const later = new Later("test:index:Later", "later", { value: undefined });
        const unknownId = later.value;
        new AmaMetricsIstio(
            "preview",
            { ...amaMetrics, cluster: { ...amaMetrics.cluster, resourceId: unknownId } },
            { providers: testProviders() },
        );
        await settled();
        const types = registrations.map((r) => r.type);
        for (const type of [
            "azure-native:monitor:DataCollectionRuleAssociation",
            "kubernetes:helm.sh/v4:Chart",
            "kubernetes:core/v1:Namespace",
        ]) {
            assert.ok(types.includes(type), `${type} was not registered during the preview`);
        }
    });

    it("reports a known output as its value", async () => {
        const { component } = await evaluate(prometheus);
        assert.equal(await valueOf(component.namespace), "monitoring");
    });
});
