// The GitHub Actions workflows are valid for GitHub (checked by action-validator's schemas) and do
// what the README says: previews per environment on PRs with the policy pack, `up` (refreshed first) on
// main behind environments, the verify command daily per environment, `npm ci` first, signed in before any
// Pulumi step, actions pinned to commit SHAs, no secret values.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { validateWorkflow } from "@action-validator/core";

const repoRoot = path.resolve(__dirname, "../..");
const dir = path.join(repoRoot, ".github", "workflows");
const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
const workflows = ["pulumi.yml", "stack.yml", "verify.yml"];

/**
 * The steps of stack.yml's job that run for `command`, in order. The conditions it uses are of the form
 * `inputs.command == '<c>'` / `!= '<c>'`; any other condition fails the test rather than being guessed.
 */
function stepsRunFor(command: string): any[] {
    const steps: any[] = parse(read("stack.yml")).jobs.pulumi.steps;
    return steps.filter((step) => {
        if (step.if === undefined) return true;
        const condition = /^inputs\.command (==|!=) '(\w+)'$/.exec(step.if);
        assert.ok(condition, `a condition this test can read: ${step.if}`);
        return (command === condition[2]) === (condition[1] === "==");
    });
}

const uses = (step: any, action: string) => typeof step.uses === "string" && step.uses.startsWith(`${action}@`);

describe("GitHub Actions workflows", () => {
    for (const file of workflows) {
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

    it("has the README install Debian's prometheus as .ci/run does, with a policy-rc.d so that its service does not start", () => {
        const ci = fs.readFileSync(path.join(repoRoot, ".ci", "run"), "utf8");
        const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
        const setUp = /^## Set-up\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
        // Debian's invoke-rc.d runs no service start while policy-rc.d exits 101 (.ci/run's comment).
        assert.match(ci, /printf '#!\/bin\/sh\\nexit 101\\n' \| \$sudo tee "\$policy"/);
        assert.match(setUp, /printf '#!\/bin\/sh\\nexit 101\\n' \| sudo tee \/usr\/sbin\/policy-rc\.d/);
        const install = (text: string) => /apt-get install -y (?:-qq )?--no-install-recommends (.*?)(?: >\/dev\/null)?$/m.exec(text)?.[1];
        assert.equal(install(setUp), install(ci));
        assert.ok(setUp.indexOf("policy-rc.d") < setUp.indexOf("apt-get install"), "the policy is in place before the install");
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
        const steps = stepsRunFor("up");
        const pulumi = steps.findIndex((s) => uses(s, "pulumi/actions"));
        const readOnlyLogin = steps.findLastIndex((s) => uses(s, "azure/login"));
        const verify = steps.findIndex((s) => s.name === "verify");
        assert.ok(pulumi < readOnlyLogin && readOnlyLogin < verify, "verify runs after the deployment, signed in read-only");
        assert.equal(steps[readOnlyLogin].with["client-id"], "${{ vars.AZURE_CLIENT_ID_READONLY }}");
        assert.ok(!stepsRunFor("preview").some((s) => s.name === "verify"), "a preview changes nothing to verify");
        assert.match(steps[verify].run, /pulumi stack output verifyArgs/);
        assert.match(steps[verify].run, /npx ama-metrics-istio-verify "\$\{args\[@\]\}"/);
    });

    for (const command of ["preview", "up", "verify"]) {
        it(`signs in to Azure and sets up kubelogin before any Pulumi step, for ${command} (a kubelogin kubeconfig needs both)`, () => {
            const steps = stepsRunFor(command);
            const login = steps.findIndex((s) => uses(s, "azure/login"));
            const kubelogin = steps.findIndex((s) => uses(s, "azure/use-kubelogin"));
            const firstPulumi = steps.findIndex((s) => uses(s, "pulumi/actions") || /\bpulumi /.test(s.run ?? ""));
            assert.ok(login >= 0 && kubelogin >= 0 && firstPulumi >= 0, "all three run");
            assert.ok(
                login < firstPulumi && kubelogin < firstPulumi,
                `login ${login}, kubelogin ${kubelogin}, first Pulumi step ${firstPulumi}`,
            );
            // The identity of the command: the job's ARM_CLIENT_ID (the deploying one for up, else the read-only one).
            assert.equal(steps[login].with["client-id"], "${{ env.ARM_CLIENT_ID }}");
        });
    }

    it("refreshes the state before every preview and deployment, so what was deleted out of band is put back (and shown)", () => {
        for (const command of ["preview", "up"]) {
            const pulumi = stepsRunFor(command).filter((s) => uses(s, "pulumi/actions"));
            assert.equal(pulumi.length, 1);
            // pulumi/actions v7 action.yml: refresh, "Execute the operation with the `--refresh` option".
            assert.equal(pulumi[0].with.refresh, true);
            assert.equal(pulumi[0].with.command, "${{ inputs.command }}");
        }
    });

    it("runs the verify command daily on every environment, read-only, on each stack's runner, and opens an issue when it fails", () => {
        const workflow = parse(read("verify.yml"));
        assert.match(workflow.on.schedule[0].cron, /^\d+ \d+ \* \* \*$/, "once a day");
        const job = workflow.jobs.verify;
        assert.equal(job.uses, "./.github/workflows/stack.yml");
        assert.equal(job.with.command, "verify");
        assert.equal(job.strategy["fail-fast"], false, "one environment's failure does not cancel the others");
        // The same stacks, on the same runners, as the previews.
        assert.deepEqual(job.strategy.matrix.include, parse(read("pulumi.yml")).jobs.preview.strategy.matrix.include);
        // The verify command runs; nothing deploys or previews, and no environment (whose reviewers would hold it).
        const steps = stepsRunFor("verify");
        assert.ok(steps.some((s) => s.name === "verify"));
        const pulumi = steps.filter((s) => uses(s, "pulumi/actions"));
        assert.deepEqual(
            pulumi.map((s) => s.with),
            [undefined],
            "the action only installs the CLI (pulumi/actions README, Installation Only)",
        );
        assert.equal(parse(read("stack.yml")).jobs.pulumi.environment, "${{ inputs.command == 'up' && inputs.stack || '' }}");
        const report = workflow.jobs.report;
        assert.equal(report.if, "failure()");
        assert.deepEqual(report.needs, "verify");
        assert.deepEqual(report.permissions, { issues: "write" });
        assert.match(report.steps[0].run, /gh issue create/);
    });

    it("pins every action to a commit SHA, with its version in a comment, and has Dependabot update them", () => {
        for (const file of workflows) {
            for (const line of read(file)
                .split("\n")
                .filter((l) => /^\s*(- )?uses: /.test(l))) {
                const action = /uses: (\S+)/.exec(line)![1];
                if (action.startsWith("./")) continue;
                assert.match(line, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/, `${file}: ${line.trim()}`);
            }
        }
        const dependabot = parse(fs.readFileSync(path.join(repoRoot, ".github", "dependabot.yml"), "utf8"));
        assert.equal(dependabot.version, 2);
        assert.ok(dependabot.updates.some((u: any) => u["package-ecosystem"] === "github-actions" && u.directory === "/"));
    });

    it("documents every Azure role the read-only identity needs for the verify step's sign-in", () => {
        const verify = parse(read("stack.yml")).jobs.pulumi.steps.find((s: any) => s.name === "verify");
        const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
        const readOnly = /a \*\*read-only\*\* one[\s\S]*?federated credentials/.exec(readme)?.[0].replace(/\s+/g, " ");
        assert.ok(readOnly, "the README describes the read-only identity");
        // `az aks get-credentials` without --admin lists the cluster's user credentials: Reader does not allow it.
        assert.match(verify.run, /az aks get-credentials (?![^\n]*--admin)/);
        assert.match(readOnly, /"Azure Kubernetes Service Cluster User Role" on the cluster/);
        assert.match(readOnly, /ClusterRole, and its Role in the collector's namespace, bound to the identity's object id/);
    });

    it("runs the official Pulumi action after npm ci, with PR comments and the policy pack", () => {
        const job = parse(read("stack.yml")).jobs.pulumi;
        const steps: any[] = job.steps;
        const install = steps.findIndex((s) => s.run === "npm ci");
        const pulumi = steps.findIndex((s) => uses(s, "pulumi/actions"));
        assert.ok(install >= 0 && pulumi > install, "npm ci must run before pulumi");
        assert.equal(steps[pulumi].with["comment-on-pr"], "${{ inputs.command == 'preview' }}");
        assert.equal(steps[pulumi].with.policyPacks, "policy");
        assert.match(job.environment, /inputs\.stack/);
    });

    it("asks the called workflow for no permission a caller does not grant (GitHub rejects the whole run otherwise)", () => {
        const called = parse(read("stack.yml"));
        const requested = [called.permissions ?? {}, ...Object.values<any>(called.jobs).map((job) => job.permissions ?? {})];
        const rank: Record<string, number> = { none: 0, read: 1, write: 2 };
        const callers = ["pulumi.yml", "verify.yml"].flatMap((file) =>
            Object.entries<any>(parse(read(file)).jobs).filter(([, job]) => job.uses === "./.github/workflows/stack.yml"),
        );
        assert.equal(callers.length, 5);
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
        for (const file of workflows) {
            const text = read(file);
            assert.doesNotMatch(text, /pul-[0-9a-f]{20,}/, "a Pulumi access token");
            assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i, "an id that belongs in a variable");
            for (const match of text.matchAll(/PULUMI_ACCESS_TOKEN:\s*(.*)/g)) {
                assert.equal(match[1].trim(), "${{ secrets.PULUMI_ACCESS_TOKEN }}");
            }
        }
    });
});
