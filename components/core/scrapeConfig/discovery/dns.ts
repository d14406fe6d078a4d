// `dns_sd_configs` (prometheus/prometheus v3.14.0 discovery/dns/dns.go `SDConfig.UnmarshalYAML`).

import * as v from "valibot";
import { Problem, problem } from "../../errors";
import { strict } from "../../shapes";
import { duration, list, text } from "../values";
import { Discovery } from "./discovery";

export const dnsDiscovery: Discovery = {
    key: "dns_sd_configs",
    schema: strict(
        {
            names: v.pipe(
                list(text("a DNS name"), '["_metrics._tcp.orders.shop.svc"]'),
                v.minLength(1, "empty; give at least one DNS name"),
            ),
            refresh_interval: v.optional(duration),
            type: v.optional(text('a record type, e.g. "SRV"')),
            port: v.optional(v.pipe(v.number("not a number; give a port"), v.integer("not a whole number; give a port"))),
        },
        { names: "give the DNS names to query" },
    ),
    problems(config, at): Problem[] {
        const type = String(config.type ?? "SRV").toUpperCase();
        if (type === "SRV") return [];
        if (!["A", "AAAA", "MX", "NS"].includes(type)) {
            return [problem(`${at}.type`, config.type, "not a record type Prometheus queries", 'use "SRV", "A", "AAAA", "MX" or "NS"')];
        }
        return config.port ? [] : [problem(`${at}.port`, config.port, `${type} records carry no port`, "give the port to scrape")];
    },
};
