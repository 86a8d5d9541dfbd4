/**
 * Option-argument parsers shared by the tool commands. Commander turns an InvalidArgumentError into
 * "error: option '--records <n>' argument 'x' is invalid. <reason>" and exit code 2.
 */
import { InvalidArgumentError, type Command } from 'commander';

/** Whole number within [min, max]; `1e6` and `1_000_000` are accepted for record counts. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text: string): number => {
    const value = Number(text.replace(/_/g, ''));
    if (text.trim() === '' || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

/** Positive number (fractions allowed), e.g. a rate or a timeout in seconds. */
export function positiveNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError('expected a number > 0');
  return value;
}

/** Comma-separated names, blanks dropped, at least one. */
export function nameList(text: string): string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new InvalidArgumentError('expected one or more comma-separated names');
  return names;
}

/**
 * A usage mistake as one line, `kms: <what> (see kms <command> --help)`, like every other error of the
 * CLI, instead of commander's "error: ..." followed by the whole help text.
 */
export function oneLineUsageErrors(command: Command): Command {
  // A subcommand is named with its parents (`kms dead-letters show --help`), the program itself left out.
  const path = (c: Command): string => (c.parent?.parent ? `${path(c.parent)} ${c.name()}` : c.name());
  return command.showHelpAfterError(false).configureOutput({
    outputError: (text, write) =>
      write(`kms: ${text.trim().replace(/^error: /, '')} (see kms ${path(command)} --help)\n`),
  });
}
