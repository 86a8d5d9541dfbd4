/**
 * Import rules, checked by `./kms test` (dependency-cruiser). The product (src/) is layered; each layer
 * may import only the layers below it. The operator kit (kit/) and the tests may import the product,
 * never the other way round.
 *
 *   app            run / start / stop commands, the sink process          src/app, src/main.ts
 *   status         status server and page                                 src/status
 *   pipeline       per-partition pipelines, the runner, metrics           src/pipeline
 *   sink           writer roles: offsets, tables, fenced batches          src/sink
 *   mysql          everything MySQL / MariaDB: SQL, errnos, types, pool   src/mysql
 *   avro, kafka    Avro + registry; the Kafka client                      src/avro, src/kafka
 *   config         keys, loading, validation                              src/config
 *   core           errors, log, records, retry                            src/core
 */
const LAYERS = ['core', 'config', 'avro|kafka', 'mysql', 'sink', 'pipeline', 'status', 'app'];

/** A layer's folder(s) as a path pattern. */
const folder = (layer) => `^src/(${layer})/`;

const layerRules = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer.replace('|', '-')}`,
  comment: `${layer} may import only the layers below it`,
  severity: 'error',
  from: { path: folder(layer) },
  to: { path: LAYERS.slice(index + 1).map(folder) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'product-not-to-kit',
      comment: 'the product never imports the operator kit or the tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(kit|test)/' },
    },
    {
      name: 'kit-not-to-tests',
      comment: 'the kit never imports the tests',
      severity: 'error',
      from: { path: '^kit/' },
      to: { path: '^test/' },
    },
    {
      name: 'avro-kafka-apart',
      comment: 'avro and kafka are siblings: neither imports the other',
      severity: 'error',
      from: { path: '^src/(avro|kafka)/' },
      to: { path: '^src/(avro|kafka)/', pathNot: '^src/$1/' },
    },
    {
      name: 'mysql-driver-in-mysql',
      comment: 'in the product only src/mysql talks to the MySQL drivers',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/mysql/' },
      to: { dependencyTypes: ['npm'], path: '^node_modules/(mysql2|mariadb)/' },
    },
    {
      name: 'kafka-client-in-kafka',
      comment: 'in the product only src/kafka talks to a Kafka client (librdkafka for the group, the pure-JS fetcher)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/kafka/' },
      to: { dependencyTypes: ['npm'], path: '^node_modules/(@confluentinc|@platformatic/kafka)/' },
    },
    {
      name: 'no-unresolvable',
      comment: 'every import resolves',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
