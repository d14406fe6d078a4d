// One service discovery mechanism of a scrape job: its key, the shape of one entry, and its own rules.

import { Problem } from "../../errors";
import { Schema } from "../../shapes";

type Json = Record<string, unknown>;

export interface Discovery {
    /** The scrape job's key, e.g. `kubernetes_sd_configs`. */
    key: string;
    /** One entry of the list. */
    schema: Schema;
    /** Rules on one entry (of the right shape); `at` names it, e.g. `scrapeConfigs[0].kubernetes_sd_configs[1]`. */
    problems(config: Json, at: string, job: Json): Problem[];
}
