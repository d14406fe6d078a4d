// Rewrites the README's table of the verify command's checks and its ClusterRole from the registry
// (components/verify/checks) and the reads (components/verify/reads.ts), after a check or a read changed:
//   scripts/node22 ts-node --transpile-only scripts/verifyReadme.ts
// test/integration/verify/rbac.test.ts fails until the README matches.

import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { checkTable } from "../components/verify/checks";
import { verifyClusterRole } from "../components/verify/rbac";

const file = path.join(__dirname, "..", "README.md");
let text = fs.readFileSync(file, "utf8");

const tableStart = text.indexOf("| Id | When | Passes when |");
const tableEnd = text.indexOf("\n\n", tableStart);
if (tableStart < 0 || tableEnd < 0) throw new Error("README.md: the verify checks' table (| Id | When | Passes when |) is missing");
text = text.slice(0, tableStart) + checkTable() + text.slice(tableEnd);

// The ClusterRole block keeps its hand-written comments when its rules are unchanged.
const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)];
const role = blocks.find((b) => YAML.parse(b[1])?.kind === "ClusterRole");
if (!role) throw new Error("README.md: the verify ClusterRole block is missing");
const documented = JSON.stringify(YAML.parse(role[1]));
if (documented !== JSON.stringify(verifyClusterRole())) {
    const yaml = YAML.stringify(verifyClusterRole(), { collectionStyle: "block" });
    text = text.replace(role[0], "```yaml\n" + yaml + "```");
}
fs.writeFileSync(file, text);
