// What the relocation refuses must not print a Secret's value (Helm shows the post-renderer's stderr, and
// CI logs keep it), and a kube-system reference must not hide in base64 (the Kubernetes API's Secret
// `data` and ConfigMap `binaryData` are base64; `stringData` is plain text).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { relocateObjects, relocateText } from "../../components/amaMetrics/relocate";
import { KubernetesObject } from "../../components/core/kubernetes";
import { fixture, fixtureObjects, httpsOffRendering, relocationFor } from "../harness";

const options = relocationFor();
const rendered = () => fixtureObjects("ama-metrics-chart", httpsOffRendering);
const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const password = "s3cret-to-kube-system-db";

const secret = (fields: Record<string, unknown>): KubernetesObject => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "scrape-auth", namespace: "kube-system" },
    type: "Opaque",
    ...fields,
});

describe("the relocation's kube-system check, on Secrets and base64 data", () => {
    const refused: { name: string; object: KubernetesObject; message: RegExp; hidden: string[] }[] = [
        {
            name: "a Secret's stringData value",
            object: secret({ stringData: { password } }),
            message: /Secret "scrape-auth" still names kube-system in the value of stringData\.password \(value redacted\)/,
            hidden: [password],
        },
        {
            name: "a Secret's data value, decoded",
            object: secret({ data: { password: base64(password) } }),
            message: /Secret "scrape-auth" still names kube-system in the decoded value of data\.password \(value redacted\)/,
            hidden: [password, base64(password)],
        },
        {
            name: "a ConfigMap's binaryData value, decoded",
            object: {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "peers", namespace: "kube-system" },
                binaryData: { "peers.bin": base64("dns.kube-system.svc") },
            },
            message: /ConfigMap "peers" still names kube-system in the decoded value of binaryData\.peers\.bin \(binary value\)/,
            hidden: [base64("dns.kube-system.svc")],
        },
        {
            name: "a Secret's annotation, which may copy its data",
            object: {
                ...secret({ data: { password: base64("s3cret") } }),
                metadata: {
                    name: "scrape-auth",
                    namespace: "kube-system",
                    annotations: { "kubectl.kubernetes.io/last-applied-configuration": `{"stringData":{"password":"${password}"}}` },
                },
            },
            message:
                /Secret "scrape-auth" still names kube-system at metadata\.annotations\.kubectl\.kubernetes\.io\/last-applied-configuration \(value redacted\)/,
            hidden: [password],
        },
        {
            name: "a Secret's data key",
            object: secret({ data: { "kube-system.token": base64("x") } }),
            message: /Secret "scrape-auth" still names kube-system in the key of data\.kube-system\.token/,
            hidden: [],
        },
    ];
    for (const { name, object, message, hidden } of refused) {
        it(`refuses ${name}, and prints no value of it`, () => {
            assert.throws(
                () => relocateObjects([...rendered(), object], options),
                (error: Error) => {
                    assert.match(error.message, message);
                    for (const text of hidden) assert.ok(!error.message.includes(text), `the message prints ${text}`);
                    return true;
                },
            );
        });
    }

    it("relocates a Secret whose data names no kube-system, its values unchanged", () => {
        const data = { password: base64("s3cret"), url: base64("https://db.monitoring.svc") };
        const output = relocateObjects([...rendered(), secret({ data, stringData: { user: "agent" } })], options);
        const moved = output[output.length - 1];
        assert.equal(moved.metadata.namespace, "monitoring");
        assert.deepEqual(moved.data, data);
        assert.deepEqual(moved.stringData, { user: "agent" });
    });

    it("names a YAML error's document and position without quoting the text, which may be a Secret's", () => {
        const text = fs.readFileSync(fixture("ama-metrics-chart", httpsOffRendering), "utf8");
        const broken = `${text}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: "${password}\n  x: [\n`;
        assert.throws(
            () => relocateText(broken, options),
            (error: Error) => {
                assert.match(error.message, /^The manifests are not valid YAML \(document \d+, line \d+, column \d+\): /);
                assert.ok(!error.message.includes(password), error.message);
                assert.equal(error.message.split("\n").length, 1);
                return true;
            },
        );
    });
});
