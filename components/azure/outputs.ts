// Outputs Azure returns for every resource it creates, and that the component builds other inputs from
// (an identity's principal and client ids, an endpoint's ingestion URL, a rule's immutable id, an existing
// workspace's region). Azure never omits them; a unit test's mocks may (Pulumi's documented mocks echo the
// inputs), so a missing one fails with an error naming the resource and the output, not a TypeError deep in
// the code that uses it.

import * as pulumi from "@pulumi/pulumi";

/**
 * Raised (in the resource whose input needs it) when Azure, or a unit test's mocks, answered a resource
 * without an output the component reads. In unit tests, answer with the mocks of `ama-metrics-istio/testing`.
 */
export class AmaMetricsIstioOutputError extends Error {
    constructor(
        /** The component's name. */
        public readonly component: string,
        /** The resource that lacks the output: "the collector's identity (UserAssignedIdentity)". */
        public readonly resource: string,
        /** The output's name, `principalId`. */
        public readonly output: string,
        /** What needs it: "Prometheus's remote-write URL". */
        neededBy: string,
    ) {
        super(
            `AmaMetricsIstio "${component}": ${resource} has no output ${output}, needed by ${neededBy}. Azure returns it for ` +
                `every resource it creates; in unit tests, answer it from your mocks (the mocks of "ama-metrics-istio/testing" do)`,
        );
        this.name = "AmaMetricsIstioOutputError";
    }
}

/** `value`, or (once known) an AmaMetricsIstioOutputError when it is missing or empty. @internal */
export function requiredOutput<T>(
    component: string,
    resource: string,
    output: string,
    value: pulumi.Input<T | undefined>,
    neededBy: string,
): pulumi.Output<T> {
    return pulumi.output(value).apply((known) => {
        if (known === undefined || known === null || (known as unknown) === "") {
            throw new AmaMetricsIstioOutputError(component, resource, output, neededBy);
        }
        return known as T;
    }) as pulumi.Output<T>;
}
