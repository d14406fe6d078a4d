// Everything the applicable checks read (checks/ names the reads, reads.ts says where each is), fetched once
// with bounded concurrency. The checks are pure functions of this snapshot.

import type { KubeAccess, KubeResponse } from "./kubeClient";
import type { Pod } from "./kubeObjects";
import { Limit, limiter } from "./limit";
import { Fetched, KubeReadId, kubeReads, PodHttpRead, ReadId, Snapshot } from "./reads";
import type { VerifyOptions } from "./types";
import { runningPodsOf } from "./workloads";

/** Reads `wanted` (the Azure side excepted), at most `concurrency` requests at once. */
export async function fetchSnapshot(
    kube: KubeAccess,
    options: VerifyOptions,
    wanted: ReadonlySet<ReadId>,
    concurrency = 6,
): Promise<Snapshot> {
    const limit = limiter(concurrency);
    // First alone: a wrong context or a dead server shows here, before a burst of requests.
    const namespace = await readJson(kube, limit, "object", kubeReads.namespace.path(options));
    const namespaceMissing = namespace.state === "missing";
    const pending = new Map<KubeReadId, Promise<Fetched<unknown>>>([["namespace", Promise.resolve(namespace)]]);
    const fetch = (id: KubeReadId): Promise<Fetched<unknown>> => {
        let promise = pending.get(id);
        if (!promise) {
            const read = kubeReads[id];
            promise =
                read.shape === "podHttp"
                    ? fetch("pods").then((pods) => podHttp(kube, limit, pods as Fetched<Pod[]>, read, options))
                    : readJson(kube, limit, read.shape, read.path(options));
            pending.set(id, promise);
        }
        return promise;
    };
    const ids = [...wanted].filter((id): id is KubeReadId => id !== "azure" && !(kubeReads[id].namespaced && namespaceMissing));
    const fetched = await Promise.all(ids.map(async (id) => [id, await fetch(id)] as const));
    return Object.fromEntries(fetched) as Snapshot;
}

/** A GET on `read.port` of every running pod of `read.workloads`, through a port-forward, by pod name. */
async function podHttp(
    kube: KubeAccess,
    limit: Limit,
    pods: Fetched<Pod[]>,
    read: PodHttpRead,
    options: VerifyOptions,
): Promise<Fetched<Record<string, Fetched<string>>>> {
    if (pods.state !== "found") {
        return { state: "found", value: {} };
    }
    const running = runningPodsOf(read.workloads(options), pods.value);
    const entries = await Promise.all(
        running.map(async (pod): Promise<[string, Fetched<string>]> => {
            const name = pod.metadata?.name ?? "";
            const path = `/api/v1/namespaces/${options.namespace}/pods/${name}/portforward?ports=${read.port}`;
            const response = await limit(() => kube.podHttp(options.namespace, name, read.port, read.path));
            return [name, toText(path, response)];
        }),
    );
    return { state: "found", value: Object.fromEntries(entries) };
}

async function readJson(kube: KubeAccess, limit: Limit, shape: "object" | "list", path: string): Promise<Fetched<unknown>> {
    const response = await limit(() => kube.get(path));
    if (response.status === 404) {
        return { state: "missing", path };
    }
    if (response.status < 200 || response.status >= 300) {
        return { state: "error", path, status: response.status, reason: statusReason(response) };
    }
    let value: unknown;
    try {
        value = JSON.parse(response.body);
    } catch {
        return { state: "error", path, status: response.status, reason: `the answer is not JSON: ${excerpt(response.body)}` };
    }
    const wrong = shapeProblem(shape, value);
    if (wrong) {
        return { state: "error", path, status: response.status, reason: `the answer is ${wrong}: ${excerpt(response.body)}` };
    }
    const found = shape === "list" ? ((value as { items: unknown[] }).items ?? []) : value;
    return { state: "found", value: found, ...(response.date && { date: response.date }) };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** What is wrong with the answer's shape: an object, or a list whose items (absent when empty) are objects. */
function shapeProblem(shape: "object" | "list", value: unknown): string | undefined {
    if (!isObject(value)) return "not a JSON object";
    if (shape === "object") return undefined;
    const items = value.items;
    if (items === undefined || items === null) return undefined;
    if (!Array.isArray(items)) return "not a list (items is not an array)";
    const bad = items.findIndex((item) => !isObject(item));
    return bad >= 0 ? `not a list of objects (items[${bad}] is ${JSON.stringify(items[bad]) ?? "undefined"})` : undefined;
}

function toText(path: string, response: KubeResponse): Fetched<string> {
    if (response.status < 200 || response.status >= 300) {
        return { state: "error", path, status: response.status, reason: statusReason(response) };
    }
    return { state: "found", value: response.body, ...(response.date && { date: response.date }) };
}

/** The API server's `Status` message, or the start of whatever else came back. */
function statusReason(response: KubeResponse): string {
    try {
        const status = JSON.parse(response.body) as { message?: unknown };
        if (typeof status.message === "string" && status.message !== "") {
            return status.message;
        }
    } catch {
        // Not a Status object: a proxied error page, say.
    }
    const text = excerpt(response.body);
    return text === "" ? `HTTP ${response.status}` : text;
}

function excerpt(body: string): string {
    return body.trim().replace(/\s+/g, " ").slice(0, 400);
}
