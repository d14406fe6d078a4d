import { formats } from "../../core/formats";
import { prometheusNames } from "../../prometheus/facts";
import { defineCheck, fail, pass, unreadable } from "./check";
import { workloadIdentity } from "./identity";

export const serviceAccount = defineCheck({
    id: "identity.service-account",
    when: "prometheus",
    passes: "ServiceAccount `prometheus-agent` has a UUID `azure.workload.identity/client-id`",
    appliesTo: (options) => options.collector === "prometheus",
    reads: ["serviceAccount"],
    run({ serviceAccount: account }) {
        const what = `ServiceAccount ${prometheusNames.serviceAccount}`;
        const annotation = workloadIdentity.clientIdAnnotation;
        if (account.state === "missing") {
            return [fail(`${what} is missing`, "run pulumi up: the component creates it with the identity's client-id")];
        }
        if (account.state === "error") return [unreadable(what, account)];
        const clientId = account.value.metadata?.annotations?.[annotation];
        if (clientId === undefined) {
            return [
                fail(`${what} has no ${annotation} annotation`, "run pulumi up: the component sets it to the managed identity's client id"),
            ];
        }
        if (!formats.guid.test(clientId)) {
            return [
                fail(
                    `${what} has ${annotation}=${JSON.stringify(clientId)}, not a UUID`,
                    "set it to the managed identity's client id (az identity show --query clientId)",
                ),
            ];
        }
        return [pass(`${what} has ${annotation}=${clientId}`)];
    },
});
