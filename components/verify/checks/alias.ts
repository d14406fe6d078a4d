import { chartFacts, chartNamespace } from "../../amaMetrics/facts";
import { formats } from "../../core/formats";
import { defineCheck, fail, pass, unreadable } from "./check";

export const alias = defineCheck({
    id: "kube-system.alias",
    when: "ama-metrics",
    passes: "Service `kube-system/ama-metrics-operator-targets` is an ExternalName alias of `ama-metrics-operator-targets.<ns>.svc.<cluster domain>`",
    appliesTo: (options) => options.collector === "ama-metrics",
    reads: ["alias"],
    run({ alias: service }, { namespace }) {
        const name = chartFacts.targetAllocatorService;
        const what = `Service ${chartNamespace}/${name}`;
        const target = `${name}.${namespace}.svc`;
        const fix = `run pulumi up: the agent images dial ${name}.${chartNamespace}.svc, and the component keeps this alias to ${target}.<cluster domain>`;
        if (service.state === "error") return [unreadable(what, service)];
        if (service.state === "missing") return [fail(`${what} is missing`, fix)];
        const { type, externalName } = service.value.spec ?? {};
        // `<target>.<cluster domain>`, the domain as cluster.clusterDomain takes it, fully qualified or not.
        const domain = externalName?.startsWith(`${target}.`) ? externalName.slice(target.length + 1).replace(/\.$/, "") : undefined;
        if (type !== "ExternalName" || externalName === undefined || !formats.dnsDomain.test(domain)) {
            return [
                fail(
                    `${what} is type ${type ?? "ClusterIP"}${externalName ? ` pointing at ${externalName}` : ""}, not an ExternalName alias of ${target}.<cluster domain>`,
                    fix,
                ),
            ];
        }
        return [pass(`${what} is an ExternalName alias of ${externalName}`)];
    },
});
