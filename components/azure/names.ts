// Azure resource ids and the names of the Azure Monitor resources, derived as Microsoft's ARM template
// AddonArmTemplate/FullAzureMonitorMetricsProfile.json (Azure/prometheus-collector) derives them in its
// `variables`, and kept within Azure's naming rules. Pure functions: no Pulumi resources here.

import { RecordingRuleGroupKey, recordingRuleGroup } from "./recordingRules";

/** Azure's rules for one kind of resource name. */
export interface NameRule {
    /** The resource kind, as error messages name it. */
    resource: string;
    minLength: number;
    /** Absent where Azure documents no limit. */
    maxLength?: number;
    /** Characters the name may contain. */
    allowed: RegExp;
    /** Characters the name may start with. */
    first: RegExp;
    /** Characters the name may end with. */
    last: RegExp;
    /** The rule in words, for error messages. */
    summary: string;
}

// Limits. Sources, per constant: the Azure documentation "Naming rules and restrictions for Azure
// resources" (resource-name-rules), the REST API specifications (Azure/azure-rest-api-specs) and
// Microsoft's template.

/** AKS cluster names: 1-63 (resource-name-rules, Microsoft.ContainerService/managedClusters). */
export const aksClusterNameMaxLength = 63;
/** Resource group names: 1-90 (resource-name-rules, Microsoft.Resources/resourcegroups). */
export const resourceGroupNameMaxLength = 90;
/** Data collection endpoint names: 3-44 (Microsoft's template cuts them to 44; Azure/ARO-HCP#457 hit the limit). */
export const dataCollectionEndpointNameMaxLength = 44;
/** Data collection rule names: 1-64 (Microsoft's template cuts them to 64). */
export const dataCollectionRuleNameMaxLength = 64;
/**
 * Azure Monitor workspace names: 4-44 is the range this package assumes; the REST API specification
 * (Microsoft.Monitor 2023-04-03) states only the character pattern.
 */
export const workspaceNameMaxLength = 44;
/** Prometheus rule group names: 1-260 (Microsoft.AlertsManagement/prometheusRuleGroups). */
export const prometheusRuleGroupNameMaxLength = 260;

const alphanumeric = /[a-zA-Z0-9]/;

export const nameRules = {
    // resource-name-rules: alphanumerics, underscores and hyphens; start and end with alphanumeric.
    aksCluster: {
        resource: "AKS cluster",
        minLength: 1,
        maxLength: aksClusterNameMaxLength,
        allowed: /[a-zA-Z0-9_-]/,
        first: alphanumeric,
        last: alphanumeric,
        summary: "1-63 letters, digits, underscores and hyphens, starting and ending with a letter or digit",
    },
    // Alphanumerics and hyphens, start and end with alphanumeric: the rule Azure's naming modules
    // (Azure/terraform-azurerm-naming) encode as ^[a-zA-Z0-9][a-zA-Z0-9-]{1,42}[a-zA-Z0-9]$.
    dataCollectionEndpoint: {
        resource: "data collection endpoint",
        minLength: 3,
        maxLength: dataCollectionEndpointNameMaxLength,
        allowed: /[a-zA-Z0-9-]/,
        first: alphanumeric,
        last: alphanumeric,
        summary: "3-44 letters, digits and hyphens, starting and ending with a letter or digit",
    },
    // Alphanumerics, underscores and hyphens (Azure/terraform-azurerm-naming: ^[a-zA-Z0-9_-]{1,64}$). The
    // package also keeps a hyphen off the end, as for the endpoint that shares the name's stem.
    dataCollectionRule: {
        resource: "data collection rule",
        minLength: 1,
        maxLength: dataCollectionRuleNameMaxLength,
        allowed: /[a-zA-Z0-9_-]/,
        first: alphanumeric,
        last: /[a-zA-Z0-9_]/,
        summary: "1-64 letters, digits, underscores and hyphens, starting with a letter or digit and not ending with a hyphen",
    },
    // No length documented; no control characters and none of < > % & : \ ? / (the azurerm provider's check).
    dataCollectionRuleAssociation: {
        resource: "data collection rule association",
        minLength: 1,
        allowed: /[^<>%&:\\?/\x00-\x1f\x7f]/,
        first: /[^<>%&:\\?/\x00-\x1f\x7f]/,
        last: /[^<>%&:\\?/\x00-\x1f\x7f]/,
        summary: "no control characters and none of < > % & : \\ ? /",
    },
    // REST API pattern ^(?!-)[a-zA-Z0-9-]+[^-]$: alphanumerics and hyphens, no hyphen at either end.
    workspace: {
        resource: "Azure Monitor workspace",
        minLength: 4,
        maxLength: workspaceNameMaxLength,
        allowed: /[a-zA-Z0-9-]/,
        first: alphanumeric,
        last: alphanumeric,
        summary: "4-44 letters, digits and hyphens, starting and ending with a letter or digit",
    },
    // REST API pattern ^[^:@/#{}%&+*<>?\\]+$ (AlertsManagement 2023-03-01); 1-260 as the azurerm provider checks.
    prometheusRuleGroup: {
        resource: "Prometheus rule group",
        minLength: 1,
        maxLength: prometheusRuleGroupNameMaxLength,
        allowed: /[^:@/#{}%&+*<>?\\]/,
        first: /[^:@/#{}%&+*<>?\\]/,
        last: /[^:@/#{}%&+*<>?\\]/,
        summary: "1-260 characters, none of : @ / # { } % & + * < > ? \\",
    },
} satisfies Record<string, NameRule>;

/** Why `name` breaks `rule`, or undefined when it follows it. */
export function nameProblem(rule: NameRule, name: string): string | undefined {
    const chars = Array.from(name);
    if (chars.length < rule.minLength) {
        return `it is shorter than ${rule.minLength} characters`;
    }
    if (rule.maxLength !== undefined && chars.length > rule.maxLength) {
        return `it is ${chars.length} characters long, more than ${rule.maxLength}`;
    }
    const bad = [...new Set(chars.filter((c) => !rule.allowed.test(c)))];
    if (bad.length > 0) {
        return `it contains ${bad.map((c) => JSON.stringify(c)).join(", ")}`;
    }
    if (!rule.first.test(chars[0])) {
        return `it starts with ${JSON.stringify(chars[0])}`;
    }
    if (!rule.last.test(chars[chars.length - 1])) {
        return `it ends with ${JSON.stringify(chars[chars.length - 1])}`;
    }
    return undefined;
}

/**
 * Cuts `name` to the rule's length as Microsoft's template does (`substring(name, 0, min(limit, length))`),
 * then drops the characters the name may not end with, which a cut can expose (e.g. a hyphen).
 */
export function cutName(rule: NameRule, name: string): string {
    let cut = rule.maxLength === undefined ? name : name.slice(0, rule.maxLength);
    while (cut.length > 0 && !rule.last.test(cut[cut.length - 1])) {
        cut = cut.slice(0, -1);
    }
    return cut;
}

/** Returns `name` when it follows `rule`; otherwise throws an error that says where the name came from. */
function checkedName(rule: NameRule, name: string, origin: string, fix: string): string {
    const problem = nameProblem(rule, name);
    if (problem !== undefined) {
        throw new Error(
            `The ${rule.resource} name "${name}", derived from ${origin}, is not a valid Azure name: ${problem} ` +
                `(Azure allows ${rule.summary}). ${fix}`,
        );
    }
    return name;
}

const nameFix =
    'Write the region as Azure\'s short name, e.g. "westeurope". A cluster name with characters this name ' +
    "does not allow (Azure accepts underscores in cluster names) cannot be used with Microsoft's naming scheme.";

/** The name stem of Microsoft's template: `MSProm-<region>-<cluster name>`. */
export function managedPrometheusStem(location: string, clusterName: string): string {
    return `MSProm-${location}-${clusterName}`;
}

function stemOrigin(location: string, locationArgument: string, clusterName: string): string {
    return `${locationArgument} "${location}" and the cluster name "${clusterName}" of cluster.resourceId`;
}

/**
 * Data collection endpoint: `MSProm-<region>-<cluster name>` cut to 44 (the template's `dceName`). The region
 * is the workspace's, or the cluster's for a private cluster's own endpoint (`locationArgument` says which).
 */
export function dataCollectionEndpointName(
    location: string,
    clusterName: string,
    locationArgument = "workspace.location",
): string {
    const rule = nameRules.dataCollectionEndpoint;
    return checkedName(
        rule,
        cutName(rule, managedPrometheusStem(location, clusterName)),
        stemOrigin(location, locationArgument, clusterName),
        nameFix,
    );
}

/** Data collection rule: `MSProm-<workspace region>-<cluster name>` cut to 64 (the template's `dcrName`). */
export function dataCollectionRuleName(location: string, clusterName: string): string {
    const rule = nameRules.dataCollectionRule;
    return checkedName(
        rule,
        cutName(rule, managedPrometheusStem(location, clusterName)),
        stemOrigin(location, "workspace.location", clusterName),
        nameFix,
    );
}

/** Data collection rule association: `MSProm-<cluster region>-<cluster name>`, uncut (the template's `dcraName`). */
export function dataCollectionRuleAssociationName(clusterLocation: string, clusterName: string): string {
    return checkedName(
        nameRules.dataCollectionRuleAssociation,
        managedPrometheusStem(clusterLocation, clusterName),
        stemOrigin(clusterLocation, "cluster.location", clusterName),
        nameFix,
    );
}

/**
 * A private cluster's association with a data collection endpoint in its own region must carry this name
 * (Microsoft's managed Prometheus private link documentation).
 */
export const configurationAccessEndpointAssociationName = "configurationAccessEndpoint";

/** Default name of the workspace the component creates: `amw-<cluster name>`, cut to the workspace limit. */
export function defaultWorkspaceName(clusterName: string): string {
    const rule = nameRules.workspace;
    return checkedName(
        rule,
        cutName(rule, `amw-${clusterName}`),
        `the cluster name "${clusterName}" of cluster.resourceId`,
        `Set workspace.name to a name of ${rule.summary}.`,
    );
}

/** Why a workspace name the user chose breaks Azure's rule, or undefined when it follows it. */
export function workspaceNameProblem(name: string): string | undefined {
    return nameProblem(nameRules.workspace, name);
}

/** Checks a workspace name the user chose (`workspace.name`). */
export function validateWorkspaceName(name: string, argument = "workspace.name"): string {
    const rule = nameRules.workspace;
    const problem = nameProblem(rule, name);
    if (problem !== undefined) {
        throw new Error(
            `${argument} "${name}" is not a valid Azure Monitor workspace name: ${problem}. ` +
                `Use ${rule.summary}.`,
        );
    }
    return name;
}

/** A Prometheus rule group name: the group's prefix and the cluster name, as the template concatenates them. */
export function prometheusRuleGroupName(prefix: string, clusterName: string): string {
    return checkedName(
        nameRules.prometheusRuleGroup,
        `${prefix}${clusterName}`,
        `the prefix "${prefix}" and the cluster name "${clusterName}" of cluster.resourceId`,
        nameFix,
    );
}

/**
 * The name of one of Microsoft's recording rule groups for a cluster, e.g.
 * `NodeRecordingRulesRuleGroup-<cluster>` or `UXRecordingRulesRuleGroup - <cluster>`.
 */
export function recordingRuleGroupName(key: RecordingRuleGroupKey, clusterName: string): string {
    return prometheusRuleGroupName(recordingRuleGroup(key).namePrefix, clusterName);
}

/** "Monitoring Data Reader", the built-in role Microsoft's template gives Grafana on the workspace. */
export const monitoringDataReaderRoleId = "b0d8363b-8ddd-447d-831f-62ca05bff136";

/** A subscription-scoped role definition id, as the template builds it with `concat`. */
export function roleDefinitionId(subscriptionId: string, roleId: string): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}

/** Whether two region names denote the same region ("West Europe" and "westeurope" do). */
export function sameRegion(a: string, b: string): boolean {
    const normal = (region: string) => region.replace(/\s+/g, "").toLowerCase();
    return normal(a) === normal(b);
}

export interface AksResourceId {
    subscriptionId: string;
    resourceGroup: string;
    clusterName: string;
}

export interface WorkspaceResourceId {
    subscriptionId: string;
    resourceGroup: string;
    workspaceName: string;
}

const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

// resource-name-rules: 1-90 alphanumerics, underscores, parentheses, hyphens, periods and Unicode letters
// and digits; not ending with a period.
const resourceGroupName = /^[-\w.()\p{L}\p{N}]+$/u;

function isResourceGroupName(name: string): boolean {
    return name.length <= resourceGroupNameMaxLength && resourceGroupName.test(name) && !name.endsWith(".");
}

/**
 * Splits `/subscriptions/<guid>/resourceGroups/<group>/providers/<namespace>/<type>/<name>` for one
 * provider type. Segment names compare case-insensitively, as Azure compares them (Microsoft's own
 * parameter file writes `resourcegroups`).
 */
function parseResourceId(
    id: string,
    namespace: string,
    type: string,
    rule: NameRule,
): { subscriptionId: string; resourceGroup: string; name: string } | undefined {
    const parts = id.split("/");
    if (parts.length !== 9 || parts[0] !== "") {
        return undefined;
    }
    const [, subscriptions, subscriptionId, resourceGroups, resourceGroup, providers, ns, t, name] = parts;
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    if (
        !same(subscriptions, "subscriptions") ||
        !same(resourceGroups, "resourceGroups") ||
        !same(providers, "providers") ||
        !same(ns, namespace) ||
        !same(t, type)
    ) {
        return undefined;
    }
    if (!guid.test(subscriptionId) || !isResourceGroupName(resourceGroup) || nameProblem(rule, name) !== undefined) {
        return undefined;
    }
    return { subscriptionId, resourceGroup, name };
}

/** Parses an AKS cluster's resource id; undefined for anything else. */
export function parseAksResourceId(id: string): AksResourceId | undefined {
    const parsed = parseResourceId(id, "Microsoft.ContainerService", "managedClusters", nameRules.aksCluster);
    return parsed && { subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup, clusterName: parsed.name };
}

/**
 * Parses an Azure Monitor workspace's resource id; undefined for anything else. The name of an existing
 * workspace is held to the REST API's pattern only: Azure already accepted it.
 */
export function parseWorkspaceResourceId(id: string): WorkspaceResourceId | undefined {
    const parsed = parseResourceId(id, "Microsoft.Monitor", "accounts", {
        ...nameRules.workspace,
        minLength: 2,
        maxLength: undefined,
    });
    return parsed && { subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup, workspaceName: parsed.name };
}

/** Parses an AKS resource id, or throws an error that names the argument, the value and the expected form. */
export function requireAksResourceId(id: string, argument = "cluster.resourceId"): AksResourceId {
    const parsed = parseAksResourceId(id);
    if (parsed === undefined) {
        throw new Error(
            `${argument} ${JSON.stringify(id)} is not an AKS cluster resource id. Expected ` +
                "/subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.ContainerService/" +
                `managedClusters/<cluster name>, the cluster name ${nameRules.aksCluster.summary}; ` +
                "`az aks show --query id` prints it.",
        );
    }
    return parsed;
}

/** Parses an Azure Monitor workspace id, or throws an error that names the argument, the value and the expected form. */
export function requireWorkspaceResourceId(id: string, argument = "workspace.resourceId"): WorkspaceResourceId {
    const parsed = parseWorkspaceResourceId(id);
    if (parsed === undefined) {
        throw new Error(
            `${argument} ${JSON.stringify(id)} is not an Azure Monitor workspace resource id. Expected ` +
                "/subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.Monitor/accounts/" +
                "<workspace name>; `az monitor account show --query id` prints it.",
        );
    }
    return parsed;
}
