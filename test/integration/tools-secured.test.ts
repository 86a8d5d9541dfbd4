import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { KAFKA_SASL, SECURE_REGISTRY, TLS_FILES, saslSslSettings } from './helpers/services.ts';
import { ToolsWorld } from './helpers/tools-world.ts';

/**
 * The operator tools over the secured hops only: Kafka SASL_SSL (SCRAM-SHA-256), the registry over HTTPS,
 * the database over verify_identity TLS. provision, produce and status must all get through with the
 * same settings the sink uses (demo and bench are built from these same tools).
 */
const world = new ToolsWorld(1);
after(() => world.cleanup());

const SECURED = {
  ...saslSslSettings('SCRAM-SHA-256'),
  'kafka.schema.registry.url': SECURE_REGISTRY,
  'kafka.schema.registry.ssl.ca.location': TLS_FILES.ca,
  'mysql.ssl.mode': 'verify_identity',
  'mysql.ssl.ca': TLS_FILES.ca,
};

test('provision, produce and status over SASL_SSL, registry HTTPS and database TLS', async () => {
  const sets = world.sets(SECURED);
  const provisioned = await world.kms(['provision', '--schemas', world.schemaFile, ...sets]);
  assert.equal(provisioned.code, 0, `${provisioned.stdout}${provisioned.stderr}`);
  const produced = await world.kms(['produce', '--records', '120', ...sets]);
  assert.equal(produced.code, 0, `${produced.stdout}${produced.stderr}`);
  assert.match(produced.stdout, /^produced 120 records \(1 topics?\) in /m);
  const status = await world.kms(['status', ...sets]);
  assert.equal(status.code, 0, `${status.stdout}${status.stderr}`);
  assert.match(status.stdout, /^total: lag 120 of 120 records, 0 dead letters/m);
  for (const run of [provisioned, produced, status])
    assert.ok(!`${run.stdout}${run.stderr}`.includes(KAFKA_SASL.password), 'the SASL password appears nowhere');
});
