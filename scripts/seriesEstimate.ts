// The active series the default jobs bring per node and per pod: estimates from the jobs' keep-lists (README,
// "Scrape targets"), used by the sizing benchmark's synthetic targets and by the offline plan's estimate.

/** Series per node and per pod of the four default node and pod jobs. */
export const seriesPerUnit = { kubelet: 700, node: 350, cadvisorPerPod: 30, kubeStateMetricsPerPod: 50 };

/** A workspace's default limit of active series (Learn, "Azure Monitor service limits", Prometheus metrics). */
export const workspaceSeriesLimit = 1_000_000;

/** The default jobs' active series for a cluster of this size. */
export function defaultJobSeries(size: { nodes: number; pods: number }): number {
    const perUnit = seriesPerUnit;
    return size.nodes * (perUnit.kubelet + perUnit.node) + size.pods * (perUnit.cadvisorPerPod + perUnit.kubeStateMetricsPerPod);
}
