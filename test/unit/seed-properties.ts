/** The configuration block of seed/README.ko.md, byte for byte: the seed's keys must load unchanged. */
export const SEED_PROPERTIES = `# Kafka
kafka.bootstrap.servers=localhost:9091,localhost:9092,localhost:9093
kafka.topics=dataset1,dataset2,dataset3
kafka.schema.registry.url=http://localhost:8081

# Back Pressure
max.poll.records=10
poll.interval.ms=100
blocking.queue.size=300

# MySQL
mysql.url=jdbc:mysql://localhost:3306/bank
mysql.username=consumer
mysql.password=consumer1!
mysql.maxPoolSize=50
`;
