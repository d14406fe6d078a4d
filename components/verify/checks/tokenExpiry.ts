import { formatDuration } from "../report";
import { tokenExpiry as readExpiry } from "../token";
import { cannotCheck, defineCheck, fail, pass, warn } from "./check";

const warnBeforeMs = 2 * 60 * 60 * 1000;
const borrowed =
    "the agent borrows this token from the AKS managed add-on, and AKS refreshes it only while an add-on that uses it is enabled";

export const tokenExpiry = defineCheck({
    id: "token.expiry",
    when: "ama-metrics",
    passes:
        "the token it holds (JSON with `expires_on`, or a JWT's `exp`) is valid for 2 more hours; under 2 h warns, expired fails. The agent " +
        "borrows this token from the AKS add-on, and AKS refreshes it only while an add-on that uses it is enabled",
    appliesTo: (options) => options.collector === "ama-metrics",
    reads: ["tokenSecret"],
    run({ tokenSecret: secret }, options, now) {
        const ref = options.tokenSecret;
        if (secret.state === "error") return [cannotCheck("no token to read: see token.secret", "see token.secret")];
        if (secret.state === "missing") return [fail("no token to read: see token.secret", "see token.secret")];
        const expiry = readExpiry(secret.value.data);
        const fix = `${borrowed}: keep such an add-on enabled, or move to --collector prometheus, which authenticates with Workload ID`;
        if (!expiry.found) {
            return [
                fail(
                    `cannot tell when the token expires: ${expiry.reason}`,
                    `check the secret's format (kubectl -n ${ref.namespace} get secret ${ref.name} -o yaml); ${fix}`,
                ),
            ];
        }
        const left = expiry.expiresAt.getTime() - now.getTime();
        const at = expiry.expiresAt.toISOString();
        if (left <= 0) {
            return [fail(`the token expired at ${at} (${formatDuration(left)} ago, from ${expiry.source}): ${borrowed}`, fix)];
        }
        if (left < warnBeforeMs) {
            return [warn(`the token expires at ${at}, in ${formatDuration(left)} (from ${expiry.source}): ${borrowed}`, fix)];
        }
        return [pass(`the token expires at ${at}, in ${formatDuration(left)} (from ${expiry.source})`)];
    },
});
