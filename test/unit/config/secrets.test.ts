import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretName, redactUrl } from '../../../src/config/secrets.ts';

describe('redactUrl', () => {
  it('masks credential-named query parameters, not only password', () => {
    assert.equal(redactUrl('mysql://h/db?token=abc&x=1;secret=s'), 'mysql://h/db?token=***&x=1;secret=***');
    assert.equal(redactUrl('mysql://h/db?user=u&useSSL=true'), 'mysql://h/db?user=u&useSSL=true');
  });

  it('hides everything up to the last @ of text that may be malformed', () => {
    assert.equal(redactUrl('mysql://app:se/cret@db/bank'), 'mysql://app:***@db/bank');
    assert.equal(redactUrl('jdbc:mysql://db:3306/bank?user=a@b'), 'jdbc:mysql://db:***@b');
  });

  it('keeps a well-formed URL well-formed: only the user-info of its authority', () => {
    assert.equal(
      redactUrl('jdbc:mysql://db:3306/bank?user=a@b', { wellFormed: true }),
      'jdbc:mysql://db:3306/bank?user=a@b',
    );
    assert.equal(
      redactUrl('mysql://u:p@ss@db:3306/bank?mail=a@b&password=x', { wellFormed: true }),
      'mysql://u:***@db:3306/bank?mail=a@b&password=***',
    );
    assert.equal(redactUrl('https://u:pw@reg/apis/x@y', { wellFormed: true }), 'https://u:***@reg/apis/x@y');
    assert.equal(redactUrl('http://reg:8081/apis', { wellFormed: true }), 'http://reg:8081/apis');
  });
});

describe('isSecretName', () => {
  it('knows librdkafka credential names', () => {
    for (const name of ['sasl.password', 'ssl.key.password', 'sasl.oauthbearer.config', 'ssl.key.pem', 'api.token'])
      assert.ok(isSecretName(name), name);
    for (const name of ['sasl.username', 'auto.offset.reset', 'ssl.ca.location']) assert.ok(!isSecretName(name), name);
  });
});
