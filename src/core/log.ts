import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout (or the file ./kms start points it at). Secrets are redacted by path as a
 * second guard: the code never passes the password to a log call in the first place. */
export function createLogger(level = 'info', destination?: string): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['password', '*.password', '*.*.password', 'mysql.password'], censor: '***' },
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    },
    destination === undefined
      ? pino.destination({ sync: false })
      : pino.destination({ dest: destination, sync: false, mkdir: true }),
  );
}
