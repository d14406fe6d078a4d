// The tests' one harness: Pulumi's mocks (the offline plan's, answering like a fresh stack), the
// registrations as the engine receives them, explicit providers, and the test data's paths.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import * as YAML from "yaml";
import { AmaMetricsIstio, AmaMetricsIstioArgs } from "../components";
import { relocationOptions } from "../components/amaMetrics";
import type { RelocationSettings } from "../components/amaMetrics/relocate";
import type { KubernetesObject, PodTemplate } from "../components/core/kubernetes";
import { validateArgs } from "../components/arguments/validate";
import type { AmaMetricsCollectorSettings, PrometheusCollectorSettings, ComponentSettings } from "../components/core/settings";
import { createMocks } from "../components/testing";
import { captureRegistrations, Registration } from "../scripts/offline";

/** A file of the test data (test/fixtures, with its provenance). */
export const fixture = (...parts: string[]) => path.join(__dirname, "fixtures", ...parts);

/** The objects of a multi-document YAML file of the test data. */
export function fixtureObjects(...parts: string[]): KubernetesObject[] {
    return YAML.parseAllDocuments(fs.readFileSync(fixture(...parts), "utf8"))
        .map((document) => document.toJS())
        .filter((object) => object !== null);
}

/** The object of this kind and name among `objects`, asserting it is there. */
export function find(objects: readonly KubernetesObject[], kind: string, name: string): KubernetesObject {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    assert.ok(found, `${kind} ${name} is among the objects`);
    return found;
}

/** A workload's pod template (`spec.template`). */
export const podOf = (object: KubernetesObject): PodTemplate => (object.spec as { template: PodTemplate }).template;

/** The rendering made with Helm's defaults (the target allocator's app-level HTTPS on). */
export const helmDefaultsRendering = "rendered-aks.yaml";

/** The rendering made with the target allocator's app-level HTTPS off (the component's values). */
export const httpsOffRendering = "rendered-aks-component.yaml";

/** The chart's two renderings, which every relocation test runs over: Helm's defaults, and the values the component sets. */
export const chartRenderings = [helmDefaultsRendering, httpsOffRendering] as const;

export const testSubscription = "00000000-0000-0000-0000-000000000000";
export const clusterId =
    "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-one";
export const oidcIssuerUrl =
    "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/11111111-0000-0000-0000-000000000002/";

/** Arguments that work, for either collector. */
export function baseArgs(
    overrides: Partial<AmaMetricsIstioArgs> = {},
    collector: AmaMetricsIstioArgs["collector"] = "prometheus",
): AmaMetricsIstioArgs {
    const cluster =
        collector === "ama-metrics"
            ? { resourceId: clusterId, location: "westeurope", kubernetesVersion: "1.33.7" }
            : { resourceId: clusterId, location: "westeurope", oidcIssuerUrl };
    return { collector, cluster, resourceGroupName: "rg-monitoring", ...overrides };
}

/**
 * The component's settings for these arguments (over `baseArgs` for the collector), through its own
 * validation; the overloads narrow the type by the collector asked for, as the callers' casts did.
 */
export function settingsFor(overrides?: Partial<AmaMetricsIstioArgs>, collector?: "prometheus"): PrometheusCollectorSettings;
export function settingsFor(overrides: Partial<AmaMetricsIstioArgs>, collector: "ama-metrics"): AmaMetricsCollectorSettings;
export function settingsFor(
    overrides: Partial<AmaMetricsIstioArgs> = {},
    collector: AmaMetricsIstioArgs["collector"] = "prometheus",
): ComponentSettings {
    return validateArgs("metrics", baseArgs(overrides, collector));
}

/**
 * The relocation the component hands its post-renderer for these ama-metrics arguments, from its own
 * settings: for `{}`, its defaults.
 */
export function relocationFor(overrides: Partial<AmaMetricsIstioArgs> = {}): RelocationSettings {
    return relocationOptions(settingsFor(overrides, "ama-metrics"));
}

/**
 * Sets Pulumi's mocks (not a preview: applies run) and returns the live list of registrations as the
 * engine receives them (parent, dependencies, inputs).
 */
export function mockStack(stack = "test", mocks = createMocks({ subscriptionId: testSubscription })): Registration[] {
    pulumi.runtime.setMocks(mocks, "ama-metrics-istio", stack, false);
    return captureRegistrations();
}

/** Explicit providers, as the component requires. */
export function testProviders(): { kubernetes: k8s.Provider; "azure-native": AzureProvider } {
    return { kubernetes: new k8s.Provider("k8s", {}), "azure-native": new AzureProvider("azure", {}) };
}

/** Waits until every registration and output the program started has been answered. */
export async function settled(): Promise<void> {
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

export interface Evaluation {
    component: AmaMetricsIstio;
    /** What the engine received, providers left out. */
    registrations: Registration[];
    /** Why children failed to register (an input that failed its check once known, say). */
    failures: Error[];
}

/**
 * A component under fresh mocks (the package's, unless given), once every child's registration has been answered: the harness awaits each
 * child's URN, which settles when its registration does (or fails when its inputs do).
 */
export async function evaluate(args: AmaMetricsIstioArgs, name = "metrics", mocks?: pulumi.runtime.Mocks): Promise<Evaluation> {
    const registrations = mockStack("test", mocks);
    const children: pulumi.Resource[] = [];
    const collect: pulumi.ResourceTransformation = ({ resource }) => {
        children.push(resource);
        return undefined;
    };
    // The runtime also reports a failed registration as an unhandled rejection: the URNs below carry it.
    const ignore = () => undefined;
    process.on("unhandledRejection", ignore);
    try {
        const component = new AmaMetricsIstio(name, args, { providers: testProviders(), transformations: [collect] });
        const results = await Promise.allSettled(children.map(urnOf));
        await settled();
        const failures = results.flatMap((result) => (result.status === "rejected" ? [result.reason as Error] : []));
        return { component, registrations: registrations.filter((r) => !r.type.startsWith("pulumi:providers:")), failures };
    } finally {
        process.off("unhandledRejection", ignore);
    }
}

function urnOf(resource: pulumi.Resource): Promise<string> {
    return (resource.urn as unknown as { promise(): Promise<string> }).promise();
}

/** Resolves an Output in a test. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

export const byType = (registrations: readonly Registration[], type: string) => registrations.filter((r) => r.type === type);

export function one(registrations: readonly Registration[], type: string, name?: string): Registration {
    const found = byType(registrations, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
        throw new Error(
            `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
        );
    }
    return found[0];
}

export const key = (r: Registration) => `${r.type}::${r.name}`;

/**
 * Validates an object against the upstream schemas of its kind: Kubernetes' (kubernetes-models) or Istio's
 * (@kubernetes-models/istio); both packages are ES modules only, loaded by dynamic import.
 */
export async function validateSchema(object: KubernetesObject): Promise<void> {
    const module = (
        object.apiVersion.includes("istio.io")
            ? await import(`@kubernetes-models/istio/${object.apiVersion}/${object.kind}`)
            : await import(`kubernetes-models/${object.apiVersion}/${object.kind}`)
    ) as Record<string, new (data: unknown) => { validate(): void }>;
    new module[object.kind](object).validate();
}
