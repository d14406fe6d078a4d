// `http_sd_configs` (prometheus/prometheus v3.14.0 discovery/http/http.go `SDConfig.UnmarshalYAML`).

import * as v from "valibot";
import { strict } from "../../shapes";
import { httpClientEntries, httpClientProblems } from "../httpClient";
import { duration, httpUrl } from "../values";
import { Discovery } from "./discovery";

export const httpDiscovery: Discovery = {
    key: "http_sd_configs",
    schema: strict(
        { url: httpUrl, refresh_interval: v.optional(duration), ...httpClientEntries },
        { url: 'give the discovery endpoint, e.g. "https://sd.example.com/targets"' },
    ),
    problems: (config, at) => httpClientProblems(config, (key) => `${at}.${key}`),
};
