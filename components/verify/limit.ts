// Bounded concurrency and the run's deadline.

import { Problem, problem } from "../core/errors";
import { VerifyError } from "./types";

/** Runs the task when a place is free. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/** Runs at most `concurrency` of the given tasks at once. */
export function limiter(concurrency: number): Limit {
    let running = 0;
    const waiting: (() => void)[] = [];
    return async <T>(task: () => Promise<T>): Promise<T> => {
        if (running >= concurrency) {
            await new Promise<void>((resolve) => waiting.push(resolve));
        }
        running++;
        try {
            return await task();
        } finally {
            running--;
            waiting.shift()?.();
        }
    };
}

/** A request under way, for the deadline's message. */
export interface PendingRequest {
    /** "API server" or "Azure endpoint". */
    endpoint: string;
    /** Its base URL. */
    server: string;
    /** What was asked, e.g. `GET /api/v1/namespaces/monitoring`. */
    request: string;
}

/**
 * The run's budget: `signal` aborts every request when it runs out, and `race` settles with the
 * deadline's error even if some work ignores the signal (an exec credential plugin, say).
 */
export class Deadline {
    private readonly controller = new AbortController();
    private readonly timer: NodeJS.Timeout;
    private readonly expired: Promise<never>;
    private readonly pending = new Set<PendingRequest>();

    constructor(readonly seconds: number) {
        let reject: (error: Error) => void = () => undefined;
        this.expired = new Promise<never>((_, r) => (reject = r));
        // Handled by whoever races; never an unhandled rejection when nobody does.
        this.expired.catch(() => undefined);
        this.timer = setTimeout(() => {
            const error = new VerifyError(this.message());
            this.controller.abort(error);
            reject(error);
        }, seconds * 1000);
    }

    get signal(): AbortSignal {
        return this.controller.signal;
    }

    /** Runs a request, remembering it while it is under way. */
    async track<T>(request: PendingRequest, work: () => Promise<T>): Promise<T> {
        this.pending.add(request);
        try {
            return await work();
        } finally {
            this.pending.delete(request);
        }
    }

    race<T>(work: Promise<T>): Promise<T> {
        return Promise.race([work, this.expired]);
    }

    /** Ends the run: stops the timer and aborts whatever is still under way, so nothing keeps the process alive. */
    clear(): void {
        clearTimeout(this.timer);
        if (!this.controller.signal.aborted) {
            // Nobody reads this reason: the run's result is already known.
            this.controller.abort(new Error("the run ended"));
        }
    }

    private message(): Problem {
        const [first] = this.pending;
        const fix = "check that this machine reaches it (VPN, private cluster, --context), or raise --timeout";
        if (first === undefined) {
            return problem("--timeout", this.seconds, "the checks did not finish within the budget", "raise --timeout");
        }
        const what = first.endpoint === "API server" ? "unreachable API server" : "unreachable Azure endpoint";
        return problem(first.endpoint, first.server, `${what}: no answer within ${this.seconds} s (${first.request})`, fix);
    }
}
