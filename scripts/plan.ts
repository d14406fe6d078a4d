// `npm run plan -- <stack> [--json]`: what this stack's config will create, without a cloud login.
// Evaluates index.ts under Pulumi's mock runtime and prints every resource's type, name, parent,
// dependencies (explicit and through inputs) and inputs, secrets masked, in a stable order.

import { stringify } from "yaml";
import { evaluateStack, Registration } from "./offline";

/** The plan as YAML: resources sorted by type and name, keys sorted, so diffs show only real changes. */
export function formatPlan(stack: string, registrations: Registration[]): string {
    const resources = [...registrations]
        .sort((a, b) => `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`))
        .map((r) => ({
            resource: `${r.type}::${r.name}`,
            ...(r.parent ? { parent: r.parent } : {}),
            ...(r.provider ? { provider: r.provider } : {}),
            ...(r.protect ? { protect: true } : {}),
            ...(r.dependsOn.length ? { dependsOn: r.dependsOn } : {}),
            inputs: r.inputs,
        }));
    const header = `# Offline plan of stack "${stack}": ${resources.length} resources. Regenerate: npm run plan -- ${stack}\n`;
    // Inputs arrive with their keys sorted; the fields of each entry keep the order above.
    return header + stringify(resources, { lineWidth: 0 });
}

async function main() {
    const args = process.argv.slice(2);
    const json = args.includes("--json");
    const stacks = args.filter((a) => a !== "--json");
    if (stacks.length !== 1 || stacks[0].startsWith("-")) {
        process.stderr.write("usage: npm run plan -- <stack> [--json]   (stacks: the files stacks/Pulumi.<stack>.yaml)\n");
        process.exit(2);
    }
    const registrations = await evaluateStack(stacks[0]);
    process.stdout.write(json ? JSON.stringify(registrations, null, 2) + "\n" : formatPlan(stacks[0], registrations));
}

if (require.main === module) {
    main().catch((err: Error) => {
        process.stderr.write(`plan failed: ${err.message}\n`);
        process.exit(1);
    });
}
