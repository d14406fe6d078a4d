// One HTTP GET on a pod's port through the API server's port-forward (@kubernetes/client-node's
// PortForward: a websocket, the first two bytes of each channel naming the port). The kubelet dials the
// port on the pod's loopback, inside its network namespace: a locally generated packet to 127.0.0.1 is not
// redirected to the sidecar (istio/istio tools/istio-iptables/pkg/capture/run.go redirects loopback
// traffic only when it is not for 127.0.0.1/32, and inbound capture hooks PREROUTING, which such packets do
// not cross), so STRICT mTLS needs no plaintext exception for it.

import * as http from "node:http";
import { Duplex, PassThrough, Writable } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import type { ClientNode, KubeResponse } from "./kubeClient";

export interface PodTarget {
    namespace: string;
    pod: string;
    port: number;
    /** The HTTP path on the pod, e.g. `/metrics`. */
    path: string;
}

/** Status 502 stands for a forward the kubelet could not make (the port is closed, say). */
const forwardFailed = 502;

/** GET `target.path` on the pod's port; the API server's refusal of the upgrade comes back as its HTTP status. */
export async function forwardedGet(k8s: ClientNode, config: KubeConfig, target: PodTarget, signal: AbortSignal): Promise<KubeResponse> {
    const toPod = new PassThrough();
    const fromPod = new PassThrough();
    const errors: Buffer[] = [];
    const errorChannel = new Writable({
        write(chunk: Buffer, _encoding, done) {
            errors.push(chunk);
            done();
        },
    });
    let socket: { close(): void; addEventListener(event: "close", listener: () => void): void };
    try {
        const opened = await new k8s.PortForward(config, true).portForward(
            target.namespace,
            target.pod,
            [target.port],
            fromPod,
            errorChannel,
            toPod,
        );
        if (typeof opened === "function") throw new Error("the port-forward did not open");
        socket = opened;
    } catch (error) {
        if (signal.aborted) throw signal.reason;
        return upgradeRefused(error);
    }
    const close = () => socket.close();
    signal.addEventListener("abort", close, { once: true });
    // The pod's side ends when the websocket closes: the HTTP parser then sees the end of the stream.
    socket.addEventListener("close", () => fromPod.end());
    try {
        return await httpGet(Duplex.from({ readable: fromPod, writable: toPod }), target, signal, () =>
            Buffer.concat(errors).toString("utf8").trim(),
        );
    } finally {
        signal.removeEventListener("abort", close);
        close();
    }
}

/** Node's HTTP client over the forwarded stream: it parses whatever framing the pod's server chose. */
function httpGet(stream: Duplex, target: PodTarget, signal: AbortSignal, kubeletError: () => string): Promise<KubeResponse> {
    return new Promise((resolve, reject) => {
        const request = http.request(
            {
                createConnection: () => stream as unknown as import("node:net").Socket,
                method: "GET",
                path: target.path,
                headers: { Host: `localhost:${target.port}`, Accept: "text/plain;version=0.0.4", Connection: "close" },
                signal,
            },
            (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("error", reject);
                response.on("end", () => {
                    const date = new Date(response.headers.date ?? "");
                    resolve({
                        status: response.statusCode ?? 0,
                        body: Buffer.concat(chunks).toString("utf8"),
                        ...(!Number.isNaN(date.getTime()) && { date }),
                    });
                });
            },
        );
        request.on("error", (error) => {
            if (signal.aborted) return reject(signal.reason);
            // The kubelet reports a failed dial on the port's error channel, then closes the forward.
            const reason = kubeletError() || error.message;
            resolve({ status: forwardFailed, body: `the port-forward to ${target.pod}:${target.port} failed: ${reason}` });
        });
        request.end();
    });
}

/** The websocket library reports a refused upgrade as "Unexpected server response: <status>". */
function upgradeRefused(error: unknown): KubeResponse {
    const message =
        error instanceof Error
            ? error.message
            : typeof error === "object" && error !== null && "message" in error
              ? String((error as { message: unknown }).message)
              : String(error);
    const status = /Unexpected server response: (\d{3})/.exec(message);
    return status
        ? { status: Number(status[1]), body: `the API server refused the port-forward (HTTP ${status[1]})` }
        : { status: forwardFailed, body: `the port-forward did not open: ${message}` };
}
