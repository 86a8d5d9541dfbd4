import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout (`./kms start` points stdout at its log file). Secrets are redacted by path as a
 * second guard: the code never passes the password to a log call in the first place. */
export function createLogger(level = 'info'): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['password', '*.password', '*.*.password', 'mysql.password'], censor: '***' },
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    },
    pino.destination({ sync: false }),
  );
}
