// The semantic rules of Istio configuration that the CRD schemas do not check. istiod's validating
// webhook and `istioctl analyze` hold most of them, but neither runs where this package is planned
// (previews, CI), and a webhook only sees objects its revision selects. The component checks
// everything it is about to emit with these rules, and the CrossGuard policy pack (policy/) runs the
// same rules on whole stacks: the rules are pure and work on plain objects.
//
// One rule per file, each exporting its whole definition; this registry lists them sorted by id (as
// istio's analyzers/all.go does), and test/unit/meshRules.test.ts runs one table over it.

import type { KubernetesObject } from "../../core/kubernetes";
import { agentWorkloadInKubeSystemRule } from "./agentWorkloadInKubeSystem";
import { allowPolicyOnlyOnIstioPortsRule } from "./allowPolicyOnlyOnIstioPorts";
import { allowPolicyWithoutSelectorRule } from "./allowPolicyWithoutSelector";
import { authorizationOnIstioPortRule } from "./authorizationOnIstioPort";
import { conflictingServiceEntryProtocolRule } from "./conflictingServiceEntryProtocol";
import { deprecatedInjectAnnotationRule } from "./deprecatedInjectAnnotation";
import { externalNamePortProtocolRule } from "./externalNamePortProtocol";
import { injectLabelWithoutRevisionRule } from "./injectLabelWithoutRevision";
import { istioInjectionOnRevisionedControlPlaneRule } from "./istioInjectionOnRevisionedControlPlane";
import { peerAuthenticationPrecedenceRule } from "./peerAuthenticationPrecedence";
import { portLevelMtlsWithoutSelectorRule } from "./portLevelMtlsWithoutSelector";
import { rootNamespaceAllowPolicyRule } from "./rootNamespaceAllowPolicy";
import { selectorMatchesNoPodRule } from "./selectorMatchesNoPod";
import { serviceEntryAddressesRequiredRule } from "./serviceEntryAddressesRequired";
import { strictMtlsForPartOfNamespaceRule } from "./strictMtlsForPartOfNamespace";
import { tlsOriginationOnTlsPortRule } from "./tlsOriginationOnTlsPort";
import { twoInjectionLabelsRule } from "./twoInjectionLabels";
import type { MeshRuleContext, MeshRuleDefinition, MeshRuleViolation } from "./types";
import { wildcardHostDnsResolutionRule } from "./wildcardHostDnsResolution";

export { isAgentWorkload } from "./agentWorkloadInKubeSystem";
export { podLabelsOf } from "./helpers";
export { wellKnownRootNamespaces } from "../../core/facts/istio";
export { hostMatches, servicePortProtocol } from "./istio";
export type { MeshRuleContext, MeshRuleDefinition, MeshRuleInput, MeshRuleScope, MeshRuleViolation } from "./types";

/** Every rule, sorted by id: policy/policies.ts builds the policy pack from this list alone. */
export const meshRules: readonly MeshRuleDefinition[] = [
    agentWorkloadInKubeSystemRule,
    allowPolicyOnlyOnIstioPortsRule,
    allowPolicyWithoutSelectorRule,
    authorizationOnIstioPortRule,
    conflictingServiceEntryProtocolRule,
    deprecatedInjectAnnotationRule,
    externalNamePortProtocolRule,
    injectLabelWithoutRevisionRule,
    istioInjectionOnRevisionedControlPlaneRule,
    peerAuthenticationPrecedenceRule,
    portLevelMtlsWithoutSelectorRule,
    rootNamespaceAllowPolicyRule,
    selectorMatchesNoPodRule,
    serviceEntryAddressesRequiredRule,
    strictMtlsForPartOfNamespaceRule,
    tlsOriginationOnTlsPortRule,
    twoInjectionLabelsRule,
    wildcardHostDnsResolutionRule,
];

/** Runs every rule over the objects. */
export function checkMeshObjects(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): MeshRuleViolation[] {
    return meshRules.flatMap((rule) => rule.check(objects, context));
}

/** Throws one error listing every violation, if any: the component refuses what breaks any rule. */
export function assertMeshObjects(objects: readonly KubernetesObject[], context: MeshRuleContext = {}): void {
    const violations = checkMeshObjects(objects, context);
    if (violations.length > 0) {
        const lines = violations.map((v) => `- ${formatViolation(v)}`);
        throw new Error(`${violations.length} Istio configuration rule violation(s):\n${lines.join("\n")}`);
    }
}

/** One violation on one line: `[rule] Kind namespace/name: what is wrong. Fix: the fix.` */
export function formatViolation(violation: MeshRuleViolation): string {
    return `[${violation.rule}] ${violation.object}: ${violation.message}. Fix: ${violation.fix}.`;
}
