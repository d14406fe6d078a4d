// The service discoveries a scrape job may use here, one per file. Prometheus knows more, but they
// look for targets outside the cluster (clouds, Consul, ...) or read files nothing mounts into the
// collector's pod: those keys are refused with that reason rather than silently doing nothing.

import { Discovery } from "./discovery";
import { dnsDiscovery } from "./dns";
import { httpDiscovery } from "./http";
import { kubernetesDiscovery } from "./kubernetes";
import { staticDiscovery } from "./static";

export type { Discovery } from "./discovery";

export const discoveries: readonly Discovery[] = [staticDiscovery, kubernetesDiscovery, httpDiscovery, dnsDiscovery];

/**
 * The other `<name>_sd_configs` of Prometheus v3.14.0 (each `SDConfig.Name()` under discovery/ registered
 * by discovery/install).
 */
export const otherDiscoveries = [
    "aws",
    "azure",
    "consul",
    "digitalocean",
    "docker",
    "dockerswarm",
    "ec2",
    "ecs",
    "elasticache",
    "eureka",
    "file",
    "gce",
    "hetzner",
    "ionos",
    "kuma",
    "lightsail",
    "linode",
    "marathon",
    "msk",
    "nerve",
    "nomad",
    "oci",
    "openstack",
    "outscale",
    "ovhcloud",
    "puppetdb",
    "rds",
    "scaleway",
    "serverset",
    "stackit",
    "triton",
    "uyuni",
    "vultr",
].map((name) => `${name}_sd_configs`);
