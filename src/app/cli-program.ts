import { Command, CommanderError } from 'commander';
import { describeError, SinkError } from '../core/errors.ts';
import { registerRunCommands } from './run-command.ts';

/** The product's commands (run, start, stop): what an operator deploys. The kit adds its own to this. */
export function productProgram(): Command {
  const program = new Command('kms')
    .description('kafka-mysql-sink: exactly-once, partition-parallel Avro sink from Kafka into MySQL / MariaDB')
    .showHelpAfterError()
    .exitOverride();
  registerRunCommands(program);
  return program;
}

/** Exit codes: 0 ok, 1 runtime failure, 2 bad configuration or usage. One line, no stack trace. */
export async function runProgram(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    const usage = error instanceof SinkError && (error.code === 'CONFIG_INVALID' || error.code === 'USAGE');
    console.error(`kms: ${describeError(error)}`);
    if (process.env.KMS_DEBUG) console.error(error);
    process.exit(usage ? 2 : 1);
  }
}
