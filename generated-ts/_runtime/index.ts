/** The public API of `_runtime`: what generated TypeScript modules import. */
export const RUNTIME_VERSION = "0.1.0";
