// Facts of Istio's own behaviour that several rules read. Upstream sources are istio/istio at 86c9f01f
// (master, 1.31.0-alpha) unless a tag is named.

/** The namespaces Istio never injects and istioctl never analyzes (pkg/kube/inject/initializer.go `IgnoredNamespaces`). */
export const istioctlIgnoredNamespaces: readonly string[] = ["kube-system", "kube-public", "kube-node-lease", "local-path-storage"];

/**
 * Whether a host pattern matches a host, as Istio matches them: `*.example.com` matches `a.example.com`,
 * `a.b.example.com` and `*.b.example.com`; `*` matches everything.
 */
export function hostMatches(pattern: string, host: string): boolean {
    const p = pattern.toLowerCase();
    const h = host.toLowerCase();
    if (p === h || p === "*") {
        return true;
    }
    return p.startsWith("*") && h.endsWith(p.slice(1));
}

/** Whether two host patterns share at least one host. */
export function hostsOverlap(a: string, b: string): boolean {
    return hostMatches(a, b) || hostMatches(b, a);
}

/**
 * The protocol Istio derives for a Service port, or undefined where it cannot (pkg/config/kube/conversion.go
 * `ConvertProtocol` with pkg/config/protocol/instance.go `Parse`).
 */
export function servicePortProtocol(port: number, name: string, protocol?: string, appProtocol?: string): string | undefined {
    if (protocol === "UDP") {
        return "UDP";
    }
    let value = name;
    if (appProtocol !== undefined) {
        value = appProtocol;
        const known: Record<string, string> = { "kubernetes.io/h2c": "HTTP2", "kubernetes.io/ws": "HTTP", "kubernetes.io/wss": "HTTPS" };
        if (known[value] !== undefined) {
            return known[value];
        }
    }
    if (value.toLowerCase().startsWith("grpc-web")) {
        return "GRPC-Web";
    }
    const prefix = value.split("-")[0].toLowerCase();
    const parsed = parsedProtocols[prefix];
    if (parsed === undefined && wellKnownTcpPorts.includes(port)) {
        return "TCP";
    }
    return parsed;
}

// pkg/config/constants/constants.go: the gateway controllers whose Services the port name analyzer skips.
export const managedGatewayControllers = ["istio.io-gateway-controller", "istio.io-mesh-controller", "istio.io-eastwest-controller"];

// pkg/config/protocol/instance.go `Parse` (lower-cased input; its `DoubleHBONE` case never matches).
const parsedProtocols: Record<string, string> = {
    tcp: "TCP",
    udp: "UDP",
    grpc: "GRPC",
    "grpc-web": "GRPC-Web",
    http: "HTTP",
    http_proxy: "HTTP_PROXY",
    http2: "HTTP2",
    https: "HTTPS",
    tls: "TLS",
    mongo: "Mongo",
    redis: "Redis",
    mysql: "MySQL",
};

/** The port name prefixes Istio accepts on a Service (`http_proxy` parses, but no port name may hold `_`). */
export const servicePortPrefixes: readonly string[] = Object.keys(parsedProtocols).filter((p) => p !== "http_proxy");

// pkg/config/kube/conversion.go `wellKnownPorts`: SMTP, DNS, MySQL, MongoDB default to TCP.
const wellKnownTcpPorts = [25, 53, 3306, 27017];

// The ports the injector keeps out of inbound capture by default (15090, 15021, and the status port 15020);
// Istio's whole port range is in core/facts/istio.ts.
export const uncapturedPorts = [15020, 15021, 15090];

// Where each selector-bearing Istio kind keeps its pod labels.
export const selectorPaths: Record<string, { field: string; labels: string }> = {
    PeerAuthentication: { field: "selector", labels: "matchLabels" },
    AuthorizationPolicy: { field: "selector", labels: "matchLabels" },
    RequestAuthentication: { field: "selector", labels: "matchLabels" },
    Telemetry: { field: "selector", labels: "matchLabels" },
    WasmPlugin: { field: "selector", labels: "matchLabels" },
    DestinationRule: { field: "workloadSelector", labels: "matchLabels" },
    Sidecar: { field: "workloadSelector", labels: "labels" },
    EnvoyFilter: { field: "workloadSelector", labels: "labels" },
};
