// Arguments that may be Pulumi Outputs. Apart from core/shapes.ts, which the post-renderer loads: it
// must not load the Pulumi SDK (test/integration/postRenderer.test.ts, "the post-renderer's weight").

import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import { isRecord } from "./kubernetes";
import type { Schema } from "./shapes";

/** A map given as a plain object, not an Output. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return isRecord(value) && !pulumi.Output.isInstance(value);
}

/** A value that may be an Output: checked now when it is plain, once known otherwise (arguments/validate.ts). */
export function input(schema: Schema): Schema {
    return v.lazy((value) => (pulumi.Output.isInstance(value) ? v.any() : schema));
}
