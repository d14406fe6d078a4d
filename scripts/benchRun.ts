// One measured run of `npm run bench`: evaluates a stack offline with the component (optionally
// recording its registrations) or with the baseline program, then reports peak memory.

import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateStack } from "./offline";

async function main() {
    const [stack, program, recording] = process.argv.slice(2);
    let resources: number;
    if (program === "component") {
        const registrations = await evaluateStack(stack);
        if (recording) {
            fs.writeFileSync(recording, JSON.stringify(registrations));
        }
        resources = registrations.length;
    } else {
        process.env.AMA_METRICS_ISTIO_BENCH_RECORDING = recording;
        resources = (await evaluateStack(stack, path.join(__dirname, "baseline"))).length;
    }
    process.stdout.write(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, resources }) + "\n");
}

main().catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
});
