// The component's arguments, checked before anything is registered: the shape of each argument (a
// valibot schema, ./schema.ts: unknown keys are refused at every level, with the nearest known key), then
// the rules that relate arguments to each other, each kept with the feature it concerns. Values that are
// Outputs are checked with the same schema once known, in the resource that uses them. Every problem
// comes out in one shape, all at once.

import * as pulumi from "@pulumi/pulumi";
import { chartProblems } from "../amaMetrics/arguments";
import { azureProblems } from "../azure/arguments";
import type { AmaMetricsIstioArgs, Collector } from "../core/args";
import { AmaMetricsIstioArgumentError, Problem, problem } from "../core/errors";
import { withDeferredChecks } from "../core/inputs";
import { AksResourceId, parseAksResourceId, parseResourceId, WorkspaceResourceId } from "../core/facts/resourceIds";
import { defaults, ComponentSettings } from "../core/settings";
import { Schema, shapeProblems } from "../core/shapes";
import { ineffectiveMeshProblems } from "../mesh/ineffective";
import { istioProblems, namespaceProblems } from "../mesh/arguments";
import { prometheusProblems, scrapeConfigProblems } from "../prometheus/arguments";
import { resourceProblems } from "./resources";
import { argsSchema } from "./schema";
import { resolveSettings } from "./settings";

// ---------------------------------------------------------------------------------------------
// Rules between arguments.

function collectorProblems(args: AmaMetricsIstioArgs, collector: Collector): Problem[] {
    const problems: Problem[] = [];
    const only = (argument: string, value: unknown, owner: Collector) => {
        if (value !== undefined && collector !== owner) {
            problems.push(
                problem(
                    argument,
                    pulumi.Output.isInstance(value) ? "<output>" : value,
                    `only the ${owner} collector uses it, the collector is "${collector}"`,
                    `drop it, or set collector: "${owner}"`,
                ),
            );
        }
    };
    only("chart", args.chart, "ama-metrics");
    only("tokenSecret", args.tokenSecret, "ama-metrics");
    only("cluster.kubernetesVersion", args.cluster.kubernetesVersion, "ama-metrics");
    only("cluster.configurationAccessEndpointId", args.cluster.configurationAccessEndpointId, "ama-metrics");
    only("prometheus", args.prometheus, "prometheus");
    // ama-metrics uses the issuer only for the prometheus collector's identity created ahead of a switch.
    only("cluster.oidcIssuerUrl", args.prometheusIdentity === true ? undefined : args.cluster.oidcIssuerUrl, "prometheus");
    only("prometheusIdentity", args.prometheusIdentity, "ama-metrics");
    // Microsoft's Windows groups read windows-exporter series, which only the ama-metrics agent scrapes.
    only("recordingRules.windows", args.recordingRules?.windows === true ? true : undefined, "ama-metrics");
    if (collector === "ama-metrics" && args.prometheusIdentity === true && args.cluster.oidcIssuerUrl === undefined) {
        problems.push(
            problem(
                "cluster.oidcIssuerUrl",
                undefined,
                "the prometheus collector's identity trusts the cluster's OIDC issuer",
                "give it (`az aks show --query oidcIssuerProfile.issuerUrl`), or drop prometheusIdentity",
            ),
        );
    }
    if (collector === "prometheus" && args.cluster.oidcIssuerUrl === undefined) {
        problems.push(
            problem(
                "cluster.oidcIssuerUrl",
                undefined,
                "the prometheus collector authenticates with Workload ID, which trusts the cluster's OIDC issuer",
                "give it (`az aks show --query oidcIssuerProfile.issuerUrl`; enable it with `az aks update --enable-oidc-issuer --enable-workload-identity`)",
            ),
        );
    }
    if (collector === "ama-metrics" && args.cluster.kubernetesVersion === undefined) {
        problems.push(
            problem(
                "cluster.kubernetesVersion",
                undefined,
                "the ama-metrics chart shapes its RBAC, HPA and PDB by it",
                'give the cluster\'s version, e.g. "1.33.7"',
            ),
        );
    }
    return problems;
}

// ---------------------------------------------------------------------------------------------
// Values known later.

/**
 * An input checked when its value becomes known. Plain values were checked up front; an Output (from
 * another resource or stack) is checked in the resource that uses it, which then fails with the same
 * message instead of deploying a bad value.
 */
function checkedInput(component: string, argument: string, value: pulumi.Output<unknown>, schema: Schema): pulumi.Output<unknown> {
    return value.apply((known) => {
        const problems = shapeProblems(schema, known, argument);
        if (problems.length > 0) {
            throw new AmaMetricsIstioArgumentError(component, problems);
        }
        return known;
    });
}

/** The arguments with each Output checked once known, in the resource that uses it, against its `input(...)` schema. */
function checkedOutputs(component: string, args: AmaMetricsIstioArgs): AmaMetricsIstioArgs {
    return withDeferredChecks(argsSchema, args, (argument, value, schema) =>
        checkedInput(component, argument, value, schema),
    ) as AmaMetricsIstioArgs;
}

/**
 * The cluster's and an existing workspace's ids, parsed once known. They come from the checked arguments,
 * whose schemas test exactly these parsers: a plain id passed them up front, an Output fails its check first.
 */
function parsedIds(args: AmaMetricsIstioArgs): { cluster: pulumi.Output<AksResourceId>; workspace?: pulumi.Output<WorkspaceResourceId> } {
    const parse = <T>(value: pulumi.Input<string>, parser: (id: string) => T | undefined) =>
        pulumi.output(value).apply((id) => parser(id)!);
    const workspaceId = args.workspace?.resourceId;
    return {
        cluster: parse(args.cluster.resourceId, parseAksResourceId),
        workspace: workspaceId === undefined ? undefined : parse(workspaceId, (id) => parseResourceId(id, "workspace")),
    };
}

/**
 * Checks the component's arguments and fills in defaults. Throws `AmaMetricsIstioArgumentError` listing
 * every problem; nothing has been registered at that point.
 */
export function validateArgs(component: string, args: AmaMetricsIstioArgs): ComponentSettings {
    if (typeof component !== "string" || component.length === 0) {
        throw new AmaMetricsIstioArgumentError(String(component), [
            problem("name", component, "empty", 'give the component a name, e.g. "metrics"'),
        ]);
    }
    const shape = shapeProblems(argsSchema, args);
    if (shape.length > 0) {
        // Rules between arguments assume each argument has its shape.
        throw new AmaMetricsIstioArgumentError(component, shape);
    }
    const collector = args.collector ?? defaults.collector;
    const problems = [
        ...collectorProblems(args, collector),
        ...namespaceProblems(args),
        ...(args.prometheus ? prometheusProblems(args.prometheus) : []),
        ...azureProblems(args, collector),
        ...(args.chart ? chartProblems(args.chart) : []),
        ...istioProblems(args, collector),
        ...scrapeConfigProblems(args, collector),
        ...resourceProblems(args, collector),
        ...ineffectiveMeshProblems(args, collector),
    ];
    if (problems.length > 0) {
        throw new AmaMetricsIstioArgumentError(component, problems);
    }
    // The ids are parsed from the checked arguments, so that a bad id known later fails once, with one error.
    const checked = checkedOutputs(component, args);
    return resolveSettings(checked, parsedIds(checked));
}
