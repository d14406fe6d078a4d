// The user's scrape jobs, checked as Prometheus v3.14.0 loads them: Prometheus refuses its whole
// configuration for one bad job, so every shard would crash-loop and the default jobs die with it.

import * as v from "valibot";
import { Problem, problem } from "../errors";
import { parseDuration } from "../formats";
import { discoveries } from "./discovery";
import { httpClientProblems } from "./httpClient";
import { NameScheme, relabelProblems } from "./relabel";
import { scrapeJob } from "./job";

type Json = Record<string, unknown>;

export const scrapeJobs = v.array(scrapeJob, "not a list; give a list of Prometheus scrape_config objects");

/**
 * The rules of one job of the right shape. `at` names it (`scrapeConfigs[2]`); `globalInterval` is
 * the collector's `global.scrape_interval`, which the job inherits when it sets none.
 */
export function scrapeJobProblems(job: Json, at: string, globalInterval: string): Problem[] {
    const problems: Problem[] = [];
    const interval = parseDuration(job.scrape_interval) || parseDuration(globalInterval)!;
    const timeout = parseDuration(job.scrape_timeout);
    if (timeout !== undefined && timeout > interval) {
        problems.push(
            problem(
                `${at}.scrape_timeout`,
                job.scrape_timeout,
                `longer than the job's scrape interval (${job.scrape_interval ?? `${globalInterval}, the global one`})`,
                "give a timeout no longer than scrape_interval",
            ),
        );
    }
    const protocols = (job.scrape_protocols ?? []) as string[];
    protocols.forEach((name, i) => {
        if (protocols.indexOf(name) !== i) {
            problems.push(problem(`${at}.scrape_protocols[${i}]`, name, "listed twice", "list each protocol once"));
        }
    });
    const scheme: NameScheme = job.metric_name_validation_scheme === "legacy" ? "legacy" : "utf8";
    if (scheme === "legacy" && job.metric_name_escaping_scheme === "allow-utf-8") {
        problems.push(
            problem(
                `${at}.metric_name_escaping_scheme`,
                "allow-utf-8",
                "UTF-8 names are asked for, but the job validates names as legacy",
                'use "underscores", or drop metric_name_validation_scheme',
            ),
        );
    }
    problems.push(...httpClientProblems(job, (key) => `${at}.${key}`));
    for (const key of ["relabel_configs", "metric_relabel_configs"]) {
        ((job[key] ?? []) as Json[]).forEach((rule, i) => problems.push(...relabelProblems(rule, `${at}.${key}[${i}]`, scheme)));
    }
    for (const discovery of discoveries) {
        ((job[discovery.key] ?? []) as Json[]).forEach((config, i) =>
            problems.push(...discovery.problems(config, `${at}.${discovery.key}[${i}]`, job)),
        );
    }
    return problems;
}
