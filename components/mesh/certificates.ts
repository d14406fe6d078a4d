// Istio's "scrape with Istio certs" pattern (istio.io, Prometheus integration): a sidecar that
// intercepts nothing writes its rotating workload certificate to a shared in-memory volume, and the
// collector's mTLS scrape job reads the files from there.

/** The shared in-memory volume. */
export const certsVolume = "istio-certs";

/** Where the sidecar writes the certificate (its `OUTPUT_CERTS` proxy metadata). */
export const sidecarCertsPath = "/etc/istio-output-certs";

/** Where the collector's containers mount the same volume, read-only. */
export const collectorCertsPath = "/etc/prom-certs/";

/** The files the sidecar writes, as a Prometheus `tls_config` names them. */
export const certFiles = {
    ca: `${collectorCertsPath}root-cert.pem`,
    cert: `${collectorCertsPath}cert-chain.pem`,
    key: `${collectorCertsPath}key.pem`,
};
