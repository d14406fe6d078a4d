// The `istio` argument: its shape and the rules between it and the other arguments, composed with the
// other features' in components/arguments.

import * as v from "valibot";
import type { AmaMetricsIstioArgs, AuthorizationPolicyTarget, Collector, IstioArgs, IstioDefaultedKey } from "../core/args";
import { Problem, problem } from "../core/errors";
import { aksAddonRootNamespace, istioPortRange, wellKnownRootNamespaces } from "../core/facts/istio";
import { formats, port, withFix } from "../core/formats";
import { defaults, Defaults } from "../core/settings";
import {
    bool,
    excludedPorts,
    excludedRanges,
    labelMap,
    meshModeSchema,
    meshRuleProblems,
    proxyResourcesPerWorkload,
    Schema,
    strict,
    stringList,
    valueOf,
} from "../core/shapes";

const authorizationPolicyTarget = strict(
    {
        namespace: valueOf(formats.namespace),
        selector: labelMap,
        ports: v.array(valueOf(port), "not a list of ports; give the workload's metrics ports, e.g. [9090]"),
        acknowledgeDefaultDeny: bool,
    } satisfies Record<keyof AuthorizationPolicyTarget, Schema>,
    {
        namespace: "give the namespace of the scraped workload",
        selector: 'give the pod labels of the scraped workload, e.g. { app: "orders" }',
        ports: "give the workload's metrics ports, e.g. [9090]",
        acknowledgeDefaultDeny: "set it to true once the workload is default-deny: an ALLOW policy denies every request it does not match",
    },
);

/** The shape of the `istio` argument. */
export const istioSchema = strict({
    mode: v.optional(meshModeSchema),
    revision: v.optional(valueOf(formats.revision)),
    acknowledgeDefaultRevision: v.optional(bool),
    rootNamespace: v.optional(valueOf(formats.namespace)),
    trustDomain: v.optional(valueOf(withFix(formats.dnsDomain, 'use the mesh\'s trust domain, normally "cluster.local"'))),
    meshNodeDaemonSet: v.optional(bool),
    proxyResources: v.optional(proxyResourcesPerWorkload),
    extraExcludeOutboundIPRanges: v.optional(excludedRanges),
    extraExcludeOutboundPorts: v.optional(excludedPorts),
    authorizationPolicies: v.optional(
        v.array(authorizationPolicyTarget, "not a list; give a list of { namespace, selector, ports, acknowledgeDefaultDeny }"),
    ),
    scrapeNamespaces: v.optional(stringList(formats.namespace)),
} satisfies Record<keyof IstioArgs, Schema>);

/**
 * The defaults of the `istio` fields named in `IstioDefaultedKey` (one missing fails to compile), filled in by
 * mesh/settings.ts. `proxyResources` is merged per workload there.
 */
export const istioArgumentDefaults = {
    mode: defaults.meshMode,
    acknowledgeDefaultRevision: false,
    rootNamespace: defaults.rootNamespace,
    trustDomain: defaults.trustDomain,
    meshNodeDaemonSet: false,
    extraExcludeOutboundIPRanges: [],
    extraExcludeOutboundPorts: [],
    authorizationPolicies: [],
    scrapeNamespaces: [],
} satisfies Defaults<IstioArgs, IstioDefaultedKey>;

/** The collector's namespace is not Istio's root namespace. */
export function namespaceProblems(args: AmaMetricsIstioArgs): Problem[] {
    const namespace = args.namespace ?? defaults.namespace;
    const rootNamespace = args.istio?.rootNamespace ?? defaults.rootNamespace;
    return namespace === rootNamespace
        ? [
              problem(
                  "namespace",
                  namespace,
                  "that is Istio's root namespace (istio.rootNamespace): policies there apply to the whole mesh",
                  'use a dedicated namespace such as "monitoring"',
              ),
          ]
        : [];
}

/** The `istio` argument's rules, given the collector. */
export function istioProblems(args: AmaMetricsIstioArgs, collector: Collector): Problem[] {
    const istio = args.istio ?? {};
    const mode = istio.mode ?? defaults.meshMode;
    const rootNamespace = istio.rootNamespace ?? defaults.rootNamespace;
    const problems = meshRuleProblems(collector, istio, (key) => `istio.${key}`);

    // The AKS add-on's control plane injects only through `istio.io/rev`: without a revision nothing
    // would be injected, silently.
    if (rootNamespace === aksAddonRootNamespace && istio.revision === undefined && mode !== "off") {
        problems.push(
            problem(
                "istio.revision",
                undefined,
                "the AKS Istio add-on (root namespace aks-istio-system) injects only pods labelled with its revision",
                'give the add-on\'s revision, e.g. "asm-1-27" (`az aks show --query serviceMeshProfile.istio.revisions`)',
            ),
        );
    }
    if (
        mode === "certificates" &&
        istio.revision === undefined &&
        istio.acknowledgeDefaultRevision !== true &&
        rootNamespace !== aksAddonRootNamespace
    ) {
        problems.push(
            problem(
                "istio.acknowledgeDefaultRevision",
                istio.acknowledgeDefaultRevision,
                "without a revision, the collector opts in with the label sidecar.istio.io/inject, which only a default revision (or the `default` tag) honours; with none, nothing injects it and mTLS scrapes fail silently",
                "give istio.revision, or set istio.acknowledgeDefaultRevision: true if a default revision exists",
            ),
        );
    }
    if (istio.acknowledgeDefaultRevision !== undefined && (mode !== "certificates" || istio.revision !== undefined)) {
        problems.push(
            problem(
                "istio.acknowledgeDefaultRevision",
                istio.acknowledgeDefaultRevision,
                "only the certificates mode without a revision needs it",
                "drop it",
            ),
        );
    }

    const targets = istio.authorizationPolicies ?? [];
    if (targets.length > 0 && mode !== "certificates") {
        problems.push(
            problem(
                "istio.authorizationPolicies",
                targets.map((t) => t.namespace),
                `only the certificates mode scrapes with the collector's mesh identity, the mode is "${mode}"`,
                mode === "sidecar"
                    ? "drop them: scrapes through Istio's merged metrics (port 15020) never reach authorization"
                    : 'use istio.mode "certificates"',
            ),
        );
    }
    const seen = new Map<string, number>();
    targets.forEach((target, i) => {
        const argument = `istio.authorizationPolicies[${i}]`;
        const key = JSON.stringify([target.namespace, Object.entries(target.selector).sort()]);
        const previous = seen.get(key);
        if (previous !== undefined) {
            problems.push(
                problem(
                    argument,
                    target,
                    `repeats the namespace and selector of istio.authorizationPolicies[${previous}]`,
                    "merge their ports into one entry",
                ),
            );
        }
        seen.set(key, i);
        if (target.namespace === rootNamespace || wellKnownRootNamespaces.includes(target.namespace)) {
            problems.push(
                problem(
                    `${argument}.namespace`,
                    target.namespace,
                    "that is an Istio root namespace: an ALLOW policy there applies to every workload of the mesh and denies what it does not match",
                    "name the namespace of the scraped workload",
                ),
            );
        }
        if (Object.keys(target.selector).length === 0) {
            problems.push(
                problem(
                    `${argument}.selector`,
                    target.selector,
                    "an ALLOW policy without a selector covers the whole namespace",
                    'give the pod labels of the scraped workload, e.g. { app: "orders" }',
                ),
            );
        }
        if (target.ports.length === 0) {
            problems.push(problem(`${argument}.ports`, target.ports, "empty", "give the workload's metrics container ports, e.g. [9090]"));
        }
        for (const reserved of target.ports.filter((p) => p >= istioPortRange.from && p <= istioPortRange.to)) {
            problems.push(
                problem(
                    `${argument}.ports`,
                    reserved,
                    `Istio reserves ports ${istioPortRange.from}-${istioPortRange.to} for its proxy; they are never captured, so authorization on them has no effect`,
                    "give the application's own metrics port",
                ),
            );
        }
        if (target.acknowledgeDefaultDeny !== true) {
            problems.push(
                problem(
                    `${argument}.acknowledgeDefaultDeny`,
                    target.acknowledgeDefaultDeny,
                    "an ALLOW policy on a workload that is not default-deny denies every request it does not match: the workload would be cut off",
                    "make the workload default-deny first, then set it to true",
                ),
            );
        }
    });
    if (istio.scrapeNamespaces !== undefined && mode !== "certificates") {
        problems.push(
            problem(
                "istio.scrapeNamespaces",
                istio.scrapeNamespaces,
                `only the certificates mode adds an mTLS scrape job, the mode is "${mode}"`,
                'drop it or use istio.mode "certificates"',
            ),
        );
    }
    return problems;
}
