// How results reach the user: one line per check (the fix indented below a warning or failure),
// or JSON for machines; and the exit code they make. Also the durations the checks' messages show.

import { formatProblem, Problem } from "../core/errors";
import type { CheckResult } from "./types";

/**
 * 2 when a check could not judge (the command could not read what it needs: the verifier is broken, not
 * necessarily the installation), else 1 when any check failed, else 0: warnings do not fail a run.
 */
export function exitCode(results: readonly CheckResult[]): 0 | 1 | 2 {
    if (results.some((r) => r.status === "error")) return 2;
    return results.some((r) => r.status === "fail") ? 1 : 0;
}

/** `--json`'s answer when the command could not run: `{"error":{"problems":[{argument,value,message,text}]}}`. */
export function formatJsonError(problems: readonly Problem[]): string {
    const listed = problems.map((p) => ({ argument: p.argument, value: p.value ?? null, message: p.message, text: formatProblem(p) }));
    return `${JSON.stringify({ error: { problems: listed } }, null, 2)}\n`;
}

export function formatText(results: readonly CheckResult[]): string {
    return results
        .map((r) => {
            const status = r.status === "error" ? "COULD NOT CHECK" : r.status.toUpperCase();
            const line = `${status}  ${r.id}  ${r.message}`;
            return r.status === "pass" ? line : `${line}\n      fix: ${r.fix}`;
        })
        .map((line) => `${line}\n`)
        .join("");
}

export function formatJson(results: readonly CheckResult[]): string {
    const checks = results.map(({ id, status, message, fix }) => ({ id, status, message, fix }));
    return `${JSON.stringify({ checks }, null, 2)}\n`;
}

/** "2 h 5 min", "45 s", "3 d 4 h". */
export function formatDuration(ms: number): string {
    const seconds = Math.floor(Math.abs(ms) / 1000);
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ${minutes % 60} min`;
    return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
