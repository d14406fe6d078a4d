// Every argument whose public type is `pulumi.Input` is checked once known when given as an Output
// (withDeferredChecks, core/inputs.ts, over the component's schema). The expected places come from the public
// argument types in components/core/args.ts, read with the TypeScript compiler, not from the schema.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { argsSchema } from "../../components/arguments/schema";
import { withDeferredChecks } from "../../components/core/inputs";

const argsFile = path.join(__dirname, "..", "..", "components", "core", "args.ts");

/**
 * The places of `AmaMetricsIstioArgs` typed `pulumi.Input<…>`, as paths: `a.b`, `[]` for a list's items, `*`
 * for a map's values.
 */
function inputPaths(): string[] {
    const source = ts.createSourceFile(argsFile, fs.readFileSync(argsFile, "utf8"), ts.ScriptTarget.Latest, true);
    const interfaces = new Map<string, ts.InterfaceDeclaration>();
    source.forEachChild((node) => {
        if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
    });
    const found: string[] = [];
    const visitType = (type: ts.TypeNode, at: string, seen: Set<string>): void => {
        if (ts.isArrayTypeNode(type)) return visitType(type.elementType, `${at}[]`, seen);
        if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type)) return type.types.forEach((t) => visitType(t, at, seen));
        if (!ts.isTypeReferenceNode(type)) return;
        const name = type.typeName.getText(source);
        const typeArguments = type.typeArguments ?? [];
        if (name === "pulumi.Input") {
            found.push(at);
            return typeArguments.forEach((t) => visitType(t, at, seen));
        }
        if (name === "Record") return visitType(typeArguments[1], `${at}.*`, seen);
        if (name === "Partial" || name === "NonNullable") return typeArguments.forEach((t) => visitType(t, at, seen));
        const declaration = interfaces.get(name);
        if (declaration && !seen.has(name)) visitMembers(declaration, at, new Set([...seen, name]));
    };
    const visitMembers = (declaration: ts.InterfaceDeclaration, at: string, seen: Set<string>) => {
        for (const member of declaration.members) {
            if (ts.isPropertySignature(member) && member.type) {
                const key = member.name.getText(source);
                visitType(member.type, at ? `${at}.${key}` : key, seen);
            }
        }
    };
    visitMembers(interfaces.get("AmaMetricsIstioArgs")!, "", new Set(["AmaMetricsIstioArgs"]));
    return found;
}

/** Arguments holding an Output at `at` and nothing else (the walk follows the schema, it does not validate). */
function argsWithOutputAt(at: string): unknown {
    const steps = at.split(".").flatMap((step) => (step.endsWith("[]") ? [step.slice(0, -2), "[]"] : [step]));
    const build = (rest: string[]): unknown => {
        if (rest.length === 0) return pulumi.output("later");
        const [step, ...more] = rest;
        return step === "[]" ? [build(more)] : { [step]: build(more) };
    };
    return build(steps);
}

describe("withDeferredChecks over the component's schema", () => {
    const expected = inputPaths();

    it("finds the arguments the public types declare as pulumi.Input (the oracle reads them)", () => {
        // A floor, so that a broken reading of args.ts cannot pass the test below with nothing to check.
        for (const known of ["resourceGroupName", "cluster.resourceId", "alerts.actionGroupIds[]", "tags", "tags.*", "chart.values"]) {
            assert.ok(expected.includes(known), `${known} among ${expected.join(", ")}`);
        }
    });

    for (const at of inputPaths()) {
        it(`checks ${at} once known when it is an Output`, () => {
            const checked: string[] = [];
            withDeferredChecks(argsSchema, argsWithOutputAt(at), (argument, value) => {
                checked.push(argument);
                return value;
            });
            // The walk names list items by index and map values by key: `[0]` and the key `*` here.
            assert.deepEqual(
                checked.map((argument) => argument.replace(/\[0\]/g, "[]")),
                [at],
            );
        });
    }

    it("leaves plain values as they are and replaces each Output with the check's", () => {
        const replaced = pulumi.output("checked");
        const given = { resourceGroupName: "rg", tags: { owner: pulumi.output("x") }, istio: { mode: "sidecar" } };
        const result = withDeferredChecks(argsSchema, given, () => replaced) as typeof given;
        assert.equal(result.resourceGroupName, "rg");
        assert.equal(result.tags.owner, replaced);
        assert.deepEqual(result.istio, { mode: "sidecar" });
    });
});
