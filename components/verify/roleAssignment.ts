// The wait Microsoft documents for a new role assignment (Learn, "Troubleshoot remote write": "It takes
// about 30 minutes for the assignment of the role to take effect"). The prometheus collector's identity
// gets "Monitoring Metrics Publisher" on the rule when the component creates it, before the collector's
// pods; until the assignment applies, remote write is refused (HTTP 403) and no data arrives. The checks
// that would fail for that reason warn while the collector is younger than this.

/** How long a new "Monitoring Metrics Publisher" assignment can take to apply. */
export const roleAssignmentDelayMs = 30 * 60 * 1000;

/** The wait, as a check's message states it. */
export const roleAssignmentNote =
    `Microsoft documents that a new "Monitoring Metrics Publisher" role assignment can take about ` +
    `${roleAssignmentDelayMs / 60000} minutes to take effect (HTTP 403 meanwhile)`;

/** The fix's first step while waiting: `what` is "the pod is" or "the pods are". */
export function rerunAfterRoleAssignment(what: string): string {
    return `run the check again once ${what} ${roleAssignmentDelayMs / 60000} minutes old`;
}
