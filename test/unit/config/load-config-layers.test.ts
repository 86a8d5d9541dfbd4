// loadConfig: how file, environment and --set layer, and unknown keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envVarFor } from '../../../src/config/env-names.ts';
import { CONFIG_KEYS } from '../../../src/config/key-table.ts';
import { load, fromText, configError, textError } from './load-config-helpers.ts';

describe('loadConfig: layers', () => {
  it('lets the file override defaults', () => {
    const config = fromText('sink.batch.max.records=500\nsink.insert.mode=UPSERT');
    assert.equal(config.sink.batchMaxRecords, 500);
    assert.equal(config.sink.insertMode, 'upsert');
    assert.equal(config.origins['sink.batch.max.records'], 'sink.properties:1');
    assert.equal(config.origins['sink.linger.ms'], undefined);
    assert.equal(config.origins['sink.batch.linger.ms'], 'default');
  });

  it('lets the environment override the file', () => {
    const config = fromText('mysql.password=fromfile\nkafka.bootstrap.servers=a:1', {
      env: { KMS_MYSQL_PASSWORD: 'fromenv', KMS_KAFKA_BOOTSTRAP_SERVERS: 'b:2, c:3' },
    });
    assert.equal(config.mysql.password, 'fromenv');
    assert.deepEqual(config.kafka.bootstrapServers, ['b:2', 'c:3']);
    assert.equal(config.origins['mysql.password'], 'environment variable KMS_MYSQL_PASSWORD');
  });

  it('lets --set override the environment, the last --set winning', () => {
    const config = fromText('max.poll.records=1', {
      env: { KMS_MAX_POLL_RECORDS: '2' },
      overrides: ['max.poll.records=3', ' max.poll.records = 4'],
    });
    assert.equal(config.backpressure.maxPollRecords, 4);
    assert.equal(config.origins['max.poll.records'], '--set');
  });

  it('keeps everything after the first = of an override', () => {
    assert.equal(load({ overrides: ['mysql.password=a=b='] }).mysql.password, 'a=b=');
  });

  it('validates only the effective value', () => {
    assert.equal(
      fromText('max.poll.records=abc', { env: { KMS_MAX_POLL_RECORDS: '7' } }).backpressure.maxPollRecords,
      7,
    );
  });

  it('maps every key to its own env var', () => {
    const names = CONFIG_KEYS.map((spec) => envVarFor(spec.key));
    assert.equal(new Set(names).size, names.length);
    assert.equal(envVarFor('mysql.maxPoolSize'), 'KMS_MYSQL_MAXPOOLSIZE');
    assert.equal(load({ env: { KMS_MYSQL_MAXPOOLSIZE: '7' } }).mysql.poolSize, 7);
    assert.equal(load({ env: { KMS_MYSQL_MAX_POOL_SIZE: '8' } }).mysql.poolSize, 8);
  });

  it('ignores KMS_* variables that are not config keys', () => {
    const config = load({
      env: { KMS_ROOT: '/work/main', KMS_NODE_VERSION: '24', KMS_LOG_FILE: '/tmp/x.log', KMS_BOGUS: 'x', PATH: '/bin' },
    });
    assert.equal(config.log.level, 'info');
  });

  it('rejects the two spellings of an env var with different values', () => {
    configError(
      { env: { KMS_MYSQL_MAXPOOLSIZE: '7', KMS_MYSQL_MAX_POOL_SIZE: '8' } },
      /^config key mysql\.maxPoolSize \(from environment variables KMS_MYSQL_MAXPOOLSIZE and KMS_MYSQL_MAX_POOL_SIZE\) is set twice with different values; unset one/,
    );
  });

  it('names the env var in errors', () => {
    configError(
      { env: { KMS_BLOCKING_QUEUE_SIZE: '0' } },
      /^config key blocking\.queue\.size = "0" \(from environment variable KMS_BLOCKING_QUEUE_SIZE\) is out of range; set a whole number from 1 to 10000000$/,
    );
  });

  it('names the flag in errors', () => {
    configError(
      { overrides: ['log.level=loud'] },
      /^config key log\.level = "loud" \(from --set\) is not an allowed value; set one of trace, debug, info, warn, error, fatal, silent$/,
    );
  });

  it('rejects an override without key=value', () => {
    configError(
      { overrides: ['max.poll.records'] },
      /^flag --set "max\.poll\.records" is not key=value; write --set key=value/,
    );
    configError({ overrides: ['=hunter2'] }, /^flag --set is not key=value/, 'hunter2');
  });
});

describe('loadConfig: unknown keys', () => {
  it('suggests the closest key', () => {
    textError(
      'max.poll.records=1\nkafka.bootstrap.server=x:1',
      /^unknown config key "kafka\.bootstrap\.server" \(from sink\.properties:2\); did you mean "kafka\.bootstrap\.servers"\?$/,
    );
    textError('mysql.maxpoolsize=5', /did you mean "mysql\.maxPoolSize"\?/);
    textError('blocking_queue_size=5', /did you mean "blocking\.queue\.size"\?/);
    textError('sink.batch.max.record=5', /did you mean "sink\.batch\.max\.records"\?/);
    textError('bootstrap.servers=x', /did you mean "kafka\.bootstrap\.servers"\?/);
  });

  it('says what to do when nothing is close', () => {
    textError(
      'completely.different=1',
      /^unknown config key "completely\.different" \(from sink\.properties:1\); remove it \(the accepted keys are listed in config\/sink\.properties\)$/,
    );
  });

  it('rejects unknown keys from --set too, even if a later layer is fine', () => {
    configError(
      { overrides: ['sink.batch.linger=5'] },
      /^unknown config key "sink\.batch\.linger" \(from --set\); did you mean "sink\.batch\.linger\.ms"\?/,
    );
  });

  it('never shows the value of an unknown key (it may be a mistyped password)', () => {
    textError('mysql.pasword=hunter2', /did you mean "mysql\.password"\?/, 'hunter2');
  });

  it('counts further problems', () => {
    textError('a.b=1\nc.d=2\nmax.poll.records=x', /^unknown config key "a\.b" .* \(and 2 more config problems\)$/);
  });
});
