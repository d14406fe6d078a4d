// Shared test plumbing: the offline mocks, a recorder of registrations, the fixtures' paths.

import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { captureRegistrations, offlineMocks, Registration } from "../scripts/offline";

export const sharedDir = path.resolve(__dirname, "../../shared");
export const fixture = (...parts: string[]) => path.join(sharedDir, "fixtures", ...parts);

export const testSubscription = "00000000-0000-0000-0000-000000000000";

/**
 * Sets Pulumi mocks (not preview: applies run) that answer like a fresh stack, and returns the live
 * list of registrations as the engine receives them (parent, dependencies, inputs).
 */
export function mockStack(stack = "test"): Registration[] {
    pulumi.runtime.setMocks(offlineMocks({ subscriptionId: testSubscription }), "ama-metrics-istio", stack, false);
    return captureRegistrations();
}

/** Resolves an Output in a test. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Waits until no registration has arrived for a while: registrations finish asynchronously. */
export async function settled(registrations: readonly unknown[], quietMs = 100): Promise<void> {
    let seen = -1;
    while (seen !== registrations.length) {
        seen = registrations.length;
        await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
}
