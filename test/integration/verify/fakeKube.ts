// A fake Kubernetes API server on 127.0.0.1: it serves the fixtures' objects the way the API server
// does (GET of an object, lists as <Kind>List, Status objects for errors), a pod's port through the
// kubelet's websocket port-forward protocol to a real HTTP server standing in for the pod's loopback,
// records every request, and can be told to refuse, fail or never answer.

import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { WebSocket, WebSocketServer } from "ws";
import type { KubernetesObject } from "../../../components/core/kubernetes";

/** An object the fake serves: the package's one Kubernetes object type, with its name, which the fake looks objects up by. */
export type ServedObject = KubernetesObject & { metadata: { name: string } };

const fixturesDir = path.join(__dirname, "fixtures");
/** The fixtures' clock: every timestamp in them is relative to this. */
export const fixtureNow = new Date("2026-11-29T12:00:00Z");

const kinds: Record<string, string> = {
    namespaces: "Namespace",
    pods: "Pod",
    services: "Service",
    secrets: "Secret",
    serviceaccounts: "ServiceAccount",
    deployments: "Deployment",
    statefulsets: "StatefulSet",
    daemonsets: "DaemonSet",
    roles: "Role",
    rolebindings: "RoleBinding",
    peerauthentications: "PeerAuthentication",
};

/** Reads a fixture file: a list's items, or one object. */
export function readObjects(...parts: string[]): ServedObject[] {
    const parsed = JSON.parse(fs.readFileSync(path.join(fixturesDir, ...parts), "utf8")) as {
        items?: ServedObject[];
    } & ServedObject;
    return parsed.items ?? [parsed];
}

export function readText(...parts: string[]): string {
    return fs.readFileSync(path.join(fixturesDir, ...parts), "utf8");
}

export interface RecordedRequest {
    method: string;
    url: string;
    authorization?: string;
}

export class FakeKube {
    readonly objects: ServedObject[] = [];
    /** `/metrics` text by `<namespace>/<pod>`. */
    readonly metrics = new Map<string, string>();
    readonly requests: RecordedRequest[] = [];
    /** Answers for exact paths, ahead of the objects. */
    readonly overrides = new Map<string, { status: number; body: unknown }>();
    /** Whether Istio's API group is served (its CRDs installed). */
    istio = true;
    /**
     * `hang`: accept requests and never answer; `unauthorized`: 401 to everything; `forbidden`: 403 to
     * everything (an identity without the ClusterRole); `server-error`: 500 to everything; `login-page`: a
     * proxy's HTML login page, 200, for everything.
     */
    behaviour: "normal" | "hang" | "unauthorized" | "forbidden" | "server-error" | "login-page" = "normal";
    now = fixtureNow;
    private server?: http.Server;
    /** The pods' loopback: Prometheus' web server as each shard pod would answer on its port 9090. */
    private loopback?: http.Server;
    /** Which pod (`<namespace>/<pod>`) a connection to the loopback server comes from, by its local port. */
    private readonly forwarded = new Map<number, string>();
    private readonly sockets = new WebSocketServer({
        noServer: true,
        // The kubelet's websocket port-forward speaks the channel protocol (pkg/kubelet/cri/streaming/portforward/websocket.go).
        handleProtocols: (offered) => (offered.has("v4.channel.k8s.io") ? "v4.channel.k8s.io" : false),
    });

    get url(): string {
        const address = this.server?.address() as AddressInfo;
        return `http://127.0.0.1:${address.port}`;
    }

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => this.handle(req, res));
        this.server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.upgrade(req, socket, head));
        this.loopback = http.createServer((req, res) => this.servePodPort(req, res));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        await new Promise<void>((resolve) => this.loopback!.listen(0, "127.0.0.1", resolve));
        return this;
    }

    async stop(): Promise<void> {
        for (const client of this.sockets.clients) client.terminate();
        for (const server of [this.server, this.loopback]) {
            if (!server) continue;
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    }

    /** The object of that kind and name (first match when no namespace is given). */
    get<T = ServedObject>(kind: string, name: string, namespace?: string): T {
        const found = this.objects.find(
            (o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
        );
        if (!found) throw new Error(`fixture has no ${kind} ${name}`);
        return found as unknown as T;
    }

    remove(kind: string, name: string, namespace?: string): void {
        const object = this.get<ServedObject>(kind, name, namespace);
        this.objects.splice(this.objects.indexOf(object), 1);
    }

    add(...objects: ServedObject[]): void {
        this.objects.push(...structuredClone(objects));
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        this.requests.push({
            method: req.method ?? "",
            url: req.url ?? "",
            authorization: req.headers.authorization,
        });
        if (this.behaviour === "hang") {
            return;
        }
        res.sendDate = false;
        res.setHeader("Date", this.now.toUTCString());
        const send = (status: number, body: unknown, type = "application/json") => {
            res.writeHead(status, { "Content-Type": type });
            res.end(typeof body === "string" ? body : JSON.stringify(body));
        };
        if (this.behaviour === "unauthorized") {
            return send(401, status(401, "Unauthorized", "Unauthorized"));
        }
        const refused = this.refusal(req.url ?? "/");
        if (refused) {
            return send(refused.status, refused.body, typeof refused.body === "string" ? "text/html" : "application/json");
        }
        if (req.method !== "GET") {
            return send(405, status(405, "MethodNotAllowed", `the fake serves GET only, not ${req.method}`));
        }
        const url = new URL(req.url ?? "/", "http://fake");
        const pathname = decodeURIComponent(url.pathname);
        const override = this.overrides.get(pathname);
        if (override) {
            return send(override.status, override.body, typeof override.body === "string" ? "text/plain" : "application/json");
        }
        // Cluster-wide lists (namespaces, pods of every namespace), filtered by an equality label selector.
        const clusterList = /^\/api\/v1\/(namespaces|pods)$/.exec(pathname);
        if (clusterList) {
            const kind = kinds[clusterList[1]];
            const selector = selectorOf(url.searchParams.get("labelSelector"));
            if (!selector) return send(400, status(400, "BadRequest", "unable to parse requirement: the fake takes key=value[,key=value]"));
            const items = this.objects.filter((o) => o.kind === kind && matchesSelector(o, selector));
            return send(200, { apiVersion: "v1", kind: `${kind}List`, metadata: { resourceVersion: "90210" }, items });
        }
        const route =
            /^\/api\/(v1)\/namespaces\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(pathname) ??
            /^\/apis\/([^/]+\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(pathname);
        if (!route) {
            return send(404, "404 page not found\n", "text/plain");
        }
        const [, groupVersion, namespace, plural, name] = route;
        if (groupVersion.startsWith("security.istio.io/") && !this.istio) {
            return send(404, "404 page not found\n", "text/plain");
        }
        if (plural === undefined) {
            const ns = this.objects.find((o) => o.kind === "Namespace" && o.metadata.name === namespace);
            return ns ? send(200, ns) : send(404, notFound("namespaces", "", namespace));
        }
        const kind = kinds[plural];
        const group = groupVersion === "v1" ? "" : groupVersion.split("/")[0];
        const matching = this.objects.filter((o) => o.kind === kind && o.apiVersion === groupVersion && o.metadata.namespace === namespace);
        if (name === undefined) {
            return send(200, {
                apiVersion: groupVersion,
                kind: `${kind}List`,
                metadata: { resourceVersion: "90210" },
                items: matching,
            });
        }
        const object = matching.find((o) => o.metadata.name === name);
        return object ? send(200, object) : send(404, notFound(plural, group, name));
    }

    /** The answer of the refusing behaviours, as the API server (or a proxy in front of it) gives it. */
    private refusal(url: string): { status: number; body: unknown } | undefined {
        const pathname = new URL(url, "http://fake").pathname;
        switch (this.behaviour) {
            case "forbidden":
                return {
                    status: 403,
                    body: status(403, "Forbidden", `forbidden: User "ci" cannot get path "${pathname}"`),
                };
            case "server-error":
                return { status: 500, body: status(500, "InternalError", "Internal error occurred: etcdserver: request timed out") };
            case "login-page":
                return {
                    status: 200,
                    body: "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in to continue</body></html>",
                };
            default:
                return undefined;
        }
    }

    /**
     * `GET /api/v1/namespaces/<ns>/pods/<pod>/portforward?ports=<port>` with a websocket upgrade: the
     * API server checks the pod, then the kubelet dials the port inside the pod and relays bytes. Each
     * channel (data 0, error 1) starts with the port, two bytes little-endian; data frames carry the
     * channel in their first byte.
     */
    private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
        this.requests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
        const refuse = (code: number, body: unknown) => {
            const text = JSON.stringify(body);
            socket.end(
                `HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
            );
        };
        if (this.behaviour === "hang") return;
        if (this.behaviour === "unauthorized") return refuse(401, status(401, "Unauthorized", "Unauthorized"));
        const refused = this.refusal(req.url ?? "/");
        if (refused) return refuse(refused.status, refused.body);
        const url = new URL(req.url ?? "/", "http://fake");
        const override = this.overrides.get(url.pathname);
        if (override) return refuse(override.status, override.body);
        const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
        const port = Number(url.searchParams.get("ports"));
        if (!match || !Number.isInteger(port) || port <= 0) {
            return refuse(400, status(400, "BadRequest", "query parameter ports is required for a websocket port-forward"));
        }
        const [, namespace, pod] = match;
        if (!this.objects.some((o) => o.kind === "Pod" && o.metadata.name === pod && o.metadata.namespace === namespace)) {
            return refuse(404, notFound("pods", "", pod));
        }
        this.sockets.handleUpgrade(req, socket, head, (ws) => this.forward(ws, `${namespace}/${pod}`, port));
    }

    private forward(ws: WebSocket, pod: string, port: number): void {
        const frame = (channel: number, data: Buffer) => ws.send(Buffer.concat([Buffer.from([channel]), data]));
        const portBytes = Buffer.from([port & 0xff, port >> 8]);
        frame(0, portBytes);
        frame(1, portBytes);
        if (!this.metrics.has(pod)) {
            // What the kubelet reports when nothing listens on the port inside the pod.
            frame(
                1,
                Buffer.from(
                    `error forwarding port ${port} to pod ${pod}: failed to connect to localhost:${port} inside namespace: connect: connection refused`,
                ),
            );
            ws.close();
            return;
        }
        const address = this.loopback!.address() as AddressInfo;
        const tcp = net.connect(address.port, "127.0.0.1");
        tcp.on("connect", () => this.forwarded.set(tcp.localPort!, pod));
        tcp.on("data", (data: Buffer) => frame(0, data));
        tcp.on("close", () => ws.close());
        tcp.on("error", () => ws.close());
        ws.on("message", (data: Buffer) => {
            if (data[0] === 0) tcp.write(data.subarray(1));
        });
        ws.on("close", () => tcp.destroy());
    }

    /** Prometheus' web server on the pod's port: `/metrics` in the text format, with the pod's clock in `Date`. */
    private servePodPort(req: http.IncomingMessage, res: http.ServerResponse): void {
        const pod = this.forwarded.get(req.socket.remotePort ?? 0);
        const text = pod === undefined ? undefined : this.metrics.get(pod);
        res.sendDate = false;
        res.setHeader("Date", this.now.toUTCString());
        if (req.url !== "/metrics" || text === undefined) {
            res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
            res.end("404 page not found\n");
            return;
        }
        res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8; escaping=underscores" });
        res.end(text);
    }
}

/** `key=value,…` as a map; undefined for anything else (the fake does not parse set-based selectors). */
function selectorOf(text: string | null): Record<string, string> | undefined {
    if (text === null || text === "") return {};
    const pairs = text.split(",").map((term) => /^([^=!,]+)=([^=,]*)$/.exec(term));
    return pairs.every((m) => m !== null) ? Object.fromEntries(pairs.map((m) => [m![1], m![2]])) : undefined;
}

function matchesSelector(object: ServedObject, selector: Record<string, string>): boolean {
    const labels = (object.metadata.labels ?? {}) as Record<string, string>;
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function status(code: number, reason: string, message: string) {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

function notFound(plural: string, group: string, name: string) {
    const resource = group === "" ? plural : `${plural}.${group}`;
    return { ...status(404, "NotFound", `${resource} "${name}" not found`), details: { name, group, kind: plural } };
}
