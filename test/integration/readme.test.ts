// The README is the front door: every TypeScript block in it compiles as pasted, against the package's
// published types (the built dist/, as a consumer's `import … from "ama-metrics-istio"` resolves it).

import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

function codeBlocks(language: string): string[] {
    return [...readme.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((match) => match[1]);
}

describe("the README", () => {
    const blocks = codeBlocks("ts");

    it("has no placeholder left", () => {
        assert.deepEqual(readme.match(/^[A-Z][A-Z_]*_SECTION$|\bTODO\b|\bTBD\b/gm), null);
    });

    it("links only to headings it has, by GitHub's anchors", async () => {
        const { default: Slugger } = await import("github-slugger");
        const slugger = new Slugger();
        const prose = readme.replace(/```[\s\S]*?```/g, "");
        const anchors = new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slugger.slug(m[1])));
        const links = [...prose.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
        assert.ok(links.length > 0);
        assert.deepEqual(
            links.filter((link) => !anchors.has(link)),
            [],
        );
    });

    it("links only to design notes in docs/ that exist, at headings they have, and they link back the same way", async () => {
        const { default: Slugger } = await import("github-slugger");
        const anchorsOf = (text: string) => {
            const slugger = new Slugger();
            return new Set([...text.replace(/```[\s\S]*?```/g, "").matchAll(/^#{1,6} (.+)$/gm)].map((m) => slugger.slug(m[1])));
        };
        const docs = fs.readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md"));
        const pages = new Map([
            ["README.md", readme],
            ...docs.map((f) => [`docs/${f}`, fs.readFileSync(path.join(root, "docs", f), "utf8")] as const),
        ]);
        const broken: string[] = [];
        let linked = 0;
        for (const [page, text] of pages) {
            const prose = text.replace(/```[\s\S]*?```/g, "");
            // Relative links to markdown files, with or without an anchor; README's own #anchors are checked above.
            for (const [, target, anchor] of prose.matchAll(/\]\(((?:\.\.\/)?(?:docs\/)?[\w.-]+\.md)?(?:#([^)]+))?\)/g)) {
                if (target === undefined && (page === "README.md" || anchor === undefined)) continue;
                const file = target === undefined ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), target));
                const linkedText = pages.get(file);
                linked += 1;
                if (linkedText === undefined) broken.push(`${page} → ${file} (no such page)`);
                else if (anchor !== undefined && !anchorsOf(linkedText).has(anchor)) broken.push(`${page} → ${file}#${anchor}`);
            }
        }
        assert.ok(docs.length > 0 && linked > docs.length, "the README links its design notes");
        for (const file of docs) assert.ok(readme.includes(`](docs/${file}`), `the README links docs/${file}`);
        assert.deepEqual(broken, []);
    });

    it("shows the benchmark's output, as `npm run bench` prints it", () => {
        const section = /^## Benchmark\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
        const output = [...section.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1]).join("");
        assert.match(output, /^median of \d+ runs each \(Node 22\.\d+\.\d+, \d+ cores\)$/m);
        for (const stack of ["dev", "staging", "prod"]) {
            assert.match(
                output,
                new RegExp(`^${stack} +\\d+ +\\d+ ms +\\d+ ms +\\d\\.\\d\\d +\\d+ ms +\\d+ ms +\\d\\.\\d\\d +\\d+/\\d+ MiB$`, "m"),
            );
        }
    });

    it("shows how to use the component in TypeScript", () => {
        assert.ok(blocks.some((block) => block.includes('from "ama-metrics-istio"') && block.includes("new AmaMetricsIstio(")));
    });

    it("has TypeScript blocks that compile as pasted, each on its own", () => {
        // Inside the project, so that the blocks resolve the project's node_modules; the package's own name
        // resolves to its built types through package.json "exports", as in a consumer's project.
        fs.mkdirSync(path.join(root, ".tools"), { recursive: true });
        const dir = fs.mkdtempSync(path.join(root, ".tools", "readme-"));
        try {
            const files = blocks.map((block, i) => {
                const file = path.join(dir, `block${i + 1}.ts`);
                // Each block is a module of its own, as a program file is.
                fs.writeFileSync(file, `${block}\nexport {};\n`);
                return file;
            });
            fs.writeFileSync(
                path.join(dir, "tsconfig.json"),
                JSON.stringify({
                    extends: path.join(root, "tsconfig.json"),
                    compilerOptions: {
                        noEmit: true,
                        noUnusedLocals: false,
                        types: ["node"],
                        typeRoots: [path.join(root, "node_modules", "@types")],
                    },
                    files,
                    include: [],
                }),
            );
            try {
                execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(dir, "tsconfig.json")], {
                    cwd: root,
                    encoding: "utf8",
                });
            } catch (error) {
                const output = (error as { stdout?: string }).stdout ?? String(error);
                assert.fail(`a README TypeScript block does not compile:\n${output.replaceAll(dir + path.sep, "README ")}`);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
