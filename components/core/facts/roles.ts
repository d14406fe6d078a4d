// The built-in Azure roles the component assigns, by id: a plain table without imports, so that the verify
// command checks the same ids without loading the Pulumi SDK (azure/roles.ts assigns them).

/** The built-in roles the component assigns, by id (Azure built-in roles, Monitor). */
export const builtInRoles = {
    /** Read a workspace's metrics (azure-cli amg/link.py; Microsoft's Bicep nested_grafana_amw_role_assignment.bicep). */
    monitoringDataReader: "b0d8363b-8ddd-447d-831f-62ca05bff136",
    /** Ingest through a data collection rule. */
    monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
};
