// Relabel regexes compile as Prometheus compiles them: Go's RE2 syntax, anchored as `^(?s:<regex>)$`
// (prometheus/prometheus v3.14.0 model/relabel/relabel.go `NewRegexp`). JavaScript's RegExp is not RE2
// (it has back-references and lookaround, lacks `(?P<name>)` and `(?i)`), so re2js, a port of RE2, decides.

import { RE2JS } from "re2js";

/** Why Prometheus would not compile the regex, or undefined when it would. */
export function relabelRegexError(regex: string): string | undefined {
    try {
        RE2JS.compile(`^(?s:${regex})$`);
        return undefined;
    } catch (error) {
        return error instanceof Error ? error.message : String(error);
    }
}
