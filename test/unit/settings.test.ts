// withDefaults (core/settings.ts) fills in the defaults of an argument group, as `given ?? default` per key did.

import * as assert from "node:assert/strict";
import type { PrometheusArgs } from "../../components/core/args";
import { withDefaults } from "../../components/core/settings";

const defaults = { shards: 1, scrapeInterval: "30s", windowsKubelet: true };

describe("withDefaults", () => {
    it("fills in a field left out or given as undefined (an unset Pulumi config value), keeps a given one, false included", () => {
        const given: PrometheusArgs = { shards: undefined, windowsKubelet: false, scrapeInterval: "15s" };
        assert.deepEqual(withDefaults(given, defaults), { shards: 1, windowsKubelet: false, scrapeInterval: "15s" });
        assert.deepEqual(withDefaults({ windowsKubelet: false }, defaults), { windowsKubelet: false, shards: 1, scrapeInterval: "30s" });
    });

    it("passes the fields without a default through as given, and changes neither object", () => {
        const given: PrometheusArgs = { priorityClassName: "critical", walVolume: { size: "10Gi" } };
        const result = withDefaults(given, defaults);
        assert.deepEqual(result, {
            priorityClassName: "critical",
            walVolume: { size: "10Gi" },
            shards: 1,
            scrapeInterval: "30s",
            windowsKubelet: true,
        });
        assert.deepEqual(given, { priorityClassName: "critical", walVolume: { size: "10Gi" } });
        assert.deepEqual(defaults, { shards: 1, scrapeInterval: "30s", windowsKubelet: true });
    });

    it("gives each settings its own copy of a default list, so one component's settings never change another's", () => {
        const listDefaults = { scrapeNamespaces: [] as string[] };
        const first = withDefaults({} as { scrapeNamespaces?: string[] }, listDefaults);
        const second = withDefaults({} as { scrapeNamespaces?: string[] }, listDefaults);
        first.scrapeNamespaces.push("shop");
        assert.deepEqual(second.scrapeNamespaces, []);
        assert.deepEqual(listDefaults.scrapeNamespaces, []);
    });
});
