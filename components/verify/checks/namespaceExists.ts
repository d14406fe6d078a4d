import { defineCheck, fail, pass, unreadable } from "./check";

export const namespaceExists = defineCheck({
    id: "namespace.exists",
    when: "always",
    passes: "the namespace exists (if not, the checks that read inside it are skipped)",
    appliesTo: () => true,
    reads: ["namespace"],
    run({ namespace }, options) {
        const name = options.namespace;
        if (namespace.state === "error") return [unreadable(`namespace ${name}`, namespace)];
        if (namespace.state === "missing") {
            return [fail(`namespace ${name} does not exist`, "deploy the component (pulumi up), or give the --namespace it deployed to")];
        }
        return [pass(`namespace ${name} exists`)];
    },
});
