#!/usr/bin/env node
// The `mirrortube` command: runs the TypeScript sources without a build step. They are transpiled
// into a cache folder when changed (compiled-sources.js) and run by node itself; MIRRORTUBE_TSX=1
// runs them through tsx instead (its module hooks cost about 115 MB of memory for the process's life).
let main;
if (process.env.MIRRORTUBE_TSX === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../main.ts'));
} else {
  const { compiledMain } = await import('./compiled-sources.js');
  ({ main } = await import((await compiledMain()).main));
}
process.exitCode = await main(process.argv.slice(2));
