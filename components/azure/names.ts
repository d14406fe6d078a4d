// The names of the Azure resources, derived from the cluster's name and the regions as Microsoft
// derives them, and kept within Azure's naming rules. Pure functions: no Pulumi resources here.
//
// Microsoft's templates (AddonArmTemplate, Bicep, Terraform in Azure/prometheus-collector) name the
// endpoint and rule `MSProm-<workspace region>-<cluster>`, cut to 44 and 64 characters. azure-cli
// (acs/azuremonitormetrics/dc/defaults.py `sanitize_name`) also removes from an endpoint's name every
// character but letters, digits and '-' (a cluster name may hold '_'), after the cut, and trims every
// name to end in a letter or digit. This package does the same.
//
// Those names are upserted by others: azure-cli (`az aks update --enable-azure-monitor-metrics`,
// acs/azuremonitormetrics/dc/defaults.py `get_default_dce_name`/`get_default_dcr_name`, and
// recordingrules/create.py `NodeRecordingRulesRuleGroup-<cluster>` and its siblings), Azure Policy and the
// portal PUT them into the cluster's resource group. The component's endpoint, rule and rule groups start
// with `amis-` (ama-metrics-istio), which no Microsoft tool creates, for both collectors: nothing is
// overwritten wherever the resource group is, and switching collectors renames (replaces) nothing, so the
// prometheus identity's role assignment on the rule survives a switch (README "Switching collectors").

import { Format } from "../core/formats";

interface NameRule {
    /** Microsoft's cut. */
    maxLength: number;
    /** Characters removed after the cut (azure-cli's sanitising), if any. */
    remove?: RegExp;
}

const rules = {
    dataCollectionEndpoint: { maxLength: 44, remove: /[^A-Za-z0-9-]/g },
    dataCollectionRule: { maxLength: 64 },
    // azure-cli's limit ("DCR = 64, DCE = 44, DCRA = 64").
    association: { maxLength: 64 },
    // The workspace's REST pattern ^(?!-)[a-zA-Z0-9-]+[^-]$; azure-cli cuts its default name to 43.
    workspace: { maxLength: 44, remove: /[^A-Za-z0-9-]/g },
    // AlertsManagement's pattern ^[^:@/#{}%&+*<>?\\]+$ and azure-cli's cut at 260.
    ruleGroup: { maxLength: 260, remove: /[:@/#{}%&+*<>?\\]/g },
    // Microsoft.ManagedIdentity: 3-128 letters, digits, '-' and '_', starting with a letter or digit.
    identity: { maxLength: 128, remove: /[^A-Za-z0-9_-]/g },
} satisfies Record<string, NameRule>;

/** Cut, sanitised and trimmed to end in a letter or digit, as azure-cli's `sanitize_name`. */
function derive(rule: NameRule, name: string): string {
    let result = name.slice(0, rule.maxLength);
    if (rule.remove) {
        result = result.replace(rule.remove, "");
    }
    return result.replace(/[^A-Za-z0-9]+$/, "");
}

/** The stem of Microsoft's names: `MSProm-<region>-<cluster name>`. */
function stem(region: string, clusterName: string): string {
    return `MSProm-${region}-${clusterName}`;
}

/** What starts the component's names: no Microsoft tool creates a name of this form. */
const namePrefix = "amis-";

/** The stem of the endpoint's and the rule's names: `amis-<region>-<cluster>`. */
function ownStem(region: string, clusterName: string): string {
    return `${namePrefix}${region}-${clusterName}`;
}

/** The data collection endpoint in the workspace's region. */
export function dataCollectionEndpointName(workspaceRegion: string, clusterName: string): string {
    return derive(rules.dataCollectionEndpoint, ownStem(workspaceRegion, clusterName));
}

/**
 * The endpoint in the cluster's region that a private cluster's agent fetches its configuration from.
 * `MSProm-PL-…` as Microsoft's Terraform template names it, so that it never takes the main endpoint's name,
 * even once the workspace moves into the cluster's region.
 */
export function configurationEndpointName(clusterRegion: string, clusterName: string): string {
    return derive(rules.dataCollectionEndpoint, `MSProm-PL-${clusterRegion}-${clusterName}`);
}

export function dataCollectionRuleName(workspaceRegion: string, clusterName: string): string {
    return derive(rules.dataCollectionRule, ownStem(workspaceRegion, clusterName));
}

/** The rule's association with the cluster: `MSProm-<cluster region>-<cluster name>` (the template's `dcraName`). */
export function associationName(clusterRegion: string, clusterName: string): string {
    return derive(rules.association, stem(clusterRegion, clusterName));
}

/**
 * A private cluster's association with an endpoint in its own region must carry this name (Microsoft's
 * private link documentation; Container Insights uses the same one, so there is one per cluster).
 */
export const configurationAccessEndpointAssociationName = "configurationAccessEndpoint";

/** The workspace the component creates by default: `amw-<cluster name>`. */
export function defaultWorkspaceName(clusterName: string): string {
    return derive(rules.workspace, `amw-${clusterName}`);
}

/** A workspace name the user chooses. */
export const workspaceName: Format = {
    wrong: "not an Azure Monitor workspace name",
    fix: "use 4-44 letters, digits and '-', starting and ending with a letter or digit",
    test: (value) =>
        typeof value === "string" &&
        value.length >= 4 &&
        value.length <= rules.workspace.maxLength &&
        /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/.test(value),
};

/**
 * A rule group of a cluster, e.g. `amis-NodeRecordingRulesRuleGroup-<cluster>`; `nameSuffix` follows the
 * cluster's name (Microsoft's recommended alert groups end in `-Cluster-level` and the like).
 */
export function ruleGroupName(group: { namePrefix: string; nameSuffix?: string }, clusterName: string): string {
    return derive(rules.ruleGroup, `${namePrefix}${group.namePrefix}${clusterName}${group.nameSuffix ?? ""}`);
}

/** The prometheus collector's user-assigned identity: `prometheus-<cluster name>-<installation>` (prometheus/identity.ts). */
export function collectorIdentityName(clusterName: string, installation: string): string {
    return derive(rules.identity, `prometheus-${clusterName}-${installation}`);
}

/** A link of one resource to a private link scope: `<resource name>-connection`, as azure-cli names them. */
export function scopedResourceName(resourceName: string): string {
    return `${resourceName}-connection`;
}

/** Whether two region names denote the same region ("West Europe" and "westeurope" do). */
export function sameRegion(a: string, b: string): boolean {
    const normal = (region: string) => region.replace(/\s+/g, "").toLowerCase();
    return normal(a) === normal(b);
}
