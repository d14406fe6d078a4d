// The value types of Prometheus' scrape configuration, as its YAML decoder reads them
// (prometheus/prometheus v3.14.0 config/config.go, prometheus/common v0.70.1 config/http_config.go).

import * as v from "valibot";
import { mapOf, Schema } from "../shapes";

export const text = (what = "a string") => v.string(`not a string; give ${what}`);
/** Secrets and ids: YAML reads `bearer_token: 1234` as the string "1234", so numbers are taken too. */
export const secret = v.union([v.string(), v.pipe(v.number(), v.finite())], "not a string; give the value as a string");
export const flag = v.boolean("not true or false; use true or false");
/** Go's `uint` fields: limits, counts. */
export const count = v.pipe(
    v.number("not a number; give a whole number, 0 for no limit"),
    v.integer("not a whole number; give a whole number, 0 for no limit"),
    v.minValue(0, "negative; give a whole number, 0 for no limit"),
);
export const list = (item: Schema, example: string) => v.array(item, `not a list; give a list, e.g. ${example}`);

/** A map (YAML mapping), never a list. */
export const map = (value: Schema, example: string): Schema => mapOf(v.string(), value, `not a map; give an object, e.g. ${example}`);

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

export const duration = v.pipe(
    v.unknown(),
    v.check(
        (value) => parseDuration(value) !== undefined,
        'not a Prometheus duration; use a number and a unit, e.g. "30s", "1m" or "1m30s"',
    ),
);

/** An http(s) URL with a host, as prometheus/common `config.URL` users check it. */
export const httpUrl = v.pipe(
    v.unknown(),
    v.check((value) => {
        if (typeof value !== "string") return false;
        try {
            const url = new URL(value);
            return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
        } catch {
            return false;
        }
    }, 'not an http(s) URL with a host; use e.g. "https://example.com:8443/path"'),
);
