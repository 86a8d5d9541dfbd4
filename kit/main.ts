/** `./kms`: the product's commands plus the operator kit (local stack, provisioning, tools, demo, bench, tests). */
import { productProgram, runProgram } from '../src/app/cli-program.ts';
import { registerBenchCommand } from './cli/bench-command.ts';
import { registerConfigCommand } from './cli/config-command.ts';
import { registerDeadLettersCommand } from './cli/dead-letters-command.ts';
import { registerDemoCommand } from './cli/demo-command.ts';
import { registerProduceCommand } from './cli/produce-command.ts';
import { registerProvisionCommand } from './cli/provision-command.ts';
import { registerStackCommand } from './cli/stack-command.ts';
import { registerStatusCommand } from './cli/status-command.ts';
import { registerTestCommand } from './cli/test-command.ts';
import { registerVerifyCommand } from './cli/verify-command.ts';

const program = productProgram();
registerDemoCommand(program);
registerStackCommand(program);
registerTestCommand(program);
registerProvisionCommand(program);
registerProduceCommand(program);
registerVerifyCommand(program);
registerStatusCommand(program);
registerDeadLettersCommand(program);
registerBenchCommand(program);
registerConfigCommand(program);

await runProgram(program, process.argv);
