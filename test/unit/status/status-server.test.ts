import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { notAnsweredReason } from '../../../src/status/status-server.ts';

describe('notAnsweredReason', () => {
  const down = { dependency: 'database', downMs: 12_400, error: 'connect ECONNREFUSED 127.0.0.1:3306' } as const;

  it('names the service, whole seconds down and its error', () => {
    assert.equal(notAnsweredReason(down), 'database has not answered for 12 s: connect ECONNREFUSED 127.0.0.1:3306');
  });

  it('adds the grace for /healthz', () => {
    assert.equal(
      notAnsweredReason({ ...down, dependency: 'kafka' }, { graceMs: 3_000 }),
      'kafka has not answered for 12 s (grace 3 s): connect ECONNREFUSED 127.0.0.1:3306',
    );
  });

  it('names this instance for the status page, where every instance reports', () => {
    assert.equal(
      notAnsweredReason({ ...down, dependency: 'registry', downMs: 500 }, { thisInstance: true }),
      'registry has not answered this instance for 1 s: connect ECONNREFUSED 127.0.0.1:3306',
    );
  });
});
