import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ConnectorStatus, databaseError, failureLine, rootCause } from '../../../../kit/connect/connect-rest.ts';
import { problemIn } from '../../../../kit/connect/connect-worker.ts';

const TRACE = `org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.
\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:636)
Caused by: org.apache.kafka.connect.errors.ConnectException: JDBC sink connector failure
\tat io.debezium.connector.jdbc.JdbcSinkConnectorTask.put(JdbcSinkConnectorTask.java:121)
Caused by: java.sql.SQLException: Access denied for user 'consumer'@'localhost' (using password: YES)
\tat org.mariadb.jdbc.export.ExceptionFactory.createException(ExceptionFactory.java:289)
`;

function status(extra: Partial<ConnectorStatus>): ConnectorStatus {
  return { name: 'c', connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }], ...extra };
}

describe('Connect failures as one line', () => {
  it('picks the root cause of a Java trace', () => {
    assert.equal(
      rootCause(TRACE),
      "java.sql.SQLException: Access denied for user 'consumer'@'localhost' (using password: YES)",
    );
    assert.equal(rootCause('java.lang.IllegalStateException: boom\n\tat x'), 'java.lang.IllegalStateException: boom');
    assert.equal(rootCause(`x${'y'.repeat(400)}`, 50).length, 50);
  });

  it('names the failed task, or the connector, and the log file', () => {
    assert.equal(failureLine(status({}), '/l'), undefined);
    assert.equal(
      failureLine(
        status({
          tasks: [
            { id: 0, state: 'RUNNING' },
            { id: 3, state: 'FAILED', trace: TRACE },
          ],
        }),
        '/l/connect.log',
      ),
      "connect: connector c task 3 FAILED: java.sql.SQLException: Access denied for user 'consumer'@'localhost' (using password: YES); log: /l/connect.log",
    );
    assert.equal(
      failureLine(status({ connector: { state: 'FAILED', trace: 'java.lang.RuntimeException: no' } }), '/l'),
      'connect: connector c FAILED: java.lang.RuntimeException: no; log: /l',
    );
    assert.equal(
      failureLine(status({ tasks: [{ id: 1, state: 'FAILED' }] }), '/l'),
      'connect: connector c task 1 FAILED: no trace given; log: /l',
    );
    const line = failureLine(status({ tasks: [{ id: 0, state: 'FAILED', trace: TRACE }] }), '/l') ?? '';
    assert.equal(line.includes('\n'), false);
  });

  it('adds what the database said when Hibernate hides it behind a vaguer error', () => {
    const log = `[2026-11-30 18:02:03,154] WARN HHH000247: ErrorCode: 1045, SQLState: 28000 (org.hibernate.orm.jdbc.error)
[2026-11-30 18:02:03,157] WARN (conn=1722) Access denied for user 'consumer'@'127.0.0.1' (using password: YES) (org.hibernate.orm.jdbc.error)
[2026-11-30 18:02:03,159] WARN HHH100046: Could not obtain connection to query JDBC database metadata (org.hibernate.orm.jdbc)
`;
    assert.equal(databaseError(log), "Access denied for user 'consumer'@'127.0.0.1' (using password: YES)");
    assert.equal(databaseError('[x] INFO nothing\n'), undefined);
    const hidden = 'org.hibernate.HibernateException: Unable to determine Dialect without JDBC metadata';
    assert.equal(
      failureLine(status({ tasks: [{ id: 0, state: 'FAILED', trace: hidden }] }), '/l', log),
      `connect: connector c task 0 FAILED: ${hidden}; the database said: Access denied for user 'consumer'@'127.0.0.1' (using password: YES); log: /l`,
    );
    assert.equal(
      failureLine(
        status({ tasks: [{ id: 0, state: 'FAILED', trace: TRACE }] }),
        '/l',
        log.replaceAll('127.0.0.1', 'localhost'),
      )?.includes('the database said'),
      false,
      'not repeated when the root cause already says it',
    );
  });

  it("finds the telling line of a worker's log", () => {
    assert.equal(
      problemIn(
        '[x] INFO starting\n[y] ERROR Stopping due to error (org.apache.kafka.connect.cli.AbstractConnectCli)\norg.apache.kafka.common.config.ConfigException: Invalid value banana for configuration plugin.discovery\n\tat a.b\n',
      ),
      'org.apache.kafka.common.config.ConfigException: Invalid value banana for configuration plugin.discovery',
    );
    assert.equal(
      problemIn('Invalid maximum heap size: -Xmxbanana\nError: Could not create the Java Virtual Machine.\n'),
      'Error: Could not create the Java Virtual Machine.',
    );
    assert.equal(problemIn('just a line\n'), 'just a line');
    assert.equal(problemIn(''), 'no output');
  });
});
