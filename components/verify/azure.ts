// The Azure side, read over plain HTTPS: the cluster's data collection rule associations and their
// rules from ARM, the workspace's query endpoint, and one PromQL query. Tokens come from
// @azure/identity's DefaultAzureCredential; ARM's address and the credential can be injected (tests).

import { parseAksResourceId } from "../core/facts/resourceIds";
import { dataCollectionEndpointName } from "../azure/names";
import type { Collector } from "../core/args";
import { fetchPublisher, Publisher } from "./azurePublisher";
import { problem } from "../core/errors";
import type { Deadline, Limit } from "./limit";
import { limiter } from "./limit";
import type { Fetched } from "./reads";
import { AzureTarget, VerifyError } from "./types";

/** The part of @azure/identity's `TokenCredential` the command uses. */
interface TokenCredentialLike {
    getToken(scopes: string | string[], options?: { abortSignal?: AbortSignal }): Promise<{ token: string } | null>;
}

export interface AzureAccess {
    credential: TokenCredentialLike;
    /** ARM's base URL; `https://management.azure.com` unless a test injects another. */
    armEndpoint: string;
}

const armEndpoint = "https://management.azure.com";
const armScope = "https://management.azure.com/.default";
const prometheusScope = "https://prometheus.monitor.azure.com/.default";
// Versions of azure-rest-api-specs: monitor/…/Microsoft.Insights/stable/2022-06-01 (associations, rules, endpoints:
// networkAcls.publicNetworkAccess and the read-only privateLinkScopedResources), monitor/…/Microsoft.Monitor
// 2023-04-03 (workspaces), alertsmanagement/…/stable/2023-03-01/PrometheusRuleGroups.json (ListBySubscription).
const apiVersions = {
    associations: "2022-06-01",
    rules: "2022-06-01",
    endpoints: "2022-06-01",
    workspace: "2023-04-03",
    ruleGroups: "2023-03-01",
};
/** How far back a sample of `up` counts as arriving. */
export const arrivalWindowMinutes = 10;

export interface Association {
    id?: string;
    name?: string;
    properties?: { dataCollectionRuleId?: string; dataCollectionEndpointId?: string };
}

export interface DataCollectionRule {
    id?: string;
    name?: string;
    properties?: {
        destinations?: { monitoringAccounts?: { accountResourceId?: string; name?: string }[] };
        dataFlows?: { streams?: string[]; destinations?: string[] }[];
        dataCollectionEndpointId?: string;
    };
}

/**
 * Whether two ARM resource ids name the same resource, case aside: ARM treats ids case-insensitively
 * (Azure/azure-resource-manager-rpc v1.0/resource-api-reference.md) and services return them in varying case.
 */
export function sameId(a: string | undefined, b: string): boolean {
    return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Whether a rule that was read sends to the workspace `workspaceId` (one of its monitoringAccounts destinations). */
export function sendsTo(rule: Fetched<DataCollectionRule> | undefined, workspaceId: string): boolean {
    return (
        rule?.state === "found" &&
        (rule.value.properties?.destinations?.monitoringAccounts ?? []).some((m) => sameId(m.accountResourceId, workspaceId))
    );
}

interface Workspace {
    id?: string;
    location?: string;
    properties?: { metrics?: { prometheusQueryEndpoint?: string } };
}

interface PrometheusRuleGroup {
    id?: string;
    name?: string;
    properties?: { enabled?: boolean; clusterName?: string; scopes?: string[]; rules?: unknown[] };
}

export interface DataCollectionEndpoint {
    id?: string;
    name?: string;
    properties?: {
        networkAcls?: { publicNetworkAccess?: string };
        privateLinkScopedResources?: { resourceId?: string; scopeId?: string }[];
    };
}

interface QueryResponse {
    status?: string;
    error?: string;
    data?: {
        resultType?: string;
        result?: { metric?: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
    };
}

export interface AzureSnapshot {
    associations: Fetched<Association[]>;
    /** The associations' rules, by lower-cased resource id. */
    rules: Record<string, Fetched<DataCollectionRule>>;
    workspace: Fetched<Workspace>;
    /** Absent when the workspace could not be read or has no query endpoint. */
    query?: Fetched<QueryResponse>;
    /** The PromQL that was sent. */
    promql: string;
    /** The Prometheus rule groups of the cluster's subscription. */
    ruleGroups: Fetched<PrometheusRuleGroup[]>;
    /** The component's data collection endpoints, by lower-cased id (absent when they could not be found). */
    endpoints: Record<string, Fetched<DataCollectionEndpoint>>;
    /** prometheus: the collector's identity and its role assignments. */
    publisher?: Publisher;
}

/**
 * `up` of the cluster over the arrival window: a range selector returns each sample's own timestamp. The
 * `cluster` label is the cluster's name; AKS's name rules leave nothing in it to escape.
 */
function arrivalQuery(clusterId: string): string {
    return `up{cluster="${parseAksResourceId(clusterId)?.clusterName}"}[${arrivalWindowMinutes}m]`;
}

export async function fetchAzureSnapshot(
    target: AzureTarget,
    collector: Collector,
    access: AzureAccess,
    deadline: Deadline,
    now: Date,
    /** prometheus: the client id the collector's ServiceAccount names, once the Kubernetes side is read. */
    collectorClientId?: Promise<string | undefined>,
): Promise<AzureSnapshot> {
    const limit = limiter(4);
    const client = azureClient(access, deadline);
    const arm = access.armEndpoint.replace(/\/+$/, "");
    const promql = arrivalQuery(target.clusterId);
    const subscription = `${arm}/subscriptions/${parseAksResourceId(target.clusterId)?.subscriptionId}`;
    const [{ associations, rules }, { workspace, query }, ruleGroups] = await Promise.all([
        fetchAssociations(client, limit, arm, target.clusterId),
        fetchArrivals(client, limit, arm, target.workspaceId, promql, now),
        limit(() =>
            client.getAll<PrometheusRuleGroup>(
                `${subscription}/providers/Microsoft.AlertsManagement/prometheusRuleGroups?api-version=${apiVersions.ruleGroups}`,
                armScope,
            ),
        ),
    ]);
    const [endpoints, publisher] = await Promise.all([
        fetchEndpoints(client, limit, arm, subscription, collector, { target, associations, rules, workspace }),
        collector === "prometheus" && collectorClientId
            ? collectorClientId.then((id) =>
                  fetchPublisher({ getAll: (url) => limit(() => client.getAll(url, armScope)) }, subscription, id),
              )
            : undefined,
    ]);
    return { associations, rules, workspace, promql, ...(query && { query }), ruleGroups, endpoints, ...(publisher && { publisher }) };
}

/**
 * The component's data collection endpoints. ama-metrics: those its associations name, directly (the
 * configuration access endpoint) or through a rule that sends to the workspace. prometheus: it has no
 * association, so the endpoint of the subscription named as the component names it (azure/names).
 */
async function fetchEndpoints(
    client: AzureClient,
    limit: Limit,
    arm: string,
    subscription: string,
    collector: Collector,
    read: {
        target: AzureTarget;
        associations: Fetched<Association[]>;
        rules: Record<string, Fetched<DataCollectionRule>>;
        workspace: Fetched<Workspace>;
    },
): Promise<Record<string, Fetched<DataCollectionEndpoint>>> {
    const get = (id: string) =>
        limit(() => client.get<DataCollectionEndpoint>(`${arm}${id}?api-version=${apiVersions.endpoints}`, armScope));
    if (collector === "ama-metrics") {
        const ids = new Map<string, string>();
        const add = (id: string | undefined) => id && ids.set(id.toLowerCase(), id);
        for (const association of read.associations.state === "found" ? read.associations.value : []) {
            add(association.properties?.dataCollectionEndpointId);
            const rule = read.rules[association.properties?.dataCollectionRuleId?.toLowerCase() ?? ""];
            if (rule?.state === "found" && sendsTo(rule, read.target.workspaceId)) add(rule.value.properties?.dataCollectionEndpointId);
        }
        return Object.fromEntries(await Promise.all([...ids].map(async ([key, id]) => [key, await get(id)] as const)));
    }
    const cluster = parseAksResourceId(read.target.clusterId)?.clusterName;
    const location = read.workspace.state === "found" ? read.workspace.value.location : undefined;
    if (!cluster || !location) return {};
    const name = dataCollectionEndpointName(location, cluster).toLowerCase();
    const listed = await limit(() =>
        client.getAll<DataCollectionEndpoint>(
            `${subscription}/providers/Microsoft.Insights/dataCollectionEndpoints?api-version=${apiVersions.endpoints}`,
            armScope,
        ),
    );
    if (listed.state !== "found") return { [name]: listed };
    return Object.fromEntries(
        listed.value
            .filter((e) => e.name?.toLowerCase() === name && e.id)
            .map((e) => [e.id!.toLowerCase(), { state: "found", value: e } as Fetched<DataCollectionEndpoint>]),
    );
}

/** The cluster's associations, and the rule each names. */
async function fetchAssociations(client: AzureClient, limit: Limit, arm: string, clusterId: string) {
    const url = `${arm}${clusterId}/providers/Microsoft.Insights/dataCollectionRuleAssociations?api-version=${apiVersions.associations}`;
    const associations = await limit(() => client.getAll<Association>(url, armScope));
    // By lower-cased id, as the checks look rules up: ARM's ids are case-insensitive.
    const ruleIds = new Map<string, string>();
    if (associations.state === "found") {
        for (const association of associations.value) {
            const id = association.properties?.dataCollectionRuleId;
            if (id && !ruleIds.has(id.toLowerCase())) ruleIds.set(id.toLowerCase(), id);
        }
    }
    const rules = await Promise.all(
        [...ruleIds].map(async ([key, id]) => {
            const rule = await limit(() => client.get<DataCollectionRule>(`${arm}${id}?api-version=${apiVersions.rules}`, armScope));
            return [key, rule] as const;
        }),
    );
    return { associations, rules: Object.fromEntries(rules) };
}

/** The workspace, and the PromQL answer of its query endpoint. */
async function fetchArrivals(
    client: AzureClient,
    limit: Limit,
    arm: string,
    workspaceId: string,
    promql: string,
    now: Date,
): Promise<{ workspace: Fetched<Workspace>; query?: Fetched<QueryResponse> }> {
    const workspace = await limit(() => client.get<Workspace>(`${arm}${workspaceId}?api-version=${apiVersions.workspace}`, armScope));
    const endpoint = workspace.state === "found" ? workspace.value.properties?.metrics?.prometheusQueryEndpoint : undefined;
    if (!endpoint) {
        return { workspace };
    }
    const url = `${endpoint.replace(/\/+$/, "")}/api/v1/query?query=${encodeURIComponent(promql)}&time=${now.getTime() / 1000}`;
    return { workspace, query: await limit(() => client.get<QueryResponse>(url, prometheusScope)) };
}

interface AzureClient {
    get<T>(url: string, scope: string): Promise<Fetched<T>>;
    /** Follows `nextLink` (ARM's paging), a few pages at most. */
    getAll<T>(url: string, scope: string): Promise<Fetched<T[]>>;
}

function azureClient(access: AzureAccess, deadline: Deadline): AzureClient {
    // One token per scope for the whole run.
    const tokens = new Map<string, Promise<string>>();
    const token = (scope: string) => {
        let pending = tokens.get(scope);
        if (!pending) {
            pending = deadline.track(
                { endpoint: "Azure endpoint", server: "DefaultAzureCredential", request: `a token for ${scope}` },
                () => requestToken(access.credential, scope, deadline.signal),
            );
            tokens.set(scope, pending);
        }
        return pending;
    };
    const get = async <T>(url: string, scope: string) => getJson<T>(url, await token(scope), deadline);
    return {
        get,
        async getAll<T>(url: string, scope: string): Promise<Fetched<T[]>> {
            const items: T[] = [];
            let next: string | undefined = url;
            for (let page = 0; next && page < 10; page++) {
                const fetched: Fetched<{ value?: T[]; nextLink?: string }> = await get(next, scope);
                if (fetched.state !== "found") return fetched;
                items.push(...(fetched.value.value ?? []));
                next = fetched.value.nextLink ?? undefined;
            }
            return { state: "found", value: items };
        },
    };
}

async function requestToken(credential: TokenCredentialLike, scope: string, signal: AbortSignal): Promise<string> {
    let reason: string;
    try {
        const token = await credential.getToken(scope, { abortSignal: signal });
        if (token) return token.token;
        reason = "the credential returned no token";
    } catch (error) {
        if (signal.aborted) throw signal.reason;
        reason = firstLine(error);
    }
    throw new VerifyError(
        problem(
            "--azure",
            true,
            `auth error: no token for ${scope} (${reason})`,
            "sign in with az login, or provide a workload identity or managed identity that DefaultAzureCredential finds",
        ),
    );
}

/** One GET with a bearer token: the JSON answer, its absence (404), or the error ARM or the endpoint gave. */
async function getJson<T>(url: string, bearer: string, deadline: Deadline): Promise<Fetched<T>> {
    const { origin, pathname } = new URL(url);
    return deadline.track({ endpoint: "Azure endpoint", server: origin, request: `GET ${pathname}` }, async () => {
        let response: Response;
        let text: string;
        try {
            response = await fetch(url, {
                method: "GET",
                headers: { Authorization: `Bearer ${bearer}`, Accept: "application/json" },
                signal: deadline.signal,
            });
            text = await response.text();
        } catch (error) {
            if (deadline.signal.aborted) throw deadline.signal.reason;
            throw new VerifyError(
                problem(
                    "Azure endpoint",
                    origin,
                    `unreachable Azure endpoint (${firstLine(error)})`,
                    "check that this machine reaches Azure (proxy, firewall)",
                ),
            );
        }
        if (response.status === 401) {
            throw new VerifyError(
                problem(
                    "--azure",
                    true,
                    `auth error: HTTP 401 from ${origin} (${armErrorMessage(text)})`,
                    "sign in again (az login) with an identity of the cluster's tenant",
                ),
            );
        }
        if (response.status === 404) {
            return { state: "missing", path: url };
        }
        if (!response.ok) {
            return { state: "error", path: url, status: response.status, reason: armErrorMessage(text) };
        }
        try {
            return { state: "found", value: JSON.parse(text) as T };
        } catch {
            return { state: "error", path: url, status: response.status, reason: "the answer is not JSON" };
        }
    });
}

/** ARM's `{"error":{"code","message"}}`, Prometheus' `{"error"}`, or the start of the text. */
function armErrorMessage(text: string): string {
    try {
        const body = JSON.parse(text) as { error?: { code?: string; message?: string } | string };
        if (typeof body.error === "string") return body.error;
        if (body.error?.message) return body.error.code ? `${body.error.code}: ${body.error.message}` : body.error.message;
    } catch {
        // Not JSON.
    }
    return text.trim().slice(0, 200) || "no details";
}

function firstLine(error: unknown): string {
    const cause = error instanceof Error && (error as Error & { cause?: unknown }).cause;
    const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
    return message.split("\n")[0];
}

/** @azure/identity, loaded only with --azure: it takes a moment to load. A dynamic import, like the Kubernetes client's. */
export function loadAzureIdentity(): Promise<typeof import("@azure/identity", { with: { "resolution-mode": "import" } })> {
    return import("@azure/identity");
}

/** The real credential and ARM. */
export async function defaultAzureAccess(): Promise<AzureAccess> {
    const identity = await loadAzureIdentity();
    return { credential: new identity.DefaultAzureCredential(), armEndpoint };
}
