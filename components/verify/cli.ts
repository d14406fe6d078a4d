#!/usr/bin/env node
// `ama-metrics-istio-verify`: checks, read-only, that an installation works. Users run it after
// `pulumi up`, CI after each deploy. Exit 0: no check failed; 1: a check failed; 2: the command could
// not do its job (usage, connection, credentials, or something it could not read).

import { problem, UsageError } from "../core/errors";
import { nodeVersionProblem } from "../core/nodeVersion";
import { prometheusNames } from "../prometheus/facts";
import { parseVerifyArgs, usage } from "./args";
import { AzureAccess, defaultAzureAccess, fetchAzureSnapshot } from "./azure";
import { CheckResult, readsFor, runChecks } from "./checks";
import { connect } from "./kubeClient";
import { Deadline } from "./limit";
import type { Snapshot } from "./reads";
import { exitCode, formatJson, formatJsonError, formatText } from "./report";
import { fetchSnapshot } from "./snapshot";
import { VerifyError, VerifyOptions } from "./types";

export interface CliIo {
    stdout(text: string): void;
    stderr(text: string): void;
    /** The reference time of every check. */
    now(): Date;
    /** Credentials and ARM's address for --azure; DefaultAzureCredential and the public ARM when absent. */
    azure?: () => Promise<AzureAccess>;
}

const program = "ama-metrics-istio-verify";

/** Runs the command and returns its exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
        io.stdout(usage);
        return 0;
    }
    const json = argv.includes("--json");
    let options: VerifyOptions;
    try {
        options = parseVerifyArgs(argv);
    } catch (error) {
        return reportError(error, io, json, "\nRun with --help for the flags.");
    }
    const deadline = new Deadline(options.timeoutSeconds);
    try {
        const results = await deadline.race(verifyAll(options, io, deadline));
        io.stdout(options.json ? formatJson(results) : formatText(results));
        return exitCode(results);
    } catch (error) {
        return reportError(error, io, options.json);
    } finally {
        deadline.clear();
    }
}

async function verifyAll(options: VerifyOptions, io: CliIo, deadline: Deadline): Promise<CheckResult[]> {
    const now = io.now();
    const target = options.azure;
    const wanted = readsFor(options);
    // Both sides are read at once; the collector's identity is looked up by the client id its ServiceAccount names.
    const kubernetesRead = connect(options, deadline).then((kube) => fetchSnapshot(kube, options, wanted));
    const clientId = kubernetesRead.then(({ serviceAccount }) =>
        serviceAccount?.state === "found" ? serviceAccount.value.metadata?.annotations?.[prometheusNames.clientIdAnnotation] : undefined,
    );
    // Settled here too when the Azure side does not wait for it: a failed Kubernetes read is reported once.
    clientId.catch(() => undefined);
    const [kubernetes, azure] = await Promise.all([
        kubernetesRead,
        target && wanted.has("azure")
            ? (io.azure ?? defaultAzureAccess)().then((access) =>
                  fetchAzureSnapshot(target, options.collector, access, deadline, now, clientId),
              )
            : undefined,
    ]);
    const snapshot: Snapshot = { ...kubernetes, ...(azure && { azure: { state: "found", value: azure } }) };
    return runChecks(snapshot, options, now);
}

function reportError(error: unknown, io: CliIo, json: boolean, hint = ""): 2 {
    if (!(error instanceof UsageError || error instanceof VerifyError)) {
        throw error;
    }
    const problems = error instanceof UsageError ? error.problems : [error.problem];
    if (json) {
        io.stdout(formatJsonError(problems));
    }
    io.stderr(`${program}: ${error.message.split("\n").join(`\n${program}: `)}${hint}\n`);
    return 2;
}

/**
 * Test-only: the variable that fixes the command's clock, so tests of the compiled command judge their
 * dated fixtures (token expiry, pod ages) at the fixtures' time instead of the machine's. Users never set it.
 * @internal
 */
export const clockVariable = "AMA_METRICS_ISTIO_VERIFY_NOW";

/** The reference time: the machine's clock, unless the test-only variable names an ISO 8601 time. @internal */
export function clockFrom(environment: NodeJS.ProcessEnv): () => Date {
    const fixed = environment[clockVariable];
    if (fixed === undefined || fixed === "") {
        return () => new Date();
    }
    const time = Date.parse(fixed);
    if (Number.isNaN(time)) {
        throw new UsageError([problem(clockVariable, fixed, "not an ISO 8601 time", "unset it (it is for tests only)")]);
    }
    return () => new Date(time);
}

if (require.main === module) {
    const tooOld = nodeVersionProblem(program, process.versions.node);
    if (tooOld) {
        process.stderr.write(`${tooOld}\n`);
        process.exit(2);
    }
    let now: () => Date;
    try {
        now = clockFrom(process.env);
    } catch (error) {
        process.stderr.write(`${program}: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(2);
    }
    main(process.argv.slice(2), {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        now,
    }).then(
        // Exit at once: a keep-alive socket must not hold the run past its budget.
        (code) => process.stdout.write("", () => process.exit(code)),
        (error: unknown) => {
            process.stderr.write(`${program}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exit(2);
        },
    );
}
