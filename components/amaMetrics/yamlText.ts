// Multi-document YAML in and out, as Helm renders it, keeping the text of every value a change does not
// touch: the parsed documents are updated in place, so comments, quotes and key order survive, and a
// reviewer's diff of the post-renderer's output shows only what the relocation changed.

import * as YAML from "yaml";
import { isRecord, KubernetesObject } from "../core/kubernetes";

/** One document of the input and the object it holds. */
export interface ParsedDocument {
    document: YAML.Document;
    object: KubernetesObject;
}

/**
 * The objects of `text`, in order; empty documents are dropped. Throws on invalid YAML (naming the document
 * and the position, not quoting the text, which may be a Secret's) and on a document that is no object.
 */
export function parseManifests(text: string): ParsedDocument[] {
    const parsed: ParsedDocument[] = [];
    YAML.parseAllDocuments(text).forEach((document, index) => {
        const error = document.errors[0];
        if (error) {
            const at = error.linePos ? `, line ${error.linePos[0].line}, column ${error.linePos[0].col}` : "";
            throw new Error(`The manifests are not valid YAML (document ${index + 1}${at}): ${firstLine(error.message)}`);
        }
        const value: unknown = document.toJS();
        if (value === null || value === undefined) {
            return;
        }
        parsed.push({ document, object: asObject(value, index + 1) });
    });
    return parsed;
}

/** The message without the excerpt of the source that the parser appends. */
function firstLine(message: string): string {
    return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

function asObject(value: unknown, documentNumber: number): KubernetesObject {
    const name = isRecord(value) && isRecord(value.metadata) ? value.metadata.name : undefined;
    if (!isRecord(value) || typeof value.apiVersion !== "string" || typeof value.kind !== "string" || !isRecord(value.metadata)) {
        throw new Error(
            `Document ${documentNumber} of the manifests${typeof name === "string" ? ` ("${name}")` : ""} is not a Kubernetes object: ` +
                `it needs apiVersion, kind and metadata.`,
        );
    }
    return value as KubernetesObject;
}

/** The documents with their objects replaced by `objects` (same order), as one multi-document text. */
export function writeManifests(parsed: readonly ParsedDocument[], objects: readonly KubernetesObject[]): string {
    return parsed.map((p, i) => updateDocument(p.document, objects[i]).toString(stringifyOptions)).join("");
}

const stringifyOptions: YAML.ToStringOptions = { lineWidth: 0, indentSeq: false };

function updateDocument(document: YAML.Document, value: KubernetesObject): YAML.Document {
    let hasAlias = false;
    YAML.visit(document, {
        Alias() {
            hasAlias = true;
            return YAML.visit.BREAK;
        },
    });
    if (hasAlias) {
        // An anchor's node may be shared: rebuild the whole document from the relocated value.
        const rebuilt = new YAML.Document();
        rebuilt.contents = createNode(rebuilt, value) as YAML.Document["contents"];
        rebuilt.commentBefore = document.commentBefore;
        if (rebuilt.directives) rebuilt.directives.docStart = true;
        return rebuilt;
    }
    document.contents = reconcile(document, document.contents, value) as YAML.Document["contents"];
    if (document.directives) document.directives.docStart = true;
    return document;
}

/** A node for `value` that reuses `node` (and its text, style and comments) wherever the value is unchanged. */
function reconcile(document: YAML.Document, node: unknown, value: unknown): unknown {
    if (isRecord(value) && YAML.isMap(node)) {
        const pairs = node.items;
        node.items = Object.entries(value).map(([key, item]) => {
            const pair = pairs.find((p) => YAML.isScalar(p.key) && String(p.key.value) === key);
            if (pair) {
                pair.value = reconcile(document, pair.value, item);
                return pair;
            }
            return new YAML.Pair(createNode(document, key), createNode(document, item));
        });
        return node;
    }
    if (Array.isArray(value) && YAML.isSeq(node)) {
        const items = node.items;
        node.items = value.map((item, i) => (i < items.length ? reconcile(document, items[i], item) : createNode(document, item)));
        return node;
    }
    if (YAML.isScalar(node)) {
        if (node.value === value) {
            return node;
        }
        // A changed string keeps its quotes (and any comment on its line) where they were a choice of style.
        // Quotes the old text needed (`""`, `"true"`) say nothing about the new one, which is written as a
        // new value is: then a mode switch over relocated manifests writes what a single pass writes.
        const quoted = node.type === YAML.Scalar.QUOTE_DOUBLE || node.type === YAML.Scalar.QUOTE_SINGLE;
        if (quoted && typeof node.value === "string" && typeof value === "string" && readsBackAsString(node.value)) {
            node.value = value;
            return node;
        }
    }
    const created = createNode(document, value);
    if (YAML.isNode(node)) {
        // The comments around a replaced value stay where they were.
        created.commentBefore = node.commentBefore;
        created.comment = node.comment;
        created.spaceBefore = node.spaceBefore;
    }
    return created;
}

/**
 * A node for a new value. Strings that a YAML 1.1 reader (Helm and the Kubernetes tooling use one) would
 * take for something else, such as `yes` or `0777`, are quoted.
 */
function createNode(document: YAML.Document, value: unknown): YAML.Node {
    const node = document.createNode(value);
    YAML.visit(node, {
        Scalar(_, scalar) {
            if (typeof scalar.value === "string" && !readsBackAsString(scalar.value)) {
                scalar.type = YAML.Scalar.QUOTE_DOUBLE;
            }
        },
    });
    return node;
}

function readsBackAsString(text: string): boolean {
    try {
        return YAML.parse(text, { version: "1.1" }) === text && YAML.parse(text) === text;
    } catch {
        return false;
    }
}
