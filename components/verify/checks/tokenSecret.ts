import { defaultTokenSecret } from "../../amaMetrics/facts";
import { sameSecret, secretText } from "../types";
import { defineCheck, fail, pass, rbacFix, unreadable } from "./check";

export const tokenSecret = defineCheck({
    id: "token.secret",
    when: "ama-metrics",
    passes: "Secret `kube-system/aad-msi-auth-token` (or `--token-secret <ns>/<name>`, which `verifyArgs` adds for a custom `tokenSecret`) exists",
    appliesTo: (options) => options.collector === "ama-metrics",
    reads: ["tokenSecret"],
    run({ tokenSecret: secret }, options) {
        const ref = options.tokenSecret;
        const what = `Secret ${secretText(ref)}`;
        const isDefault = sameSecret(ref, defaultTokenSecret);
        if (secret.state === "error") {
            const refused = unreadable(what, secret);
            // The README's ClusterRole names the default secret only.
            return [
                secret.status === 403 && !isDefault
                    ? { ...refused, fix: `${rbacFix}, with "${ref.name}" added to the resourceNames of its secrets rule` }
                    : refused,
            ];
        }
        if (secret.state === "missing") {
            return [
                fail(
                    `${what} does not exist: the agent has no token to send metrics with`,
                    isDefault
                        ? "AKS writes it only while an add-on that uses it is enabled: enable the managed Prometheus add-on once " +
                              "(az aks update --enable-azure-monitor-metrics), then turn it off again in the cluster's definition " +
                              "(see kube-system.no-addon), or use --collector prometheus (Workload ID)"
                        : `give --token-secret as the component's tokenSecret; AKS itself writes only ${secretText(defaultTokenSecret)}, ` +
                              `so whatever keeps ${secretText(ref)} up to date must have written it`,
                ),
            ];
        }
        return [pass(`${what} exists`)];
    },
});
