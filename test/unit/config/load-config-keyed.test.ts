import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromText, textError } from './load-config-helpers.ts';

describe('loadConfig: sink.pk.mode', () => {
  it('keeps the meaning of configs written before it existed', () => {
    assert.equal(fromText('').sink.pkMode, 'kafka');
    assert.equal(fromText('sink.pk.fields=id').sink.pkMode, 'record_value');
    assert.equal(fromText('sink.provenance.columns=false').sink.pkMode, 'none');
  });

  it('takes an explicit mode, any case', () => {
    const config = fromText('sink.pk.mode=RECORD_KEY\nsink.delete.enabled=true\nsink.insert.mode=update');
    assert.equal(config.sink.pkMode, 'record_key');
    assert.equal(config.sink.deleteEnabled, true);
    assert.equal(config.sink.insertMode, 'update');
    assert.equal(config.sink.updateMissing, 'skip');
    assert.equal(config.sink.keyFormat, 'avro');
  });
});

describe('loadConfig: keyed-table keys refuse what cannot work, in one line', () => {
  const cases: [string, RegExp][] = [
    [
      'sink.insert.mode=update',
      /^config key sink\.insert\.mode \(from sink\.properties:1\) = update changes rows found by key, but sink\.pk\.mode \(unset: kafka\) keys every record on its own Kafka coordinates, so no record could ever find a row; set sink\.pk\.mode=record_key or record_value$/,
    ],
    [
      'sink.insert.mode=update\nsink.pk.mode=none',
      /^config key sink\.insert\.mode \(from sink\.properties:1\) = update needs a key to match rows on, and there is none; set sink\.pk\.mode to kafka, record_key or record_value$/,
    ],
    [
      'sink.pk.mode=primary',
      /sink\.pk\.mode = "primary" .* is not an allowed value; set one of none, kafka, record_key, record_value, or leave it empty/,
    ],
    ['sink.update.missing=drop', /sink\.update\.missing = "drop" .* set one of skip, dead_letter/],
    ['sink.key.format=json', /sink\.key\.format = "json" .* set one of avro, string, int, long, bytes/],
    [
      'sink.delete.enabled=true',
      /^config key sink\.delete\.enabled \(from sink\.properties:1\) needs sink\.pk\.mode=record_key \(a tombstone names its row only by its key\), but it is kafka; set sink\.pk\.mode=record_key or sink\.delete\.enabled=false$/,
    ],
    [
      'sink.delete.enabled=true\nsink.pk.fields=id',
      /sink\.delete\.enabled .* needs sink\.pk\.mode=record_key .* but it is record_value/,
    ],
    [
      'sink.pk.mode=kafka\nsink.provenance.columns=false',
      /config key sink\.pk\.mode \(from sink\.properties:1\) keys rows on the Kafka coordinates, but sink\.provenance\.columns .* leaves them out; set sink\.provenance\.columns=true/,
    ],
    [
      'sink.pk.mode=kafka\nsink.pk.fields=id',
      /sink\.pk\.fields .* names fields, but sink\.pk\.mode .* keys rows on the Kafka coordinates/,
    ],
    ['sink.pk.mode=record_value', /config key sink\.pk\.mode .* needs the key's value fields; set sink\.pk\.fields/],
    [
      'sink.pk.mode=record_key\nsink.key.format=string\nsink.pk.fields=a,b',
      /sink\.pk\.fields .* names 2 fields, but a string key \(sink\.key\.format .*\) is one column; name at most one/,
    ],
  ];
  for (const [text, pattern] of cases) {
    it(`rejects ${text.replaceAll('\n', ' + ')}`, () => {
      textError(text, pattern);
    });
  }
});
