// Address ranges as Istio's traffic annotations list them (`traffic.sidecar.istio.io/includeOutboundIPRanges`:
// comma-separated CIDR ranges, or `*` for every address), and whether they hold an address. Membership is
// Node's own (net.BlockList), for IPv4 and IPv6.

import { BlockList, isIP } from "node:net";

export interface IpRanges {
    /** Whether the ranges hold `address` (an IPv4 or IPv6 address). */
    holds(address: string): boolean;
    /** Entries that are no CIDR range (they hold nothing). */
    unreadable: string[];
}

export function parseIpRanges(text: string): IpRanges {
    const list = new BlockList();
    const unreadable: string[] = [];
    let all = false;
    for (const entry of text
        .split(",")
        .map((e) => e.trim())
        .filter((e) => e !== "")) {
        if (entry === "*") {
            all = true;
            continue;
        }
        const [address, prefix, extra] = entry.split("/");
        const family = isIP(address);
        try {
            if (family === 0 || extra !== undefined || (prefix !== undefined && !/^\d+$/.test(prefix))) {
                throw new Error(entry);
            }
            const type = family === 6 ? "ipv6" : "ipv4";
            if (prefix === undefined) {
                list.addAddress(address, type);
            } else {
                list.addSubnet(address, Number(prefix), type);
            }
        } catch {
            unreadable.push(entry);
        }
    }
    return {
        unreadable,
        holds: (address) => {
            const family = isIP(address);
            return family !== 0 && (all || list.check(address, family === 6 ? "ipv6" : "ipv4"));
        },
    };
}
