/** The sink alone: `node src/main.ts run|start|stop`. `./kms` runs kit/main.ts, which adds the operator kit. */
import { enableCompileCache, flushCompileCache } from 'node:module';
import { listenForEarlyStop } from './app/early-stop.ts';

// Node's compile cache keeps each module's type-stripped source and V8 code on disk. A start that finds
// all of them never loads the TypeScript stripper (a WebAssembly instance): about 20 MB less RSS once
// loaded, 8 MB less at a drain's peak on average, and a faster start (docs/benchmarks.md, "Memory").
// `./kms` sets NODE_COMPILE_CACHE to .tools/compile-cache before this file loads; without it Node
// picks a folder under the temp dir.
enableCompileCache();
// Listening before the rest of the product loads (a dynamic import, so it loads after this line runs).
if (process.argv[2] === 'run') listenForEarlyStop();
const { productProgram, runProgram } = await import('./app/cli-program.ts');
// Written now rather than at exit, so a sink that is later killed still leaves the cache for the next start.
flushCompileCache();
await runProgram(productProgram(), process.argv);
