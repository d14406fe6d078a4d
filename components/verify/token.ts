// When the borrowed add-on token expires. AKS writes `kube-system/aad-msi-auth-token` (type Opaque)
// with one key, `token`: the managed identity's token response as JSON, like IMDS answers it
// ({"access_token": "<JWT>", "expires_on": "<epoch seconds>", "expires_in": "86399", ...}); Microsoft's
// troubleshooting reads its expiry with `base64 --decode | grep expires_on`. Older or other writers
// may store the bare JWT, so both are read: `expires_on` first, then the JWT's `exp` claim.

import { isRecord } from "../core/kubernetes";

export type TokenExpiry = { found: true; expiresAt: Date; source: string } | { found: false; reason: string };

const tokenKey = "token";

/** The expiry of the token in a Secret's `data` (base64 values, as the API serves them). */
export function tokenExpiry(data: Record<string, string> | undefined): TokenExpiry {
    const keys = Object.keys(data ?? {});
    const encoded = data?.[tokenKey];
    if (encoded === undefined) {
        return {
            found: false,
            reason: `the secret has no "${tokenKey}" key (keys: ${keys.length > 0 ? keys.join(", ") : "none"})`,
        };
    }
    const text = Buffer.from(encoded, "base64").toString("utf8").trim();
    if (text.startsWith("{")) {
        return fromJson(text);
    }
    const claim = jwtExpiry(text);
    if (claim !== undefined) {
        return { found: true, expiresAt: claim, source: "the JWT's exp claim" };
    }
    return { found: false, reason: `"${tokenKey}" holds neither JSON with expires_on nor a JWT with an exp claim` };
}

function fromJson(text: string): TokenExpiry {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return { found: false, reason: `"${tokenKey}" starts like JSON but does not parse` };
    }
    if (!isRecord(parsed)) {
        return { found: false, reason: `"${tokenKey}" is JSON but not an object` };
    }
    const fields = parsed;
    const expiresOn = epochSeconds(fields["expires_on"]);
    if (expiresOn !== undefined) {
        return { found: true, expiresAt: expiresOn, source: "expires_on" };
    }
    const accessToken = fields["access_token"];
    const claim = typeof accessToken === "string" ? jwtExpiry(accessToken) : undefined;
    if (claim !== undefined) {
        return { found: true, expiresAt: claim, source: "the access token's exp claim" };
    }
    const names = Object.keys(fields);
    return {
        found: false,
        reason: `"${tokenKey}" is JSON without a readable expires_on or access_token (fields: ${names.length > 0 ? names.join(", ") : "none"})`,
    };
}

/** `expires_on` as IMDS writes it (epoch seconds, as a string) or as a number. */
function epochSeconds(value: unknown): Date | undefined {
    const text = typeof value === "number" ? String(value) : value;
    if (typeof text !== "string" || !/^\d{9,11}(\.\d+)?$/.test(text.trim())) {
        return undefined;
    }
    return new Date(Number(text) * 1000);
}

/** A JWT's `exp` (seconds since the epoch), without verifying its signature. */
export function jwtExpiry(token: string): Date | undefined {
    const parts = token.trim().split(".");
    // header.claims.signature, base64url; an unsigned token has an empty signature.
    if (parts.length !== 3 || !parts.every((p, i) => /^[A-Za-z0-9_-]*={0,2}$/.test(p) && (i === 2 || p !== ""))) {
        return undefined;
    }
    try {
        const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { exp?: unknown };
        return typeof claims.exp === "number" && Number.isFinite(claims.exp) ? new Date(claims.exp * 1000) : undefined;
    } catch {
        return undefined;
    }
}
