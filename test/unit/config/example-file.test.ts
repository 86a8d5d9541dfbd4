import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONFIG_KEYS } from '../../../src/config/key-table.ts';
import { exampleFileProblem, exampleProperties } from '../../../src/config/example-file.ts';
import { parseProperties } from '../../../src/config/properties.ts';

const EXAMPLE_FILE = new URL('../../../config/sink.properties', import.meta.url);

describe('config/sink.properties', () => {
  it('is exactly what the key declaration produces', () => {
    const problem = exampleFileProblem(readFileSync(EXAMPLE_FILE, 'utf8'));
    assert.equal(problem, undefined, problem);
  });

  it('says where a stale file differs and how to regenerate it', () => {
    const stale = exampleProperties().replace('#sink.batch.max.records=2000', '#sink.batch.max.records=1000');
    const problem = exampleFileProblem(stale) ?? '';
    assert.match(
      problem,
      /^config\/sink\.properties differs from the key declaration \(src\/config\/sink-keys\.ts\) at line \d+: it has "#sink\.batch\.max\.records=1000" where the declaration gives "#sink\.batch\.max\.records=2000"; run \.\/kms config --write-example/,
    );
    assert.match(
      exampleFileProblem(`${exampleProperties()}extra=1\n`) ?? '',
      /it has "extra=1" where the declaration gives "<end of file>"/,
    );
    assert.match(exampleFileProblem(exampleProperties().slice(0, 100)) ?? '', /at line 2: /);
    assert.match(exampleFileProblem(exampleProperties().trimEnd()) ?? '', /differs .* in its final newline; run/);
  });

  it('sets the seed keys first, in the seed file sections, then comments out every other key', () => {
    const text = exampleProperties();
    const set = parseProperties(text);
    assert.deepEqual(
      [...set.keys()],
      CONFIG_KEYS.filter((k) => k.seed).map((k) => k.key),
    );
    assert.deepEqual(text.match(/^# [A-Z][A-Za-z ]+$/gm), [
      '# Kafka',
      '# Back Pressure',
      '# MySQL',
      '# MySQL TLS',
      '# Kafka security',
      '# Kafka consumer',
      '# Backpressure and batching',
      '# Tables',
      '# Errors and retries',
      '# Status server and logging',
    ]);
    for (const { key, default: value, description, seed } of CONFIG_KEYS) {
      if (!seed) assert.ok(text.includes(`# ${description}\n#${key}=${value}\n`), `${key} documented`);
    }
    assert.ok(
      text.includes('\n#kafka.consumer.auto.offset.reset=earliest\n'),
      'the pass-through prefix has an example',
    );
  });
});
