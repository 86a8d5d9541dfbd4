import { Command, CommanderError } from 'commander';
import { SinkError, describeError } from './errors.ts';
import { registerStackCommand } from './cli/stack-command.ts';
import { registerTestCommand } from './cli/test-command.ts';
import { registerProvisionCommand } from './cli/provision-command.ts';
import { registerProduceCommand } from './cli/produce-command.ts';
import { registerVerifyCommand } from './cli/verify-command.ts';
import { registerStatusCommand } from './cli/status-command.ts';
import { registerRunCommands } from './cli/run-command.ts';
import { registerBenchCommand } from './cli/bench-command.ts';
import { registerDemoCommand } from './cli/demo-command.ts';

const program = new Command('kms')
  .description('kafka-mysql-sink: exactly-once, partition-parallel Avro sink from Kafka into MySQL / MariaDB')
  .showHelpAfterError()
  .exitOverride();

registerRunCommands(program);
registerDemoCommand(program);
registerStackCommand(program);
registerTestCommand(program);
registerProvisionCommand(program);
registerProduceCommand(program);
registerVerifyCommand(program);
registerStatusCommand(program);
registerBenchCommand(program);

/** Exit codes: 0 ok, 1 runtime failure, 2 bad configuration or usage. One line, no stack trace. */
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  const usage = error instanceof SinkError && (error.code === 'CONFIG_INVALID' || error.code === 'USAGE');
  console.error(`kms: ${describeError(error)}`);
  if (process.env.KMS_DEBUG) console.error(error);
  process.exit(usage ? 2 : 1);
}
