/**
 * The worker's REST API: readiness, connectors created / deleted, their status read. Every request has a
 * timeout; a failure is one line naming the connector (or the worker) and the worker's log file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SinkError, describeError } from '../../src/core/errors.ts';

const REQUEST_TIMEOUT_MS = 10_000;

export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED';

export interface ConnectorStatus {
  readonly name: string;
  readonly connector: { readonly state: ConnectorState; readonly trace?: string };
  readonly tasks: readonly { readonly id: number; readonly state: ConnectorState; readonly trace?: string }[];
}

export class ConnectRest {
  readonly url: string;
  /** Named in every error: where the worker's side of the story is. */
  readonly logFile: string;

  constructor(url: string, logFile: string) {
    this.url = url;
    this.logFile = logFile;
  }

  /** The worker answers and has joined its group (KIP-1017 health endpoint: 503 while starting). */
  async ready(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  async plugins(): Promise<string[]> {
    const list = (await this.#request('GET', '/connector-plugins?connectorsOnly=false', 'list plugins')) as {
      class: string;
    }[];
    return list.map((p) => p.class);
  }

  /** Creates the connector or replaces its config (PUT is idempotent). */
  async putConnector(name: string, config: Readonly<Record<string, string>>): Promise<void> {
    await this.#request('PUT', `/connectors/${encodeURIComponent(name)}/config`, `create connector ${name}`, {
      ...config,
      name,
    });
  }

  /** Deletes the connector; one that does not exist is fine. */
  async deleteConnector(name: string): Promise<void> {
    await this.#request(
      'DELETE',
      `/connectors/${encodeURIComponent(name)}`,
      `delete connector ${name}`,
      undefined,
      [404],
    );
  }

  async status(name: string): Promise<ConnectorStatus | undefined> {
    return (await this.#request(
      'GET',
      `/connectors/${encodeURIComponent(name)}/status`,
      `status of ${name}`,
      undefined,
      [404],
    )) as ConnectorStatus | undefined;
  }

  /** The failure of a connector or one of its tasks as one line, or undefined while nothing failed. */
  async failure(name: string): Promise<string | undefined> {
    const status = await this.status(name);
    return status === undefined ? undefined : failureLine(status, this.logFile, this.#logText());
  }

  #logText(): string {
    try {
      return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
    } catch {
      return '';
    }
  }

  /** Waits until the connector and `tasks` tasks run; a FAILED one or the timeout is one-line error. */
  async waitRunning(name: string, tasks: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no status yet';
    for (;;) {
      const status = await this.status(name);
      if (status !== undefined) {
        const failed = failureLine(status, this.logFile, this.#logText());
        if (failed !== undefined) throw new SinkError('STACK_FAILED', failed);
        const running = status.tasks.filter((t) => t.state === 'RUNNING').length;
        if (status.connector.state === 'RUNNING' && running >= tasks) return;
        last = `connector ${status.connector.state}, ${running} of ${tasks} tasks RUNNING`;
      }
      if (Date.now() >= deadline)
        throw new SinkError(
          'STACK_FAILED',
          `connect: connector ${name} not running after ${Math.round(timeoutMs / 1000)} s (${last}); log: ${this.logFile}`,
        );
      await sleep(250);
    }
  }

  async #request(
    method: string,
    path: string,
    what: string,
    body?: unknown,
    tolerated: readonly number[] = [],
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new SinkError(
        'STACK_FAILED',
        `connect: ${what}: no answer from ${this.url} (${describeError(error)}); log: ${this.logFile}`,
      );
    }
    const text = await response.text();
    if (tolerated.includes(response.status)) return undefined;
    if (!response.ok) {
      const message = (safeJson(text) as { message?: string } | undefined)?.message ?? text;
      throw new SinkError(
        'STACK_FAILED',
        `connect: ${what}: HTTP ${response.status}: ${oneLine(message, 300)}; log: ${this.logFile}`,
      );
    }
    return text === '' ? undefined : safeJson(text);
  }
}

/**
 * `connect: connector X task 2 FAILED: <root cause>; log: <file>`, or undefined when nothing failed. When
 * the worker's log holds an error the database sent (Hibernate logs it and then throws something vaguer,
 * such as "Unable to determine Dialect without JDBC metadata" for a wrong password), that goes in too.
 */
export function failureLine(status: ConnectorStatus, logFile: string, logText = ''): string | undefined {
  const where =
    status.connector.state === 'FAILED'
      ? { who: `connector ${status.name}`, trace: status.connector.trace }
      : (() => {
          const task = status.tasks.find((t) => t.state === 'FAILED');
          return task === undefined
            ? undefined
            : { who: `connector ${status.name} task ${task.id}`, trace: task.trace };
        })();
  if (where === undefined) return undefined;
  const cause = rootCause(where.trace ?? 'no trace given');
  const database = databaseError(logText);
  const said = database === undefined || cause.includes(database) ? '' : `; the database said: ${database}`;
  return `connect: ${where.who} FAILED: ${cause}${said}; log: ${logFile}`;
}

/** The last error message the database sent, as Hibernate logs it (logger org.hibernate.orm.jdbc.error). */
export function databaseError(logText: string): string | undefined {
  const lines = logText.split('\n').filter((line) => line.includes('(org.hibernate.orm.jdbc.error)'));
  for (const line of lines.reverse()) {
    const message = /\] WARN (.*) \(org\.hibernate\.orm\.jdbc\.error\)/.exec(line)?.[1]?.trim();
    if (message !== undefined && !message.startsWith('HHH'))
      return oneLine(message.replace(/^\(conn=\d+\)\s*/, ''), 200);
  }
  return undefined;
}

/**
 * The most telling line of a Java stack trace: the last `Caused by:` (the root cause; Connect's own first
 * line is usually "Exiting WorkerSinkTask due to unrecoverable exception"), else the first line.
 */
export function rootCause(trace: string, max = 300): string {
  const lines = trace.split('\n').map((line) => line.trim());
  const causes = lines.filter((line) => line.startsWith('Caused by:'));
  const chosen = causes.length > 0 ? causes[causes.length - 1]!.slice('Caused by:'.length).trim() : (lines[0] ?? '');
  return oneLine(chosen, max);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
