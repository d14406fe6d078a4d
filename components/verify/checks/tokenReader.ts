import { chartFacts } from "../../amaMetrics/facts";
import { tokenReaderName } from "../../amaMetrics/shims";
import { defineCheck, fail, pass, unreadable } from "./check";

export const tokenReader = defineCheck({
    id: "kube-system.token-reader",
    when: "ama-metrics",
    passes: "Role and RoleBinding `ama-metrics-token-reader-<ns>` in the token secret's namespace exist and let ServiceAccount `<ns>/ama-metrics-serviceaccount` get the token secret",
    appliesTo: (options) => options.collector === "ama-metrics",
    reads: ["tokenReaderRole", "tokenReaderBinding"],
    run({ tokenReaderRole: role, tokenReaderBinding: binding }, options) {
        const { namespace, tokenSecret: secret } = options;
        const name = tokenReaderName(namespace);
        const where = `${secret.namespace}/${name}`;
        const account = chartFacts.serviceAccount;
        const fix = `run pulumi up: the component creates Role and RoleBinding ${where} for ServiceAccount ${namespace}/${account}`;
        if (role.state === "error") return [unreadable(`Role ${where}`, role)];
        if (binding.state === "error") return [unreadable(`RoleBinding ${where}`, binding)];
        if (role.state !== "found" || binding.state !== "found") {
            const missing = [role.state === "missing" ? "Role" : "", binding.state === "missing" ? "RoleBinding" : ""];
            const both = role.state === "missing" && binding.state === "missing";
            return [fail(`${missing.filter((s) => s).join(" and ")} ${where} ${both ? "are" : "is"} missing`, fix)];
        }
        const problems: string[] = [];
        const ref = binding.value.roleRef;
        if (ref?.kind !== "Role" || ref.name !== name) {
            problems.push(`the binding refers to ${ref?.kind ?? "?"} ${ref?.name ?? "?"}, not Role ${name}`);
        }
        const subject = (binding.value.subjects ?? []).some(
            (s) => s.kind === "ServiceAccount" && s.name === account && s.namespace === namespace,
        );
        if (!subject) problems.push(`the binding does not name ServiceAccount ${namespace}/${account}`);
        const grants = (role.value.rules ?? []).some(
            (r) =>
                (r.apiGroups ?? []).includes("") &&
                (r.resources ?? []).includes("secrets") &&
                ((r.verbs ?? []).includes("get") || (r.verbs ?? []).includes("*")) &&
                (r.resourceNames === undefined || r.resourceNames.length === 0 || r.resourceNames.includes(secret.name)),
        );
        if (!grants) problems.push(`the Role does not grant get on secret ${secret.name}`);
        if (problems.length > 0) return [fail(`${where}: ${problems.join("; ")}`, fix)];
        return [pass(`Role and RoleBinding ${where} let ${namespace}/${account} read ${secret.name}`)];
    },
});
