// The package entry: the component and its types, the errors it raises, the relocation behind its Helm
// post-renderer, and the mesh rules it checks its objects with. Everything else is internal, except the
// unit tests' mocks, which are their own entry (`ama-metrics-istio/testing`, components/testing.ts).
// Declarations of these modules that are not exported here carry TSDoc's internal tag, and the build strips
// them from the published .d.ts (tsconfig.build.json `stripInternal`; test/integration/api.test.ts).

export { AmaMetricsIstio, componentType } from "./amaMetricsIstio";
export * from "./core/args";
export { AmaMetricsIstioArgumentError, formatProblem } from "./core/errors";
export type { Problem } from "./core/errors";
export { AmaMetricsIstioOutputError } from "./azure/outputs";
export type { KubernetesObject, ObjectMeta } from "./core/kubernetes";
export { relocate, relocateYaml } from "./amaMetrics/relocate";
export type { RelocationOptions } from "./amaMetrics/relocate";
export type { ReplicaBounds } from "./amaMetrics/collectorReplicas";
export { checkMeshObjects, meshRules } from "./mesh/rules";
export type { MeshRuleContext, MeshRuleDefinition, MeshRuleInput, MeshRuleScope, MeshRuleViolation } from "./mesh/rules";
