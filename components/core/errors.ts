// One error shape for every argument the package refuses, in the component, the post-renderer and
// the verify command alike: `<argument> = <value>: <what is wrong>; <the fix>`.

/** One refused argument. */
export interface Problem {
    /** Where the value was given: `istio.revision`, `cluster.resourceId`, `--mesh-mode`. */
    argument: string;
    value: unknown;
    /** `<what is wrong>; <the fix>`. */
    message: string;
}

/** A problem from its parts. @internal */
export function problem(argument: string, value: unknown, wrong: string, fix: string): Problem {
    return { argument, value, message: `${wrong}; ${fix}` };
}

/** `<argument> = <value>: <what is wrong>; <the fix>`. */
export function formatProblem(problem: Problem): string {
    return `${problem.argument} = ${describeValue(problem.value)}: ${problem.message}`;
}

/** A Pulumi Output, recognised without the Pulumi SDK (which the commands do not load) by its brand. @internal */
export function isOutput(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { __pulumiOutput?: unknown }).__pulumiOutput === true;
}

// Non-finite numbers, which JSON would print as null, and Outputs, whose toJSON is a warning text.
const nonFinite = "\u0000nonfinite:";
const outputMark = "\u0000output";

function describeValue(value: unknown): string {
    if (value === undefined) {
        return "undefined";
    }
    try {
        const text = JSON.stringify(value, function (this: unknown, key: string, item: unknown) {
            if (isOutput((this as Record<string, unknown>)[key])) {
                return outputMark;
            }
            return typeof item === "number" && !Number.isFinite(item) ? `${nonFinite}${item}` : item;
        });
        return (text ?? String(value)).replace(/"\\u0000nonfinite:([^"]*)"/g, "$1").replace(/"\\u0000output"/g, "<output>");
    } catch {
        return String(value);
    }
}

/**
 * Raised for arguments the component cannot work with. It lists every problem found, each naming the
 * argument, the value given and what would be valid. When it is raised by the constructor, nothing has
 * been registered.
 */
export class AmaMetricsIstioArgumentError extends Error {
    /** The problems, each formatted as `<argument> = <value>: <what is wrong>; <the fix>` (`formatProblem`). */
    public readonly messages: string[];

    constructor(
        /** The component's name. */
        public readonly component: string,
        /** The problems, unformatted: a program can name where it read each argument. */
        public readonly problems: readonly Problem[],
    ) {
        const lines = problems.map(formatProblem);
        super(`AmaMetricsIstio "${component}" has invalid arguments:\n${lines.map((line) => `  - ${line}`).join("\n")}`);
        this.name = "AmaMetricsIstioArgumentError";
        this.messages = lines;
    }
}

/** An error of a command-line tool: one line per problem, in the same shape. @internal */
export class UsageError extends Error {
    constructor(public readonly problems: readonly Problem[]) {
        super(problems.map(formatProblem).join("\n"));
        this.name = "UsageError";
    }
}
