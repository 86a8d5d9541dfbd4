import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimInstanceSlot } from '../../../src/kafka/instance-slot.ts';
import { consumerConfig } from '../../../src/kafka/consumer-config.ts';
import { consumerOptions } from './consumer-options.ts';

test('instances of the same groups on one host take distinct slots; a freed slot is taken again (same id after a restart)', async () => {
  const scope = `groups-${process.pid}-${Date.now()}`;
  const a = await claimInstanceSlot(scope, 'db host.1');
  const b = await claimInstanceSlot(scope, 'db host.1');
  assert.deepEqual([a.id, b.id], ['db_host.1-0', 'db_host.1-1']);
  const other = await claimInstanceSlot(`${scope}-other`, 'h');
  assert.equal(other.id, 'h-0', 'other groups have their own slots');
  await a.release();
  const restarted = await claimInstanceSlot(scope, 'db host.1');
  assert.equal(restarted.id, 'db_host.1-0');
  await Promise.all([b.release(), other.release(), restarted.release()]);
});

test('the static member id reaches librdkafka as group.instance.id, and only when set', () => {
  assert.equal(consumerConfig(consumerOptions({ groupInstanceId: 'host-0' }))['group.instance.id'], 'host-0');
  assert.equal('group.instance.id' in consumerConfig(consumerOptions()), false);
});
