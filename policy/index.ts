// `pulumi preview --policy-pack policy`: the rules ama-metrics-istio applies to itself, enforced on
// any stack of the organisation. Install the repository's dependencies first (`npm ci` at its root).
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("ama-metrics-istio", { policies });
