import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load-config.ts';
import { isSinkError } from '../../../src/core/errors.ts';

const problemOf = (overrides: string[]): string => {
  try {
    loadConfig({ overrides });
  } catch (error) {
    assert.ok(isSinkError(error, 'CONFIG_INVALID'));
    return (error as Error).message;
  }
  return assert.fail('loaded');
};

describe('sink.cdc.format and sink.cdc.columns', () => {
  it('loads a Debezium change stream keyed on the record key', () => {
    const config = loadConfig({
      overrides: [
        'sink.cdc.format=Debezium',
        'sink.cdc.columns=op, source.ts_ms,op',
        'sink.pk.mode=record_key',
        'sink.insert.mode=upsert',
      ],
    });
    assert.equal(config.sink.cdcFormat, 'debezium');
    assert.deepEqual(config.sink.cdcColumns, ['op', 'source.ts_ms']);
    assert.equal(loadConfig({}).sink.cdcFormat, 'none');
  });

  it('refuses what cannot work, in one line naming the keys', () => {
    assert.match(
      problemOf(['sink.cdc.format=debezium', 'sink.insert.mode=upsert']),
      /sink\.cdc\.format \(from --set\) = debezium finds rows by the record key \(Debezium's key schema\), but sink\.pk\.mode is kafka; set sink\.pk\.mode=record_key/,
    );
    assert.match(
      problemOf(['sink.cdc.format=debezium', 'sink.pk.mode=record_key']),
      /applies creates and updates as upserts, but sink\.insert\.mode \(from default\) is insert; set sink\.insert\.mode=upsert/,
    );
    assert.match(
      problemOf(['sink.cdc.columns=op']),
      /sink\.cdc\.columns \(from --set\) names change columns, but sink\.cdc\.format \(from default\) is none/,
    );
    assert.match(
      problemOf(['sink.cdc.columns=op,before']),
      /sink\.cdc\.columns = "op,before" \(from --set\) has an unknown change column "before"; list some of op, source\.ts_ms, ts_ms/,
    );
    assert.match(
      problemOf(['sink.cdc.format=maxwell']),
      /sink\.cdc\.format = "maxwell" \(from --set\) is not an allowed value; set one of none, debezium/,
    );
    for (const message of [problemOf(['sink.cdc.format=debezium']), problemOf(['sink.cdc.columns=x'])]) {
      assert.ok(!message.includes('\n'));
    }
  });
});
