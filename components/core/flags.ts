// The command-line flags of the package's commands (the post-renderer, the verify command): each command
// has one table, which drives its usage text, its parsing and the arguments the component writes for it.
// Every argument a command cannot read comes back as a problem of the package's one shape.

import { parseArgs } from "node:util";
import type { IstioArgs } from "./args";
import { Problem, problem } from "./errors";
import { nearest } from "./shapes";

/** One flag; `T` is what the command's arguments are written from. */
export interface Flag<T> {
    name: string;
    /** The value's placeholder in the usage text; absent for a switch. */
    value?: string;
    help: string;
    /** Its one-letter form, e.g. `h` for `-h`. */
    short?: string;
    /** It may be given more than once; its values come as a list. */
    multiple?: boolean;
    /** The mesh setting it carries, for the mesh rules' messages. */
    meshKey?: keyof IstioArgs;
    /** Its value(s) for `T` (`[""]` turns a switch on); absent or empty where `T` needs no flag (a default). */
    format?(from: T): string[];
}

export type FlagValues = Record<string, string | string[] | true | undefined>;

/** The usage text's lines for the flags. */
export function flagUsage(flags: readonly Flag<never>[], width: number): string {
    return flags.map((f) => `  --${`${f.name}${f.value ? ` ${f.value}` : ""}`.padEnd(width)} ${f.help}`).join("\n");
}

/**
 * The arguments for `from`: always the same for the same input, in the table's order, each value either in
 * the flag's word (`--name=value`, for Helm, which passes each post-renderer argument as one word) or in
 * the next one (`--name value`, as people type).
 */
export function writeFlags<T>(flags: readonly Flag<T>[], from: T, form: "inline" | "separate"): string[] {
    return flags.flatMap((flag) =>
        (flag.format?.(from) ?? []).flatMap((value) =>
            flag.value === undefined ? [`--${flag.name}`] : form === "inline" ? [`--${flag.name}=${value}`] : [`--${flag.name}`, value],
        ),
    );
}

/** The flag that carries a mesh setting, as the mesh rules name it in a command's messages. */
export function meshFlagName(flags: readonly Flag<never>[]): (key: keyof IstioArgs) => string {
    return (key) => `--${flags.find((f) => f.meshKey === key)?.name ?? key}`;
}

/**
 * The flags' values by name (lists for repeatable flags, `true` for switches), from `argv`. Every argument
 * that is not a known flag with a well-formed value becomes a problem: an unknown flag (with the nearest
 * known one), a flag without its value (a value flag followed by another flag has none), a switch with one,
 * a flag given twice, a word that is no flag.
 */
export function readFlags(
    flags: readonly Flag<never>[],
    argv: readonly string[],
): { values: FlagValues; given: Set<string>; problems: Problem[] } {
    const values: FlagValues = {};
    const given = new Set<string>();
    const problems: Problem[] = [];
    for (const token of tokensOf(flags, argv, 0)) {
        if (token.kind === "positional") {
            problems.push(
                problem(
                    `argument ${token.index + 1}`,
                    token.value,
                    "not a flag",
                    "give every value with its flag, --<flag> <value> (--help lists the flags)",
                ),
            );
            continue;
        }
        if (token.kind !== "option") {
            continue;
        }
        const flag = flags.find((f) => f.name === token.name);
        if (flag === undefined) {
            const near = nearest(
                token.name,
                flags.map((f) => f.name),
            );
            const known = [...new Set([...flags.map((f) => `--${f.name}`), "--help"])].join(", ");
            problems.push(
                problem(
                    token.rawName,
                    token.value ?? true,
                    "unknown flag",
                    `${near !== undefined ? `did you mean --${near}? ` : ""}known flags: ${known}`,
                ),
            );
            continue;
        }
        const name = `--${flag.name}`;
        given.add(flag.name);
        if (flag.value === undefined) {
            if (token.value !== undefined) {
                problems.push(problem(name, token.value, "a switch takes no value", `give ${name} alone, or leave it out`));
            } else if (values[flag.name] !== undefined) {
                problems.push(problem(name, true, "given twice", "give each flag once"));
            } else {
                values[flag.name] = true;
            }
            continue;
        }
        if (token.value === undefined) {
            problems.push(problem(name, undefined, "missing its value", `give it as ${name} ${flag.value}`));
            continue;
        }
        if (flag.multiple) {
            values[flag.name] = [...((values[flag.name] as string[] | undefined) ?? []), token.value];
        } else if (values[flag.name] !== undefined) {
            problems.push(problem(name, token.value, `given twice (first ${JSON.stringify(values[flag.name])})`, "give each flag once"));
        } else {
            values[flag.name] = token.value;
        }
    }
    return { values, given, problems };
}

type Token = NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number];

/**
 * parseArgs' tokens, non-strict so that every argument comes back to be judged. parseArgs would take the
 * flag after a value flag as its value: a value flag followed by a flag ends a run, and has no value.
 */
function tokensOf(flags: readonly Flag<never>[], argv: readonly string[], offset: number): Token[] {
    const valueFlags = new Set(flags.filter((f) => f.value !== undefined).map((f) => `--${f.name}`));
    const end = argv.findIndex((arg, i) => valueFlags.has(arg) && argv[i + 1]?.startsWith("-"));
    const run = end < 0 ? argv : argv.slice(0, end + 1);
    const { tokens } = parseArgs({
        args: [...run],
        strict: false,
        allowPositionals: true,
        tokens: true,
        options: Object.fromEntries(
            flags.map((f) => [
                f.name,
                { type: f.value ? "string" : "boolean", multiple: f.multiple ?? false, ...(f.short ? { short: f.short } : {}) },
            ]),
        ),
    });
    // Positions count from the whole command line.
    const placed = tokens.map((token) => ({ ...token, index: token.index + offset }));
    return end < 0 ? placed : [...placed, ...tokensOf(flags, argv.slice(end + 1), offset + end + 1)];
}
