// The Azure clouds the collectors support, and what each needs to know about them.
// Hosts: Microsoft's firewall requirements for managed Prometheus (azure-monitor
// containers/kubernetes-monitoring-firewall) and the agent's GetMcsEndpoints
// (Azure/prometheus-collector otelcollector/shared/helpers.go), with Entra's national cloud login hosts;
// Prometheus' names: storage/remote/azuread/azuread.go.

import type { CloudEnvironment } from "../args";

export interface Cloud {
    /** `remote_write.azuread.cloud` of Prometheus. */
    prometheusCloud: "AzurePublic" | "AzureGovernment" | "AzureChina";
    /** Hosts the collectors reach on TCP 443; `*.monitor.azure.<tld>` covers the control and ingestion hosts. */
    hosts: readonly string[];
}

export const clouds: Record<CloudEnvironment, Cloud> = {
    azurepubliccloud: {
        prometheusCloud: "AzurePublic",
        hosts: [
            "*.monitor.azure.com",
            "*.monitoring.azure.com",
            "login.microsoftonline.com",
            "dc.services.visualstudio.com",
            "*.ods.opinsights.azure.com",
            "*.oms.opinsights.azure.com",
        ],
    },
    azureusgovernmentcloud: {
        prometheusCloud: "AzureGovernment",
        hosts: [
            "*.monitor.azure.us",
            "login.microsoftonline.us",
            "dc.services.visualstudio.com",
            "*.ods.opinsights.azure.us",
            "*.oms.opinsights.azure.us",
        ],
    },
    azurechinacloud: {
        prometheusCloud: "AzureChina",
        hosts: [
            "*.monitor.azure.cn",
            "login.partner.microsoftonline.cn",
            "login.chinacloudapi.cn",
            "dc.services.visualstudio.com",
            "*.ods.opinsights.azure.cn",
            "*.oms.opinsights.azure.cn",
        ],
    },
};

/** Every cloud's hosts: all of them carry TLS on 443. */
export const azureTlsHosts: readonly string[] = [...new Set(Object.values(clouds).flatMap((cloud) => cloud.hosts))];
