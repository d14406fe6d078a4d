// The relocation's last safeguard: no string of its output may still name kube-system, but the token
// adapters' `--secret-namespace` argument. A reference the relocation does not understand must not pass
// silently, wherever it hides (base64 Secret and ConfigMap data are decoded first), and the error that
// names it must not print a Secret's value: Helm shows it, and CI logs keep it.

import { containersOf, isRecord, keyOf, KubernetesObject, podTemplatesOf } from "../core/kubernetes";
import { chartFacts, chartNamespace } from "./facts";

/** The fields whose values are base64 (Kubernetes API: Secret `data`, ConfigMap `binaryData`). */
const base64Fields: Record<string, string> = { "/Secret": "data", "/ConfigMap": "binaryData" };
/** The fields of a Secret whose values are secret. */
const secretFields = ["data", "stringData"];

/** Throws on a string of `object` that names kube-system, but the token adapters' argument for `tokenSecret`. */
export function assertNoKubeSystem(object: KubernetesObject, tokenSecret: { namespace: string }): void {
    const allowed = `--secret-namespace=${tokenSecret.namespace}`;
    const kind = keyOf(object);
    // The args of the token adapters, and no other list: the same text elsewhere is a reference like any other.
    const adapterArgs = new Set<unknown>(
        podTemplatesOf(object)
            .flatMap((pod) => containersOf(pod.get()))
            .filter((container) => chartFacts.tokenAdapterContainers.includes(container.name))
            .map((container) => container.args),
    );
    // Nothing of a Secret is quoted: besides its data, an annotation such as kubectl's last-applied-configuration may copy it.
    const isSecret = kind === "/Secret";
    const fail = (path: string, text: string, what: string, shown: string = isSecret ? "value redacted" : JSON.stringify(text)): never => {
        throw new Error(
            `${object.kind} "${object.metadata.name}" still names ${chartNamespace} ${what} ${path} (${shown}) after ` +
                `relocation: the relocation does not know this reference. Report it with the chart version; ` +
                `until then, override the value through chart values.`,
        );
    };
    const visit = (value: unknown, path: string, parent?: unknown): void => {
        if (typeof value === "string") {
            if (value.includes(chartNamespace) && !(value === allowed && adapterArgs.has(parent))) {
                fail(path, value, "at");
            }
        } else if (Array.isArray(value)) {
            value.forEach((item, i) => visit(item, `${path}[${i}]`, value));
        } else if (isRecord(value)) {
            for (const [key, item] of Object.entries(value)) {
                const itemPath = path ? `${path}.${key}` : key;
                if (key.includes(chartNamespace)) {
                    fail(itemPath, key, "in the key of");
                }
                visit(item, itemPath);
            }
        }
    };
    for (const [key, value] of Object.entries(object)) {
        const secret = isSecret && secretFields.includes(key);
        const encoded = base64Fields[kind] === key;
        if (!(secret || encoded) || !isRecord(value)) {
            visit(value, key);
            continue;
        }
        for (const [dataKey, item] of Object.entries(value)) {
            const itemPath = `${key}.${dataKey}`;
            if (dataKey.includes(chartNamespace)) {
                fail(itemPath, dataKey, "in the key of");
            }
            const text = typeof item === "string" && encoded ? Buffer.from(item, "base64").toString("utf8") : item;
            if (typeof text === "string" && text.includes(chartNamespace)) {
                fail(itemPath, text, encoded ? "in the decoded value of" : "in the value of", secret ? "value redacted" : "binary value");
            }
        }
    }
}
