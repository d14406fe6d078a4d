// The add-on's sources the prometheus collector's tests compare against (test/fixtures/prometheus, with its
// provenance): its job files, its keep-list constants and its default settings. Read once, by file or name.

import * as fs from "node:fs";
import * as YAML from "yaml";
import type { ScrapeConfig } from "../components/core/args";
import { fixture } from "./harness";

const source = (file: string) => fs.readFileSync(fixture("prometheus", "prometheus-collector", file), "utf8");

/** The one job of an add-on job file (default-prom-configs/<file>). */
export function upstreamJob(file: string): ScrapeConfig {
    const [job] = YAML.parse(source(file)).scrape_configs as ScrapeConfig[];
    return job;
}

/** The `*_minimal_mac` keep-lists of the add-on's Go source, by variable name (without the suffix). */
export const upstreamKeepLists: Record<string, string> = Object.fromEntries(
    [...source("tomlparser-default-targets-metrics-keep-list.go").matchAll(/^\s*(\w+)_minimal_mac\s*=\s*"([^"]*)"/gm)].map((m) => [
        m[1],
        m[2],
    ]),
);

/** A keep-list as Prometheus applies it (anchored). */
export const anchored = (regex: string, flags = "") => new RegExp(`^(?:${regex})$`, flags);

/** The add-on's default settings (tomlparser-default-scrape-settings.go: `config["<target>"] = "true"|"false"`), first block. */
export const upstreamTargetDefaults: Record<string, boolean> = (() => {
    const text = source("tomlparser-default-scrape-settings.go");
    const entries = [...text.matchAll(/config\["([\w-]+)"\] = "(true|false)"/g)].map((m) => [m[1], m[2] === "true"] as const);
    const first = new Map<string, boolean>();
    for (const [key, on] of entries) if (!first.has(key)) first.set(key, on);
    return Object.fromEntries(first);
})();

/** The add-on's config merger, which says which targets only its DaemonSet scrapes. */
export const upstreamMerger = source("prometheus-config-merger.go");
