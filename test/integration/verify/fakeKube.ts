// A fake Kubernetes API server on 127.0.0.1: it serves the fixtures' objects the way the API server
// does (GET of an object, lists as <Kind>List, Status objects for errors, the pod proxy), records
// every request, and can be told to refuse, fail or never answer.

import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
}

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
export function readObjects(...parts: string[]): KubeObject[] {
    const parsed = JSON.parse(fs.readFileSync(path.join(fixturesDir, ...parts), "utf8")) as {
        items?: KubeObject[];
    } & KubeObject;
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
    readonly objects: KubeObject[] = [];
    /** `/metrics` text by `<namespace>/<pod>`. */
    readonly metrics = new Map<string, string>();
    readonly requests: RecordedRequest[] = [];
    /** Answers for exact paths, ahead of the objects. */
    readonly overrides = new Map<string, { status: number; body: unknown }>();
    /** Whether Istio's API group is served (its CRDs installed). */
    istio = true;
    /** `hang`: accept requests and never answer; `unauthorized`: 401 to everything. */
    behaviour: "normal" | "hang" | "unauthorized" = "normal";
    now = fixtureNow;
    private server?: http.Server;

    get url(): string {
        const address = this.server?.address() as AddressInfo;
        return `http://127.0.0.1:${address.port}`;
    }

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => this.handle(req, res));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        return this;
    }

    async stop(): Promise<void> {
        const server = this.server;
        if (!server) return;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    /** The object of that kind and name (first match when no namespace is given). */
    get<T = KubeObject>(kind: string, name: string, namespace?: string): T {
        const found = this.objects.find(
            (o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
        );
        if (!found) throw new Error(`fixture has no ${kind} ${name}`);
        return found as unknown as T;
    }

    remove(kind: string, name: string, namespace?: string): void {
        const object = this.get<KubeObject>(kind, name, namespace);
        this.objects.splice(this.objects.indexOf(object), 1);
    }

    add(...objects: KubeObject[]): void {
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
        if (req.method !== "GET") {
            return send(405, status(405, "MethodNotAllowed", `the fake serves GET only, not ${req.method}`));
        }
        const url = new URL(req.url ?? "/", "http://fake");
        const pathname = decodeURIComponent(url.pathname);
        const override = this.overrides.get(pathname);
        if (override) {
            return send(override.status, override.body, typeof override.body === "string" ? "text/plain" : "application/json");
        }
        const proxy = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/:]+):(\d+)\/proxy\/metrics$/.exec(pathname);
        if (proxy) {
            const [, namespace, pod] = proxy;
            const text = this.metrics.get(`${namespace}/${pod}`);
            return text === undefined
                ? send(
                      503,
                      status(
                          503,
                          "ServiceUnavailable",
                          `error trying to reach service: dial tcp 10.244.1.17:${proxy[3]}: connect: connection refused`,
                      ),
                  )
                : send(200, text, "text/plain; version=0.0.4; charset=utf-8; escaping=underscores");
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
}

function status(code: number, reason: string, message: string) {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

function notFound(plural: string, group: string, name: string) {
    const resource = group === "" ? plural : `${plural}.${group}`;
    return { ...status(404, "NotFound", `${resource} "${name}" not found`), details: { name, group, kind: plural } };
}
