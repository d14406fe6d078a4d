// Facts about Azure Monitor that the component builds with and the verify command checks against. No
// Pulumi here: the verify command imports it.

/** The stream the collectors send and a data collection rule forwards to the workspace. */
export const prometheusStream = "Microsoft-PrometheusMetrics";
