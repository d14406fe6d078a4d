// Istio's "scrape with Istio certs" pattern (istio.io, Prometheus integration): the collector's
// sidecar writes its rotating workload certificate to a shared in-memory volume, and the
// collector's scrape job reads it from there.

/** The shared in-memory volume. */
export const certsVolume = "istio-certs";

/** Where the sidecar writes the certificate (its `OUTPUT_CERTS` proxy metadata). */
export const sidecarCertsPath = "/etc/istio-output-certs";

/** Where the collector container mounts the same volume, read-only. */
export const collectorCertsPath = "/etc/prom-certs/";

/** The files the sidecar writes, as a Prometheus `tls_config` uses them. */
export const certFiles = {
    ca: `${collectorCertsPath}root-cert.pem`,
    cert: `${collectorCertsPath}cert-chain.pem`,
    key: `${collectorCertsPath}key.pem`,
};
