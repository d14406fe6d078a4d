// A fake ARM and Prometheus query endpoint on 127.0.0.1, serving the fixtures' associations, rules,
// workspace and query answer; and a fake credential whose tokens name their scope, so that the
// server can tell a token for ARM from one for the query endpoint.

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { AzureAccess } from "../../../components/verify/azure";
import { FakeKube, fixtureNow, readObjects } from "./fakeKube";

export const clusterId =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod";
const workspaceId =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks/providers/Microsoft.Monitor/accounts/amw-aks-prod";
export const azureArgs = ["--azure", "--cluster-id", clusterId, "--workspace-id", workspaceId];

type Json = Record<string, unknown>;
const read = (file: string) => readObjects("azure", file)[0] as unknown as Json;

export class FakeAzure {
    associations = read("associations.json").value as Json[];
    readonly rules = new Map<string, Json>(
        ["rule-prometheus.json", "rule-container-insights.json"].map((f) => read(f)).map((rule) => [String(rule.id).toLowerCase(), rule]),
    );
    workspace = read("workspace.json");
    /** The subscription's Prometheus rule groups (PrometheusRuleGroups_ListBySubscription, 2023-03-01). */
    ruleGroups = read("rule-groups.json").value as Json[];
    /** The subscription's user-assigned identities (UserAssignedIdentities_ListBySubscription, 2023-01-31). */
    identities = read("identities.json").value as Json[];
    /** Role assignments (RoleAssignments_ListForSubscription, 2022-04-01), filtered by `principalId eq '…'`. */
    roleAssignments = read("role-assignments.json").value as Json[];
    /** Data collection endpoints, by lower-cased id (GET, and the subscription's list). */
    readonly endpoints = new Map<string, Json>([read("endpoint.json")].map((e) => [String(e.id).toLowerCase(), e]));
    query: Json = read("query-up.json");
    /** Answers for paths (without the query string), ahead of everything else. */
    readonly overrides = new Map<string, { status: number; body: unknown }>();
    /** Serve the associations two per page, as ARM may. */
    paged = true;
    readonly requests: { method: string; url: string; authorization?: string }[] = [];
    private server?: http.Server;

    get url(): string {
        return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
    }

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => this.handle(req, res));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        // The workspace's query endpoint is this server too.
        const properties = this.workspace.properties as { metrics: { prometheusQueryEndpoint: string } };
        properties.metrics.prometheusQueryEndpoint = `${this.url}/prometheus`;
        return this;
    }

    async stop(): Promise<void> {
        const server = this.server;
        if (!server) return;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    /** Credentials and ARM's address as the command takes them. */
    access(): () => Promise<AzureAccess> {
        return async () => ({
            armEndpoint: this.url,
            credential: {
                getToken: async (scope: string | string[]) => ({
                    token: `token-for:${String(scope)}`,
                    expiresOnTimestamp: fixtureNow.getTime() + 3600000,
                }),
            },
        });
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        this.requests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
        const send = (status: number, body: unknown) => {
            res.writeHead(status, { "Content-Type": "application/json" });
            res.end(JSON.stringify(body));
        };
        const armError = (status: number, code: string, message: string) => send(status, { error: { code, message } });
        const url = new URL(req.url ?? "/", this.url);
        const override = this.overrides.get(url.pathname);
        if (override) return send(override.status, override.body);
        if (req.method !== "GET") return armError(405, "MethodNotAllowed", `GET only, not ${req.method}`);

        if (url.pathname === "/prometheus/api/v1/query") {
            if (req.headers.authorization !== "Bearer token-for:https://prometheus.monitor.azure.com/.default") {
                return send(401, {
                    status: "error",
                    errorType: "unauthorized",
                    error: "token audience is not the query endpoint's",
                });
            }
            return send(200, this.query);
        }
        if (req.headers.authorization !== "Bearer token-for:https://management.azure.com/.default") {
            return armError(401, "InvalidAuthenticationToken", "The access token is invalid.");
        }
        const path = url.pathname.toLowerCase();
        const version = url.searchParams.get("api-version");
        if (path === `${clusterId}/providers/Microsoft.Insights/dataCollectionRuleAssociations`.toLowerCase()) {
            if (version !== "2022-06-01") return armError(400, "InvalidApiVersionParameter", `api-version ${version}`);
            const page = Number(url.searchParams.get("page") ?? "0");
            const size = this.paged ? 2 : this.associations.length;
            const items = this.associations.slice(page * size, page * size + size);
            const more = (page + 1) * size < this.associations.length;
            return send(200, {
                value: items,
                ...(more && { nextLink: `${this.url}${url.pathname}?api-version=2022-06-01&page=${page + 1}` }),
            });
        }
        const subscription = "/subscriptions/00000000-0000-0000-0000-000000000000/providers";
        if (path === `${subscription}/Microsoft.AlertsManagement/prometheusRuleGroups`.toLowerCase()) {
            if (version !== "2023-03-01") return armError(400, "InvalidApiVersionParameter", `api-version ${version}`);
            return send(200, { value: this.ruleGroups });
        }
        if (path === `${subscription}/Microsoft.Insights/dataCollectionEndpoints`.toLowerCase()) {
            if (version !== "2022-06-01") return armError(400, "InvalidApiVersionParameter", `api-version ${version}`);
            return send(200, { value: [...this.endpoints.values()] });
        }
        if (path === `${subscription}/Microsoft.ManagedIdentity/userAssignedIdentities`.toLowerCase()) {
            if (version !== "2023-01-31") return armError(400, "InvalidApiVersionParameter", `api-version ${version}`);
            return send(200, { value: this.identities });
        }
        if (path === `${subscription}/Microsoft.Authorization/roleAssignments`.toLowerCase()) {
            if (version !== "2022-04-01") return armError(400, "InvalidApiVersionParameter", `api-version ${version}`);
            const filter = /^principalId eq '([0-9a-f-]+)'$/.exec(url.searchParams.get("$filter") ?? "");
            if (!filter) return armError(400, "InvalidFilter", "the fake takes $filter=principalId eq '<id>' only");
            const principal = filter[1];
            return send(200, { value: this.roleAssignments.filter((a) => (a.properties as Json).principalId === principal) });
        }
        const endpoint = this.endpoints.get(path);
        if (endpoint) {
            return version === "2022-06-01" ? send(200, endpoint) : armError(400, "InvalidApiVersionParameter", `api-version ${version}`);
        }
        const rule = this.rules.get(path);
        if (rule) {
            return version === "2022-06-01" ? send(200, rule) : armError(400, "InvalidApiVersionParameter", `api-version ${version}`);
        }
        if (path === workspaceId.toLowerCase()) {
            return version === "2023-04-03"
                ? send(200, this.workspace)
                : armError(400, "InvalidApiVersionParameter", `api-version ${version}`);
        }
        return armError(404, "ResourceNotFound", `The Resource '${url.pathname}' was not found.`);
    }
}

/** A Kubernetes fake and an Azure fake for one test. */
export async function withAzure(make: () => Promise<FakeKube>): Promise<{ kube: FakeKube; azure: FakeAzure }> {
    return { kube: await make(), azure: await new FakeAzure().start() };
}
