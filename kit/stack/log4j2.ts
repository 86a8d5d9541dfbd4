/**
 * The log4j2 configuration of the stack's Java services (broker, Kafka Connect workers): one console
 * appender (the service's output goes to its log file), a root level, and levels for named loggers.
 * Without a binding and a config the broker prints nothing at all.
 */
export function log4j2Properties(
  rootLevel: string,
  loggers: Readonly<Record<string, readonly [string, string]>>,
): string {
  const lines = [
    'status = warn',
    'appender.out.type = Console',
    'appender.out.name = out',
    'appender.out.layout.type = PatternLayout',
    'appender.out.layout.pattern = [%d] %p %m (%c)%n',
    `rootLogger.level = ${rootLevel}`,
    'rootLogger.appenderRef.out.ref = out',
  ];
  for (const [id, [name, level]] of Object.entries(loggers))
    lines.push(`logger.${id}.name = ${name}`, `logger.${id}.level = ${level}`);
  return `${lines.join('\n')}\n`;
}
