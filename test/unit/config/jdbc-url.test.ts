import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSinkError } from '../../../src/core/errors.ts';
import { parseJdbcUrl } from '../../../src/config/jdbc-url.ts';
import { redactUrl } from '../../../src/config/secrets.ts';

const EXAMPLE = /use a URL like jdbc:mysql:\/\/127\.0\.0\.1:3306\/bank/;

function urlError(url: string, pattern: RegExp, secret?: string): string {
  let message = '';
  assert.throws(
    () => parseJdbcUrl(url, { source: 'sink.properties:9' }),
    (error: unknown) => {
      assert.ok(isSinkError(error, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(error)}`);
      message = error.message;
      assert.match(message, /^config key mysql\.url = ".*" \(from sink\.properties:9\) /);
      assert.match(message, pattern);
      assert.match(message, EXAMPLE);
      assert.doesNotMatch(message, /\n/);
      if (secret !== undefined) assert.ok(!message.includes(secret), `password leaked: ${message}`);
      return true;
    },
  );
  return message;
}

describe('parseJdbcUrl: accepted forms', () => {
  it('parses the seed JDBC URL', () => {
    assert.deepEqual(parseJdbcUrl('jdbc:mysql://localhost:3306/bank'), {
      host: 'localhost',
      port: 3306,
      database: 'bank',
    });
  });

  it('parses jdbc:mariadb with parameters', () => {
    assert.deepEqual(parseJdbcUrl('jdbc:mariadb://db.example.com:3307/bank?useSSL=false&serverTimezone=UTC'), {
      host: 'db.example.com',
      port: 3307,
      database: 'bank',
      sslMode: 'disabled',
    });
  });

  it('parses mysql:// and mariadb:// with credentials', () => {
    assert.deepEqual(parseJdbcUrl('mysql://consumer:consumer1!@127.0.0.1:3306/bank'), {
      host: '127.0.0.1',
      port: 3306,
      database: 'bank',
      user: 'consumer',
      password: 'consumer1!',
    });
    assert.deepEqual(parseJdbcUrl('mariadb://root@db/bank'), {
      host: 'db',
      port: 3306,
      database: 'bank',
      user: 'root',
    });
  });

  it('defaults the port to 3306', () => {
    assert.equal(parseJdbcUrl('jdbc:mysql://db/bank').port, 3306);
  });

  it('accepts an upper-case scheme and surrounding whitespace', () => {
    assert.equal(parseJdbcUrl('  JDBC:MySQL://db:3310/bank  ').port, 3310);
  });

  it('decodes percent-encoded user, password and database', () => {
    const endpoint = parseJdbcUrl('mysql://us%40er:p%40ss%2Fw%3Ard@db/my%20db');
    assert.equal(endpoint.user, 'us@er');
    assert.equal(endpoint.password, 'p@ss/w:rd');
    assert.equal(endpoint.database, 'my db');
  });

  it('takes the last @ as the end of the credentials', () => {
    const endpoint = parseJdbcUrl('mysql://u:p@ss@db/bank');
    assert.equal(endpoint.password, 'p@ss');
    assert.equal(endpoint.host, 'db');
  });

  it('keeps an empty password', () => {
    assert.equal(parseJdbcUrl('mysql://root:@db/bank').password, '');
  });

  it('moves user and password query parameters out of the TLS parameters', () => {
    const endpoint = parseJdbcUrl('jdbc:mysql://db/bank?user=consumer&password=s%26cret&useSSL=true');
    assert.equal(endpoint.user, 'consumer');
    assert.equal(endpoint.password, 's&cret');
    assert.equal(endpoint.sslMode, 'preferred');
  });

  it('prefers credentials in the authority over query parameters', () => {
    const endpoint = parseJdbcUrl('jdbc:mysql://a:b@db/bank?user=c&password=d');
    assert.equal(endpoint.user, 'a');
    assert.equal(endpoint.password, 'b');
  });

  it('accepts a bracketed IPv6 address', () => {
    const endpoint = parseJdbcUrl('jdbc:mysql://[::1]:3307/bank');
    assert.equal(endpoint.host, '[::1]');
    assert.equal(endpoint.port, 3307);
  });

  it('reads an empty host as localhost, like Connector/J', () => {
    assert.equal(parseJdbcUrl('jdbc:mysql:///bank').host, 'localhost');
  });

  it('skips empty parameters', () => {
    assert.equal(parseJdbcUrl('jdbc:mysql://db/bank?&&useSSL=true&').sslMode, 'preferred');
  });

  it('returns a frozen result', () => {
    const endpoint = parseJdbcUrl('jdbc:mysql://db/bank?sslMode=REQUIRED');
    assert.ok(Object.isFrozen(endpoint));
  });
});

describe('parseJdbcUrl: bad URLs', () => {
  it('rejects an empty URL', () => {
    urlError('  ', /= "" \(from sink\.properties:9\) is empty; /);
  });

  it('rejects another database', () => {
    urlError('jdbc:postgresql://db:5432/bank', /"jdbc:postgresql:\/\/db:5432\/bank" .* is not a MySQL\/MariaDB URL/);
  });

  it('rejects a bare host:port', () => {
    urlError('localhost:3306/bank', /is not a MySQL\/MariaDB URL/);
  });

  it('rejects failover / load-balancing sub-protocols', () => {
    urlError(
      'jdbc:mysql:loadbalance://a,b/bank',
      /uses a failover\/load-balancing sub-protocol, which is not supported; give a single server and use a URL like/,
    );
    urlError('jdbc:mariadb:replication://a/bank', /failover\/load-balancing sub-protocol/);
  });

  it('rejects several hosts', () => {
    urlError('jdbc:mysql://a:3306,b:3306/bank', /lists several servers; give a single server/);
  });

  it('rejects the X protocol', () => {
    urlError('mysqlx://db:33060/bank', /uses the X protocol/);
  });

  it('rejects a missing database', () => {
    urlError('jdbc:mysql://db:3306', /names no database; append the database, e.g\. \/bank, and use a URL like/);
    urlError('jdbc:mysql://db:3306/', /names no database/);
    urlError('jdbc:mysql://db:3306/?useSSL=false', /names no database/);
  });

  it('rejects a database with a slash or over 64 characters', () => {
    urlError('jdbc:mysql://db/a/b', /database name containing "\/"/);
    urlError(`jdbc:mysql://db/${'d'.repeat(65)}`, /database name longer than 64 characters/);
  });

  it('rejects bad ports', () => {
    urlError('jdbc:mysql://db:0/bank', /has a port out of range \(expected 1 to 65535\)/);
    urlError('jdbc:mysql://db:65536/bank', /has a port out of range/);
    urlError('jdbc:mysql://db:abc/bank', /has an invalid port/);
    urlError('jdbc:mysql://db:/bank', /has an invalid port/);
  });

  it('rejects bad hosts', () => {
    urlError('jdbc:mysql://d b/bank', /has an invalid host name/);
    urlError('jdbc:mysql://[zz]:3306/bank', /malformed IPv6 address/);
    urlError('jdbc:mysql://[::1]x/bank', /has text after the IPv6 address/);
  });

  it('rejects a fragment', () => {
    urlError('jdbc:mysql://db/bank#x', /contains "#"/);
  });

  it('rejects malformed percent-escapes', () => {
    urlError('jdbc:mysql://db/ba%zznk', /malformed %-escape in the database name/);
    urlError('jdbc:mysql://db/bank?x=%E0%A4%A', /malformed %-escape in query parameter "x"/);
  });

  it('names the key it was given', () => {
    assert.throws(() => parseJdbcUrl('nope', { key: 'other.url' }), {
      code: 'CONFIG_INVALID',
      message: /^config key other\.url = "nope" is not a MySQL\/MariaDB URL/,
    });
  });
});

describe('parseJdbcUrl: the password never appears in an error', () => {
  const cases: readonly [string, string, RegExp][] = [
    ['jdbc:postgresql://app:Tr0ub4dor@db/bank', 'Tr0ub4dor', /= "jdbc:postgresql:\/\/app:\*\*\*@db\/bank"/],
    ['mysql://app:Tr0ub4dor@db:99999/bank', 'Tr0ub4dor', /= "mysql:\/\/app:\*\*\*@db:99999\/bank"/],
    ['mysql://app:Tr0ub4dor@db', 'Tr0ub4dor', /names no database/],
    ['mysql://app:pa%zzss@db/bank', 'pa%zzss', /malformed %-escape in the password/],
    [
      'mysql://app:se/cret@db/bank',
      'se/cret',
      /percent-encode special characters in the user and password \(@ as %40, \/ as %2F/,
    ],
    ['mysql://app:se/cret@db/bank', 'cret', /has an invalid|names|port|host/],
    ['mysql://app:a:b:c@db:x/bank', 'a:b:c', /has an invalid port/],
    ['jdbc:mysql://db:x/bank?user=app&password=Tr0ub4dor', 'Tr0ub4dor', /password=\*\*\*/],
    ['jdbc:mysql://a,b/bank?password=Tr0ub4dor&user=u', 'Tr0ub4dor', /lists several servers/],
  ];
  for (const [url, secret, pattern] of cases) {
    it(`hides it in ${JSON.stringify(url.replace(secret, '<secret>'))}`, () => {
      urlError(url, pattern, secret);
    });
  }
});

describe('redactUrl', () => {
  it('masks user-info passwords and password parameters', () => {
    assert.equal(redactUrl('mysql://u:p@h/db'), 'mysql://u:***@h/db');
    assert.equal(redactUrl('jdbc:mysql://h/db?user=u&password=p&x=1'), 'jdbc:mysql://h/db?user=u&password=***&x=1');
    assert.equal(redactUrl('http://u:p@w@registry:8081/apis'), 'http://u:***@registry:8081/apis');
  });

  it('leaves URLs without credentials alone', () => {
    assert.equal(redactUrl('jdbc:mysql://127.0.0.1:3306/bank'), 'jdbc:mysql://127.0.0.1:3306/bank');
    assert.equal(redactUrl('mysql://root@h/db'), 'mysql://root@h/db');
  });
});
