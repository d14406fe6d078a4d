// Each value format the package accepts, defined once: the component's arguments, the post-renderer's
// flags and the verify command's flags all check their values with these.

import { isIPv4, isIPv6 } from "node:net";
import * as v from "valibot";

/** A format: a test, what a value that fails it is, and how to write a good one. */
export interface Format {
    test(value: unknown): boolean;
    /** What is wrong with a value that fails the test, e.g. "not an Azure region name". */
    wrong: string;
    /** What would be valid, with an example. */
    fix: string;
}

function format(wrong: string, fix: string, test: (value: string) => boolean): Format {
    return { wrong, fix, test: (value) => typeof value === "string" && test(value) };
}

/** The same test with another fix, for a use that knows better what to suggest. */
export function withFix(base: Format, fix: string): Format {
    return { ...base, fix };
}

// Azure's GUIDs (subscription, tenant, principal and client ids) in their usual hyphenated form.
const guid = v.pipe(v.string(), v.uuid());
const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Kubernetes' quantity grammar (apimachinery resource.Quantity), without a sign.
const quantityPattern = /^(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;
// Label values: at most 63 characters, alphanumerics, '-', '_', '.', alphanumeric at both ends.
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// Label keys: an optional DNS subdomain prefix and '/', then a name like a label value (not empty).
const labelNamePattern = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
// OCI image references (distribution/reference): optional registry, path, then a tag and/or a digest.
const imagePattern =
    /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

// Prometheus durations (prometheus/common model.ParseDuration): "0", or units from years down to
// milliseconds, each at most once and in this order.
const durationPattern = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const unitMs = [365 * 24 * 3600e3, 7 * 24 * 3600e3, 24 * 3600e3, 3600e3, 60e3, 1e3, 1];
// model.ParseDuration refuses what overflows a time.Duration (int64 nanoseconds).
const maxDurationMs = 2 ** 63 / 1e6;

/** Milliseconds, or undefined when Prometheus would not parse it. */
export function parseDuration(value: unknown): number | undefined {
    if (typeof value !== "string" || value === "") return undefined;
    if (value === "0") return 0;
    const match = durationPattern.exec(value);
    if (!match) return undefined;
    const ms = unitMs.reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * unit, 0);
    return ms <= maxDurationMs ? ms : undefined;
}

function isDnsLabel(value: unknown): value is string {
    return typeof value === "string" && value.length <= 63 && dnsLabelPattern.test(value);
}

function isDnsSubdomain(value: unknown): value is string {
    return typeof value === "string" && value.length <= 253 && value.split(".").every((part) => dnsLabelPattern.test(part));
}

function isLabelKey(value: unknown): boolean {
    if (typeof value !== "string") return false;
    const slash = value.lastIndexOf("/");
    const prefix = slash < 0 ? undefined : value.slice(0, slash);
    const name = slash < 0 ? value : value.slice(slash + 1);
    return (prefix === undefined || isDnsSubdomain(prefix)) && name.length <= 63 && labelNamePattern.test(name);
}

function isLabelValue(value: unknown): boolean {
    return typeof value === "string" && value.length <= 63 && labelValuePattern.test(value);
}

/** An IPv4 or IPv6 range in CIDR notation, with no host bits set. */
function isCidr(value: unknown): boolean {
    if (typeof value !== "string") return false;
    const [address, prefix, extra] = value.split("/");
    if (extra !== undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
    const bits = Number(prefix);
    if (isIPv4(address)) {
        if (bits > 32) return false;
        const number = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
        return bits === 32 || number % 2 ** (32 - bits) === 0;
    }
    if (!isIPv6(address) || bits > 128) return false;
    return bits === 128 || ipv6Value(address) % 2n ** BigInt(128 - bits) === 0n;
}

/** An IPv6 address as a 128-bit number ("::" expanded, a trailing dotted IPv4 part included). */
function ipv6Value(address: string): bigint {
    const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
    const text = dotted
        ? address.replace(
              dotted[1],
              dotted[1].split(".").reduce((hex, octet, i) => hex + (i === 2 ? ":" : "") + Number(octet).toString(16).padStart(2, "0"), ""),
          )
        : address;
    const [head, tail] = text.split("::");
    const groups = (part: string | undefined) => (part ? part.split(":") : []);
    const missing = 8 - groups(head).length - groups(tail).length;
    const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(missing).fill("0"), ...groups(tail)];
    return all.reduce((n, group) => n * 65536n + BigInt(parseInt(group, 16)), 0n);
}

export const formats = {
    guid: format("not a GUID", "use the GUID form, e.g. 6f1c2a4e-0d6b-4c1e-9a55-1d2f3c4b5a60", (value) => v.is(guid, value)),
    // Programmatic region names: "westeurope", "eastus2", "usgovvirginia".
    azureRegion: format("not an Azure region name", 'use the programmatic region name, e.g. "westeurope" (not "West Europe")', (text) =>
        /^[a-z][a-z0-9]{2,39}$/.test(text),
    ),
    // Azure's naming rules: 1-90 letters (Unicode included), digits, '_', '-', '.', '(' and ')', not ending in '.'.
    resourceGroupName: format(
        "not a resource group name",
        "use 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
        (text) => text.length >= 1 && text.length <= 90 && /^[-\w.()\p{L}\p{N}]+$/u.test(text) && !text.endsWith("."),
    ),
    kubernetesVersion: format(
        "not a Kubernetes version",
        "use the cluster's version as AKS reports it, major.minor.patch, e.g. \"1.33.7\" (no leading 'v')",
        // The agent's config reader parses it with utilversion.ParseSemantic, which takes only x.y.z: "1.33" is
        // logged and ignored, and on 1.37+ the allocator then watches Secrets its RBAC no longer grants
        // (Azure/prometheus-collector otelcollector/configuration-reader-builder/main.go, KUBE_VERSION).
        (text) => /^1\.\d+\.\d+$/.test(text),
    ),
    // Helm chart versions are SemVer 2.
    exactVersion: format(
        "not an exact version",
        'pin an exact SemVer version, e.g. "7.1.0-main-07-07-2026-548e23dc"; a range would let previews drift',
        (text) => /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(text),
    ),
    // OCI tags (distribution spec).
    imageTag: format("not an image tag", 'use a release tag, e.g. "7.1.0-main-07-07-2026-548e23dc"', (text) =>
        /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(text),
    ),
    image: format(
        "not an image reference",
        'use <registry>/<repository>:<tag>, e.g. "quay.io/prometheus/prometheus:v3.14.0", optionally with @sha256:<digest>',
        (text) => text.length <= 512 && imagePattern.test(text) && /:[\w][\w.-]*(@|$)|@sha256:/.test(text),
    ),
    namespace: format(
        "not a Kubernetes namespace name",
        "use a DNS label of at most 63 characters: lower-case letters, digits and '-', e.g. \"monitoring\"",
        isDnsLabel,
    ),
    objectName: format(
        "not a Kubernetes object name",
        "use lower-case letters, digits, '-' and '.', at most 253 characters",
        isDnsSubdomain,
    ),
    dnsDomain: format("not a DNS domain", 'use a domain such as "cluster.local"', isDnsSubdomain),
    // Istio names Deployments and webhooks after the revision, and the revision is a label value.
    revision: format(
        "not an Istio revision name",
        "use the revision as the control plane names it, e.g. \"asm-1-27\" (lower-case letters, digits and '-')",
        isDnsLabel,
    ),
    labelKey: format("not a label key", 'use a Kubernetes label key, e.g. "app" or "app.kubernetes.io/name"', isLabelKey),
    labelValue: format("not a label value", "use at most 63 letters, digits, '-', '_' or '.'", isLabelValue),
    quantity: format("not a Kubernetes quantity", 'use e.g. "100m" or "0.5" for CPU and "128Mi" or "1Gi" for memory', (text) =>
        quantityPattern.test(text),
    ),
    cidr: format(
        "not an IP range in CIDR notation",
        'use an address range with its prefix length and no host bits, e.g. "10.0.0.0/16"',
        isCidr,
    ),
    // The issuer as `az aks show --query oidcIssuerProfile.issuerUrl` prints it: https, a path ending in
    // "/", no query, fragment or credentials. Entra matches a federated credential's issuer exactly,
    // trailing slash included (Azure/azure-workload-identity #1700).
    oidcIssuerUrl: format(
        "not an AKS OIDC issuer URL",
        'use the URL `az aks show --query oidcIssuerProfile.issuerUrl` prints, with its trailing "/", e.g. "https://westeurope.oic.prod-aks.azure.com/<tenant>/<id>/"',
        (text) => {
            try {
                const url = new URL(text);
                return (
                    url.protocol === "https:" &&
                    url.pathname.length > 1 &&
                    url.pathname.endsWith("/") &&
                    !text.includes("?") &&
                    !text.includes("#") &&
                    url.username === "" &&
                    url.password === "" &&
                    url.href === text
                );
            } catch {
                return false;
            }
        },
    ),
    duration: format(
        "not a Prometheus duration",
        'use a number and a unit, e.g. "30s", "1m" or "1m30s"',
        // Positive: "0" parses but is no interval; past ~292 years Prometheus refuses it.
        (text) => (parseDuration(text) ?? 0) > 0,
    ),
} satisfies Record<string, Format>;

/** A TCP/UDP port number. */
export const port: Format = {
    wrong: "not a port number",
    fix: "use a whole number from 1 to 65535",
    test: (value) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535,
};
