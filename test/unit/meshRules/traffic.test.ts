// The mesh rules' tables, part: ServiceEntries, DestinationRules and Services (TLS origination, wildcard hosts,
// IST0134, IST0177, IST0150).

import * as assert from "node:assert/strict";
import { KubernetesObject } from "../../../components/core/kubernetes";
import { servicePortProtocol } from "../../../components/mesh/rules";
import { destinationRule, flagged, messages, object, patch, seed, serviceEntry, table } from "./plumbing";

describe("mesh rules", () => {
    // ---- 1. TLS origination on a TLS port, ISTIO_MUTUAL included -------------------------------------------

    describe("tls-origination-on-tls-port", () => {
        const tlsEntry = serviceEntry("api", {
            hosts: ["api.example.com"],
            ports: [{ number: 443, name: "tls", protocol: "TLS" }],
            location: "MESH_EXTERNAL",
            resolution: "DNS",
        });
        const rule = (mode: string, host = "api.example.com", name = "api") =>
            destinationRule(name, { host, trafficPolicy: { tls: { mode } } });
        const portLevel = (port: number, mode: string) =>
            destinationRule(`api-${port}`, {
                host: "api.example.com",
                trafficPolicy: { portLevelSettings: [{ port: { number: port }, tls: { mode } }] },
            });
        const azureEntry = serviceEntry(
            "azure",
            { hosts: ["*.monitor.azure.com"], ports: [{ number: 443, name: "tls", protocol: "TLS" }], resolution: "NONE" },
            "monitoring",
        );
        const meshWide = destinationRule("mesh-wide", { host: "*", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } }, "istio-system");

        // Istio's egress TLS-origination task (istio/istio.io content/en/docs/tasks/traffic-management/egress/
        // egress-tls-origination: ServiceEntry with HTTP 80 and HTTPS 443), in its current and its older form.
        const cnnEntry = (targetPort?: number) =>
            serviceEntry("edition-cnn-com", {
                hosts: ["edition.cnn.com"],
                ports: [
                    { number: 80, name: "http-port", protocol: "HTTP", ...(targetPort ? { targetPort } : {}) },
                    { number: 443, name: "https-port", protocol: "HTTPS" },
                ],
                resolution: "DNS",
            });
        const cnnSubset = destinationRule("edition-cnn-com", {
            host: "edition.cnn.com",
            subsets: [
                {
                    name: "tls-origination",
                    trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE" } }] },
                },
            ],
        });
        const cnnRoute = (kind: "http" | "tls") =>
            object("networking.istio.io/v1", "VirtualService", "shop", "edition-cnn-com", {
                hosts: ["edition.cnn.com"],
                [kind]: [
                    {
                        match: [kind === "http" ? { port: 80 } : { port: 443, sniHosts: ["edition.cnn.com"] }],
                        route: [{ destination: { host: "edition.cnn.com", subset: "tls-origination", port: { number: 443 } } }],
                    },
                ],
            });

        table("tls-origination-on-tls-port", [
            {
                name: "Istio's TLS-origination task today: SIMPLE on the plain-text port 80 (targetPort 443)",
                objects: [
                    cnnEntry(443),
                    destinationRule("edition-cnn-com", {
                        host: "edition.cnn.com",
                        trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: "SIMPLE" } }] },
                    }),
                ],
                flags: [],
            },
            {
                // "Policies specified for subsets will not take effect until a route rule explicitly sends traffic to this subset."
                name: "the task's older form: SIMPLE on 443 in a subset that only an http route from port 80 uses",
                objects: [cnnEntry(), cnnSubset, cnnRoute("http")],
                flags: [],
            },
            {
                name: "the same subset when a tls route sends the application's TLS on 443 there",
                objects: [cnnEntry(), cnnSubset, cnnRoute("tls")],
                flags: ["DestinationRule shop/edition-cnn-com"],
            },
            {
                name: "SIMPLE on 443 for every caller (top level): the application's own https:// calls are wrapped twice",
                objects: [
                    cnnEntry(),
                    destinationRule("edition-cnn-com", {
                        host: "edition.cnn.com",
                        trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE" } }] },
                    }),
                ],
                flags: ["DestinationRule shop/edition-cnn-com"],
            },
            { name: "SIMPLE towards a TLS port", objects: [tlsEntry, rule("SIMPLE")], flags: ["DestinationRule shop/api"] },
            { name: "MUTUAL towards a TLS port", objects: [tlsEntry, rule("MUTUAL")], flags: ["DestinationRule shop/api"] },
            {
                name: "ISTIO_MUTUAL towards a mesh-external TLS port",
                objects: [tlsEntry, rule("ISTIO_MUTUAL")],
                flags: ["DestinationRule shop/api"],
            },
            {
                name: "ISTIO_MUTUAL towards a TLS port of an entry without location (MESH_EXTERNAL is the default)",
                objects: [patch(tlsEntry, { spec: { location: null } }), rule("ISTIO_MUTUAL")],
                flags: ["DestinationRule shop/api"],
            },
            {
                name: "ISTIO_MUTUAL towards a MESH_INTERNAL TLS port (a sidecar terminates it)",
                objects: [patch(tlsEntry, { spec: { location: "MESH_INTERNAL" } }), rule("ISTIO_MUTUAL")],
                flags: [],
            },
            { name: "DISABLE towards a TLS port", objects: [tlsEntry, rule("DISABLE")], flags: [] },
            {
                name: "port-level ISTIO_MUTUAL on the TLS port",
                objects: [tlsEntry, portLevel(443, "ISTIO_MUTUAL")],
                flags: ["DestinationRule shop/api-443"],
            },
            { name: "port-level ISTIO_MUTUAL on another port", objects: [tlsEntry, portLevel(80, "ISTIO_MUTUAL")], flags: [] },
            {
                name: "top-level SIMPLE that the TLS port overrides with DISABLE",
                objects: [
                    tlsEntry,
                    destinationRule("api", {
                        host: "api.example.com",
                        trafficPolicy: {
                            tls: { mode: "SIMPLE" },
                            portLevelSettings: [{ port: { number: 443 }, tls: { mode: "DISABLE" } }],
                        },
                    }),
                ],
                flags: [],
            },
            {
                name: "ISTIO_MUTUAL naming an Azure host, no ServiceEntry needed",
                objects: [rule("ISTIO_MUTUAL", "*.monitor.azure.com")],
                flags: ["DestinationRule shop/api"],
            },
            {
                name: "a mesh-wide `*` ISTIO_MUTUAL alone (no entry brings external TLS hosts into the registry)",
                objects: [meshWide],
                flags: [],
            },
            {
                name: "a mesh-wide `*` ISTIO_MUTUAL with an egress entry for the Azure hosts",
                objects: [meshWide, azureEntry],
                flags: ["DestinationRule istio-system/mesh-wide"],
            },
            {
                name: "a mesh-wide `*` ISTIO_MUTUAL with the egress entry and a DISABLE rule for its hosts",
                objects: [
                    meshWide,
                    azureEntry,
                    destinationRule("azure", { host: "*.monitor.azure.com", trafficPolicy: { tls: { mode: "DISABLE" } } }, "monitoring"),
                ],
                flags: [],
            },
        ]);

        it("explains ISTIO_MUTUAL by istiod's order, and no longer claims Istio never applies it to MESH_EXTERNAL hosts", () => {
            const [text] = messages("tls-origination-on-tls-port", [tlsEntry, rule("ISTIO_MUTUAL")]);
            assert.match(text, /ISTIO_MUTUAL for mesh-external api\.example\.com port 443/);
            assert.match(text, /user-supplied ISTIO_MUTUAL before it checks for mesh-external hosts/);
            assert.match(text, /Fix: .*`tls\.mode: DISABLE`/);
            assert.doesNotMatch(text, /never applies/);
            const [seedText] = messages("tls-origination-on-tls-port", [seed("DestinationRule", "azure-monitor-endpoints")]);
            assert.doesNotMatch(seedText, /never applies/);
        });

        it("still flags the seed's SIMPLE rules without their ServiceEntry: the Azure hosts speak TLS on 443", () => {
            assert.deepEqual(
                flagged("tls-origination-on-tls-port", [
                    seed("DestinationRule", "azure-monitor-endpoints"),
                    seed("DestinationRule", "azure-monitor-ingestion"),
                ]),
                ["DestinationRule monitoring/azure-monitor-endpoints", "DestinationRule monitoring/azure-monitor-ingestion"],
            );
        });

        it("accepts SIMPLE towards a plain-text port (real TLS origination)", () => {
            const plain = serviceEntry("legacy", {
                hosts: ["legacy.example.com"],
                ports: [{ number: 80, name: "http", protocol: "HTTP" }],
                resolution: "DNS",
            });
            assert.deepEqual(flagged("tls-origination-on-tls-port", [plain, rule("SIMPLE", "legacy.example.com")]), []);
        });
    });

    // ---- 2. wildcard host with DNS resolution: a workloadSelector does not exempt ----------------------------

    describe("wildcard-host-dns-resolution", () => {
        const entry = seed("ServiceEntry", "azure-monitor-external");
        table("wildcard-host-dns-resolution", [
            {
                name: "the seed's entry (wildcard hosts, DNS, no endpoints)",
                objects: [entry],
                flags: ["ServiceEntry monitoring/azure-monitor-external"],
            },
            {
                name: "DNS_ROUND_ROBIN",
                objects: [patch(entry, { spec: { resolution: "DNS_ROUND_ROBIN" } })],
                flags: ["ServiceEntry monitoring/azure-monitor-external"],
            },
            {
                name: "DNS with a workloadSelector and no endpoints",
                objects: [patch(entry, { spec: { workloadSelector: { labels: { app: "egress" } } } })],
                flags: ["ServiceEntry monitoring/azure-monitor-external"],
            },
            { name: "DNS with endpoints", objects: [patch(entry, { spec: { endpoints: [{ address: "10.1.2.3" }] } })], flags: [] },
            { name: "resolution NONE", objects: [patch(entry, { spec: { resolution: "NONE" } })], flags: [] },
            {
                name: "exact hosts with DNS",
                objects: [patch(entry, { spec: { hosts: ["global.handler.control.monitor.azure.com"] } })],
                flags: [],
            },
        ]);

        it("says a workloadSelector does not count as endpoints", () => {
            const [text] = messages("wildcard-host-dns-resolution", [
                patch(entry, { spec: { workloadSelector: { labels: { app: "egress" } } } }),
            ]);
            assert.match(text, /a workloadSelector does not count as endpoints/);
            assert.match(text, /IST0106/);
        });
    });

    // ---- 7. IST0134 and IST0177 ---------------------------------------------------------------------------

    describe("service-entry-addresses-required", () => {
        const entry = serviceEntry("db", {
            hosts: ["db.example.com"],
            ports: [{ number: 5432, name: "tcp-db", protocol: "TCP" }],
            resolution: "DNS",
        });
        const flags = ["ServiceEntry shop/db"];
        const dnsCapture = { ISTIO_META_DNS_CAPTURE: "true" };
        table("service-entry-addresses-required", [
            { name: "protocol TCP without addresses", objects: [entry], flags },
            {
                name: "protocol tcp (any case) without addresses",
                objects: [patch(entry, { spec: { ports: [{ number: 5432, name: "db", protocol: "tcp" }] } })],
                flags,
            },
            {
                name: "protocol unset without addresses",
                objects: [patch(entry, { spec: { ports: [{ number: 5432, name: "db" }] } })],
                flags,
            },
            { name: "resolution NONE does not matter to the analyzer", objects: [patch(entry, { spec: { resolution: "NONE" } })], flags },
            {
                name: "protocol TLS without addresses",
                objects: [patch(entry, { spec: { ports: [{ number: 5432, name: "tls", protocol: "TLS" }] } })],
                flags: [],
            },
            { name: "protocol TCP with addresses", objects: [patch(entry, { spec: { addresses: ["240.0.0.10"] } })], flags: [] },
            { name: "protocol TCP with an empty address list", objects: [patch(entry, { spec: { addresses: [] } })], flags },
            {
                name: "protocol TCP with an auto-allocated address in status",
                objects: [patch(entry, { status: { addresses: [{ value: "240.240.0.1" }] } })],
                flags: [],
            },
            {
                name: "protocol TCP when the mesh captures DNS and auto-allocates",
                objects: [entry],
                context: { meshProxyMetadata: { ...dnsCapture, ISTIO_META_DNS_AUTO_ALLOCATE: "true" } },
                flags: [],
            },
            {
                name: "protocol TCP when the mesh captures DNS with PILOT_ENABLE_IP_AUTOALLOCATE",
                objects: [entry],
                context: { meshProxyMetadata: { ...dnsCapture, PILOT_ENABLE_IP_AUTOALLOCATE: "true" } },
                flags: [],
            },
            {
                name: "protocol TCP when the mesh captures DNS without auto-allocation",
                objects: [entry],
                context: { meshProxyMetadata: dnsCapture },
                flags,
            },
            {
                name: "protocol TCP with auto-allocation but no DNS capture",
                objects: [entry],
                context: { meshProxyMetadata: { ISTIO_META_DNS_AUTO_ALLOCATE: "true" } },
                flags,
            },
        ]);

        it("says what the objects cannot show", () => {
            const [text] = messages("service-entry-addresses-required", [entry]);
            assert.match(text, /IST0134/);
            assert.match(text, /Not visible from the objects: an address istiod auto-allocates into status\.addresses after creation/);
            assert.match(text, /ISTIO_META_DNS_CAPTURE/);
        });
    });

    describe("conflicting-service-entry-protocol", () => {
        const entry = (name: string, namespace: string, protocol: string | undefined, extra: Record<string, unknown> = {}) =>
            serviceEntry(
                name,
                {
                    hosts: ["api.example.com"],
                    ports: [{ number: 443, name: "p", ...(protocol === undefined ? {} : { protocol }) }],
                    resolution: "NONE",
                    ...extra,
                },
                namespace,
            );
        table("conflicting-service-entry-protocol", [
            {
                name: "TLS and HTTPS for one host and port",
                objects: [entry("a", "shop", "TLS"), entry("b", "pay", "HTTPS")],
                flags: ["ServiceEntry shop/a", "ServiceEntry pay/b"],
            },
            { name: "the same protocol twice", objects: [entry("a", "shop", "TLS"), entry("b", "pay", "TLS")], flags: [] },
            { name: "the same protocol in other cases", objects: [entry("a", "shop", "TLS"), entry("b", "pay", "tls")], flags: [] },
            {
                name: "unset and TCP",
                objects: [entry("a", "shop", undefined), entry("b", "pay", "TCP")],
                flags: ["ServiceEntry shop/a", "ServiceEntry pay/b"],
            },
            {
                name: "each exported only to its own namespace",
                objects: [entry("a", "shop", "TLS", { exportTo: ["."] }), entry("b", "pay", "HTTPS", { exportTo: ["."] })],
                flags: [],
            },
            {
                name: "one exported to its namespace, one to every namespace",
                objects: [entry("a", "shop", "TLS", { exportTo: ["."] }), entry("b", "pay", "HTTPS")],
                flags: ["ServiceEntry shop/a", "ServiceEntry pay/b"],
            },
            {
                name: "both exported to one named namespace",
                objects: [entry("a", "shop", "TLS", { exportTo: ["web"] }), entry("b", "pay", "HTTPS", { exportTo: ["web", "pay"] })],
                flags: ["ServiceEntry shop/a", "ServiceEntry pay/b"],
            },
            {
                name: "hosts that only overlap by wildcard (the analyzer matches exact strings)",
                objects: [entry("a", "shop", "TLS"), patch(entry("b", "pay", "HTTPS"), { spec: { hosts: ["*.example.com"] } })],
                flags: [],
            },
            {
                name: "different ports",
                objects: [
                    entry("a", "shop", "TLS"),
                    patch(entry("b", "pay", "HTTPS"), { spec: { ports: [{ number: 8443, name: "p", protocol: "HTTPS" }] } }),
                ],
                flags: [],
            },
        ]);

        it("names both entries and protocols, and the Istio version that reports it", () => {
            const [text] = messages("conflicting-service-entry-protocol", [entry("a", "shop", "TLS"), entry("b", "pay", "HTTPS")]);
            assert.match(text, /host api\.example\.com port 443 is defined by pay\/b, shop\/a with conflicting protocols HTTPS, TLS/);
            assert.match(text, /IST0177, reported by istioctl ≥ 1\.31\.0-alpha/);
        });
    });

    // ---- 5. IST0150 ---------------------------------------------------------------------------------------

    describe("external-name-port-protocol", () => {
        const service = (port: Record<string, unknown>, type = "ExternalName", labels: Record<string, string> = {}): KubernetesObject => ({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "ext", namespace: "shop", labels },
            spec: { type, externalName: "api.example.com", ports: [port] },
        });
        const ext = ["Service shop/ext"];
        table("external-name-port-protocol", [
            { name: "a name without a protocol prefix", objects: [service({ name: "nginx", port: 443 })], flags: ext },
            { name: "the name with a protocol prefix", objects: [service({ name: "http-nginx", port: 443 })], flags: [] },
            { name: "an unnamed port", objects: [service({ port: 443 })], flags: ext },
            { name: "an unnamed port on a default-TCP port (3306)", objects: [service({ port: 3306 })], flags: [] },
            { name: "an unknown name on a default-TCP port (53)", objects: [service({ name: "dns", port: 53 })], flags: [] },
            { name: "the name exactly `tcp`", objects: [service({ name: "tcp", port: 443 })], flags: ext },
            { name: "a `tcp-` prefixed name", objects: [service({ name: "tcp-db", port: 443 })], flags: [] },
            { name: "the name exactly `tcp` on a UDP port", objects: [service({ name: "tcp", port: 53, protocol: "UDP" })], flags: ext },
            { name: "an unknown name on a UDP port", objects: [service({ name: "syslog", port: 514, protocol: "UDP" })], flags: [] },
            { name: "`https` (upstream's correct example)", objects: [service({ name: "https", port: 443 })], flags: [] },
            { name: "an upper-case prefix", objects: [service({ name: "HTTPS-api", port: 443 })], flags: [] },
            { name: "a grpc-web prefix", objects: [service({ name: "grpc-web-api", port: 8080 })], flags: [] },
            { name: "appProtocol naming a protocol", objects: [service({ name: "api", port: 443, appProtocol: "https" })], flags: [] },
            {
                name: "appProtocol kubernetes.io/wss",
                objects: [service({ name: "api", port: 443, appProtocol: "kubernetes.io/wss" })],
                flags: [],
            },
            {
                name: "an unknown appProtocol replaces a good name",
                objects: [service({ name: "https", port: 443, appProtocol: "custom" })],
                flags: ext,
            },
            {
                name: "a ClusterIP Service (IST0118, not this rule)",
                objects: [service({ name: "nginx", port: 443 }, "ClusterIP")],
                flags: [],
            },
            {
                name: "a Service of Istio's control plane",
                objects: [service({ name: "nginx", port: 443 }, "ExternalName", { istio: "pilot" })],
                flags: [],
            },
            {
                name: "a gateway-managed Service",
                objects: [
                    service({ name: "nginx", port: 443 }, "ExternalName", { "gateway.istio.io/managed": "istio.io-mesh-controller" }),
                ],
                flags: [],
            },
        ]);

        it("derives protocols as ConvertProtocol does", () => {
            assert.equal(servicePortProtocol(80, "http-web"), "HTTP");
            assert.equal(servicePortProtocol(80, "grpc-webby"), "GRPC-Web");
            assert.equal(servicePortProtocol(80, "web", undefined, "kubernetes.io/h2c"), "HTTP2");
            assert.equal(servicePortProtocol(27017, "db"), "TCP");
            assert.equal(servicePortProtocol(80, "doublehbone"), undefined);
        });
    });
});
