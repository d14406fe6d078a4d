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

// The schema an `input(...)` checks an Output with, on the schema it returns: a property, so that valibot's
// copies (a pipe spreads its first schema) keep it.
const inputSchema = Symbol("input schema");

/** A value that may be an Output: checked now when it is plain, once known otherwise (`withDeferredChecks`). */
export function input(schema: Schema): Schema {
    const wrapped = v.lazy((value) => (pulumi.Output.isInstance(value) ? v.any() : schema));
    return Object.assign(wrapped, { [inputSchema]: schema });
}

/** Checks an Output, once known, against the schema of its `input(...)`; `argument` is its path in the arguments. */
export type DeferredCheck = (argument: string, value: pulumi.Output<unknown>, schema: Schema) => pulumi.Output<unknown>;

// The parts of valibot's schema objects the walks read (valibot's own types name no common shape for them).
interface SchemaParts {
    type?: string;
    [inputSchema]?: Schema;
    wrapped?: Schema;
    entries?: Record<string, Schema>;
    item?: Schema;
    value?: Schema;
    getter?: (value: unknown) => Schema;
    pipe?: ReadonlyArray<{ kind?: string }>;
}

/** The schemas nested in `parts` that neither walk follows (unions, tuples, an object's rest), for `inputPlaces`. */
function unfollowedParts(parts: SchemaParts): Schema[] {
    const record = parts as Record<string, unknown>;
    const list = [record.options, record.items, [record.rest]].flatMap((x) => (Array.isArray(x) ? x : []));
    return list.filter((x): x is Schema => typeof x === "object" && x !== null && (x as { kind?: string }).kind === "schema");
}

/**
 * `value`, which has passed `schema`, with each Output under an `input(...)` replaced by `check`'s: the places
 * that may hold an Output are found by walking the value along the schema, so an argument declared with
 * `input(...)` is checked once known without a list of such arguments to keep in step. What holds no Output
 * comes back as it was given.
 */
export function withDeferredChecks(schema: Schema, value: unknown, check: DeferredCheck, argument = ""): unknown {
    const parts = schema as SchemaParts;
    const walk = (part: Schema, item: unknown, path: string) => withDeferredChecks(part, item, check, path);
    const key = (name: string) => (argument ? `${argument}.${name}` : name);
    if (parts.pipe) {
        // A pipe's first item is the schema it was built on (itself possibly an input or a pipe); schemas later in
        // it (mapOf's record) are walked in turn.
        return parts.pipe.filter((item) => item.kind === "schema").reduce((result, item) => walk(item as Schema, result, argument), value);
    }
    const inner = parts[inputSchema];
    if (inner !== undefined) {
        return pulumi.Output.isInstance(value) ? check(argument, value, inner) : walk(inner, value, argument);
    }
    if (value === undefined || value === null) {
        return value;
    }
    if (parts.wrapped) {
        return walk(parts.wrapped, value, argument);
    }
    if (parts.type === "lazy" && parts.getter) {
        return walk(parts.getter(value), value, argument);
    }
    if (parts.type === "array" && parts.item && Array.isArray(value)) {
        const item = parts.item;
        const result = value.map((element, i) => walk(item, element, `${argument}[${i}]`));
        return result.some((element, i) => element !== value[i]) ? result : value;
    }
    const fields = parts.entries ?? (parts.type === "record" && parts.value ? parts.value : undefined);
    if (fields !== undefined && isRecord(value)) {
        const fieldSchema = (name: string) => (parts.entries ? parts.entries[name] : (fields as Schema));
        // Read by name: valibot's objects accept fields from the prototype.
        const names = parts.entries ? Object.keys(parts.entries).filter((name) => name in value) : Object.keys(value);
        const changed = names.flatMap((name) => {
            const item = walk(fieldSchema(name), value[name], key(name));
            return item !== value[name] ? [[name, item] as const] : [];
        });
        return changed.length > 0 ? { ...value, ...Object.fromEntries(changed) } : value;
    }
    return value;
}

/**
 * The places of `schema` that may hold an Output (its `input(...)`s) as paths: `a.b`, `[]` for a list's items,
 * `*` for a map's values. Throws for an `input(...)` under a kind of schema `withDeferredChecks` does not walk
 * (a union, a tuple, an object's rest), which would otherwise go unchecked. A lazy schema's own schemas depend
 * on the value and are not listed.
 */
export function inputPlaces(schema: Schema, at = ""): string[] {
    const parts = schema as SchemaParts;
    const key = (name: string) => (at ? `${at}.${name}` : name);
    if (parts.pipe) {
        return parts.pipe.filter((item) => item.kind === "schema").flatMap((item) => inputPlaces(item as Schema, at));
    }
    const inner = parts[inputSchema];
    if (inner !== undefined) {
        return [at, ...inputPlaces(inner, at)];
    }
    const unfollowed = unfollowedParts(parts).flatMap((part) => inputPlaces(part, at));
    if (unfollowed.length > 0) {
        throw new Error(`input(...) at ${unfollowed.join(", ")} under a ${parts.type} schema, which withDeferredChecks does not walk`);
    }
    if (parts.wrapped) return inputPlaces(parts.wrapped, at);
    if (parts.type === "array" && parts.item) return inputPlaces(parts.item, `${at}[]`);
    if (parts.type === "record" && parts.value) return inputPlaces(parts.value, key("*"));
    return Object.entries(parts.entries ?? {}).flatMap(([name, entry]) => inputPlaces(entry, key(name)));
}
