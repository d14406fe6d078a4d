// A parser for the Prometheus text exposition format (version 0.0.4, prometheus.io "Exposition
// formats"). npm has no well-kept parser: the one published package was last changed in 2019,
// has no types and merges histogram series of different labels. This one keeps every sample with
// its labels; it is strict, like Prometheus, and names the line it cannot read.

export interface Sample {
    name: string;
    labels: Record<string, string>;
    value: number;
    /** Milliseconds since the epoch, when the line gives one. */
    timestampMs?: number;
}

export interface Exposition {
    samples: Sample[];
    /** `# TYPE` per metric family. */
    types: Record<string, string>;
    /** `# HELP` per metric family, unescaped. */
    help: Record<string, string>;
}

export class ExpositionError extends Error {
    constructor(
        readonly line: number,
        detail: string,
    ) {
        super(`line ${line}: ${detail}`);
        this.name = "ExpositionError";
    }
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const types = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parseExposition(text: string): Exposition {
    const result: Exposition = { samples: [], types: {}, help: {} };
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i].replace(/\r$/, "");
        const number = i + 1;
        if (line.trim() === "") {
            continue;
        }
        if (line.startsWith("#")) {
            readComment(line, number, result);
            continue;
        }
        result.samples.push(readSample(line, number));
    }
    return result;
}

function readComment(line: string, number: number, result: Exposition): void {
    const match = /^#[ \t]+(HELP|TYPE)[ \t]+([^ \t]+)(?:[ \t]+(.*))?$/.exec(line);
    if (!match) {
        // Any other comment, including OpenMetrics' `# EOF`.
        return;
    }
    const [, keyword, name, rest = ""] = match;
    if (!metricName.test(name) || metricName.exec(name)?.[0] !== name) {
        throw new ExpositionError(number, `invalid metric name ${JSON.stringify(name)} in # ${keyword}`);
    }
    if (keyword === "TYPE") {
        const type = rest.trim();
        if (!types.has(type)) {
            throw new ExpositionError(number, `unknown metric type ${JSON.stringify(type)}`);
        }
        result.types[name] = type;
    } else {
        result.help[name] = rest.replace(/\\(\\|n)/g, (_, c: string) => (c === "n" ? "\n" : "\\"));
    }
}

function readSample(line: string, number: number): Sample {
    let rest = line.replace(/^[ \t]+/, "");
    const name = metricName.exec(rest)?.[0];
    if (name === undefined) {
        throw new ExpositionError(number, `invalid metric name at ${JSON.stringify(rest.slice(0, 20))}`);
    }
    rest = rest.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith("{")) {
        rest = readLabels(rest.slice(1), labels, number);
    }
    const fields = rest.trim().split(/[ \t]+/);
    if (rest !== "" && !/^[ \t]/.test(rest)) {
        throw new ExpositionError(number, `expected a space after ${name}`);
    }
    if (fields.length < 1 || fields.length > 2 || fields[0] === "") {
        throw new ExpositionError(number, `expected a value and an optional timestamp after ${name}`);
    }
    const value = parseValue(fields[0]);
    if (value === undefined) {
        throw new ExpositionError(number, `invalid value ${JSON.stringify(fields[0])}`);
    }
    const sample: Sample = { name, labels, value };
    if (fields.length === 2) {
        if (!/^-?\d+$/.test(fields[1])) {
            throw new ExpositionError(number, `invalid timestamp ${JSON.stringify(fields[1])}`);
        }
        sample.timestampMs = Number(fields[1]);
    }
    return sample;
}

/** Reads `name="value",...}` into `labels`; returns what follows the closing brace. */
function readLabels(text: string, labels: Record<string, string>, number: number): string {
    let rest = text;
    for (;;) {
        rest = rest.replace(/^[ \t]+/, "");
        if (rest.startsWith("}")) {
            return rest.slice(1);
        }
        const name = labelName.exec(rest)?.[0];
        if (name === undefined) {
            throw new ExpositionError(number, `invalid label name at ${JSON.stringify(rest.slice(0, 20))}`);
        }
        rest = rest.slice(name.length).replace(/^[ \t]+/, "");
        if (!rest.startsWith("=")) {
            throw new ExpositionError(number, `expected = after label ${name}`);
        }
        rest = rest.slice(1).replace(/^[ \t]+/, "");
        if (!rest.startsWith('"')) {
            throw new ExpositionError(number, `expected a quoted value for label ${name}`);
        }
        let value = "";
        let i = 1;
        for (; i < rest.length && rest[i] !== '"'; i++) {
            if (rest[i] === "\\") {
                const next = rest[++i];
                if (next === "n") value += "\n";
                else if (next === "\\" || next === '"') value += next;
                else throw new ExpositionError(number, `invalid escape \\${next ?? ""} in label ${name}`);
            } else {
                value += rest[i];
            }
        }
        if (i >= rest.length) {
            throw new ExpositionError(number, `unterminated value of label ${name}`);
        }
        if (name in labels) {
            throw new ExpositionError(number, `label ${name} given twice`);
        }
        labels[name] = value;
        rest = rest.slice(i + 1).replace(/^[ \t]+/, "");
        if (rest.startsWith(",")) {
            rest = rest.slice(1);
        } else if (!rest.startsWith("}")) {
            throw new ExpositionError(number, `expected , or } after label ${name}`);
        }
    }
}

/** Go's ParseFloat as the format uses it: decimals, exponents, NaN and ±Inf. */
function parseValue(text: string): number | undefined {
    if (/^[+-]?inf$/i.test(text)) {
        return text.startsWith("-") ? -Infinity : Infinity;
    }
    if (/^nan$/i.test(text)) {
        return NaN;
    }
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
        return Number(text);
    }
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(text)) {
        return text.startsWith("-") ? -Number(text.slice(1)) : Number(text.replace(/^\+/, ""));
    }
    return undefined;
}

/** The samples of one metric name. */
export function samplesOf(exposition: Exposition, name: string): Sample[] {
    return exposition.samples.filter((s) => s.name === name);
}
