// Both commands (the post-renderer and the verify command) need Node 22: the verify command's HTTP client
// (undici inside @kubernetes/client-node) and the ES-module loading the package relies on fail on older
// versions with errors that do not say why. package.json's `engines` says the same.

/** The lowest Node major version the package's commands run on. */
const minimumNodeMajor = 22;

/** The message for a Node version below the minimum, or undefined. `version` is `process.versions.node`. */
export function nodeVersionProblem(command: string, version: string): string | undefined {
    const major = Number(version.split(".")[0]);
    if (Number.isInteger(major) && major >= minimumNodeMajor) return undefined;
    return `${command}: needs Node ≥ ${minimumNodeMajor}; this is Node ${version}. Install Node ${minimumNodeMajor} or later (https://nodejs.org, or nvm install ${minimumNodeMajor}) and run it again.`;
}
