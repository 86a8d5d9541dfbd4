/** The sink alone: `node src/main.ts run|start|stop`. `./kms` runs kit/main.ts, which adds the operator kit. */
import { listenForEarlyStop } from './app/early-stop.ts';

// Listening before the rest of the product loads (a dynamic import, so it loads after this line runs).
if (process.argv[2] === 'run') listenForEarlyStop();
const { productProgram, runProgram } = await import('./app/cli-program.ts');
await runProgram(productProgram(), process.argv);
