// The post-renderer's flags: one table drives its usage text, its parsing and the arguments the
// component hands to the Chart. Values are checked with the component's own schemas and mesh rules,
// so the command refuses exactly what the component refuses.

import * as v from "valibot";
import type { IstioArgs, PodMeshKey } from "../core/args";
import { Problem, problem, UsageError } from "../core/errors";
import { Flag, flagUsage, meshFlagName, readFlags, writeFlags } from "../core/flags";
import { formats } from "../core/formats";
import {
    collectorNamespace,
    excludedPorts,
    excludedRanges,
    meshModes,
    meshModeSchema,
    meshRuleProblems,
    proxyResourcesPerWorkload,
    shapeProblems,
    valueOf,
} from "../core/shapes";
import { Complete, defaults, withDefaults } from "../core/settings";
import { proxyResourceFields } from "../core/facts/istio";
import { meshableWorkloads } from "../core/facts/workloads";
import { replicaCountSchema } from "./collectorReplicas";
import { chartFacts, defaultTokenSecret } from "./facts";
import { knownKindProblem, parseKindScope, Scope } from "./kinds";
import { relocationSettings, RelocationSettings } from "./relocate";

const commaList = (values: readonly (string | number)[]) => values.join(",");

/**
 * The flag of each pod mesh key, in the usage text's order (with the service CIDR, a fact of the cluster
 * the sidecar mode's capture needs): a pod mesh key without its flag does not compile.
 */
const meshFlags: Record<PodMeshKey | "serviceCidr", Omit<Flag<RelocationSettings>, "meshKey">> = {
    mode: {
        name: "mesh-mode",
        value: "<mode>",
        help: `${meshModes.join(", ")} (default ${defaults.meshMode})`,
        format: (o) => [o.mesh.mode],
    },
    revision: {
        name: "revision",
        value: "<revision>",
        help: "Istio revision, e.g. asm-1-27 (default: the default revision)",
        format: (o) => (o.mesh.revision ? [o.mesh.revision] : []),
    },
    meshNodeDaemonSet: {
        name: "mesh-node",
        help: "sidecar mode: mesh the Linux node DaemonSet too",
        format: (o) => (o.mesh.meshNodeDaemonSet ? [""] : []),
    },
    proxyResources: {
        name: "proxy-resources",
        value: "<json>",
        help: `proxy resources per workload (${meshableWorkloads.join(", ")}), e.g. {"collector":{"cpu":"100m"}}`,
        format: (o) => {
            const given = canonicalProxyResources(o.mesh.proxyResources);
            return Object.keys(given).length ? [JSON.stringify(given)] : [];
        },
    },
    serviceCidr: {
        name: "service-cidr",
        value: "<cidr>",
        help: `the cluster's service CIDR: the only range the sidecar mode's proxies capture (default ${defaults.serviceCidr})`,
        format: (o) => (o.mesh.serviceCidr !== defaults.serviceCidr ? [o.mesh.serviceCidr] : []),
    },
    extraExcludeOutboundIPRanges: {
        name: "exclude-outbound-ip-ranges",
        value: "<cidr,...>",
        help: "sidecar mode: ranges the proxies must not capture",
        format: (o) => (o.mesh.extraExcludeOutboundIPRanges.length ? [commaList(o.mesh.extraExcludeOutboundIPRanges)] : []),
    },
    extraExcludeOutboundPorts: {
        name: "exclude-outbound-ports",
        value: "<port,...>",
        help: "sidecar mode: outbound ports the proxies must not capture",
        format: (o) => (o.mesh.extraExcludeOutboundPorts.length ? [commaList(o.mesh.extraExcludeOutboundPorts)] : []),
    },
};

export const flags: readonly Flag<RelocationSettings>[] = [
    { name: "namespace", value: "<name>", help: "target namespace (required)", format: (o) => [o.namespace] },
    ...Object.entries(meshFlags).map(([key, flag]) => (key === "serviceCidr" ? flag : { ...flag, meshKey: key as PodMeshKey })),
    {
        name: "token-secret-name",
        value: "<name>",
        help: `the token secret's name (default ${defaultTokenSecret.name})`,
        format: (o) => (o.tokenSecret.name !== defaultTokenSecret.name ? [o.tokenSecret.name] : []),
    },
    {
        name: "token-secret-namespace",
        value: "<name>",
        help: `the token secret's namespace (default ${defaultTokenSecret.namespace})`,
        format: (o) => (o.tokenSecret.namespace !== defaultTokenSecret.namespace ? [o.tokenSecret.namespace] : []),
    },
    {
        name: "kind-scope",
        value: "<group>/<Kind>=<Namespaced|Cluster>",
        help: "the scope of a kind the chart renders that the relocation does not know (repeatable)",
        multiple: true,
        format: (o) => Object.entries(o.kindScopes ?? {}).map(([key, scope]) => `${key}=${scope}`),
    },
    {
        name: "collector-min-replicas",
        value: "<n>",
        help: `the collector autoscaler's minimum, ${chartFacts.collectorAutoscaler.minReplicas} to ${chartFacts.collectorAutoscaler.maxReplicas} (default: the chart's)`,
        format: (o) => (o.collectorReplicas?.min !== undefined ? [String(o.collectorReplicas.min)] : []),
    },
    {
        name: "collector-max-replicas",
        value: "<n>",
        help: `the collector autoscaler's maximum, ${chartFacts.collectorAutoscaler.minReplicas} to ${chartFacts.collectorAutoscaler.maxReplicas} (default: the chart's)`,
        format: (o) => (o.collectorReplicas?.max !== undefined ? [String(o.collectorReplicas.max)] : []),
    },
];

export const usage = `Usage: ama-metrics-istio-relocate --namespace <name> [options] < rendered.yaml > relocated.yaml

Moves the ama-metrics chart's manifests out of kube-system (a Helm post-renderer): rendered manifests on
stdin, relocated manifests on stdout.

Options:
${flagUsage(flags, 40)}
  --help                                   show this help
`;

/** Proxy resources in a fixed order of workloads and fields, without empty entries. */
function canonicalProxyResources(resources: RelocationSettings["mesh"]["proxyResources"]): RelocationSettings["mesh"]["proxyResources"] {
    const result: RelocationSettings["mesh"]["proxyResources"] = {};
    for (const workload of meshableWorkloads) {
        const given = Object.fromEntries(
            proxyResourceFields.filter((f) => resources[workload]?.[f] !== undefined).map((f) => [f, resources[workload]![f]]),
        );
        if (Object.keys(given).length > 0) {
            result[workload] = given;
        }
    }
    return result;
}

/**
 * The post-renderer's arguments for `options`: always the same arguments for the same options (the
 * namespace and the mode, then only what differs from the defaults), as `--name=value`.
 */
export function postRendererArgs(options: RelocationSettings): string[] {
    return writeFlags(flags, options, "inline");
}

/** The options the arguments stand for (the inverse of `postRendererArgs`). Throws a UsageError listing every problem. */
export function parsePostRendererArgs(argv: readonly string[]): RelocationSettings {
    const { values, given, problems } = readFlags(flags, argv);
    const text = (name: string) => values[name] as string | undefined;
    const check = (name: string, value: unknown, schema: v.GenericSchema) => {
        problems.push(...shapeProblems(schema, value, `--${name}`));
    };

    if (!given.has("namespace")) {
        problems.push(
            problem(
                "--namespace",
                undefined,
                "missing",
                "give the namespace to move the chart's objects into, e.g. --namespace=monitoring",
            ),
        );
    } else if (text("namespace") !== undefined) {
        check("namespace", text("namespace"), collectorNamespace);
    }
    const mode = (text("mesh-mode") ?? defaults.meshMode) as RelocationSettings["mesh"]["mode"];
    check("mesh-mode", mode, meshModeSchema);
    if (text("revision") !== undefined) check("revision", text("revision"), valueOf(formats.revision));
    const proxyResources = parseJson(text("proxy-resources"), problems);
    if (proxyResources !== undefined) check("proxy-resources", proxyResources, proxyResourcesPerWorkload);
    const serviceCidr = text("service-cidr") ?? defaults.serviceCidr;
    check("service-cidr", serviceCidr, valueOf(formats.cidr));
    const ranges = splitList(text("exclude-outbound-ip-ranges"));
    if (ranges) check("exclude-outbound-ip-ranges", ranges, excludedRanges);
    const ports = splitList(text("exclude-outbound-ports"))?.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    if (ports) check("exclude-outbound-ports", ports, excludedPorts);
    const tokenSecret = withDefaults({ name: text("token-secret-name"), namespace: text("token-secret-namespace") }, defaultTokenSecret);
    check("token-secret-name", tokenSecret.name, valueOf(formats.objectName));
    check("token-secret-namespace", tokenSecret.namespace, valueOf(formats.namespace));
    const kindScopes: Record<string, Scope> = {};
    for (const entry of (values["kind-scope"] as string[] | undefined) ?? []) {
        const scope = parseKindScope(entry);
        const known = scope && knownKindProblem(scope.key);
        if (scope === undefined) {
            problems.push(
                problem(
                    "--kind-scope",
                    entry,
                    "not a kind's scope",
                    "use <group>/<Kind>=Namespaced or =Cluster, e.g. autoscaling.k8s.io/VerticalPodAutoscaler=Namespaced",
                ),
            );
        } else if (known !== undefined) {
            problems.push(problem("--kind-scope", entry, known.wrong, known.fix));
        } else {
            kindScopes[scope.key] = scope.scope;
        }
    }
    const replicas = (name: string) => {
        const given = text(name);
        const value = given !== undefined && /^\d+$/.test(given) ? Number(given) : given;
        if (value !== undefined) check(name, value, replicaCountSchema);
        return typeof value === "number" ? value : undefined;
    };
    const min = replicas("collector-min-replicas");
    const max = replicas("collector-max-replicas");
    if (min !== undefined && max !== undefined && min > max) {
        problems.push(
            problem("--collector-min-replicas", min, `above --collector-max-replicas (${max})`, "give a minimum at most the maximum"),
        );
    }
    if (problems.length > 0) {
        throw new UsageError(problems);
    }

    const istio: Complete<Pick<IstioArgs, PodMeshKey>> = {
        mode,
        revision: text("revision"),
        meshNodeDaemonSet: values["mesh-node"] === true ? true : undefined,
        proxyResources: proxyResources as IstioArgs["proxyResources"],
        extraExcludeOutboundIPRanges: ranges,
        extraExcludeOutboundPorts: ports as number[] | undefined,
    };
    // The service CIDR is a fact of the cluster (the component's cluster.serviceCidr), accepted in every mode
    // like there; only the sidecar mode uses it.
    const ruleProblems = meshRuleProblems("ama-metrics", istio, meshFlagName(flags));
    if (ruleProblems.length > 0) {
        throw new UsageError(ruleProblems);
    }
    return relocationSettings({
        namespace: text("namespace")!,
        tokenSecret,
        istio,
        serviceCidr,
        kindScopes: Object.keys(kindScopes).length ? kindScopes : undefined,
        collectorReplicas:
            min !== undefined || max !== undefined
                ? { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) }
                : undefined,
    });
}

function parseJson(json: string | undefined, problems: Problem[]): unknown {
    if (json === undefined) {
        return undefined;
    }
    try {
        return JSON.parse(json);
    } catch (error) {
        problems.push(
            problem(
                "--proxy-resources",
                json,
                `not JSON (${(error as Error).message})`,
                'give e.g. {"collector":{"cpu":"100m","memory":"128Mi"}}',
            ),
        );
        return undefined;
    }
}

function splitList(text: string | undefined): string[] | undefined {
    return text === undefined ? undefined : text.split(",").map((item) => item.trim());
}
