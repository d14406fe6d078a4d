// `kubernetes_sd_configs` (prometheus/prometheus v3.14.0 discovery/kubernetes/kubernetes.go
// `Role.UnmarshalYAML`, `SDConfig.UnmarshalYAML`), with the selector grammars of k8s.io/apimachinery
// (`fields.ParseSelector`, `labels.Parse`).

import * as v from "valibot";
import { Problem, problem } from "../../errors";
import { formats } from "../../formats";
import { bool, picklist, strict } from "../../shapes";
import { httpClientEntries, httpClientKeys, httpClientProblems } from "../httpClient";
import { httpUrl, list, text } from "../values";
import { Discovery } from "./discovery";

type Json = Record<string, unknown>;

const roles = ["pod", "service", "endpoints", "endpointslice", "node", "ingress"];
const role = picklist(roles, "not a Kubernetes SD role");
// Which selectors each role takes (`allowedSelectors`).
const selectorRoles: Record<string, string[]> = {
    pod: ["pod", "node"],
    service: ["service"],
    endpointslice: ["pod", "service", "endpointslice"],
    endpoints: ["pod", "service", "endpoints"],
    node: ["node"],
    ingress: ["ingress"],
};

const labelValue = (value: string) => value === "" || formats.labelValue.test(value);
const labelTerm = (term: string): boolean => {
    const match = /^(!?)\s*([^\s!=<>(),]+)\s*(?:(==|!=|=)\s*(\S*)|(in|notin)\s*\(([^)]*)\)|([<>])\s*(-?\d+))?$/.exec(term);
    if (!match || !formats.labelKey.test(match[2])) return false;
    const [, not, , equality, value, set, values, comparison] = match;
    if (not && (equality || set || comparison)) return false;
    if (equality) return labelValue(value);
    if (set) return values.split(",").every((item) => labelValue(item.trim()));
    return true;
};
const fieldTerm = (term: string) => /^[^=!\s]+\s*(==|!=|=)\s*[^=]*$/.test(term);
const terms = (selector: string) => selector.split(/,(?![^(]*\))/).map((term) => term.trim());

const selector = strict({
    role,
    label: v.optional(text('a label selector, e.g. "app=orders"')),
    field: v.optional(text('a field selector, e.g. "metadata.name=orders"')),
});

/**
 * Whether a client setting equals prometheus/common's `DefaultHTTPClientConfig` (follow_redirects and
 * enable_http2 true, the rest zero), which Kubernetes SD compares against to tell a custom client.
 */
function isDefaultClientValue(key: string, value: unknown): boolean {
    if (key === "follow_redirects" || key === "enable_http2") return value === true;
    if (key === "tls_config") return Object.values(value as Json).every((field) => field === false || field === "");
    return value === false || value === "";
}

export const kubernetesDiscovery: Discovery = {
    key: "kubernetes_sd_configs",
    schema: strict(
        {
            api_server: v.optional(httpUrl),
            role,
            kubeconfig_file: v.optional(text("a file path")),
            namespaces: v.optional(strict({ own_namespace: v.optional(bool), names: v.optional(list(text("a namespace"), '["shop"]')) })),
            selectors: v.optional(list(selector, '[{ role: "pod", label: "app=orders" }]')),
            attach_metadata: v.optional(
                strict({
                    node: v.optional(bool),
                    namespace: v.optional(bool),
                    deployment: v.optional(bool),
                    job: v.optional(bool),
                    cronjob: v.optional(bool),
                }),
            ),
            ...httpClientEntries,
        },
        { role: `give one of ${roles.map((r) => `"${r}"`).join(", ")}` },
    ),
    problems(config, at): Problem[] {
        const problems = httpClientProblems(config, (key) => `${at}.${key}`);
        const refuse = (key: string, value: unknown, wrong: string, fix: string) =>
            problems.push(problem(`${at}.${key}`, value, wrong, fix));
        const custom = httpClientKeys.filter((key) => config[key] !== undefined && !isDefaultClientValue(key, config[key]));
        const ownNamespace = (config.namespaces as Json | undefined)?.own_namespace === true;
        if (config.api_server !== undefined && config.kubeconfig_file !== undefined) {
            refuse("kubeconfig_file", config.kubeconfig_file, "given together with api_server", "give one of them");
        }
        if (custom.length > 0 && config.kubeconfig_file !== undefined) {
            refuse(custom[0], config[custom[0]], "a kubeconfig_file brings its own HTTP client settings", "drop them, or use api_server");
        } else if (custom.length > 0 && config.api_server === undefined) {
            refuse(
                custom[0],
                config[custom[0]],
                "HTTP client settings apply only to an explicit api_server",
                "give api_server, or drop them",
            );
        }
        if (ownNamespace && (config.api_server !== undefined || config.kubeconfig_file !== undefined)) {
            refuse(
                "namespaces.own_namespace",
                true,
                "the own namespace is known only in-cluster",
                "drop api_server and kubeconfig_file, or own_namespace",
            );
        }
        const seen = new Set<string>();
        ((config.selectors ?? []) as Json[]).forEach((s, i) => {
            const where = `selectors[${i}]`;
            if (seen.has(s.role as string)) refuse(`${where}.role`, s.role, "a second selector for that role", "merge them into one");
            seen.add(s.role as string);
            const allowed = selectorRoles[config.role as string];
            if (!allowed.includes(s.role as string)) {
                refuse(
                    `${where}.role`,
                    s.role,
                    `the ${String(config.role)} role takes only ${allowed.join(", ")} selectors`,
                    `use one of ${allowed.join(", ")}`,
                );
            }
            if (typeof s.field === "string" && s.field !== "" && !terms(s.field).every(fieldTerm)) {
                refuse(`${where}.field`, s.field, "not a field selector", 'use "<field>=<value>" terms, e.g. "metadata.name=orders"');
            }
            if (typeof s.label === "string" && s.label !== "" && !terms(s.label).every(labelTerm)) {
                refuse(
                    `${where}.label`,
                    s.label,
                    "not a label selector",
                    'use Kubernetes label selector syntax, e.g. "app=orders,tier in (web)"',
                );
            }
        });
        return problems;
    },
};
