/** The sink alone: `node src/main.ts run|start|stop`. `./kms` runs kit/main.ts, which adds the operator kit. */
import { productProgram, runProgram } from './app/cli-program.ts';

await runProgram(productProgram(), process.argv);
