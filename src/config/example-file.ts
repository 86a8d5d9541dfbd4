/**
 * The text of config/sink.properties, made from the key declaration: the seed's keys set to their
 * defaults in the seed's own sections, then every other key commented out with its default and doc line.
 * `./kms config --write-example` writes it; a unit test fails when the file differs.
 */
import type { Declaration } from './declare-keys.ts';
import { KEY_ENTRIES } from './load-config.ts';
import { formatProperty } from './properties.ts';

/** Where the example lives, relative to the project root. */
export const EXAMPLE_FILE = 'config/sink.properties';

const HEADER = [
  '# kafka-mysql-sink configuration.',
  "# The seed system's keys come first and keep their meaning; every key may also be set through the",
  '# environment (KMS_ + key upper-cased, dots to underscores, e.g. KMS_MYSQL_PASSWORD) or with',
  '# --set key=value. Precedence: defaults < this file < environment < --set.',
];
const RULE = `# ${'-'.repeat(93)}`;
const OWN_KEYS_BANNER = [RULE, '# kafka-mysql-sink keys. All optional; the values shown are the defaults.', RULE];

export function exampleProperties(): string {
  const lines = [...HEADER];
  let previous: Declaration | undefined;
  for (const { declaration } of KEY_ENTRIES) {
    const { section } = declaration;
    if (section !== previous?.section) {
      if (!section.seed && (previous === undefined || previous.section.seed)) lines.push('', ...OWN_KEYS_BANNER);
      lines.push('', `# ${section.title}`);
    }
    lines.push(...entryLines(declaration));
    previous = declaration;
  }
  return `${lines.join('\n')}\n`;
}

/** Seed keys are set as the seed's file sets them; our own keys are documented and commented out. */
function entryLines(declaration: Declaration): string[] {
  if (declaration.kind === 'prefix') {
    const { prefix, example } = declaration;
    return [`# ${declaration.doc}`, `#${formatProperty(prefix + example.name, example.value)}`];
  }
  const line = formatProperty(declaration.name, declaration.default);
  return declaration.section.seed ? [line] : [`# ${declaration.doc}`, `#${line}`];
}

/** Why `text` (the content of config/sink.properties) is not what the declaration gives, or undefined. */
export function exampleFileProblem(text: string): string | undefined {
  const expected = exampleProperties();
  if (text === expected) return undefined;
  const differs = `${EXAMPLE_FILE} differs from the key declaration (src/config/sink-keys.ts)`;
  const fix = 'run ./kms config --write-example (change keys in the declaration, not in the file)';
  const lines = (content: string): string[] => content.replace(/\n$/, '').split('\n');
  const have = lines(text);
  const want = lines(expected);
  const mismatch = want.findIndex((line, i) => line !== have[i]);
  // No mismatch: the file has extra lines after the declaration's, or only its final newline differs.
  const at = mismatch >= 0 ? mismatch : want.length;
  if (at >= have.length && at >= want.length) return `${differs} in its final newline; ${fix}`;
  const quote = (line: string | undefined): string => JSON.stringify(line ?? '<end of file>');
  return `${differs} at line ${at + 1}: it has ${quote(have[at])} where the declaration gives ${quote(want[at])}; ${fix}`;
}
