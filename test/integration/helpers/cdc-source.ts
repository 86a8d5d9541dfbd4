import { connectOptions, type ConnectOptions } from '../../../kit/connect/connect-options.ts';
import { type RunningWorker, startWorker, stopWorker } from '../../../kit/connect/connect-worker.ts';
import { mariadbSourceConfig, registryV2From } from '../../../kit/connect/connector-configs.ts';
import { cdcSourceOptions, startMariaDbServer, stopMariaDbServer } from '../../../kit/stack/mariadb-server.ts';
import { adminConnection } from '../../../kit/stack/mysql-admin.ts';
import { stackOptions, type StackOptions } from '../../../kit/stack/stack-options.ts';
import type { Connection } from '../../../src/mysql/pool.ts';
import { PROJECT_ROOT } from './kms-cli.ts';
import { BOOTSTRAP, REGISTRY, freePort } from './services.ts';

/** The Debezium account on the source server (what the connector's documentation asks for, and no more). */
const CDC_USER = 'kms_cdc';
const CDC_PASSWORD = 'kms-cdc-pw';

/**
 * The source side of a change data capture round trip: a second MariaDB server of the project (its own
 * folder under the stack, a free port, a row-based binlog) and a Kafka Connect worker with Debezium's
 * MariaDB source connector writing Avro through Apicurio's converter in the Confluent wire format.
 */
export class CdcSource {
  readonly #restPort: number;
  #server: StackOptions | undefined;
  #connect: ConnectOptions | undefined;
  #worker: RunningWorker | undefined;
  #admin: Connection | undefined;
  readonly #connectors: string[] = [];

  constructor(restPort = Number(process.env.KMS_CONNECT_PORT ?? 8083)) {
    this.#restPort = restPort;
  }

  /** Starts the source server (binlog on) and the Connect worker; the worker downloads its jars on first use. */
  async start(): Promise<void> {
    const base = stackOptions(PROJECT_ROOT);
    this.#server = cdcSourceOptions(base, await freePort());
    await startMariaDbServer(this.#server);
    this.#admin = await adminConnection(this.#server);
    await this.#admin.query(`CREATE USER IF NOT EXISTS '${CDC_USER}'@'127.0.0.1' IDENTIFIED BY '${CDC_PASSWORD}'`);
    await this.#admin.query(
      `GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, LOCK TABLES ON *.* TO '${CDC_USER}'@'127.0.0.1'`,
    );
    this.#connect = connectOptions(base, {
      name: 'cdc-test',
      restPort: this.#restPort,
      plugins: ['debezium-mariadb-source', 'apicurio-avro-converter'],
      heap: { max: '512M', initial: '128M' },
    });
    this.#worker = await startWorker(this.#connect);
  }

  /** Root connection to the source server. */
  get admin(): Connection {
    if (this.#admin === undefined) throw new Error('start() first');
    return this.#admin;
  }

  get port(): number {
    if (this.#server === undefined) throw new Error('start() first');
    return this.#server.mariadbPort;
  }

  /** Creates a Debezium connector for `database.tables` and waits until its task runs. */
  async capture(
    name: string,
    topicPrefix: string,
    database: string,
    tables: string[],
    flatten: boolean,
  ): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) throw new Error('start() first');
    const config = mariadbSourceConfig({
      topicPrefix,
      host: '127.0.0.1',
      port: this.port,
      user: CDC_USER,
      password: CDC_PASSWORD,
      database,
      tables,
      serverId: 5400 + this.#connectors.length + 1,
      bootstrapServers: BOOTSTRAP,
      registryV2Url: registryV2From(REGISTRY),
      flatten,
    });
    this.#connectors.push(name);
    await worker.rest.putConnector(name, config);
    await worker.rest.waitRunning(name, 1, 120_000);
  }

  async stop(): Promise<void> {
    for (const name of this.#connectors) await this.#worker?.rest.deleteConnector(name).catch(() => undefined);
    if (this.#connect !== undefined) await stopWorker(this.#connect);
    await this.#admin?.end().catch(() => undefined);
    if (this.#server !== undefined) await stopMariaDbServer(this.#server);
  }
}
