// Judges a Prometheus agent's remote write from its own `/metrics` (storage/remote/queue_manager.go
// in prometheus/prometheus: counters and gauges per queue, labelled remote_name and url).

import { fail, Finding, pass, warn } from "./checks/check";
import { ExpositionError, parseExposition, samplesOf } from "./promText";
import { formatDuration } from "./report";
import { rerunAfterRoleAssignment, roleAssignmentDelayMs, roleAssignmentNote } from "./roleAssignment";

const remoteWriteMetrics = {
    sent: "prometheus_remote_storage_samples_total",
    failed: "prometheus_remote_storage_samples_failed_total",
    highestSent: "prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
};

/** Data older than this at the remote end counts as not arriving. */
const freshnessMs = 5 * 60 * 1000;
/** A pod this young may not have sent its first batch yet (first scrape plus the send deadline). */
const startupGraceMs = 2 * 60 * 1000;

export interface RemoteWriteInput {
    pod: string;
    /** The `/metrics` text. */
    text: string;
    /** The server's `Date` when it answered, the reference for freshness; `now` when absent. */
    serverDate?: Date;
    /** The pod's `status.startTime`. */
    podStarted?: Date;
    now: Date;
}

export interface RemoteWriteState {
    sent: number;
    failed: number;
    /** Seconds since the epoch; undefined when no queue reports it. */
    highestSent?: number;
    queues: number;
}

/** Sums the agent's queues: samples sent and failed, and the newest sample sent. */
export function remoteWriteState(text: string): RemoteWriteState {
    const exposition = parseExposition(text);
    const sum = (name: string) => samplesOf(exposition, name).reduce((total, s) => total + (Number.isNaN(s.value) ? 0 : s.value), 0);
    const highest = samplesOf(exposition, remoteWriteMetrics.highestSent).map((s) => s.value);
    return {
        sent: sum(remoteWriteMetrics.sent),
        failed: sum(remoteWriteMetrics.failed),
        highestSent: highest.length > 0 ? Math.max(...highest) : undefined,
        queues: samplesOf(exposition, remoteWriteMetrics.sent).length,
    };
}

/**
 * Prometheus counts attempts in samples_total and moves the highest sent timestamp after every
 * attempt, failed or not (queue_manager.go): only samples_failed_total tells failure from success.
 */
export function judgeRemoteWrite(input: RemoteWriteInput): Finding {
    let state: RemoteWriteState;
    try {
        state = remoteWriteState(input.text);
    } catch (error) {
        if (error instanceof ExpositionError) {
            return fail(
                `pod ${input.pod}: /metrics does not parse (${error.message})`,
                "check that port 9090 of the pod is the Prometheus agent's web port",
            );
        }
        throw error;
    }
    if (state.queues === 0) {
        return fail(
            `pod ${input.pod}: no remote-write queue (${remoteWriteMetrics.sent} is absent)`,
            "the agent's configuration has no remote_write section: run pulumi up again and check the agent's logs (kubectl logs -c prometheus)",
        );
    }
    const reference = input.serverDate ?? input.now;
    const ageMs = state.highestSent === undefined || state.highestSent <= 0 ? undefined : reference.getTime() - state.highestSent * 1000;
    const podAgeMs = input.podStarted ? input.now.getTime() - input.podStarted.getTime() : undefined;
    const seen = `${state.sent} samples sent, ${state.failed} failed since the pod started, newest sent ${ageMs === undefined ? "never" : ageMs < 0 ? "just now" : `${formatDuration(ageMs)} ago`}`;
    const logs = `kubectl logs ${input.pod} -c prometheus | grep -i remote`;
    const young = (limitMs: number) => podAgeMs !== undefined && podAgeMs < limitMs;

    if (state.failed > 0) {
        if (young(roleAssignmentDelayMs)) {
            return warn(
                `pod ${input.pod}: ${seen}; the pod started ${formatDuration(podAgeMs!)} ago, and ${roleAssignmentNote}`,
                `${rerunAfterRoleAssignment("the pod is")}; if it still fails, read the agent's errors: ${logs}`,
            );
        }
        return fail(
            `pod ${input.pod}: ${seen}: remote write is failing (the counter keeps past failures until the pod restarts)`,
            `read the agent's errors (${logs}): HTTP 403 means the identity lacks "Monitoring Metrics Publisher" on the ` +
                "data collection rule; 401 a wrong client-id or federated credential; 404 a wrong ingestion endpoint",
        );
    }
    const fresh = ageMs !== undefined && ageMs <= freshnessMs;
    if (state.sent > 0 && fresh) {
        return pass(`pod ${input.pod}: ${seen}`);
    }
    if (young(startupGraceMs)) {
        return warn(
            `pod ${input.pod}: ${seen}; the pod started ${formatDuration(podAgeMs!)} ago and may not have sent its first batch`,
            "run the check again in a few minutes",
        );
    }
    return fail(
        `pod ${input.pod}: ${seen}: nothing sent in the last ${freshnessMs / 60000} minutes`,
        `samples are stuck or retried (prometheus_remote_storage_samples_retried_total: HTTP 5xx or 429), or nothing is scraped; read the agent's errors: ${logs}`,
    );
}
