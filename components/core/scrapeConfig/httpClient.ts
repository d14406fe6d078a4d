// Prometheus' HTTP client settings (prometheus/common v0.70.1 config/http_config.go, config/headers.go),
// inlined into a scrape job and into the service discoveries that call an API. The rules are those of
// `HTTPClientConfig.Validate`, `TLSConfig.Validate`, `ProxyConfig.Validate` and `Headers.Validate`.

import { posix } from "node:path";
import * as v from "valibot";
import { Problem, problem } from "../errors";
import { bool, strict } from "../shapes";
import { httpUrl, list, map, secret, text } from "./values";

type Json = Record<string, unknown>;

const tlsVersion = v.picklist(["TLS10", "TLS11", "TLS12", "TLS13"], 'not a TLS version; use "TLS12" or "TLS13"');

const tlsConfig = strict({
    ca: v.optional(text("a PEM certificate")),
    cert: v.optional(text("a PEM certificate")),
    key: v.optional(secret),
    ca_file: v.optional(text("a file path")),
    cert_file: v.optional(text("a file path")),
    key_file: v.optional(text("a file path")),
    ca_ref: v.optional(text()),
    cert_ref: v.optional(text()),
    key_ref: v.optional(text()),
    server_name: v.optional(text("a host name")),
    insecure_skip_verify: v.optional(bool),
    min_version: v.optional(tlsVersion),
    max_version: v.optional(tlsVersion),
});

const header = strict({
    values: v.optional(list(text(), '["value"]')),
    secrets: v.optional(list(secret, '["value"]')),
    files: v.optional(list(text("a file path"), '["/etc/secret/header"]')),
});

/** The proxy settings, inlined wherever an HTTP client is. */
const proxyEntries = {
    proxy_url: v.optional(httpUrl),
    no_proxy: v.optional(text("a comma-separated list of hosts")),
    proxy_from_environment: v.optional(bool),
    proxy_connect_header: v.optional(map(list(secret, '["value"]'), '{ "X-Header": ["value"] }')),
};

const oauth2 = strict({
    client_id: v.optional(secret),
    client_secret: v.optional(secret),
    client_secret_file: v.optional(text("a file path")),
    client_secret_ref: v.optional(text()),
    client_certificate_key_id: v.optional(text()),
    client_certificate_key: v.optional(secret),
    client_certificate_key_file: v.optional(text("a file path")),
    client_certificate_key_ref: v.optional(text()),
    grant_type: v.optional(text()),
    signature_algorithm: v.optional(text()),
    iss: v.optional(text()),
    audience: v.optional(text()),
    claims: v.optional(map(v.unknown(), '{ "sub": "me" }')),
    scopes: v.optional(list(text(), '["read"]')),
    token_url: v.optional(text("a URL")),
    endpoint_params: v.optional(map(text(), '{ "resource": "x" }')),
    tls_config: v.optional(tlsConfig),
    ...proxyEntries,
});

/** The keys `HTTPClientConfig` adds to the object it is inlined into. */
export const httpClientEntries = {
    basic_auth: v.optional(
        strict({
            username: v.optional(secret),
            username_file: v.optional(text("a file path")),
            username_ref: v.optional(text()),
            password: v.optional(secret),
            password_file: v.optional(text("a file path")),
            password_ref: v.optional(text()),
        }),
    ),
    authorization: v.optional(
        strict({
            type: v.optional(text('an authorization type, e.g. "Bearer"')),
            credentials: v.optional(secret),
            credentials_file: v.optional(text("a file path")),
            credentials_ref: v.optional(text()),
        }),
    ),
    oauth2: v.optional(oauth2),
    bearer_token: v.optional(secret),
    bearer_token_file: v.optional(text("a file path")),
    tls_config: v.optional(tlsConfig),
    follow_redirects: v.optional(bool),
    enable_http2: v.optional(bool),
    http_headers: v.optional(map(header, '{ "X-Tenant": { values: ["a"] } }')),
    ...proxyEntries,
};

/** The HTTP client keys, to tell a customised client from the default one (Kubernetes SD cares). */
export const httpClientKeys = Object.keys(httpClientEntries);

const given = (value: unknown) => value !== undefined && value !== null && value !== "";
const several = (...values: unknown[]) => values.filter(given).length > 1;

// prometheus/common ReservedHeaders (config/headers.go), canonicalised as Go's http.CanonicalHeaderKey does.
const reservedHeaders = new Set([
    "Authorization",
    "Host",
    "Content-Encoding",
    "Content-Length",
    "Content-Type",
    "User-Agent",
    "Connection",
    "Keep-Alive",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Www-Authenticate",
    "Accept-Encoding",
    "X-Prometheus-Remote-Write-Version",
    "X-Prometheus-Remote-Read-Version",
    "X-Prometheus-Scrape-Timeout-Seconds",
    "X-Amz-Date",
    "X-Amz-Security-Token",
    "X-Amz-Content-Sha256",
]);
const canonicalHeader = (name: string) =>
    name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

/**
 * The directories where the Workload ID webhook mounts the collector's Azure token: the old mount
 * (`/var/run/secrets/azure/tokens`) and v1.6.0's (`/var/run/secrets/azure/wi/token`, azure-workload-identity
 * pkg/webhook/consts.go). `/var/run` is a link to `/run` in the image, so both spellings lead there.
 */
const azureTokenDirectories = ["/var/run/secrets/azure/", "/run/secrets/azure/"];

function isAzureTokenPath(file: unknown): boolean {
    if (typeof file !== "string") return false;
    // Relative paths resolve against the configuration's directory: "../" can still reach the token.
    const path = posix.normalize(posix.join("/", file));
    return azureTokenDirectories.some((dir) => `${path}/`.includes(dir));
}

/** The credential files of a client: where each would be sent from. */
function credentialFiles(client: Json): Array<[string, unknown]> {
    const basic = (client.basic_auth ?? {}) as Json;
    const authorization = (client.authorization ?? {}) as Json;
    const oauth = (client.oauth2 ?? {}) as Json;
    const headers = Object.entries((client.http_headers ?? {}) as Record<string, Json>).flatMap(([name, h]) =>
        ((h.files ?? []) as unknown[]).map((file, i): [string, unknown] => [`http_headers.${name}.files[${i}]`, file]),
    );
    return [
        ["bearer_token_file", client.bearer_token_file],
        ["basic_auth.username_file", basic.username_file],
        ["basic_auth.password_file", basic.password_file],
        ["authorization.credentials_file", authorization.credentials_file],
        ["oauth2.client_secret_file", oauth.client_secret_file],
        ["oauth2.client_certificate_key_file", oauth.client_certificate_key_file],
        ...headers,
    ];
}

function tlsProblems(tls: Json | undefined, at: string): Problem[] {
    if (tls === undefined) return [];
    const problems: Problem[] = [];
    const exclusive = (keys: string[]) => {
        const set = keys.filter((key) => given(tls[key]));
        if (set.length > 1) {
            problems.push(
                problem(`${at}.${set[1]}`, tls[set[1]], `given together with ${set[0]}`, `give at most one of ${keys.join(", ")}`),
            );
        }
    };
    exclusive(["ca", "ca_file", "ca_ref"]);
    exclusive(["cert", "cert_file", "cert_ref"]);
    exclusive(["key", "key_file", "key_ref"]);
    const cert = given(tls.cert) || given(tls.cert_file) || given(tls.cert_ref);
    const key = given(tls.key) || given(tls.key_file) || given(tls.key_ref);
    if (cert !== key) {
        const [has, lacks] = cert ? ["cert", "key"] : ["key", "cert"];
        problems.push(
            problem(
                `${at}.${lacks}_file`,
                undefined,
                `a client ${has} needs its ${lacks}`,
                `give ${lacks} or ${lacks}_file too, or drop ${has}`,
            ),
        );
    }
    return problems;
}

function proxyProblems(client: Json, at: (key: string) => string): Problem[] {
    const problems: Problem[] = [];
    const hasUrl = given(client.proxy_url);
    const fromEnvironment = client.proxy_from_environment === true;
    const headers = client.proxy_connect_header as Json | undefined;
    if (headers !== undefined && Object.keys(headers).length > 0 && !fromEnvironment && !hasUrl) {
        problems.push(
            problem(
                at("proxy_connect_header"),
                headers,
                "headers for a proxy that is not configured",
                "give proxy_url or proxy_from_environment: true, or drop it",
            ),
        );
    }
    if (fromEnvironment && hasUrl) {
        problems.push(problem(at("proxy_url"), client.proxy_url, "given together with proxy_from_environment", "give one of them"));
    }
    if (fromEnvironment && given(client.no_proxy)) {
        problems.push(
            problem(at("no_proxy"), client.no_proxy, "proxy_from_environment takes NO_PROXY from the environment", "drop no_proxy"),
        );
    }
    if (!hasUrl && given(client.no_proxy)) {
        problems.push(
            problem(at("no_proxy"), client.no_proxy, "exceptions to a proxy that is not configured", "give proxy_url too, or drop it"),
        );
    }
    return problems;
}

/** The rules of one HTTP client; `at` names a key of it as the user wrote it. */
export function httpClientProblems(client: Json, at: (key: string) => string): Problem[] {
    const problems: Problem[] = [];
    const auth = (key: string, why: string, fix: string) => problems.push(problem(at(key), client[key], why, fix));
    const bearer = given(client.bearer_token) || given(client.bearer_token_file);
    if (given(client.bearer_token) && given(client.bearer_token_file)) {
        auth("bearer_token_file", "given together with bearer_token", "give one of bearer_token and bearer_token_file");
    }
    for (const other of ["basic_auth", "oauth2", "authorization"]) {
        if (client[other] !== undefined && bearer) {
            auth(other, "given together with bearer_token/bearer_token_file", `give one of ${other} and bearer_token/bearer_token_file`);
        }
    }
    if (client.basic_auth !== undefined && client.oauth2 !== undefined) {
        auth("oauth2", "given together with basic_auth", "give at most one of basic_auth, oauth2 and authorization");
    }
    if (client.authorization !== undefined && (client.basic_auth !== undefined || client.oauth2 !== undefined)) {
        auth("authorization", "given together with basic_auth or oauth2", "give at most one of basic_auth, oauth2 and authorization");
    }
    // A secret given inline, from a file and by reference at once: Prometheus takes one of them.
    const oneSource = (group: Json, path: string, name: string, what: string) => {
        const file = `${name}_file`;
        if (several(group[name], group[file], group[`${name}_ref`])) {
            problems.push(
                problem(at(`${path}.${file}`), group[file], `more than one ${what}`, `give one of ${name}, ${file} and ${name}_ref`),
            );
        }
    };
    const basic = client.basic_auth as Json | undefined;
    if (basic) {
        oneSource(basic, "basic_auth", "username", "username");
        oneSource(basic, "basic_auth", "password", "password");
    }
    const authorization = client.authorization as Json | undefined;
    if (authorization) {
        if (several(authorization.credentials, authorization.credentials_file, authorization.credentials_ref)) {
            problems.push(
                problem(
                    at("authorization.credentials_file"),
                    authorization.credentials_file,
                    "given together with credentials",
                    "give one of credentials and credentials_file",
                ),
            );
        }
        if (typeof authorization.type === "string" && authorization.type.trim().toLowerCase() === "basic") {
            problems.push(
                problem(at("authorization.type"), authorization.type, "Prometheus refuses the Basic type here", "use basic_auth instead"),
            );
        }
    }
    const oauth = client.oauth2 as Json | undefined;
    if (oauth) {
        if (!given(oauth.client_id)) problems.push(problem(at("oauth2.client_id"), undefined, "missing", "give the OAuth 2 client id"));
        if (!given(oauth.token_url)) problems.push(problem(at("oauth2.token_url"), undefined, "missing", "give the token endpoint URL"));
        if (oauth.grant_type === "urn:ietf:params:oauth:grant-type:jwt-bearer") {
            oneSource(oauth, "oauth2", "client_certificate_key", "client certificate key");
            if (given(oauth.signature_algorithm) && !["RS256", "RS384", "RS512"].includes(oauth.signature_algorithm as string)) {
                problems.push(
                    problem(
                        at("oauth2.signature_algorithm"),
                        oauth.signature_algorithm,
                        "not a signature algorithm Prometheus signs with",
                        'use "RS256", "RS384" or "RS512"',
                    ),
                );
            }
        } else {
            oneSource(oauth, "oauth2", "client_secret", "client secret");
        }
        problems.push(...tlsProblems(oauth.tls_config as Json | undefined, at("oauth2.tls_config")));
        problems.push(...proxyProblems(oauth, (key) => at(`oauth2.${key}`)));
    }
    problems.push(...tlsProblems(client.tls_config as Json | undefined, at("tls_config")));
    problems.push(...proxyProblems(client, at));
    for (const name of Object.keys((client.http_headers ?? {}) as Json)) {
        if (reservedHeaders.has(canonicalHeader(name))) {
            problems.push(
                problem(
                    at(`http_headers.${name}`),
                    name,
                    "Prometheus sets that header itself",
                    "drop it (authentication has its own settings)",
                ),
            );
        }
    }
    for (const [key, file] of credentialFiles(client)) {
        if (isAzureTokenPath(file)) {
            problems.push(
                problem(
                    at(key),
                    file,
                    "that is where the collector's Azure Workload ID token is mounted: it would be sent to every target of the job",
                    "give a credential of the target's own, from a Secret mounted elsewhere",
                ),
            );
        }
    }
    return problems;
}
