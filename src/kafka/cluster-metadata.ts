import Kafka from '@confluentinc/kafka-javascript';

export interface ClusterMetadata {
  readonly brokers: readonly { id: number; host: string; port: number }[];
  readonly topics: readonly { name: string; partitions: number }[];
}

/** One metadata round trip through a short-lived native client: proves a broker really answers. */
export function fetchClusterMetadata(bootstrapServers: string, timeoutMs = 5_000): Promise<ClusterMetadata> {
  const producer = new Kafka.Producer({
    'bootstrap.servers': bootstrapServers,
    'client.id': 'kms-metadata',
    'socket.connection.setup.timeout.ms': timeoutMs,
    log_level: 0,
  });
  return new Promise<ClusterMetadata>((resolve, reject) => {
    producer.connect({ timeout: timeoutMs }, (connectError) => {
      if (connectError) {
        // A failed connect leaves the client disconnected; disconnect() would throw from this callback.
        reject(connectError);
        return;
      }
      producer.getMetadata({ timeout: timeoutMs }, (error, metadata) => {
        producer.disconnect(() => {
          if (error) reject(error);
          else
            resolve({
              brokers: metadata.brokers.map((b) => ({ id: b.id, host: b.host, port: b.port })),
              topics: metadata.topics.map((t) => ({ name: t.name, partitions: t.partitions.length })),
            });
        });
      });
    });
  });
}
