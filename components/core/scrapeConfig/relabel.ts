// Relabel rules, checked as Prometheus checks them (prometheus/prometheus v3.14.0 model/relabel/relabel.go:
// `Action.UnmarshalYAML`, `Config.Validate`, `NewRegexp`).

import * as v from "valibot";
import { Problem, problem } from "../errors";
import { strict } from "../shapes";
import { relabelRegexError } from "./regex";
import { count, list, secret, text } from "./values";

type Json = Record<string, unknown>;

const actions = [
    "replace",
    "keep",
    "drop",
    "keepequal",
    "dropequal",
    "hashmod",
    "labelmap",
    "labeldrop",
    "labelkeep",
    "lowercase",
    "uppercase",
];
const needTargetLabel = ["replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"];

const relabelConfig = strict({
    // model.LabelName: not empty (UTF-8 names, Prometheus v3's default).
    source_labels: v.optional(
        list(v.pipe(text("a label name"), v.minLength(1, "empty; give a label name")), '["__meta_kubernetes_pod_label_app"]'),
    ),
    separator: v.optional(text()),
    // null is Go's zero value: the empty regex (`Config.UnmarshalYAML`).
    regex: v.nullish(secret),
    modulus: v.optional(count),
    target_label: v.optional(text("a label name")),
    replacement: v.optional(secret),
    action: v.optional(v.unknown()),
});
export const relabelConfigs = list(relabelConfig, '[{ source_labels: ["__address__"], regex: "(.*)", action: "keep" }]');

// prometheus/common model: legacy label names, and the legacy form that also allows $-variables (relabel.go).
const legacyLabelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const legacyTemplate = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/** The name validation a job uses: its own `metric_name_validation_scheme`, else the default, UTF-8. */
export type NameScheme = "legacy" | "utf8";

// UTF-8 names: any valid UTF-8, which a JavaScript string fails only with an unpaired surrogate.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const validLabelName = (name: unknown, scheme: NameScheme) =>
    typeof name === "string" && (scheme === "legacy" ? legacyLabelName.test(name) : name.length > 0 && !loneSurrogate.test(name));
const validTemplate = (name: unknown, scheme: NameScheme) =>
    scheme === "utf8" ? validLabelName(name, scheme) : typeof name === "string" && legacyTemplate.test(name);

/** The problems of one rule; `at` is where it was given, e.g. `scrapeConfigs[0].relabel_configs[2]`. */
export function relabelProblems(rule: Json, at: string, scheme: NameScheme): Problem[] {
    const problems: Problem[] = [];
    const refuse = (key: string, wrong: string, fix: string) => problems.push(problem(`${at}.${key}`, rule[key], wrong, fix));
    const action = rule.action === undefined ? "replace" : typeof rule.action === "string" ? rule.action.toLowerCase() : undefined;
    if (action === undefined || action === "") {
        refuse("action", "empty", `give one of ${actions.join(", ")}, or drop it for "replace"`);
        return problems;
    }
    if (!actions.includes(action)) {
        refuse("action", "not a relabel action", `use one of ${actions.join(", ")}`);
        return problems;
    }
    if (rule.regex !== undefined && rule.regex !== null) {
        const error = relabelRegexError(String(rule.regex));
        if (error !== undefined)
            refuse(
                "regex",
                `Prometheus (Go's RE2) cannot compile it: ${error}`,
                "write it in RE2 syntax: no back-references or lookaround",
            );
    }
    if (action === "hashmod" && !rule.modulus) refuse("modulus", "hashmod needs a modulus above 0", "give the number of buckets, e.g. 8");
    const target = rule.target_label ?? "";
    if (needTargetLabel.includes(action) && target === "") {
        refuse("target_label", `the ${action} action writes a label`, "give target_label");
    } else if (needTargetLabel.includes(action)) {
        const ok = action === "replace" && String(target).includes("$") ? validTemplate(target, scheme) : validLabelName(target, scheme);
        if (!ok)
            refuse(
                "target_label",
                `not a valid label name for the ${action} action (${scheme} names)`,
                'use letters, digits and "_", e.g. "app"',
            );
    }
    const replacement = rule.replacement ?? "$1";
    if (["lowercase", "uppercase", "keepequal", "dropequal"].includes(action) && replacement !== "$1") {
        refuse("replacement", `the ${action} action takes no replacement`, "drop it");
    }
    if (action === "labelmap" && !validTemplate(replacement, scheme)) {
        refuse("replacement", "not a label name (with $-groups) for the labelmap action", 'use e.g. "$1"');
    }
    const others = (keys: string[], only: string) => {
        const extra = keys.filter(
            (key) =>
                rule[key] !== undefined && !(key === "separator" && rule[key] === ";") && !(key === "replacement" && rule[key] === "$1"),
        );
        for (const key of extra) refuse(key, `the ${action} action takes only ${only}`, "drop it");
    };
    if (action === "keepequal" || action === "dropequal")
        others(["regex", "modulus", "separator", "replacement"], "source_labels and target_label");
    if (action === "labelkeep" || action === "labeldrop")
        others(["source_labels", "target_label", "modulus", "separator", "replacement"], "regex");
    return problems;
}
