import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteIdentifier } from '../../src/mysql/identifiers.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import { assertExactlyOnce, drainWith, tails } from './helpers/sink-checks.ts';
import { uniqueName } from './helpers/unique.ts';

/**
 * The least-privilege GRANTs of docs/security.md, proven: a user with exactly the documented rights
 * drains exactly once, with auto-create (it makes the tables) and without (tables already there, no DDL
 * right at all, not even for `kafka_offsets`).
 */
const scenario = new SinkScenario(1, 2, 'kms_grant');
const [topic] = scenario.topics as [string];
const PASSWORD = 'Gr4nt-Only!pw';
const users = { ddl: uniqueName('g_ddl').slice(0, 32), dml: uniqueName('g_dml').slice(0, 32) };

before(async () => {
  await scenario.setup();
  const db = quoteIdentifier(scenario.database);
  for (const user of Object.values(users)) {
    await scenario.admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '127.0.0.1', PASSWORD]);
  }
  // The exact statements of docs/security.md.
  await scenario.admin.query(`GRANT SELECT, INSERT, UPDATE, CREATE, ALTER ON ${db}.* TO ?@?`, [users.ddl, '127.0.0.1']);
  await scenario.admin.query(`GRANT SELECT, INSERT, UPDATE ON ${db}.* TO ?@?`, [users.dml, '127.0.0.1']);
});
after(async () => {
  for (const user of Object.values(users)) await scenario.admin.query('DROP USER IF EXISTS ?@?', [user, '127.0.0.1']);
  await scenario.cleanup();
});

async function drainAs(user: string, extra: Record<string, string>, name: string): Promise<void> {
  const sink = await drainWith(
    scenario,
    topic,
    30,
    { 'mysql.username': user, 'mysql.password': PASSWORD, ...extra },
    name,
  );
  assert.ok(!sink.logs().some((l) => l.level === 'ERROR'), tails([sink]));
}

test('SELECT, INSERT, UPDATE, CREATE, ALTER on the database: the sink creates its tables and drains exactly once', async () => {
  await drainAs(users.ddl, {}, 'ddl-user');
  await assertExactlyOnce(scenario, 'as the auto-create user');
});

test('SELECT, INSERT, UPDATE only (sink.auto.create=false): the sink drains into the existing tables exactly once', async () => {
  await drainAs(users.dml, { 'sink.auto.create': 'false', 'sink.auto.evolve': 'false' }, 'dml-user');
  await assertExactlyOnce(scenario, 'as the DML-only user');
  const [grants] = await scenario.admin.query(`SHOW GRANTS FOR ?@?`, [users.dml, '127.0.0.1']);
  assert.ok(
    (grants as Record<string, string>[]).every((row) => !/CREATE|ALTER|ALL PRIVILEGES/.test(Object.values(row)[0]!)),
    'the DML user really has no DDL right',
  );
});
