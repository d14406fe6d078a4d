// Upstream's verdicts on bad scrape jobs, as test rows for scrapeConfigOracle.test.ts: each row pairs a file (or
// case) of Prometheus v3.14.0 / prometheus/common v0.70.1 with the error upstream's test expects and the
// argument the component must name.

// [file, Prometheus' error (config_test.go), the argument refused here]
export const badScrapeJobs: Array<[string, string, string]> = [
    ["jobname.bad.yml", "job_name is empty", "scrapeConfigs[0].job_name = null"],
    ["jobname_dup.bad.yml", `found multiple scrape configs with job name "prometheus"`, `scrapeConfigs[2].job_name = "prometheus"`],
    ["scrape_interval.bad.yml", "scrape timeout greater than scrape interval", `scrapeConfigs[0].scrape_timeout = "6s"`],
    ["regex.bad.yml", "error parsing regexp", `scrapeConfigs[0].relabel_configs[0].regex = "abc(def"`],
    [
        "modulus_missing.bad.yml",
        "relabel configuration for hashmod requires non-zero modulus",
        "scrapeConfigs[0].relabel_configs[0].modulus",
    ],
    [
        "labelkeep.bad.yml",
        "labelkeep action requires only 'regex', and no other fields",
        "scrapeConfigs[0].relabel_configs[0].source_labels",
    ],
    ["labelkeep2.bad.yml", "labelkeep action requires only 'regex', and no other fields", "scrapeConfigs[0].relabel_configs[0].modulus"],
    ["labelkeep3.bad.yml", "labelkeep action requires only 'regex', and no other fields", "scrapeConfigs[0].relabel_configs[0].separator"],
    [
        "labelkeep4.bad.yml",
        "labelkeep action requires only 'regex', and no other fields",
        "scrapeConfigs[0].relabel_configs[0].replacement",
    ],
    [
        "labelkeep5.bad.yml",
        "labelkeep action requires only 'regex', and no other fields",
        "scrapeConfigs[0].relabel_configs[0].target_label",
    ],
    [
        "labeldrop.bad.yml",
        "labeldrop action requires only 'regex', and no other fields",
        "scrapeConfigs[0].relabel_configs[0].source_labels",
    ],
    ["labeldrop2.bad.yml", "labeldrop action requires only 'regex', and no other fields", "scrapeConfigs[0].relabel_configs[0].modulus"],
    ["labeldrop3.bad.yml", "labeldrop action requires only 'regex', and no other fields", "scrapeConfigs[0].relabel_configs[0].separator"],
    [
        "labeldrop4.bad.yml",
        "labeldrop action requires only 'regex', and no other fields",
        "scrapeConfigs[0].relabel_configs[0].replacement",
    ],
    [
        "labeldrop5.bad.yml",
        "labeldrop action requires only 'regex', and no other fields",
        "scrapeConfigs[0].relabel_configs[0].target_label",
    ],
    [
        "dropequal.bad.yml",
        "relabel configuration for dropequal action requires 'target_label' value",
        "scrapeConfigs[0].relabel_configs[0].target_label",
    ],
    [
        "dropequal1.bad.yml",
        "dropequal action requires only 'source_labels' and `target_label`, and no other fields",
        "scrapeConfigs[0].relabel_configs[0].regex",
    ],
    [
        "keepequal.bad.yml",
        "relabel configuration for keepequal action requires 'target_label' value",
        "scrapeConfigs[0].relabel_configs[0].target_label",
    ],
    [
        "keepequal1.bad.yml",
        "keepequal action requires only 'source_labels' and `target_label`, and no other fields",
        "scrapeConfigs[0].relabel_configs[0].regex",
    ],
    ["labelmap.bad.yml", "!!binary value contains invalid base64 data", "scrapeConfigs[0].relabel_configs[0].replacement"],
    [
        "lowercase.bad.yml",
        "relabel configuration for lowercase action requires 'target_label' value",
        "scrapeConfigs[0].relabel_configs[0].target_label",
    ],
    ["lowercase3.bad.yml", "'replacement' can not be set for lowercase action", `scrapeConfigs[0].relabel_configs[0].replacement = "bar"`],
    [
        "uppercase.bad.yml",
        "relabel configuration for uppercase action requires 'target_label' value",
        "scrapeConfigs[0].relabel_configs[0].target_label",
    ],
    ["uppercase3.bad.yml", "'replacement' can not be set for uppercase action", "scrapeConfigs[0].relabel_configs[0].replacement"],
    ["unknown_attr.bad.yml", "field consult_sd_configs not found in type", "scrapeConfigs[0].consult_sd_configs"],
    ["bearertoken.bad.yml", "at most one of bearer_token & bearer_token_file must be configured", "scrapeConfigs[0].bearer_token_file"],
    [
        "bearertoken_basicauth.bad.yml",
        "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured",
        "scrapeConfigs[0].basic_auth",
    ],
    [
        "kubernetes_http_config_without_api_server.bad.yml",
        "to use custom HTTP client configuration please provide the 'api_server' URL explicitly",
        "scrapeConfigs[0].kubernetes_sd_configs[0].authorization",
    ],
    [
        "kubernetes_kubeconfig_with_own_namespace.bad.yml",
        "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously",
        "scrapeConfigs[0].kubernetes_sd_configs[0].namespaces.own_namespace",
    ],
    [
        "kubernetes_api_server_with_own_namespace.bad.yml",
        "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously",
        "scrapeConfigs[0].kubernetes_sd_configs[0].namespaces.own_namespace",
    ],
    [
        "kubernetes_kubeconfig_with_apiserver.bad.yml",
        "cannot use 'kubeconfig_file' and 'api_server' simultaneously",
        "scrapeConfigs[0].kubernetes_sd_configs[0].kubeconfig_file",
    ],
    [
        "kubernetes_kubeconfig_with_http_config.bad.yml",
        "cannot use a custom HTTP client configuration together with 'kubeconfig_file'",
        "scrapeConfigs[0].kubernetes_sd_configs[0].basic_auth",
    ],
    [
        "kubernetes_bearertoken.bad.yml",
        "at most one of bearer_token & bearer_token_file must be configured",
        "scrapeConfigs[0].kubernetes_sd_configs[0].bearer_token_file",
    ],
    ["kubernetes_role.bad.yml", "role", `scrapeConfigs[0].kubernetes_sd_configs[0].role = "vacation"`],
    [
        "kubernetes_selectors_endpoints.bad.yml",
        "endpoints role supports only pod, service, endpoints selectors",
        `scrapeConfigs[0].kubernetes_sd_configs[0].selectors[0].role = "node"`,
    ],
    [
        "kubernetes_selectors_ingress.bad.yml",
        "ingress role supports only ingress selectors",
        `scrapeConfigs[0].kubernetes_sd_configs[0].selectors[0].role = "node"`,
    ],
    [
        "kubernetes_selectors_node.bad.yml",
        "node role supports only node selectors",
        `scrapeConfigs[0].kubernetes_sd_configs[0].selectors[0].role = "pod"`,
    ],
    [
        "kubernetes_selectors_pod.bad.yml",
        "pod role supports only pod, node selectors",
        `scrapeConfigs[0].kubernetes_sd_configs[0].selectors[1].role = "service"`,
    ],
    [
        "kubernetes_selectors_service.bad.yml",
        "service role supports only service selectors",
        `scrapeConfigs[0].kubernetes_sd_configs[0].selectors[0].role = "pod"`,
    ],
    [
        "kubernetes_namespace_discovery.bad.yml",
        "field foo not found in type kubernetes.plain",
        "scrapeConfigs[0].kubernetes_sd_configs[0].namespaces.foo",
    ],
    [
        "kubernetes_selectors_duplicated_role.bad.yml",
        "duplicated selector role: pod",
        `scrapeConfigs[0].kubernetes_sd_configs[0].selectors[1].role = "pod"`,
    ],
    [
        "kubernetes_selectors_incorrect_selector.bad.yml",
        "invalid selector: 'metadata.status-Running'",
        `scrapeConfigs[0].kubernetes_sd_configs[0].selectors[0].field = "metadata.status-Running"`,
    ],
    [
        "kubernetes_bearertoken_basicauth.bad.yml",
        "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured",
        "scrapeConfigs[0].kubernetes_sd_configs[0].basic_auth",
    ],
    [
        "kubernetes_authorization_basicauth.bad.yml",
        "at most one of basic_auth, oauth2 & authorization must be configured",
        "scrapeConfigs[0].kubernetes_sd_configs[0].authorization",
    ],
    ["url_in_targetgroup.bad.yml", `"http://bad" is not a valid hostname`, `scrapeConfigs[0].static_configs[0].targets[0] = "http://bad"`],
    [
        "target_label_missing.bad.yml",
        "relabel configuration for replace action requires 'target_label' value",
        "scrapeConfigs[0].relabel_configs[0].target_label",
    ],
    [
        "target_label_hashmod_missing.bad.yml",
        "relabel configuration for hashmod action requires 'target_label' value",
        "scrapeConfigs[0].relabel_configs[0].target_label",
    ],
    ["empty_scrape_config.bad.yml", "empty or null scrape config section", "scrapeConfigs[0] = null"],
    ["empty_target_relabel_config.bad.yml", "empty or null target relabeling rule", "scrapeConfigs[0].relabel_configs[0] = null"],
    ["empty_metric_relabel_config.bad.yml", "empty or null metric relabeling rule", "scrapeConfigs[0].metric_relabel_configs[0] = null"],
    ["empty_static_config.bad.yml", "empty or null section in static_configs", "scrapeConfigs[0].static_configs[0] = null"],
    ["scrape_body_size_limit.bad.yml", "units: unknown unit  in 100", "scrapeConfigs[0].body_size_limit = 100"],
    ["http_url_no_scheme.bad.yml", "URL scheme must be 'http' or 'https'", `scrapeConfigs[0].http_sd_configs[0].url = "invalid"`],
    ["http_url_no_host.bad.yml", "host is missing in URL", `scrapeConfigs[0].http_sd_configs[0].url = "http://"`],
    [
        "http_token_file.bad.yml",
        "at most one of bearer_token & bearer_token_file must be configured",
        "scrapeConfigs[0].http_sd_configs[0].bearer_token_file",
    ],
    [
        "http_url_bad_scheme.bad.yml",
        "URL scheme must be 'http' or 'https'",
        `scrapeConfigs[0].http_sd_configs[0].url = "ftp://example.com"`,
    ],
    ["empty_scrape_config_action.bad.yml", "relabel action cannot be empty", "scrapeConfigs[0].relabel_configs[0].action = null"],
    [
        "scrape_config_files_scrape_protocols.bad.yml",
        "unknown scrape protocol prometheusproto",
        `scrapeConfigs[0].scrape_protocols[0] = "prometheusproto"`,
    ],
    [
        "scrape_config_files_scrape_protocols2.bad.yml",
        "duplicated protocol in scrape_protocols",
        `scrapeConfigs[0].scrape_protocols[2] = "OpenMetricsText1.0.0"`,
    ],
    [
        "scrape_config_files_fallback_scrape_protocol1.bad.yml",
        "invalid fallback_scrape_protocol",
        `scrapeConfigs[0].fallback_scrape_protocol = "prometheusproto"`,
    ],
    ["scrape_config_files_fallback_scrape_protocol2.bad.yml", "unmarshal errors", "scrapeConfigs[0].fallback_scrape_protocol = ["],
];

// prometheus/common v0.70.1 `invalidHTTPClientConfigs`, each file inlined into a job: [file, error, argument].
export const badHttpClients: Array<[string, string, string]> = [
    [
        "http.conf.bearer-token-and-file-set.bad.yml",
        "at most one of bearer_token & bearer_token_file must be configured",
        "bearer_token_file",
    ],
    ["http.conf.empty.bad.yml", "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured", "basic_auth"],
    [
        "http.conf.basic-auth.too-much.bad.yaml",
        "at most one of basic_auth password, password_file & password_ref must be configured",
        "basic_auth.password_file",
    ],
    [
        "http.conf.basic-auth.bad-username.yaml",
        "at most one of basic_auth username, username_file & username_ref must be configured",
        "basic_auth.username_file",
    ],
    ["http.conf.mix-bearer-and-creds.bad.yaml", "authorization is not compatible with bearer_token & bearer_token_file", "authorization"],
    [
        "http.conf.auth-creds-and-file-set.too-much.bad.yaml",
        "at most one of authorization credentials & credentials_file must be configured",
        "authorization.credentials_file",
    ],
    [
        "http.conf.basic-auth-and-auth-creds.too-much.bad.yaml",
        "at most one of basic_auth, oauth2 & authorization must be configured",
        "authorization",
    ],
    ["http.conf.basic-auth-and-oauth2.too-much.bad.yaml", "at most one of basic_auth, oauth2 & authorization must be configured", "oauth2"],
    [
        "http.conf.auth-creds-no-basic.bad.yaml",
        `authorization type cannot be set to "basic", use "basic_auth" instead`,
        "authorization.type",
    ],
    [
        "http.conf.oauth2-secret-and-file-set.bad.yml",
        "at most one of oauth2 client_secret, client_secret_file & client_secret_ref must be configured",
        "oauth2.client_secret_file",
    ],
    [
        "http.conf.oauth2-certificate-and-file-set.bad.yml",
        "at most one of oauth2 client_certificate_key, client_certificate_key_file & client_certificate_key_ref",
        "oauth2.client_certificate_key_file",
    ],
    ["http.conf.oauth2-no-client-id.bad.yaml", "oauth2 client_id must be configured", "oauth2.client_id"],
    ["http.conf.oauth2-no-token-url.bad.yaml", "oauth2 token_url must be configured", "oauth2.token_url"],
    ["http.conf.proxy-from-env.bad.yaml", "if proxy_from_environment is configured, proxy_url must not be configured", "proxy_url"],
    ["http.conf.no-proxy.bad.yaml", "if proxy_from_environment is configured, no_proxy must not be configured", "no_proxy"],
    ["http.conf.no-proxy-without-proxy-url.bad.yaml", "if no_proxy is configured, proxy_url must also be configured", "no_proxy"],
    ["http.conf.headers-reserved.bad.yaml", `setting header "User-Agent" is not allowed`, "http_headers."],
    [
        "http.conf.proxy-headers.bad.yml",
        "proxy_connect_header without proxy (TestProxyConfig_Proxy_Headers 'bad yaml')",
        "proxy_connect_header",
    ],
];
// TLS settings: prometheus/common v0.70.1 `TLSConfig.Validate` and `TestTLSConfigInvalidCA` (the cases that do
// not need a file to exist): [case, tls_config, error, argument].
export const badTlsConfigs: Array<[string, Record<string, unknown>, string, string]> = [
    [
        "cert and cert_file",
        { cert: "PEM", cert_file: "client.crt", key_file: "client.key" },
        "at most one of cert, cert_file & cert_ref must be configured",
        "tls_config.cert_file",
    ],
    [
        "key and key_file",
        { cert_file: "client.crt", key: "PEM", key_file: "client.key" },
        "at most one of key and key_file must be configured",
        "tls_config.key_file",
    ],
    ["ca and ca_ref", { ca: "PEM", ca_ref: "ca" }, "at most one of ca, ca_file & ca_ref must be configured", "tls_config.ca_ref"],
    [
        "a client certificate without a key",
        { cert_file: "client.crt" },
        "exactly one of key or key_file must be configured when a client certificate is configured",
        "tls_config.key_file",
    ],
    [
        "a client key without a certificate",
        { key_file: "client.key" },
        "exactly one of cert or cert_file must be configured when a client key is configured",
        "tls_config.cert_file",
    ],
    ["an unknown TLS version", { min_version: "TLS14" }, "unknown TLS version: TLS14", "tls_config.min_version"],
];
