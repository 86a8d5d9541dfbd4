import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePlugin } from '../../../../kit/connect/connect-downloads.ts';
import {
  PLUGINS,
  type PluginSpec,
  WORKER_PROVIDED,
  isPluginName,
  pluginPom,
  serviceManifestFiles,
  workerProvidedArtifacts,
} from '../../../../kit/connect/plugins.ts';
import { stackOptions } from '../../../../kit/stack/stack-options.ts';
import { SinkError } from '../../../../src/core/errors.ts';

const JDBC = PLUGINS['debezium-jdbc-sink'];

describe('Connect plugins as data', () => {
  it('names every catalogue entry by its key and none carries what the worker provides', () => {
    for (const [key, spec] of Object.entries(PLUGINS)) {
      assert.equal(spec.name, key);
      assert.deepEqual(workerProvidedArtifacts(spec), [], key);
    }
    assert.equal(isPluginName('debezium-mariadb-source'), true);
    assert.equal(isPluginName('toString'), false);
  });

  it('renders a pom whose every dependency excludes the worker-provided groups and its own exclusions', () => {
    const pom = pluginPom(JDBC);
    assert.equal(pom.match(/<dependency>/g)?.length, JDBC.artifacts.length);
    for (const provided of WORKER_PROVIDED) {
      const exclusion = `<groupId>${provided.groupId}</groupId><artifactId>*</artifactId>`;
      assert.equal(pom.split(exclusion).length - 1, JDBC.artifacts.length, provided.groupId);
    }
    assert.match(pom, /<groupId>org\.hibernate<\/groupId><artifactId>hibernate-agroal<\/artifactId>/);
    assert.match(
      pom,
      /<groupId>org\.hibernate\.orm<\/groupId><artifactId>hibernate-agroal<\/artifactId>\s*<version>7\.2\.0\.Final</,
    );
    assert.match(pom, /<artifactId>mariadb-java-client<\/artifactId>/);
    assert.match(pom, /<artifactId>connect-plugin-debezium-jdbc-sink<\/artifactId>/);
  });

  it('escapes XML in names and versions', () => {
    const spec: PluginSpec = {
      name: 'a&b',
      version: '1<2',
      description: '',
      artifacts: [{ groupId: 'g', artifactId: 'x"y', version: '1' }],
    };
    const pom = pluginPom(spec, []);
    assert.match(pom, /a&amp;b/);
    assert.match(pom, /1&lt;2/);
    assert.match(pom, /x&quot;y/);
    assert.doesNotMatch(pom, /a&b/);
  });

  it('writes ServiceLoader manifests only for plugins that lack them', () => {
    assert.deepEqual(serviceManifestFiles(JDBC), {});
    const files = serviceManifestFiles(PLUGINS['apicurio-avro-converter']);
    const converter = files['META-INF/services/org.apache.kafka.connect.storage.Converter'];
    assert.ok(converter?.includes('io.apicurio.registry.utils.converter.AvroConverter\n'));
    assert.ok(converter?.endsWith('\n'));
  });

  it('refuses (before any download) a plugin that lists a worker-provided artifact', async () => {
    const spec: PluginSpec = {
      name: 'clash',
      version: '1',
      description: '',
      artifacts: [{ groupId: 'com.fasterxml.jackson.core', artifactId: 'jackson-databind', version: '2.21.0' }],
    };
    assert.deepEqual(workerProvidedArtifacts(spec), ['com.fasterxml.jackson.core:jackson-databind']);
    const dir = mkdtempSync(join(tmpdir(), 'kms-plugin-'));
    try {
      await assert.rejects(
        ensurePlugin(stackOptions(dir, { dir }), spec),
        (error: unknown) =>
          error instanceof SinkError &&
          error.code === 'USAGE' &&
          /connect: plugin clash 1: com\.fasterxml\.jackson\.core:jackson-databind is provided by the worker/.test(
            error.message,
          ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
