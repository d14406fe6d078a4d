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

/** Where a nested schema applies: to the same value, a list's items, a map's values, or one field. */
type Step = "same" | "items" | "values" | { field: string };

/**
 * The schemas nested in one, each with its step, for both walks: a pipe's schemas (its first is the schema it was
 * built on, itself possibly an input or a pipe; later ones such as mapOf's record), a lazy schema's for `value`
 * (none without one), a wrapper's (optional, nullable, …), a list's, a map's and an object's.
 */
function nestedSchemas(parts: SchemaParts, value?: unknown): Array<[Schema, Step]> {
    if (parts.pipe) return parts.pipe.filter((item) => item.kind === "schema").map((item) => [item as Schema, "same"]);
    if (parts.type === "lazy" && parts.getter) return value === undefined ? [] : [[parts.getter(value), "same"]];
    if (parts.wrapped) return [[parts.wrapped, "same"]];
    if (parts.type === "array" && parts.item) return [[parts.item, "items"]];
    if (parts.type === "record" && parts.value) return [[parts.value, "values"]];
    return Object.entries(parts.entries ?? {}).map(([field, entry]) => [entry, { field }]);
}

/** The schema an `input(...)` wraps (not on a pipe, which only carries its first schema's copy). */
const inputOf = (parts: SchemaParts): Schema | undefined => (parts.pipe ? undefined : parts[inputSchema]);

const joined = (at: string, name: string) => (at ? `${at}.${name}` : name);

/**
 * `value`, which has passed `schema`, with each Output under an `input(...)` replaced by `check`'s: the places
 * that may hold an Output are found by walking the value along the schema, so an argument declared with
 * `input(...)` is checked once known without a list of such arguments to keep in step. What holds no Output
 * comes back as it was given.
 */
export function withDeferredChecks(schema: Schema, value: unknown, check: DeferredCheck, argument = ""): unknown {
    const parts = schema as SchemaParts;
    const inner = inputOf(parts);
    if (inner !== undefined) {
        return pulumi.Output.isInstance(value) ? check(argument, value, inner) : withDeferredChecks(inner, value, check, argument);
    }
    if (value === undefined || value === null) {
        return value;
    }
    return nestedSchemas(parts, value).reduce<unknown>((current, [nested, step]) => {
        const walk = (item: unknown, path: string) => withDeferredChecks(nested, item, check, path);
        if (step === "same") return walk(current, argument);
        if (step === "items") {
            if (!Array.isArray(current)) return current;
            const items = current.map((item, i) => walk(item, `${argument}[${i}]`));
            return items.some((item, i) => item !== current[i]) ? items : current;
        }
        if (!isRecord(current)) return current;
        // Read by name: valibot's objects accept fields from the prototype.
        const names = step === "values" ? Object.keys(current) : step.field in current ? [step.field] : [];
        const changed = names.flatMap((name) => {
            const item = walk(current[name], joined(argument, name));
            return item !== current[name] ? [[name, item] as const] : [];
        });
        return changed.length > 0 ? { ...current, ...Object.fromEntries(changed) } : current;
    }, value);
}

/**
 * The places of `schema` that may hold an Output (its `input(...)`s) as paths: `a.b`, `[]` for a list's items,
 * `*` for a map's values. Throws for an `input(...)` under a kind of schema `withDeferredChecks` does not walk
 * (a union, a tuple, an object's rest), which would otherwise go unchecked. A lazy schema's own schemas depend
 * on the value and are not listed.
 */
export function inputPlaces(schema: Schema, at = ""): string[] {
    const parts = schema as SchemaParts;
    const inner = inputOf(parts);
    if (inner !== undefined) {
        return [at, ...inputPlaces(inner, at)];
    }
    const unfollowed = unfollowedParts(parts).flatMap((part) => inputPlaces(part, at));
    if (unfollowed.length > 0) {
        throw new Error(`input(...) at ${unfollowed.join(", ")} under a ${parts.type} schema, which withDeferredChecks does not walk`);
    }
    return nestedSchemas(parts).flatMap(([nested, step]) =>
        inputPlaces(
            nested,
            step === "same" ? at : step === "items" ? `${at}[]` : step === "values" ? joined(at, "*") : joined(at, step.field),
        ),
    );
}
