// The value types of Prometheus' scrape configuration, as its YAML decoder reads them
// (prometheus/prometheus v3.14.0 config/config.go, prometheus/common v0.70.1 config/http_config.go).

import * as v from "valibot";
import { parseDuration } from "../formats";
import { mapOf, Schema } from "../shapes";

export const text = (what = "a string") => v.string(`not a string; give ${what}`);
/** Secrets and ids: YAML reads `bearer_token: 1234` as the string "1234", so numbers are taken too. */
export const secret = v.union([v.string(), v.pipe(v.number(), v.finite())], "not a string; give the value as a string");
/** Go's `uint` fields: limits, counts. */
export const count = v.pipe(
    v.number("not a number; give a whole number, 0 for no limit"),
    v.integer("not a whole number; give a whole number, 0 for no limit"),
    v.minValue(0, "negative; give a whole number, 0 for no limit"),
);
export const list = (item: Schema, example: string) => v.array(item, `not a list; give a list, e.g. ${example}`);

/** A map (YAML mapping), never a list. */
export const map = (value: Schema, example: string): Schema => mapOf(v.string(), value, `not a map; give an object, e.g. ${example}`);

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
