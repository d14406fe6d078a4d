// The benchmark's baseline: a program that registers the same resources as a component run (read
// from its recording) directly, with the same SDK classes and no component: what a hand-written
// program would cost.

import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import type { Registration } from "./offline";

type Constructor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.Resource;

function resourceClass(type: string): Constructor | undefined {
    const [pkg, module, kind] = type.split(":");
    if (pkg === "pulumi") {
        const classes: Record<string, Constructor> = {
            "providers:kubernetes": k8s.Provider,
            "providers:azure-native": AzureProvider,
            "pulumi:StackReference": pulumi.StackReference as unknown as Constructor,
        };
        return classes[`${module}:${kind}`];
    }
    if (pkg === "azure-native") {
        return require(`@pulumi/azure-native/${module}`)[kind];
    }
    if (pkg === "kubernetes") {
        if (type === "kubernetes:helm.sh/v4:Chart") return k8s.helm.v4.Chart as unknown as Constructor;
        const [group, version] = module.split("/");
        const typed = (k8s as any)[group.split(".")[0]]?.[version]?.[kind];
        return typed ?? (k8s.apiextensions.CustomResource as unknown as Constructor);
    }
    return undefined; // the component itself: the baseline has none
}

export = () => {
    const recording: Registration[] = JSON.parse(fs.readFileSync(process.env.AMA_METRICS_ISTIO_BENCH_RECORDING!, "utf8"));
    const created = new Map<string, pulumi.Resource>();
    const providers = new Map<string, pulumi.ProviderResource>();
    for (const r of recording) {
        const cls = resourceClass(r.type);
        if (!cls) continue;
        const dependsOn = r.dependsOn.map((d) => created.get(d)).filter((d): d is pulumi.Resource => d !== undefined);
        const provider = providers.get(r.type.split(":")[0]);
        const resource = new cls(r.name, r.inputs, { dependsOn, provider, protect: r.protect });
        created.set(`${r.type}::${r.name}`, resource);
        if (r.type.startsWith("pulumi:providers:")) {
            providers.set(r.type.slice("pulumi:providers:".length), resource as pulumi.ProviderResource);
        }
    }
};
