// The package entry: the component, its argument types, and the pure building blocks it composes
// (useful on their own: the relocation behind the Helm post-renderer, the mesh rules).

export { AmaMetricsIstio, componentType } from "./amaMetricsIstio";
export * from "./types";
export { AmaMetricsIstioArgumentError, validateArgs } from "./validation";
export { Settings, MeshSettings, resolveSettings, collectorPrincipal } from "./settings";
export { relocate, relocateYaml, RelocationOptions } from "./relocate";
export { postRendererArgs, parsePostRendererArgs, postRendererCommand } from "./postRenderer";
export { meshObjects, namespaceLabels } from "./istio";
export { checkMeshObjects, assertMeshObjects, MeshRuleViolation, KubernetesObject } from "./meshRules";
export { componentValues, mergeValues, shimManifests } from "./chart";
