// Microsoft's ARM template for managed Prometheus (test/fixtures/azure-templates) and a small evaluator for
// the template expressions it uses, so that the tests take their expected values from the template itself.

import * as fs from "node:fs";
import { fixture } from "./harness";

const readTemplate = (file: string) => JSON.parse(fs.readFileSync(fixture("azure-templates", file), "utf8"));
export const fullTemplate = readTemplate("FullAzureMonitorMetricsProfile.json");
export const windowsTemplate = readTemplate("WindowsRecordingRules.json");
export const remoteWriteRuleTemplate = readTemplate("CustomDCR.json");
export const recommendedAlertsTemplate = readTemplate("recommendedMetricAlerts.json");

export type Value = string | number | boolean | Value[] | { [key: string]: Value };

export interface Deployment {
    parameters: Record<string, Value>;
    variables: Record<string, Value>;
    /** Subscription and group the template is deployed to: resourceId() resolves in them. */
    subscriptionId: string;
    resourceGroup: string;
}

/** Evaluates one ARM template expression (the text between the brackets). */
function evaluateExpression(text: string, deployment: Deployment): Value {
    let pos = 0;
    const skip = () => {
        while (/\s/.test(text[pos] ?? "")) pos++;
    };
    const expect = (c: string) => {
        skip();
        if (text[pos] !== c) throw new Error(`expected ${c} at ${pos} in ${text}`);
        pos++;
    };
    const call = (fn: string, args: Value[]): Value => {
        const s = (i: number) => args[i] as string;
        switch (fn.toLowerCase()) {
            case "parameters":
                if (!(s(0) in deployment.parameters)) throw new Error(`no parameter ${s(0)}`);
                return deployment.parameters[s(0)];
            case "variables":
                if (!(s(0) in deployment.variables)) throw new Error(`no variable ${s(0)}`);
                return evaluate(deployment.variables[s(0)], deployment);
            case "concat":
                return args.map(String).join("");
            case "split":
                return s(0).split(s(1));
            case "substring":
                return s(0).substring(args[1] as number, (args[1] as number) + (args[2] as number));
            case "min":
                return Math.min(...(args as number[]));
            case "last": {
                const list = args[0] as string | Value[];
                return list[list.length - 1];
            }
            case "length":
                return (args[0] as string | Value[]).length;
            case "resourceid":
                return (
                    `/subscriptions/${deployment.subscriptionId}/resourceGroups/${deployment.resourceGroup}` +
                    `/providers/${s(0).replace(/\/$/, "")}/${args.slice(1).join("/")}`
                );
            default:
                throw new Error(`function ${fn} is not supported by this evaluator`);
        }
    };
    const parse = (): Value => {
        skip();
        let value: Value;
        if (text[pos] === "'") {
            let s = "";
            pos++;
            for (;;) {
                if (text[pos] === "'" && text[pos + 1] === "'") {
                    s += "'";
                    pos += 2;
                } else if (text[pos] === "'") {
                    pos++;
                    break;
                } else {
                    s += text[pos++];
                }
            }
            value = s;
        } else if (/[0-9]/.test(text[pos])) {
            const start = pos;
            while (/[0-9]/.test(text[pos])) pos++;
            value = Number(text.slice(start, pos));
        } else {
            const start = pos;
            while (/[A-Za-z0-9_]/.test(text[pos])) pos++;
            const fn = text.slice(start, pos);
            expect("(");
            const args: Value[] = [];
            skip();
            if (text[pos] !== ")") {
                for (;;) {
                    args.push(parse());
                    skip();
                    if (text[pos] === ",") {
                        pos++;
                        continue;
                    }
                    break;
                }
            }
            expect(")");
            value = call(fn, args);
        }
        for (;;) {
            skip();
            if (text[pos] === "[") {
                pos++;
                const index = parse();
                expect("]");
                value = (value as Value[])[index as number];
            } else {
                return value;
            }
        }
    };
    const result = parse();
    skip();
    if (pos !== text.length) throw new Error(`unparsed rest in ${text}`);
    return result;
}

/** Evaluates template values: `[...]` strings are expressions, objects and arrays recursively. */
export function evaluate(value: Value, deployment: Deployment): Value {
    if (typeof value === "string") {
        return value.startsWith("[") && !value.startsWith("[[") && value.endsWith("]")
            ? evaluateExpression(value.slice(1, -1), deployment)
            : value;
    }
    if (Array.isArray(value)) return value.map((v) => evaluate(v, deployment));
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, deployment)]));
    }
    return value;
}

export function templateResources(template: { resources: { type: string }[] }, type: string): Record<string, Value>[] {
    return template.resources.filter((r) => r.type === type) as unknown as Record<string, Value>[];
}

/**
 * The component's name for a resource Microsoft's templates name: the component's own `amis-` where the
 * templates write `MSProm-` (data collection endpoints and rules), and `amis-` before a rule group's name
 * (components/azure/names.ts: no Microsoft tool creates such names, so none overwrites the component's).
 */
export function componentName(templateName: string): string {
    return templateName.startsWith("MSProm-") ? `amis-${templateName.slice("MSProm-".length)}` : `amis-${templateName}`;
}

/** A resource id whose last segment the templates name (`…/MSProm-<region>-<cluster>`), as the component names it. */
export function componentId(templateId: string): string {
    const at = templateId.lastIndexOf("/");
    return `${templateId.slice(0, at + 1)}${componentName(templateId.slice(at + 1))}`;
}
