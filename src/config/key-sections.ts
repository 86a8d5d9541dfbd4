/** The sections of config/sink.properties: the seed's three first (its keys keep their old homes), then ours. */
import { ownSection, seedSection, type Section } from './declare-keys.ts';

export const SEED_KAFKA = seedSection('Kafka');
export const SEED_BACK_PRESSURE = seedSection('Back Pressure');
export const SEED_MYSQL = seedSection('MySQL');
export const MYSQL_TLS = ownSection('MySQL TLS');
export const KAFKA_SECURITY = ownSection('Kafka security');
export const KAFKA_CONSUMER = ownSection('Kafka consumer');
export const BATCHING = ownSection('Backpressure and batching');
export const TABLES = ownSection('Tables');
export const ERRORS = ownSection('Errors and retries');
export const STATUS = ownSection('Status server and logging');

/** The sections of config/sink.properties in file order; within one, keys follow their declaration order in SINK_KEYS (sink-keys.ts). */
export const SECTIONS: readonly Section[] = [
  SEED_KAFKA,
  SEED_BACK_PRESSURE,
  SEED_MYSQL,
  MYSQL_TLS,
  KAFKA_SECURITY,
  KAFKA_CONSUMER,
  BATCHING,
  TABLES,
  ERRORS,
  STATUS,
];
