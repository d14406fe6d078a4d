// The connection to the API server: @kubernetes/client-node loads the kubeconfig and
// authenticates each request (tokens, client certificates, exec plugins such as kubelogin) and
// sends it. Every request is a GET: the command only reads. A pod's own HTTP port is read through
// a port-forward (portForward.ts).

import type { KubeConfig } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { problem } from "../core/errors";
import type { Deadline } from "./limit";
import { forwardedGet } from "./portForward";
import { VerifyError } from "./types";

export type ClientNode = typeof import("@kubernetes/client-node", { with: { "resolution-mode": "import" } });

let clientNode: Promise<ClientNode> | undefined;

/**
 * @kubernetes/client-node is an ES module only, and this package compiles to CommonJS. TypeScript
 * (module node16) keeps this `import()` as it is, and a dynamic import loads an ES module from
 * CommonJS on every Node 22 (`require` of ES modules only arrived in 22.12).
 */
export function loadClientNode(): Promise<ClientNode> {
    clientNode ??= import("@kubernetes/client-node");
    return clientNode;
}

export interface KubeResponse {
    status: number;
    body: string;
    /** The server's `Date` header. */
    date?: Date;
}

/** Reads from one API server. Throws a `VerifyError` when the server cannot be reached or refuses the credentials. */
export interface KubeAccess {
    /** A JSON GET. */
    get(path: string): Promise<KubeResponse>;
    /** A GET of `path` on the pod's `port`, through a port-forward: it arrives on the pod's loopback. */
    podHttp(namespace: string, pod: string, port: number, path: string): Promise<KubeResponse>;
}

export interface KubeconfigChoice {
    kubeconfig?: string;
    context?: string;
}

const credentialsFix =
    "refresh the credentials, e.g. az aks get-credentials --resource-group <group> --name <cluster> " +
    "(then kubelogin convert-kubeconfig -l azurecli for Entra ID clusters), or pick another --context";

/** Loads the kubeconfig and returns a reader for its (or `--context`'s) cluster. */
export async function connect(choice: KubeconfigChoice, deadline: Deadline): Promise<KubeAccess> {
    const k8s = await loadClientNode();
    const config = loadKubeconfig(k8s, choice);
    const cluster = config.getCurrentCluster();
    if (!cluster) {
        throw new VerifyError(
            problem("--context", config.getCurrentContext(), "the kubeconfig names no cluster for this context", contextFix(config)),
        );
    }
    const server = cluster.server.replace(/\/+$/, "");
    const http = new k8s.IsomorphicFetchHttpLibrary();
    const refused = () =>
        new VerifyError(problem("API server", server, "auth error: HTTP 401 Unauthorized, the credentials were refused", credentialsFix));
    return {
        podHttp: (namespace, pod, port, path) =>
            deadline.track(
                { endpoint: "API server", server, request: `port-forward ${namespace}/${pod}:${port}, GET ${path}` },
                async () => {
                    const response = await forwardedGet(k8s, config, { namespace, pod, port, path }, deadline.signal);
                    if (response.status === 401) throw refused();
                    return response;
                },
            ),
        get: (path) =>
            deadline.track({ endpoint: "API server", server, request: `GET ${path}` }, async () => {
                const request = new k8s.RequestContext(server + path, k8s.HttpMethod.GET);
                request.setHeaderParam("Accept", "application/json");
                try {
                    await config.applySecurityAuthentication(request);
                } catch (error) {
                    throw new VerifyError(problem("API server", server, `auth error: ${describe(error)}`, credentialsFix));
                }
                request.setSignal(deadline.signal);
                const response = await send(() => http.send(request).toPromise(), server, deadline.signal);
                if (response.status === 401) throw refused();
                return response;
            }),
    };
}

/** Sends a request and reads its answer; a network failure is an unreachable server. */
async function send(
    exchange: () => Promise<{
        httpStatusCode: number;
        headers: Record<string, string>;
        body: { text(): Promise<string> };
    }>,
    server: string,
    signal: AbortSignal,
): Promise<KubeResponse> {
    try {
        const response = await exchange();
        const body = await response.body.text();
        const date = new Date(response.headers["date"] ?? "");
        return { status: response.httpStatusCode, body, ...(!isNaN(date.getTime()) && { date }) };
    } catch (error) {
        if (signal.aborted) {
            throw signal.reason;
        }
        throw new VerifyError(
            problem(
                "API server",
                server,
                `unreachable API server (${describe(error)})`,
                "check that the cluster is running and that this machine reaches it (VPN, private cluster, --context)",
            ),
        );
    }
}

function loadKubeconfig(k8s: ClientNode, choice: KubeconfigChoice): KubeConfig {
    const config = new k8s.KubeConfig();
    try {
        if (choice.kubeconfig !== undefined) {
            config.loadFromFile(choice.kubeconfig);
        } else {
            config.loadFromDefault();
        }
    } catch (error) {
        throw new VerifyError(
            problem(
                "--kubeconfig",
                choice.kubeconfig ?? process.env.KUBECONFIG ?? "~/.kube/config",
                `cannot load: ${describe(error)}`,
                "give the path of a kubeconfig file, e.g. from az aks get-credentials",
            ),
        );
    }
    if (choice.kubeconfig === undefined && config.getCurrentCluster()?.server === "http://localhost:8080") {
        // client-node's last resort when it found no kubeconfig at all.
        throw new VerifyError(
            problem(
                "--kubeconfig",
                "",
                "no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a cluster",
                "give --kubeconfig <file>, or run az aks get-credentials first",
            ),
        );
    }
    if (choice.context !== undefined) {
        if (config.getContextObject(choice.context) === null) {
            throw new VerifyError(problem("--context", choice.context, "no such context in the kubeconfig", contextFix(config)));
        }
        config.setCurrentContext(choice.context);
    }
    return config;
}

function contextFix(config: KubeConfig): string {
    const names = config.getContexts().map((c) => c.name);
    return names.length > 0 ? `use one of ${names.join(", ")}` : "the kubeconfig has no contexts: run az aks get-credentials";
}

/** An error's message with its cause (fetch reports the network error as the cause). */
function describe(error: unknown): string {
    if (!(error instanceof Error)) {
        return String(error);
    }
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
        const code = (cause as Error & { code?: string }).code;
        return code !== undefined && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
    }
    return error.message;
}
