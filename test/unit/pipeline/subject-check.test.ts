import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { isSinkError } from '../../../src/core/errors.ts';
import { SubjectCheck, valueSubject } from '../../../src/pipeline/subject-check.ts';

const order = parseAvroSchema({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [{ name: 'id', type: 'long' }],
});

test('each Confluent strategy names the subject of a value schema', () => {
  assert.equal(valueSubject('TopicNameStrategy', 'orders', order), 'orders-value');
  assert.equal(valueSubject('RecordNameStrategy', 'orders', order), 'shop.Order');
  assert.equal(valueSubject('TopicRecordNameStrategy', 'orders', order), 'orders-shop.Order');
  assert.deepEqual(valueSubject('RecordNameStrategy', 'orders', parseAvroSchema('"string"')), {
    problem: 'its schema is a string, not a record, so RecordNameStrategy names no subject',
  });
});

test('a schema id registered under the topic subject passes, once; another subject is SCHEMA_SUBJECT_MISMATCH', async () => {
  const asked: number[] = [];
  const subjects: Record<number, string[]> = { 1: ['orders-value', 'copy-value'], 2: ['payments-value'], 3: [] };
  const check = new SubjectCheck(
    {
      subjectsOf: async (id) => {
        asked.push(id);
        return subjects[id]!;
      },
    },
    'orders',
    'TopicNameStrategy',
  );
  assert.equal(check.passed(1), false);
  await check.check(1, order);
  assert.equal(check.passed(1), true);
  for (const id of [2, 2, 3]) {
    await assert.rejects(check.check(id, order), (error: unknown) => {
      assert.ok(isSinkError(error, 'SCHEMA_SUBJECT_MISMATCH') && !error.retriable);
      assert.match(
        error.message,
        new RegExp(`^schema id ${id} is registered under (no subject|"payments-value"), not under "orders-value"`),
      );
      return true;
    });
  }
  assert.deepEqual(asked, [1, 2, 3], 'one registry question per schema id');
});

test('a registry that does not answer is not a verdict: the error passes through and the id is asked again', async () => {
  let calls = 0;
  const check = new SubjectCheck(
    {
      subjectsOf: async () => {
        if (++calls === 1) throw new Error('ECONNREFUSED');
        return ['orders-shop.Order'];
      },
    },
    'orders',
    'TopicRecordNameStrategy',
  );
  await assert.rejects(check.check(7, order), /ECONNREFUSED/);
  await check.check(7, order);
  assert.equal(check.passed(7), true);
});
