// The add-on's `acstor-capacity-provisioner` job (default-prom-configs/acstorCapacityProvisionerDefaultFile.yml):
// Azure Container Storage's capacity provisioner pods in `acstor`, found by pod discovery. Finds nothing
// where Azure Container Storage is not installed.

import { limits, targetOn } from "./common";
import type { ScrapeJob } from "./types";

/** PC acstorCapacityProvisionerRegex_minimal_mac. */
const keepList = [
    "storage_pool_ready_state",
    "storage_pool_capacity_used_bytes",
    "storage_pool_capacity_provisioned_bytes",
    "storage_pool_snapshot_capacity_reserved_bytes",
].join("|");

export const acstorCapacityProvisioner: ScrapeJob = {
    name: "acstor-capacity-provisioner",
    target: "acstor-capacity-provisioner",
    addOnDefault: true,
    upstream: { file: "acstorCapacityProvisionerDefaultFile.yml", keepListVariable: "acstorCapacityProvisionerRegex" },
    keepList,
    sampleLimit: 1_000,
    sizing: "4 names per storage pool, a few pools per cluster",
    sharded: true,
    enabled: targetOn("acstor-capacity-provisioner"),
    build: () => ({
        honor_labels: true,
        scheme: "http",
        ...limits(acstorCapacityProvisioner.sampleLimit),
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["acstor"] } }],
        relabel_configs: [
            { source_labels: ["__meta_kubernetes_namespace"], action: "keep", regex: "acstor" },
            {
                source_labels: [
                    "__meta_kubernetes_pod_label_app_kubernetes_io_name",
                    "__meta_kubernetes_pod_label_app_kubernetes_io_component",
                ],
                action: "keep",
                // Upstream's spelling of the component, kept: it is what the pods carry for the add-on to find them.
                regex: "capacity-provisioner;capacity-provisoner",
            },
            { source_labels: ["__meta_kubernetes_pod_container_port_name"], action: "keep", regex: "metrics" },
        ],
    }),
};
