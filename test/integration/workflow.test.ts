// The GitHub Actions workflows are valid for GitHub (checked by action-validator's schemas) and do
// what the README says: previews per environment on PRs with the policy pack, `up` on main behind
// environments, `npm ci` first, no secret values.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { validateWorkflow } from "@action-validator/core";

const repoRoot = path.resolve(__dirname, "../..");
const dir = path.join(repoRoot, ".github", "workflows");
const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");

describe("GitHub Actions workflows", () => {
    for (const file of ["pulumi.yml", "stack.yml"]) {
        it(`${file} is a valid workflow`, () => {
            assert.deepEqual(validateWorkflow(read(file)).errors, []);
        });
    }

    it("the validator does refuse a broken workflow", () => {
        const broken = read("pulumi.yml").replace("    runs-on: ubuntu-latest", "    runs-onn: ubuntu-latest");
        assert.notDeepEqual(validateWorkflow(broken).errors, []);
    });

    it("previews every environment on pull requests and deploys them in order on main", () => {
        const workflow = parse(read("pulumi.yml"));
        assert.deepEqual(
            workflow.jobs.preview.strategy.matrix.include.map((entry: { stack: string }) => entry.stack),
            ["dev", "staging", "prod"],
        );
        assert.equal(workflow.jobs.preview.with.command, "preview");
        assert.equal(workflow.jobs.preview.permissions["pull-requests"], "write");
        assert.deepEqual(
            ["up-dev", "up-staging", "up-prod"].map((job) => [
                workflow.jobs[job].with.stack,
                workflow.jobs[job].with.command,
                workflow.jobs[job].needs,
            ]),
            [
                ["dev", "up", "test"],
                ["staging", "up", "up-dev"],
                ["prod", "up", "up-staging"],
            ],
        );
    });

    it("runs the tests as CI does, with the Prometheus they need", () => {
        const steps: any[] = parse(read("pulumi.yml")).jobs.test.steps;
        assert.ok(steps.some((s) => s.run === "bash .ci/run"));
    });

    it("runs the integration suite a second time with the clock 400 days ahead, after the tests (no test may read a fixed date)", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
        assert.equal(manifest.scripts["test:clock"], "faketime -f +400d scripts/node22 mocha 'test/integration/**/*.test.ts'");
        const ci = fs.readFileSync(path.join(repoRoot, ".ci", "run"), "utf8");
        assert.match(ci, /apt-get install [^\n]*\bfaketime\b/);
        const commands = ci.split("\n").filter((line) => /^npm /.test(line));
        assert.deepEqual(commands.slice(-2), ["npm test", "npm run test:clock"]);
    });

    it("gives each stack a runner that reaches its cluster, previews and deployments alike", () => {
        const workflow = parse(read("pulumi.yml"));
        const runners = Object.fromEntries(
            workflow.jobs.preview.strategy.matrix.include.map((e: { stack: string; runner: string }) => [e.stack, JSON.parse(e.runner)]),
        );
        // prod's cluster is private: a self-hosted runner in its network.
        assert.deepEqual(runners.prod, ["self-hosted", "aks-prod"]);
        assert.equal(JSON.parse(workflow.jobs["up-prod"].with.runner)[0], "self-hosted");
        assert.equal(parse(read("stack.yml")).jobs.pulumi["runs-on"], "${{ fromJSON(inputs.runner) }}");
    });

    it("previews with the read-only identity, deploys with the environment's, and verifies read-only after each deployment", () => {
        const job = parse(read("stack.yml")).jobs.pulumi;
        assert.equal(job.env.ARM_CLIENT_ID, "${{ inputs.command == 'up' && vars.AZURE_CLIENT_ID || vars.AZURE_CLIENT_ID_READONLY }}");
        const steps: any[] = job.steps;
        const pulumi = steps.findIndex((s) => typeof s.uses === "string" && s.uses.startsWith("pulumi/actions@"));
        const login = steps.findIndex((s) => typeof s.uses === "string" && s.uses.startsWith("azure/login@"));
        const verify = steps.findIndex((s) => s.name === "verify");
        assert.ok(pulumi < login && login < verify, "verify runs after the deployment, signed in read-only");
        assert.equal(steps[login].with["client-id"], "${{ vars.AZURE_CLIENT_ID_READONLY }}");
        assert.equal(steps[verify].if, "inputs.command == 'up'");
        assert.match(steps[verify].run, /pulumi stack output verifyArgs/);
        assert.match(steps[verify].run, /npx ama-metrics-istio-verify "\$\{args\[@\]\}"/);
    });

    it("documents every Azure role the read-only identity needs for the verify step's sign-in", () => {
        const verify = parse(read("stack.yml")).jobs.pulumi.steps.find((s: any) => s.name === "verify");
        const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
        const readOnly = /a \*\*read-only\*\* one[\s\S]*?federated credentials/.exec(readme)?.[0].replace(/\s+/g, " ");
        assert.ok(readOnly, "the README describes the read-only identity");
        // `az aks get-credentials` without --admin lists the cluster's user credentials: Reader does not allow it.
        assert.match(verify.run, /az aks get-credentials (?![^\n]*--admin)/);
        assert.match(readOnly, /"Azure Kubernetes Service Cluster User Role" on the cluster/);
        assert.match(readOnly, /ClusterRole bound to the identity's object id/);
    });

    it("runs the official Pulumi action after npm ci, with PR comments and the policy pack", () => {
        const job = parse(read("stack.yml")).jobs.pulumi;
        const steps: any[] = job.steps;
        const install = steps.findIndex((s) => s.run === "npm ci");
        const pulumi = steps.findIndex((s) => typeof s.uses === "string" && s.uses.startsWith("pulumi/actions@"));
        assert.ok(install >= 0 && pulumi > install, "npm ci must run before pulumi");
        assert.equal(steps[pulumi].with["comment-on-pr"], "${{ inputs.command == 'preview' }}");
        assert.equal(steps[pulumi].with.policyPacks, "policy");
        assert.match(job.environment, /inputs\.stack/);
    });

    it("asks the called workflow for no permission a caller does not grant (GitHub rejects the whole run otherwise)", () => {
        const caller = parse(read("pulumi.yml"));
        const called = parse(read("stack.yml"));
        const requested = [called.permissions ?? {}, ...Object.values<any>(called.jobs).map((job) => job.permissions ?? {})];
        const rank: Record<string, number> = { none: 0, read: 1, write: 2 };
        const callers = Object.entries<any>(caller.jobs).filter(([, job]) => job.uses === "./.github/workflows/stack.yml");
        assert.equal(callers.length, 4);
        for (const [name, job] of callers) {
            for (const permissions of requested) {
                for (const [scope, level] of Object.entries<string>(permissions)) {
                    const granted = job.permissions?.[scope] ?? "none";
                    assert.ok(rank[granted] >= rank[level], `${name} grants ${scope}: ${granted}, stack.yml asks for ${level}`);
                }
            }
        }
    });

    it("holds no secret values, only references", () => {
        for (const file of ["pulumi.yml", "stack.yml"]) {
            const text = read(file);
            assert.doesNotMatch(text, /pul-[0-9a-f]{20,}/, "a Pulumi access token");
            assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i, "an id that belongs in a variable");
            for (const match of text.matchAll(/PULUMI_ACCESS_TOKEN:\s*(.*)/g)) {
                assert.equal(match[1].trim(), "${{ secrets.PULUMI_ACCESS_TOKEN }}");
            }
        }
    });
});
