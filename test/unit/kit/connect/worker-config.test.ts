import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectOptions, restUrl, workerDir, workerGroup } from '../../../../kit/connect/connect-options.ts';
import { propertiesText, workerJvmArgs, workerProperties } from '../../../../kit/connect/worker-config.ts';
import { stackOptions } from '../../../../kit/stack/stack-options.ts';

const stack = stackOptions('/repo', { dir: '/repo/.stack', kafkaFirstPort: 9392 }, {});

describe('Connect worker options', () => {
  it('takes the REST port and version from the environment, defaults otherwise', () => {
    const plain = connectOptions(stack, {}, {});
    assert.equal(plain.restPort, 8083);
    assert.equal(plain.version, '4.1.1');
    assert.equal(plain.bootstrapServers, '127.0.0.1:9392');
    assert.equal(restUrl(plain), 'http://127.0.0.1:8083');
    assert.equal(workerDir(plain), '/repo/.stack/connect/worker');
    const fromEnv = connectOptions(stack, {}, { KMS_CONNECT_PORT: '8383', KMS_CONNECT_VERSION: '4.1.0' });
    assert.equal(fromEnv.restPort, 8383);
    assert.equal(fromEnv.version, '4.1.0');
    assert.equal(connectOptions(stack, { restPort: 9999 }, { KMS_CONNECT_PORT: '8383' }).restPort, 9999);
    assert.equal(connectOptions(stack, {}, { KMS_CONNECT_PORT: 'x' }).restPort, 8083);
    assert.equal(workerDir(connectOptions(stack, { dir: '/elsewhere' }, {})), '/elsewhere');
  });

  it('gives every worker name its own group and internal topics', () => {
    const group = workerGroup(connectOptions(stack, { name: 'cdc' }, {}));
    assert.deepEqual(group, {
      groupId: 'kms-connect-cdc',
      configTopic: 'kms-connect-cdc-configs',
      offsetTopic: 'kms-connect-cdc-offsets',
      statusTopic: 'kms-connect-cdc-status',
    });
  });
});

describe('Connect worker config', () => {
  const options = connectOptions(
    stack,
    {
      name: 'w',
      restPort: 8383,
      workerProperties: { 'offset.flush.interval.ms': '1000', 'plugin.discovery': 'hybrid_warn' },
    },
    {},
  );
  const properties = workerProperties(options, ['/p/a', '/p/b']);

  it('renders a distributed worker on the stack with the plugin folders', () => {
    assert.equal(properties['bootstrap.servers'], '127.0.0.1:9392');
    assert.equal(properties['group.id'], 'kms-connect-w');
    assert.equal(properties['config.storage.topic'], 'kms-connect-w-configs');
    assert.equal(properties['config.storage.replication.factor'], '1');
    assert.equal(properties.listeners, 'http://127.0.0.1:8383');
    assert.equal(properties['plugin.path'], '/p/a,/p/b');
    assert.equal(properties['connector.client.config.override.policy'], 'All');
  });

  it('lets given worker properties win over the rendered ones', () => {
    assert.equal(properties['offset.flush.interval.ms'], '1000');
    assert.equal(properties['plugin.discovery'], 'hybrid_warn');
  });

  it('replicates the internal topics over a 3-broker stack', () => {
    const three = stackOptions('/repo', { dir: '/repo/.stack', brokers: 3 }, {});
    assert.equal(workerProperties(connectOptions(three, {}, {}), [])['status.storage.replication.factor'], '3');
  });

  it('writes properties as java.util.Properties reads them', () => {
    assert.equal(
      propertiesText({ a: 'b', 'odd key=x': 'c:\\d\nnext', sp: ' lead' }),
      'a=b\nodd\\ key\\=x=c:\\\\d\\nnext\nsp=\\ lead\n',
    );
  });

  it('starts the JVM with the heap, the log config and extra flags last', () => {
    const args = workerJvmArgs(
      connectOptions(stack, { heap: { max: '1G', initial: '128M' }, jvmFlags: ['-XX:+AlwaysPreTouch'] }, {}),
      '/l/log4j2.properties',
    );
    assert.equal(args[0], '-Xms128M');
    assert.equal(args[1], '-Xmx1G');
    assert.ok(args.includes('-Dlog4j2.configurationFile=/l/log4j2.properties'));
    assert.equal(args.at(-1), '-XX:+AlwaysPreTouch');
  });
});
