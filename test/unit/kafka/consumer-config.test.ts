import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { consumerConfig } from '../../../src/kafka/consumer-config.ts';
import { consumerOptions as options } from './consumer-options.ts';

describe('consumerConfig', () => {
  it('gives the exact librdkafka settings for the defaults', () => {
    assert.deepEqual(consumerConfig(options()), {
      'max.partition.fetch.bytes': 262_144,
      'heartbeat.interval.ms': 500,
      'reconnect.backoff.max.ms': 1000,
      'bootstrap.servers': '127.0.0.1:9092',
      'group.id': 'group-dataset1',
      'client.id': 'kms-1',
      'session.timeout.ms': 10_000,
      'fetch.max.bytes': 1_048_576,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'partition.assignment.strategy': 'cooperative-sticky',
      'socket.keepalive.enable': true,
      'log.connection.close': false,
    });
  });

  it('reconnects to a broker that is back within a second, unless kafka.consumer.* says otherwise', () => {
    assert.equal(consumerConfig(options())['reconnect.backoff.max.ms'], 1000);
    const extra = { 'reconnect.backoff.max.ms': '5000' };
    assert.equal(consumerConfig(options({ extra }))['reconnect.backoff.max.ms'], '5000');
  });

  it('keeps the heartbeat under a third of a short session timeout', () => {
    assert.equal(consumerConfig(options({ sessionTimeoutMs: 1_200 }))['heartbeat.interval.ms'], 400);
    assert.equal(consumerConfig(options({ sessionTimeoutMs: 1_000 }))['heartbeat.interval.ms'], 333);
  });

  it('lets kafka.consumer.* override the tuned defaults and add other properties', () => {
    const config = consumerConfig(
      options({
        extra: { 'heartbeat.interval.ms': '3000', 'queued.min.messages': '100000', 'security.protocol': 'ssl' },
      }),
    );
    assert.equal(config['heartbeat.interval.ms'], '3000');
    assert.equal(config['queued.min.messages'], '100000');
    assert.equal(config['security.protocol'], 'ssl');
    assert.equal(config['reconnect.backoff.max.ms'], 1000);
  });

  it('never lets a pass-through property replace what the offset protocol depends on', () => {
    // Config loading already refuses these keys; this is the second line of defence.
    const config = consumerConfig(
      options({
        extra: { 'enable.auto.commit': 'true', 'group.id': 'other', 'partition.assignment.strategy': 'range' },
      }),
    );
    assert.equal(config['enable.auto.commit'], false);
    assert.equal(config['group.id'], 'group-dataset1');
    assert.equal(config['partition.assignment.strategy'], 'cooperative-sticky');
  });

  it('is frozen', () => {
    assert.ok(Object.isFrozen(consumerConfig(options())));
  });
});
