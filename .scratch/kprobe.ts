import Kafka from '@confluentinc/kafka-javascript';
const T = '/work/wt/security/.stack/tls/';
const cases: Record<string, Record<string, string>> = {
  good: {
    'bootstrap.servers': '127.0.0.1:29692',
    'security.protocol': 'sasl_ssl',
    'sasl.mechanisms': 'SCRAM-SHA-512',
    'sasl.username': 'consumer',
    'sasl.password': 'kafka-consumer1!',
    'ssl.ca.location': T + 'ca.pem',
  },
  wrongpw: {
    'bootstrap.servers': '127.0.0.1:29692',
    'security.protocol': 'sasl_ssl',
    'sasl.mechanisms': 'SCRAM-SHA-512',
    'sasl.username': 'consumer',
    'sasl.password': 'nope',
    'ssl.ca.location': T + 'ca.pem',
  },
  wrongca: {
    'bootstrap.servers': '127.0.0.1:29692',
    'security.protocol': 'sasl_ssl',
    'sasl.mechanisms': 'SCRAM-SHA-512',
    'sasl.username': 'consumer',
    'sasl.password': 'kafka-consumer1!',
    'ssl.ca.location': T + 'other-ca.pem',
  },
  mtls: {
    'bootstrap.servers': '127.0.0.1:30692',
    'security.protocol': 'ssl',
    'ssl.ca.location': T + 'ca.pem',
    'ssl.certificate.location': T + 'client.pem',
    'ssl.key.location': T + 'client-key.pem',
  },
  mtlsnocert: { 'bootstrap.servers': '127.0.0.1:30692', 'security.protocol': 'ssl', 'ssl.ca.location': T + 'ca.pem' },
};
const name = process.argv[2]!;
const c = new Kafka.KafkaConsumer({ ...cases[name], 'group.id': 'probe', log_level: 3 } as never, {});
c.on('event.error', (e) => console.log(name, 'event.error', JSON.stringify(e), Object.keys(e)));
const t0 = Date.now();
c.connect({ timeout: 8000 }, (err) => {
  console.log(name, 'connect', Date.now() - t0, 'ms', err ? `${(err as { code?: number }).code} ${err.message}` : 'ok');
  setTimeout(() => {
    try {
      c.disconnect(() => process.exit(0));
    } catch {
      process.exit(0);
    }
  }, 500);
});
