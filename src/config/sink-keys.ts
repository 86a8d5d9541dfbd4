/**
 * Every config key the sink accepts, declared once: name, kind of value (and so its checks and its type),
 * default, one-line doc, section of config/sink.properties, and whether it is a secret. The groups have the
 * loaded config's shape (`config.kafka.topics`, ...); sink-config.ts adds the values derived from them.
 * The large groups live beside this file (kafka-keys.ts, mysql-keys.ts, table-keys.ts; sections in
 * key-sections.ts). How to add a key: docs/architecture.md, "Config keys".
 */
import * as z from 'zod';
import { hostName } from './address-types.ts';
import { key } from './declare-keys.ts';
import { fraction, oneOf, wholeNumber } from './value-types.ts';
import { SEED_BACK_PRESSURE, BATCHING, ERRORS, STATUS } from './key-sections.ts';
import { kafka } from './kafka-keys.ts';
import { mysql } from './mysql-keys.ts';
import { sink } from './table-keys.ts';
export { SECTIONS } from './key-sections.ts';

const backpressure = z.object({
  maxPollRecords: key('max.poll.records', wholeNumber(1, 100_000), {
    section: SEED_BACK_PRESSURE,
    default: '500',
    doc: 'most records taken from Kafka per poll',
  }),
  pollIntervalMs: key('poll.interval.ms', wholeNumber(0, 600_000), {
    section: SEED_BACK_PRESSURE,
    default: '100',
    doc: 'how long one poll waits for records, in ms',
  }),
  /** Per-partition queue bound: at this size consuming pauses. */
  queueSize: key('blocking.queue.size', wholeNumber(1, 10_000_000), {
    section: SEED_BACK_PRESSURE,
    default: '10000',
    doc: 'records queued per partition before consuming pauses (backpressure)',
  }),
  lowWatermark: key('sink.queue.low.watermark', fraction(0, 1), {
    section: BATCHING,
    default: '0.5',
    doc: 'resume consuming when the queue holds <= blocking.queue.size x this fraction',
  }),
});

const errors = z.object({
  tolerance: key('errors.tolerance', oneOf(['all', 'none']), {
    section: ERRORS,
    default: 'all',
    doc: 'all: a record that can never be written goes to the dead-letter table; none: stop',
  }),
  deadLetterLogMax: key('errors.deadletter.log.max', wholeNumber(0, 1_000_000), {
    section: ERRORS,
    default: '10',
    doc: 'dead letters logged as one WARN line each, per partition and interval; the rest are counted in one line',
  }),
  deadLetterLogIntervalMs: key('errors.deadletter.log.interval.ms', wholeNumber(100, 3_600_000), {
    section: ERRORS,
    default: '10000',
    doc: 'interval of errors.deadletter.log.max, in ms',
  }),
});

const status = z.object({
  port: key('status.port', wholeNumber(0, 65_535), {
    section: STATUS,
    default: '9464',
    doc: 'port of /metrics, /healthz and the status page (0: disabled)',
  }),
  host: key('status.host', hostName, {
    section: STATUS,
    default: '127.0.0.1',
    doc: 'address the status server listens on',
  }),
  healthGraceMs: key('status.health.grace.ms', wholeNumber(1_000, 3_600_000), {
    section: STATUS,
    default: '15000',
    doc: '/healthz answers 503 once the database, Kafka or the registry has not answered for this long, in ms',
  }),
});

const log = z.object({
  level: key('log.level', oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), {
    section: STATUS,
    default: 'info',
    doc: 'trace | debug | info | warn | error | fatal | silent',
  }),
});

export const SINK_KEYS = z.object({ kafka, backpressure, mysql, errors, sink, status, log });

/** The declared values, as zod parses them; sink-config.ts derives the loaded config from these. */
export type KeyValues = z.output<typeof SINK_KEYS>;
