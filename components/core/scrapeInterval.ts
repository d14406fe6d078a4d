// The range of the default jobs' scrape interval (`prometheus.scrapeInterval`).

import { Problem, problem } from "./errors";
import { parseDuration } from "./formats";

/**
 * Microsoft's recording rules (FullAzureMonitorMetricsProfile.json of Azure/prometheus-collector's
 * AddonArmTemplate) take `rate(...[5m])`: a rate needs at least two samples in its window, and at 1m a
 * 5-minute window holds five, so a missed scrape or two still leaves a rate. Below 1s the scrape timeout,
 * which Prometheus caps at the interval, would be a matter of milliseconds.
 */
const scrapeIntervalRange = { min: "1s", max: "1m" };

export function scrapeIntervalProblems(interval: string | undefined): Problem[] {
    const ms = interval === undefined ? undefined : parseDuration(interval);
    const [min, max] = [parseDuration(scrapeIntervalRange.min)!, parseDuration(scrapeIntervalRange.max)!];
    if (ms === undefined || (ms >= min && ms <= max)) {
        return [];
    }
    return [
        problem(
            "prometheus.scrapeInterval",
            interval,
            ms > max
                ? `longer than ${scrapeIntervalRange.max}: Microsoft's recording rules take rate() over 5m windows, which would hold too few samples and come out empty`
                : `shorter than ${scrapeIntervalRange.min}: the scrape timeout, at most the interval, would be as short`,
            `give an interval from ${scrapeIntervalRange.min} to ${scrapeIntervalRange.max}, e.g. "30s" (the default)`,
        ),
    ];
}
