// Every argument whose public type is `pulumi.Input` is checked once known when given as an Output
// (withDeferredChecks, core/inputs.ts, over the component's schema). The expected places come from the public
// argument types in components/core/args.ts, read with the TypeScript compiler, not from the schema.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import * as v from "valibot";
import { argsSchema } from "../../components/arguments/schema";
import { input, inputPlaces, withDeferredChecks } from "../../components/core/inputs";

const argsFile = path.join(__dirname, "..", "..", "components", "core", "args.ts");

/**
 * The places of `AmaMetricsIstioArgs` typed `pulumi.Input<…>`, as paths: `a.b`, `[]` for a list's items, `*`
 * for a map's values. Fails on a type it cannot read, so that a field written another way is not missed.
 */
function inputPaths(): string[] {
    const source = ts.createSourceFile(argsFile, fs.readFileSync(argsFile, "utf8"), ts.ScriptTarget.Latest, true);
    const declarations = new Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>();
    source.forEachChild((node) => {
        if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) declarations.set(node.name.text, node);
    });
    const found: string[] = [];
    const visitMembers = (members: ts.NodeArray<ts.TypeElement>, at: string, seen: Set<string>) => {
        for (const member of members) {
            if (ts.isPropertySignature(member) && member.type) {
                const key = member.name.getText(source);
                visitType(member.type, at ? `${at}.${key}` : key, seen);
            }
        }
    };
    const visitType = (type: ts.TypeNode, at: string, seen: Set<string>): void => {
        if (ts.isParenthesizedTypeNode(type)) return visitType(type.type, at, seen);
        if (ts.isArrayTypeNode(type)) return visitType(type.elementType, `${at}[]`, seen);
        if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type)) return type.types.forEach((t) => visitType(t, at, seen));
        if (ts.isTypeLiteralNode(type)) return visitMembers(type.members, at, seen);
        if (ts.isLiteralTypeNode(type) || ts.isTemplateLiteralTypeNode(type)) return;
        if (
            [ts.SyntaxKind.StringKeyword, ts.SyntaxKind.NumberKeyword, ts.SyntaxKind.BooleanKeyword, ts.SyntaxKind.UnknownKeyword].includes(
                type.kind,
            )
        ) {
            return;
        }
        assert.ok(ts.isTypeReferenceNode(type), `${at}: a type this test cannot read: ${type.getText(source)}`);
        const name = type.typeName.getText(source);
        const typeArguments = type.typeArguments ?? [];
        if (name === "pulumi.Input") {
            found.push(at);
            return typeArguments.forEach((t) => visitType(t, at, seen));
        }
        if (name === "Record") return visitType(typeArguments[1], `${at}.*`, seen);
        if (name === "Array" || name === "ReadonlyArray") return visitType(typeArguments[0], `${at}[]`, seen);
        if (name === "Partial" || name === "NonNullable" || name === "Readonly")
            return typeArguments.forEach((t) => visitType(t, at, seen));
        const declaration = declarations.get(name);
        assert.ok(declaration, `${at}: a type this test cannot read: ${name}`);
        if (seen.has(name)) return;
        const next = new Set([...seen, name]);
        return ts.isInterfaceDeclaration(declaration) ? visitMembers(declaration.members, at, next) : visitType(declaration.type, at, next);
    };
    visitMembers((declarations.get("AmaMetricsIstioArgs") as ts.InterfaceDeclaration).members, "", new Set(["AmaMetricsIstioArgs"]));
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

    it("finds input(...) in the schema exactly where the types say pulumi.Input, no more", () => {
        assert.deepEqual([...inputPlaces(argsSchema)].sort(), [...expected].sort());
    });

    it("leaves plain values as they are (the same objects) and replaces each Output with the check's", () => {
        const replaced = pulumi.output("checked");
        const istio = { mode: "sidecar" };
        const given = { resourceGroupName: "rg", tags: { owner: pulumi.output("x") }, istio };
        const result = withDeferredChecks(argsSchema, given, () => replaced) as typeof given;
        assert.equal(result.resourceGroupName, "rg");
        assert.equal(result.tags.owner, replaced);
        assert.equal(result.istio, istio);
        const plain = { resourceGroupName: "rg", istio };
        assert.equal(
            withDeferredChecks(argsSchema, plain, () => replaced),
            plain,
        );
    });

    it("reads fields by name, those of a class's prototype too, as valibot's objects accept them", () => {
        class Given {
            get resourceGroupName() {
                return pulumi.output("rg");
            }
        }
        const checked: string[] = [];
        withDeferredChecks(argsSchema, new Given(), (argument, value) => {
            checked.push(argument);
            return value;
        });
        assert.deepEqual(checked, ["resourceGroupName"]);
    });

    it("follows an input(...) that a pipe was built on, and refuses one under a union, which it would not check", () => {
        const piped = v.pipe(
            input(v.string()),
            v.check(() => true),
        );
        const checked: string[] = [];
        withDeferredChecks(v.object({ id: piped }), { id: pulumi.output("x") }, (argument, value) => {
            checked.push(argument);
            return value;
        });
        assert.deepEqual(checked, ["id"]);
        assert.deepEqual(inputPlaces(v.object({ id: piped })), ["id"]);
        assert.throws(
            () => inputPlaces(v.object({ id: v.union([input(v.string()), v.number()]) })),
            /input\(\.\.\.\) at id under a union schema/,
        );
    });
});
