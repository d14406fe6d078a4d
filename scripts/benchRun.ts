// One measured run of `npm run bench`: evaluates a stack offline with one of two programs, then reports
// the process's CPU time and peak memory.
// - `as-run`: the program Pulumi.yaml names (`build/program/index.js`), loaded as Pulumi's Node host loads
//   it for a `typescript: false` project (@pulumi/pulumi cmd/run/run.js: a plain `require` in the
//   directory of `main`), importing the component from the package's `dist/`;
// - `baseline`: a compiled program that registers the same resources directly, with no component.

import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateStack } from "./offline";

async function main() {
    const [stack, program, recording] = process.argv.slice(2);
    let resources: number;
    if (program === "as-run") {
        const registrations = await evaluateStack(stack);
        if (recording) {
            fs.writeFileSync(recording, JSON.stringify(registrations));
        }
        resources = registrations.length;
    } else {
        process.env.AMA_METRICS_ISTIO_BENCH_RECORDING = recording;
        resources = (await evaluateStack(stack, { program: path.join(__dirname, "baseline") })).length;
    }
    const usage = process.resourceUsage();
    process.stdout.write(
        JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKiB: usage.maxRSS, resources }) + "\n",
    );
}

main().catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
});
