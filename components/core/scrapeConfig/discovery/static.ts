// `static_configs` (prometheus/prometheus v3.14.0 discovery/targetgroup, config/config.go `checkStaticTargets`).

import * as v from "valibot";
import { Problem, problem } from "../../errors";
import { strict } from "../../shapes";
import { list, map, text } from "../values";
import { Discovery } from "./discovery";

export const staticDiscovery: Discovery = {
    key: "static_configs",
    schema: strict({
        targets: v.optional(list(text('a "host:port"'), '["orders.shop:9090"]')),
        labels: v.optional(map(text("a label value"), '{ team: "shop" }')),
    }),
    problems(config, at, job) {
        // Prometheus takes an address with "/" for a URL, unless relabel rules may rewrite it.
        const relabelled = Array.isArray(job.relabel_configs) && job.relabel_configs.length > 0;
        return relabelled
            ? []
            : ((config.targets ?? []) as string[]).flatMap((target, i): Problem[] =>
                  target.includes("/")
                      ? [
                            problem(
                                `${at}.targets[${i}]`,
                                target,
                                "not a host:port (Prometheus takes it for a URL)",
                                'give "host:port"; set the path with metrics_path and the scheme with scheme',
                            ),
                        ]
                      : [],
              );
    },
};
