import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EXAMPLE_FILE, exampleProperties } from '../../src/config/example-file.ts';
import { projectRoot } from '../../src/app/project-root.ts';
import { oneLineUsageErrors } from '../../src/app/flag-parsers.ts';

const EXAMPLES = `
Examples:
  kms config                    print the example properties file: every key, its default and a one-line doc
  kms config --write-example    rewrite ${EXAMPLE_FILE} from the key declaration (src/config/sink-keys.ts)

${EXAMPLE_FILE} is generated: after adding or changing a key, run kms config --write-example
(a unit test fails while the file and the declaration differ).`;

export function registerConfigCommand(program: Command): void {
  oneLineUsageErrors(program.command('config'))
    .description(`the example config: print it, or write it to ${EXAMPLE_FILE}`)
    .option('--write-example', `write it to ${EXAMPLE_FILE}`)
    .addHelpText('after', EXAMPLES)
    .action((flags: { writeExample?: boolean }) => {
      const text = exampleProperties();
      if (flags.writeExample !== true) {
        process.stdout.write(text);
        return;
      }
      writeFileSync(join(projectRoot(), EXAMPLE_FILE), text);
      console.log(`wrote ${EXAMPLE_FILE}`);
    });
}
