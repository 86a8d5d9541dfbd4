import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { envelopeOf } from '../../../src/avro/debezium-envelope.ts';
import { buildColumnModel } from '../../../src/mysql/column-model.ts';
import { ITEM_ENVELOPE_SCHEMA, itemEvent } from '../../fixtures/debezium.ts';

const TYPE = parseAvroSchema(ITEM_ENVELOPE_SCHEMA);
const decode = (value: object): unknown => TYPE.fromBuffer(TYPE.toBuffer(value));

describe('Debezium envelope', () => {
  it('unwraps c / r / u to the after row, with the change columns asked for', () => {
    const envelope = envelopeOf(TYPE, ['op', 'source.ts_ms', 'ts_ms']);
    const model = buildColumnModel(envelope.rowType);
    assert.deepEqual(
      model.columns.map((c) => `${c.name} ${c.sqlType}${c.nullable ? ' NULL' : ''}`),
      [
        'id INT',
        'name VARCHAR(40) NULL',
        'price DECIMAL(10,2)',
        '__op CHAR(1)',
        '__source_ts_ms DATETIME(3) NULL',
        '__ts_ms DATETIME(3) NULL',
      ],
    );
    for (const op of ['c', 'r', 'u']) {
      const change = envelope.unwrap(
        decode(itemEvent(op, null, { id: 7, name: '사과', price: '1.50' }, 1706708710123)),
      );
      assert.equal(change.kind, 'upsert');
      assert.deepEqual(model.toRow(change.kind === 'upsert' ? change.row : {}), [
        7,
        '사과',
        '1.50',
        op,
        '2024-01-31 13:45:10.123',
        '2024-01-31 13:45:10.130',
      ]);
    }
  });

  it('makes d a delete, and without change columns the row is after alone', () => {
    const envelope = envelopeOf(TYPE, []);
    assert.deepEqual(
      buildColumnModel(envelope.rowType).columns.map((c) => c.name),
      ['id', 'name', 'price'],
    );
    assert.deepEqual(envelope.unwrap(decode(itemEvent('d', { id: 7, name: null, price: '1.00' }, null, 0))), {
      kind: 'delete',
      op: 'd',
    });
  });

  it('rejects malformed events with a reason', () => {
    const envelope = envelopeOf(TYPE, []);
    const event = (op: string, after: object | null) => decode(itemEvent(op, null, after as never, 0));
    assert.throws(() => envelope.unwrap(event('', null)), {
      code: 'VALUE_REJECTED',
      message: 'Debezium change event without op',
    });
    assert.throws(() => envelope.unwrap(event('x', null)), {
      code: 'VALUE_REJECTED',
      message: 'Debezium change event with op "x": only c, r, u and d are applied',
    });
    assert.throws(() => envelope.unwrap(event('c', null)), {
      code: 'VALUE_REJECTED',
      message: 'Debezium change event with op c but no after',
    });
  });

  it('refuses a value schema that is not an envelope', () => {
    assert.throws(
      () => envelopeOf(parseAvroSchema({ type: 'record', name: 'r', fields: [{ name: 'after', type: 'string' }] }), []),
      {
        code: 'SCHEMA_UNSUPPORTED',
        message: 'sink.cdc.format=debezium, but the value schema is not a Debezium change event: it has no op field',
      },
    );
    assert.throws(
      () => envelopeOf(parseAvroSchema({ type: 'record', name: 'r', fields: [{ name: 'op', type: 'string' }] }), []),
      /it has no after field holding a record/,
    );
  });
});
