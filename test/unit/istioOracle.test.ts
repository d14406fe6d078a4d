// The mesh rules that mirror an `istioctl analyze` analyzer, run over Istio's own test cases: the input
// files of pkg/config/analysis/analyzers/testdata (vendored in test/fixtures/istio, PROVENANCE.md) and the
// messages analyzers_test.go expects from each, for the analyzer's own message code. A rule that answers
// differently from istioctl on Istio's own cases fails here.
//
// What the test supplies, as istioctl's analysis context does: every namespace the files mention is known;
// the pods of each are the Pod objects "in the mesh" as util/in_mesh.go decides it (an istio-proxy
// container, the `sidecar.istio.io/inject` label or annotation, else the namespace's `istio-injection`
// label) or in ambient (`ambient.istio.io/redirection: enabled`), as authz/authorizationpolicies.go
// `initPodLabelsMap` collects them; the root namespace is MeshConfig's default, istio-system; the mesh
// config's proxy metadata when the case names a mesh config file.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as YAML from "yaml";
import { KubernetesObject } from "../../components/core/kubernetes";
import { MeshRuleContext, meshRules } from "../../components/mesh/rules";
import { fixture, fixtureObjects } from "../harness";

/** One case of analyzers_test.go's testGrid, for the message code one rule mirrors. */
interface OracleCase {
    /** The testGrid entry's `name`. */
    name: string;
    inputFiles: string[];
    meshConfigFile?: string;
    /** The kinds the analyzer reads (its Metadata().Inputs): the rule's findings on other kinds are its own extensions. */
    kinds: string[];
    /** The expected messages of the rule's code, as `Kind namespace/name` (`Kind name` without a namespace). */
    expected: string[];
}

/** The rules that mirror an analyzer, with their code and the testGrid cases that expect it (or expect none). */
const oracle: Record<string, { code: string; cases: OracleCase[] }> = {
    "two-injection-labels": {
        code: "IST0123 NamespaceMultipleInjectionLabels",
        cases: [
            {
                name: "istioInjection",
                inputFiles: ["injection.yaml"],
                kinds: ["Namespace"],
                expected: ["Namespace busted", "Namespace multi-ns-1", "Namespace multi-ns-2", "Namespace multi-ns-3"],
            },
        ],
    },
    "selector-matches-no-pod": {
        code: "IST0127 NoMatchingWorkloadsFound",
        cases: [
            {
                name: "authorizationpolicies",
                inputFiles: ["authorizationpolicies.yaml"],
                kinds: ["AuthorizationPolicy"],
                expected: [
                    "AuthorizationPolicy istio-system/meshwide-httpbin-v1",
                    "AuthorizationPolicy httpbin-empty/httpbin-empty-namespace-wide",
                    "AuthorizationPolicy httpbin/httpbin-nopods",
                    "AuthorizationPolicy test-ambient/no-workload",
                ],
            },
        ],
    },
    "deprecated-inject-annotation": {
        code: "IST0135 DeprecatedAnnotation",
        cases: [
            {
                // The testGrid expects IST0135 on Deployment fortio-deploy, whose only Istio annotation is
                // sidecar.istio.io/statsInclusionPrefixes: the rule mirrors IST0135 for sidecar.istio.io/inject
                // alone, which no object of the file carries.
                name: "misannoted",
                inputFiles: ["misannotated.yaml"],
                kinds: ["Pod", "Deployment"],
                expected: [],
            },
            {
                // Not a testGrid case for this analyzer: the injection analyzer's input, whose two pods carry the
                // annotation, judged as annotations.go `allowAnnotations` reads them (the one with the label too
                // is skipped: "Skip to avoid noise").
                name: "injection.yaml's pods, as annotations.go judges them",
                inputFiles: ["injection.yaml"],
                kinds: ["Pod", "Deployment"],
                expected: ["Pod default/podinjectiondisabled"],
            },
        ],
    },
    "external-name-port-protocol": {
        code: "IST0150 ExternalNameServiceTypeInvalidPortName",
        cases: [
            {
                name: "ExternalNameServiceTypeInvalidPortName",
                inputFiles: ["incorrect-port-name-external-name-service-type.yaml"],
                kinds: ["Service"],
                expected: ["Service nginx-ns/nginx", "Service nginx-ns2/nginx-svc2", "Service nginx-ns3/nginx-svc3"],
            },
            {
                name: "ExternalNameServiceTypeValidPortName",
                inputFiles: ["correct-port-name-external-name-service-type.yaml"],
                kinds: ["Service"],
                expected: [],
            },
        ],
    },
    "service-entry-addresses-required": {
        code: "IST0134 ServiceEntryAddressesRequired",
        cases: [
            {
                name: "missing Addresses and Protocol in Service Entry",
                inputFiles: ["serviceentry-missing-addresses-protocol.yaml"],
                kinds: ["ServiceEntry"],
                expected: [
                    "ServiceEntry default/service-entry-test-03",
                    "ServiceEntry default/service-entry-test-04",
                    "ServiceEntry default/service-entry-test-07",
                ],
            },
            {
                name: "missing Addresses and Protocol in Service Entry with ISTIO_META_DNS_AUTO_ALLOCATE enabled",
                inputFiles: ["serviceentry-missing-addresses-protocol.yaml"],
                meshConfigFile: "serviceentry-missing-addresses-protocol-mesh-cfg.yaml",
                kinds: ["ServiceEntry"],
                expected: [],
            },
            {
                name: "ServiceEntry Addresses Required Lowercase Protocol",
                inputFiles: ["serviceentry-address-required-lowercase.yaml"],
                kinds: ["ServiceEntry"],
                expected: ["ServiceEntry address-missing-lowercase"],
            },
            {
                name: "ServiceEntry Addresses Required Uppercase Protocol",
                inputFiles: ["serviceentry-address-required-uppercase.yaml"],
                kinds: ["ServiceEntry"],
                expected: ["ServiceEntry address-missing-uppercase"],
            },
        ],
    },
    "conflicting-service-entry-protocol": {
        code: "IST0177 ConflictingServiceEntryProtocol",
        cases: [
            {
                name: "ServiceEntry conflicting protocols on same host and port",
                inputFiles: ["serviceentry-conflicting-protocol.yaml"],
                kinds: ["ServiceEntry"],
                expected: ["ServiceEntry default/se-http", "ServiceEntry default/se-https"],
            },
            {
                name: "ServiceEntry no conflict same protocol",
                inputFiles: ["serviceentry-no-conflict-protocol.yaml"],
                kinds: ["ServiceEntry"],
                expected: [],
            },
            {
                name: "ServiceEntry no conflict non-overlapping exportTo scopes",
                inputFiles: ["serviceentry-conflicting-exportto.yaml"],
                kinds: ["ServiceEntry"],
                expected: [],
            },
        ],
    },
};

const inputs = (files: string[]) => files.flatMap((file) => fixtureObjects("istio", "analyzers", file));

/** util/in_mesh.go `inMesh` for a Pod, and util.PodInAmbientMode. */
function podInMesh(pod: KubernetesObject, namespaces: Map<string, Record<string, string>>): boolean {
    const metadata = pod.metadata ?? {};
    const containers = [...((pod.spec as any)?.containers ?? []), ...((pod.spec as any)?.initContainers ?? [])] as Array<{ name: string }>;
    if (metadata.annotations?.["ambient.istio.io/redirection"] === "enabled" || containers.some((c) => c.name === "istio-proxy")) {
        return true;
    }
    for (const source of [metadata.labels, metadata.annotations]) {
        const value = source?.["sidecar.istio.io/inject"];
        if (value !== undefined) {
            return value === "true";
        }
    }
    const namespace = namespaces.get(metadata.namespace ?? "");
    return namespace !== undefined && namespace["istio-injection"] === "enabled";
}

/** The analysis context istioctl builds from the same files (see the header). */
function contextOf(objects: readonly KubernetesObject[], meshConfigFile?: string): MeshRuleContext {
    const namespaces = new Map(objects.filter((o) => o.kind === "Namespace").map((o) => [o.metadata.name ?? "", o.metadata.labels ?? {}]));
    const podLabels: Record<string, Array<Record<string, string>>> = {};
    for (const object of objects) {
        for (const namespace of [object.metadata?.namespace, object.kind === "Namespace" ? object.metadata.name : undefined]) {
            if (namespace !== undefined) {
                podLabels[namespace] ??= [];
            }
        }
    }
    for (const pod of objects.filter((o) => o.kind === "Pod" && podInMesh(o, namespaces))) {
        (podLabels[pod.metadata.namespace ?? "default"] ??= []).push(pod.metadata.labels ?? {});
    }
    const meshConfig =
        meshConfigFile === undefined ? {} : YAML.parse(fs.readFileSync(fixture("istio", "analyzers", meshConfigFile), "utf8"));
    return { rootNamespace: "istio-system", podLabels, meshProxyMetadata: meshConfig?.defaultConfig?.proxyMetadata ?? {} };
}

/**
 * Cases of istiod's validation tests (pkg/config/validation/validation_test.go at the same commit),
 * transcribed field by field from their Go literals: `valid` is Istio's verdict. Every case of
 * TestValidatePeerAuthentication (each invalid one fails on portLevelMtls, which the rule mirrors whole),
 * and the TestValidateServiceEntries cases whose verdict turns on what the rule reads (hosts, endpoints,
 * resolution; cases invalid for other reasons, such as port names or endpoint ports, are left out).
 */
const validationCases: Record<string, { test: string; kind: string; cases: Array<{ name: string; spec: unknown; valid: boolean }> }> = {
    "port-level-mtls-without-selector": {
        test: "TestValidatePeerAuthentication",
        kind: "PeerAuthentication",
        cases: [
            { name: "empty spec", spec: {}, valid: true },
            { name: "empty mtls with selector of empty labels", spec: { selector: {} }, valid: true },
            { name: "default name with non empty selector", spec: { selector: { matchLabels: { app: "httpbin" } } }, valid: true },
            {
                name: "empty port level mtls",
                spec: { selector: { matchLabels: { app: "httpbin" } }, portLevelMtls: {} },
                valid: false,
            },
            { name: "empty selector with port level mtls", spec: { portLevelMtls: { "8080": { mode: "UNSET" } } }, valid: false },
            { name: "port 0", spec: { portLevelMtls: { "0": { mode: "UNSET" } } }, valid: false },
            { name: "unset mode", spec: { mtls: { mode: "UNSET" } }, valid: true },
            {
                name: "port level",
                spec: { selector: { matchLabels: { app: "httpbin" } }, portLevelMtls: { "8080": { mode: "UNSET" } } },
                valid: true,
            },
        ],
    },
    "wildcard-host-dns-resolution": {
        test: "TestValidateServiceEntries",
        kind: "ServiceEntry",
        cases: [
            {
                name: "discovery type DNS",
                spec: {
                    hosts: ["*.google.com"],
                    ports: [
                        { number: 80, protocol: "http", name: "http-valid1" },
                        { number: 8080, protocol: "http", name: "http-valid2" },
                    ],
                    endpoints: [
                        { address: "lon.google.com", ports: { "http-valid1": 8080 } },
                        { address: "in.google.com", ports: { "http-valid2": 9080 } },
                    ],
                    resolution: "DNS",
                },
                valid: true,
            },
            {
                name: "discovery type DNS Round Robin",
                spec: {
                    hosts: ["*.istio.io"],
                    ports: [
                        { number: 80, protocol: "http", name: "http-valid1" },
                        { number: 8080, protocol: "http", name: "http-valid2" },
                    ],
                    endpoints: [{ address: "api-v1.istio.io", ports: { "http-valid1": 8080 } }],
                    resolution: "DNS_ROUND_ROBIN",
                },
                valid: true,
            },
            {
                name: "discovery type DNS, non-FQDN host",
                spec: {
                    hosts: ["*.google.com"],
                    ports: [
                        { number: 80, protocol: "http", name: "http-valid1" },
                        { number: 8080, protocol: "http", name: "http-valid2" },
                    ],
                    resolution: "DNS",
                },
                valid: false,
            },
            {
                name: "discovery type DNS, no endpoints",
                spec: {
                    hosts: ["google.com"],
                    ports: [
                        { number: 80, protocol: "http", name: "http-valid1" },
                        { number: 8080, protocol: "http", name: "http-valid2" },
                    ],
                    resolution: "DNS",
                },
                valid: true,
            },
            {
                name: "selector and resolution DNS",
                spec: {
                    hosts: ["google.com"],
                    workloadSelector: { labels: { foo: "bar" } },
                    ports: [{ number: 80, protocol: "http", name: "http-valid1" }],
                    resolution: "DNS",
                },
                valid: true,
            },
            {
                name: "dns round robin with 0 endpoints",
                spec: {
                    hosts: ["google.com"],
                    addresses: [],
                    ports: [{ number: 8081, protocol: "http", name: "http-valid1" }],
                    endpoints: [],
                    resolution: "DNS_ROUND_ROBIN",
                },
                valid: true,
            },
            {
                name: "partial wildcard hosts",
                spec: {
                    hosts: ["*.nytimes.com", "*washingtonpost.com"],
                    addresses: [],
                    ports: [{ number: 443, protocol: "HTTPS", name: "https-nytimes" }],
                    endpoints: [],
                    resolution: "NONE",
                },
                valid: true,
            },
        ],
    },
};

describe("the mesh rules over Istio's own validation test cases (istio/istio 86c9f01f)", () => {
    for (const [id, { test, kind, cases }] of Object.entries(validationCases)) {
        describe(`${id} (${test})`, () => {
            const rule = meshRules.find((r) => r.id === id);
            it("is a rule of the registry that names the validation it mirrors", () => {
                assert.ok(rule, id);
                assert.match(rule.upstream, /validation\.go/);
            });
            for (const c of cases) {
                it(`${c.valid ? "accepts" : "refuses"} as istiod does: ${c.name}`, () => {
                    const object = {
                        apiVersion: kind === "PeerAuthentication" ? "security.istio.io/v1" : "networking.istio.io/v1",
                        kind,
                        metadata: { name: "case", namespace: "some-namespace" },
                        spec: c.spec,
                    } as KubernetesObject;
                    assert.equal(rule!.check([object]).length === 0, c.valid);
                });
            }
        });
    }
});

describe("the mesh rules over Istio's own analyzer test cases (istio/istio 86c9f01f)", () => {
    for (const [id, { code, cases }] of Object.entries(oracle)) {
        describe(`${id} (${code})`, () => {
            const rule = meshRules.find((r) => r.id === id);

            it("is a rule of the registry that names the analyzer it mirrors", () => {
                assert.ok(rule, id);
                assert.match(rule.upstream, new RegExp(code.split(" ")[0]));
            });

            for (const c of cases) {
                it(`answers as istioctl does: ${c.name}`, () => {
                    const objects = inputs(c.inputFiles);
                    assert.ok(objects.length > 0);
                    const found = rule!
                        .check(objects, contextOf(objects, c.meshConfigFile))
                        .filter((v) => c.kinds.includes(v.object.split(" ")[0]))
                        .map((v) => v.object);
                    assert.deepEqual(found.sort(), [...c.expected].sort());
                });
            }
        });
    }

    it("covers every rule whose upstream names an istioctl message code", () => {
        const mirrored = meshRules.filter((r) => /IST\d{4}/.test(r.upstream) && !/validation\.go/.test(r.upstream)).map((r) => r.id);
        assert.deepEqual(mirrored.sort(), Object.keys(oracle).sort());
    });
});
