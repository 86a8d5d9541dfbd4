import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  PEER_DEFAULTS,
  describePeerSettings,
  parsePeerSets,
  peerUsesTls,
} from '../../../../kit/bench/peer-settings.ts';
import { SinkError } from '../../../../src/core/errors.ts';

describe('peer settings', () => {
  it('starts from the measured defaults', () => {
    assert.deepEqual(parsePeerSets([]), PEER_DEFAULTS);
  });

  it('applies overrides in order; "default" restores the connector default', () => {
    const settings = parsePeerSets([
      'tasks=3',
      'batch.size=default',
      'max.poll.records=2000',
      'heap=1g',
      'decode.key=true',
      'connector.errors.tolerance=all',
      'worker.offset.flush.interval.ms=1000',
      'tasks=9',
    ]);
    assert.equal(settings.tasks, 9);
    assert.equal(settings.batchSize, undefined);
    assert.equal(settings.maxPollRecords, 2000);
    assert.equal(settings.heap, '1g');
    assert.equal(settings.decodeKey, true);
    assert.deepEqual(settings.connector, { 'errors.tolerance': 'all' });
    assert.deepEqual(settings.worker, { 'offset.flush.interval.ms': '1000' });
    assert.deepEqual(PEER_DEFAULTS.connector, {}, 'defaults untouched');
  });

  it('describes the settings with defaults named and passwords masked', () => {
    const lines = describePeerSettings(
      parsePeerSets(['batch.size=default', 'connector.connection.password=x']),
      'preferred',
    );
    assert.ok(lines.includes('batch.size=500 (default)'));
    assert.ok(lines.includes('connector connection.password=******'));
  });

  it('talks to MariaDB over the same transport as the sink unless told otherwise', () => {
    assert.equal(peerUsesTls(PEER_DEFAULTS, 'preferred'), true);
    assert.equal(peerUsesTls(PEER_DEFAULTS, 'verify_identity'), true);
    assert.equal(peerUsesTls(PEER_DEFAULTS, 'disabled'), false);
    assert.equal(peerUsesTls(parsePeerSets(['tls=false']), 'preferred'), false);
    assert.equal(peerUsesTls(parsePeerSets(['tls=true']), 'disabled'), true);
    assert.equal(peerUsesTls(parsePeerSets(['tls=false', 'tls=default']), 'disabled'), false);
    assert.ok(
      describePeerSettings(PEER_DEFAULTS, 'preferred').includes('MariaDB transport=TLS (sslMode=trust) (as the sink)'),
    );
    assert.ok(describePeerSettings(parsePeerSets(['tls=false']), 'preferred').includes('MariaDB transport=plain TCP'));
  });

  const bad: [string, RegExp][] = [
    ['tasks', /expected key=value/],
    ['=3', /expected key=value/],
    ['threads=3', /key one of tasks, batch\.size/],
    ['connector.=x', /key one of/],
    ['tasks=0', /tasks must be a whole number from 1 to 64/],
    ['tasks=65', /tasks must be/],
    ['tasks=2.5', /tasks must be/],
    ['batch.size=-1', /batch\.size must be a whole number/],
    ['max.poll.records=lots', /max\.poll\.records must be/],
    ['heap=banana', /heap must be a JVM size/],
    ['heap=0g', /heap must be/],
    ['decode.key=yes', /decode\.key must be true or false/],
    ['tls=on', /tls must be true, false or "default"/],
  ];
  for (const [input, pattern] of bad) {
    it(`rejects --peer-set ${input} in one line`, () => {
      assert.throws(
        () => parsePeerSets([input]),
        (error: unknown) =>
          error instanceof SinkError &&
          error.code === 'USAGE' &&
          pattern.test(error.message) &&
          error.message.startsWith(`--peer-set ${JSON.stringify(input)}: `) &&
          !error.message.includes('\n'),
      );
    });
  }
});
