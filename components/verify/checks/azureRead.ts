import type { Fetched } from "../reads";
import { cannotCheck, Finding } from "./check";

/** The finding for an Azure read that was refused or failed; `role` is what the signed-in identity needs. */
export function unreadableAzure(what: string, fetched: { status: number; reason: string }, role: string): Finding {
    return cannotCheck(
        `could not read ${what}: HTTP ${fetched.status}: ${fetched.reason}`,
        fetched.status === 403 ? `give the signed-in identity ${role}` : "run the command again; if it persists, check Azure's status",
    );
}

/** The Azure side is read whole; its parts carry their own errors. */
export function azureOf<T>(fetched: Fetched<T>): T | undefined {
    return fetched.state === "found" ? fetched.value : undefined;
}
