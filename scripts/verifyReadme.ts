// Rewrites the README's table of the verify command's checks and its roles (ClusterRole, Role) from the registry
// (components/verify/checks) and the reads (components/verify/reads.ts), after a check or a read changed:
//   scripts/node22 ts-node --transpile-only scripts/verifyReadme.ts
// test/integration/verify/rbac.test.ts fails until the README matches.

import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { checkTable } from "../components/verify/checks";
import { verifyClusterRole, verifyNamespaceRole } from "../components/verify/rbac";

const file = path.join(__dirname, "..", "README.md");
let text = fs.readFileSync(file, "utf8");

const tableStart = text.indexOf("| Id | When | Passes when |");
const tableEnd = text.indexOf("\n\n", tableStart);
if (tableStart < 0 || tableEnd < 0) throw new Error("README.md: the verify checks' table (| Id | When | Passes when |) is missing");
text = text.slice(0, tableStart) + checkTable() + text.slice(tableEnd);

// Each role's block keeps its hand-written comments when its rules are unchanged.
for (const derived of [verifyClusterRole(), verifyNamespaceRole()]) {
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)];
    const role = blocks.find((b) => {
        const object = YAML.parse(b[1]);
        return object?.kind === derived.kind && object.metadata?.name === derived.metadata.name;
    });
    if (!role) throw new Error(`README.md: the verify ${derived.kind} block is missing`);
    if (JSON.stringify(YAML.parse(role[1])) !== JSON.stringify(derived)) {
        text = text.replace(role[0], "```yaml\n" + YAML.stringify(derived, { collectionStyle: "block" }) + "```");
    }
}
fs.writeFileSync(file, text);
