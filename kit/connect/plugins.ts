/**
 * Kafka Connect plugins as data: each one is a set of Maven artifacts gathered into its own folder on the
 * worker's `plugin.path` (one class loader per folder). Adding a connector or converter means adding an
 * entry here, nothing else. Pure: `pluginPom` renders the Maven file that gathers a plugin.
 */

export interface Coordinates {
  readonly groupId: string;
  /** `*` in an exclusion: every artifact of the group (and what only they pull in). */
  readonly artifactId: string;
}

export interface MavenArtifact extends Coordinates {
  readonly version: string;
  /** Transitive dependencies to leave out (on top of the worker-provided ones). */
  readonly exclusions?: readonly Coordinates[];
}

export interface PluginSpec {
  /** Folder name on plugin.path; also how callers and `--peer-set` name the plugin. */
  readonly name: string;
  /** Cache key: a change of any artifact version must change it. */
  readonly version: string;
  readonly description: string;
  readonly artifacts: readonly MavenArtifact[];
  /**
   * ServiceLoader entries (service interface → implementations) the plugin's own jars lack. The kit writes
   * them into one extra jar in the plugin's folder, so the worker can find every plugin with
   * `plugin.discovery=service_load` (KIP-898) instead of a reflection scan of every class (25 s on 2 busy
   * cores, against 1 s).
   */
  readonly serviceManifests?: Readonly<Record<string, readonly string[]>>;
}

/**
 * What the worker itself provides and plugins must therefore NOT carry: a plugin's own copy would be loaded
 * by its isolated class loader and clash with the worker's (a connector's Jackson 2.21 next to the worker's
 * 2.19 makes tasks fail with `ServiceConfigurationError … Jdk8Module not a subtype`). Excluded with their
 * whole subtree (so kafka-clients' compression libraries, native zstd among them, go too).
 */
export const WORKER_PROVIDED: readonly Coordinates[] = wholeGroups(
  'org.apache.kafka org.slf4j org.apache.logging.log4j com.fasterxml.jackson.core com.fasterxml.jackson.datatype ' +
    'com.fasterxml.jackson.module com.fasterxml.jackson.jakarta.rs',
);

/** Every artifact of each group named (blank-separated), as exclusions. */
function wholeGroups(groupIds: string): Coordinates[] {
  return groupIds.split(' ').map((groupId) => ({ groupId, artifactId: '*' }));
}

export const MARIADB_DRIVER: MavenArtifact = {
  groupId: 'org.mariadb.jdbc',
  artifactId: 'mariadb-java-client',
  version: '3.5.6',
};

const DEBEZIUM_JDBC_VERSION = '3.6.0.Final';
const APICURIO_CONVERTER_VERSION = '2.6.13.Final';
const DEBEZIUM_MARIADB_VERSION = '3.5.0.Final';

export const PLUGINS = {
  /** Debezium's JDBC sink with the MariaDB driver (`jdbc:mariadb://` URLs). */
  'debezium-jdbc-sink': {
    name: 'debezium-jdbc-sink',
    version: `${DEBEZIUM_JDBC_VERSION}-mariadb-${MARIADB_DRIVER.version}`,
    description: 'Debezium JDBC sink connector (io.debezium.connector.jdbc.JdbcSinkConnector) + MariaDB driver',
    artifacts: [
      {
        groupId: 'io.debezium',
        artifactId: 'debezium-connector-jdbc',
        version: DEBEZIUM_JDBC_VERSION,
        exclusions: [
          // Its pom names org.hibernate:hibernate-agroal:7.2.6.Final, which Maven Central does not have.
          { groupId: 'org.hibernate', artifactId: 'hibernate-agroal' },
          // Drivers of databases we do not write to: only more classes to scan at worker start.
          ...wholeGroups('com.microsoft.sqlserver com.oracle.database.jdbc org.postgresql com.mysql'),
        ],
      },
      // The connection provider the connector configures (Agroal) lives here under its current group.
      { groupId: 'org.hibernate.orm', artifactId: 'hibernate-agroal', version: '7.2.0.Final' },
      MARIADB_DRIVER,
    ],
  },
  /**
   * Apicurio's converter: reads Confluent-format records (magic byte + 4-byte id) with
   * `apicurio.registry.as-confluent=true` and `apicurio.registry.use-id=contentId` (see
   * connector-configs.ts). Confluent's own Avro converter is not on Maven Central.
   */
  'apicurio-avro-converter': {
    name: 'apicurio-avro-converter',
    version: APICURIO_CONVERTER_VERSION,
    description: 'Apicurio Registry converter (io.apicurio.registry.utils.converter.AvroConverter)',
    artifacts: [
      { groupId: 'io.apicurio', artifactId: 'apicurio-registry-utils-converter', version: APICURIO_CONVERTER_VERSION },
    ],
    serviceManifests: {
      'org.apache.kafka.connect.storage.Converter': [
        'io.apicurio.registry.utils.converter.AvroConverter',
        'io.apicurio.registry.utils.converter.ExtJsonConverter',
        'io.apicurio.registry.utils.converter.SerdeBasedConverter',
      ],
    },
  },
  /** Debezium's MariaDB source connector (change data capture from the binlog). */
  'debezium-mariadb-source': {
    name: 'debezium-mariadb-source',
    version: DEBEZIUM_MARIADB_VERSION,
    description: 'Debezium MariaDB source connector (io.debezium.connector.mariadb.MariaDbConnector)',
    artifacts: [
      { groupId: 'io.debezium', artifactId: 'debezium-connector-mariadb', version: DEBEZIUM_MARIADB_VERSION },
    ],
  },
} as const satisfies Record<string, PluginSpec>;

export type PluginName = keyof typeof PLUGINS;

export function isPluginName(name: string): name is PluginName {
  return Object.hasOwn(PLUGINS, name);
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function coordinatesXml(c: Coordinates, indent: string): string {
  return `${indent}<groupId>${escapeXml(c.groupId)}</groupId><artifactId>${escapeXml(c.artifactId)}</artifactId>`;
}

/** The Maven file whose runtime dependencies are exactly the plugin's folder. */
export function pluginPom(spec: PluginSpec, workerProvided: readonly Coordinates[] = WORKER_PROVIDED): string {
  const dependencies = spec.artifacts.map((artifact) => {
    const exclusions = [...workerProvided, ...(artifact.exclusions ?? [])]
      .map((c) => `        <exclusion>\n${coordinatesXml(c, '          ')}\n        </exclusion>`)
      .join('\n');
    return [
      '    <dependency>',
      coordinatesXml(artifact, '      '),
      `      <version>${escapeXml(artifact.version)}</version>`,
      '      <exclusions>',
      exclusions,
      '      </exclusions>',
      '    </dependency>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by kit/connect/plugins.ts: gathers the Kafka Connect plugin "${escapeXml(spec.name)}" (${escapeXml(spec.version)}). -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kafka-mysql-sink</groupId>
  <artifactId>connect-plugin-${escapeXml(spec.name)}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${dependencies.join('\n')}
  </dependencies>
</project>
`;
}

/** `META-INF/services/<interface>` files (path → content) of the plugin's extra manifest jar. */
export function serviceManifestFiles(spec: PluginSpec): Record<string, string> {
  return Object.fromEntries(
    Object.entries(spec.serviceManifests ?? {}).map(([service, classes]) => [
      `META-INF/services/${service}`,
      `${classes.join('\n')}\n`,
    ]),
  );
}

/** A plugin the worker provides must not be gathered directly either (same reason as its exclusions). */
export function workerProvidedArtifacts(spec: PluginSpec, workerProvided = WORKER_PROVIDED): string[] {
  return spec.artifacts
    .filter((a) =>
      workerProvided.some((w) => w.groupId === a.groupId && (w.artifactId === '*' || w.artifactId === a.artifactId)),
    )
    .map((a) => `${a.groupId}:${a.artifactId}`);
}
