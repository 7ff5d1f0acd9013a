/** Transpiles the stale server modules into the cache folder (or `outDir`) and returns the URL of its `src/main.js`. */
export function compiledMain(options?: { outDir?: string }): Promise<{ main: string; transpiled: number; out: string }>;
