/**
 * The librdkafka security settings from the `kafka.security.*`, `kafka.sasl.*` and `kafka.ssl.*` keys.
 * The one place they are made: the consumer, the metadata client, the record peek and every kit command
 * (provision, produce, verify, status, demo, bench) connect with exactly these.
 */
import type { SinkConfig } from '../config/index.ts';

export type KafkaSecurity = Readonly<Record<string, string>>;

export function kafkaSecurity(config: SinkConfig): KafkaSecurity {
  const s = config.kafka.security;
  const settings: Record<string, string> = { 'security.protocol': s.protocol };
  if (s.protocol === 'sasl_plaintext' || s.protocol === 'sasl_ssl') {
    // librdkafka compares mechanism names case-sensitively; the loaded value is lower case.
    settings['sasl.mechanisms'] = s.saslMechanism.toUpperCase();
    settings['sasl.username'] = s.saslUsername;
    settings['sasl.password'] = s.saslPassword;
  }
  if (s.protocol === 'ssl' || s.protocol === 'sasl_ssl') {
    if (s.sslCaLocation !== undefined) settings['ssl.ca.location'] = s.sslCaLocation;
    if (s.sslCertificateLocation !== undefined) settings['ssl.certificate.location'] = s.sslCertificateLocation;
    if (s.sslKeyLocation !== undefined) settings['ssl.key.location'] = s.sslKeyLocation;
  }
  return Object.freeze(settings);
}
