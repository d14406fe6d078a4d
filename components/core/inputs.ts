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

/** The schema of each `input(...)`, by the schema that wraps it: what `withDeferredChecks` checks an Output with. */
const inputSchemas = new WeakMap<Schema, Schema>();

/** A value that may be an Output: checked now when it is plain, once known otherwise (`withDeferredChecks`). */
export function input(schema: Schema): Schema {
    const wrapped = v.lazy((value) => (pulumi.Output.isInstance(value) ? v.any() : schema));
    inputSchemas.set(wrapped, schema);
    return wrapped;
}

/** Checks an Output, once known, against the schema of its `input(...)`; `argument` is its path in the arguments. */
export type DeferredCheck = (argument: string, value: pulumi.Output<unknown>, schema: Schema) => pulumi.Output<unknown>;

// The parts of valibot's schema objects the walk reads (valibot's own types name no common shape for them).
interface SchemaParts {
    type?: string;
    wrapped?: Schema;
    entries?: Record<string, Schema>;
    item?: Schema;
    value?: Schema;
    getter?: (value: unknown) => Schema;
    pipe?: ReadonlyArray<{ kind?: string }>;
}

/**
 * `value`, which has passed `schema`, with each Output under an `input(...)` replaced by `check`'s: the places
 * that may hold an Output are found by walking the value along the schema, so an argument declared with
 * `input(...)` is checked once known without a list of such arguments to keep in step.
 */
export function withDeferredChecks(schema: Schema, value: unknown, check: DeferredCheck, argument = ""): unknown {
    const inner = inputSchemas.get(schema);
    if (inner !== undefined) {
        return pulumi.Output.isInstance(value) ? check(argument, value, inner) : withDeferredChecks(inner, value, check, argument);
    }
    if (value === undefined || value === null) {
        return value;
    }
    const parts = schema as SchemaParts;
    const walk = (part: Schema, item: unknown, path: string) => withDeferredChecks(part, item, check, path);
    const key = (name: string) => (argument ? `${argument}.${name}` : name);
    let result: unknown = value;
    if (parts.type === "optional" && parts.wrapped) {
        result = walk(parts.wrapped, value, argument);
    } else if (parts.type === "lazy" && parts.getter) {
        result = walk(parts.getter(value), value, argument);
    } else if (parts.entries && isRecord(value)) {
        const entries = parts.entries;
        result = Object.fromEntries(
            Object.entries(value).map(([name, item]) => [name, name in entries ? walk(entries[name], item, key(name)) : item]),
        );
    } else if (parts.type === "array" && parts.item && Array.isArray(value)) {
        const item = parts.item;
        result = value.map((element, i) => walk(item, element, `${argument}[${i}]`));
    } else if (parts.type === "record" && parts.value && isRecord(value)) {
        const valueSchema = parts.value;
        result = Object.fromEntries(Object.entries(value).map(([name, item]) => [name, walk(valueSchema, item, key(name))]));
    }
    // A pipe's first item is the schema itself (walked above); schemas later in it (mapOf's record) are walked too.
    for (const later of parts.pipe?.slice(1) ?? []) {
        if (later.kind === "schema") {
            result = walk(later as Schema, result, argument);
        }
    }
    return result;
}
