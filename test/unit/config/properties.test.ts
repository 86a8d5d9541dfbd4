import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSinkError } from '../../../src/core/errors.ts';
import { formatProperty, parseProperties, parsePropertyEntries } from '../../../src/config/properties.ts';

import { SEED_PROPERTIES } from '../../fixtures/seed-properties.ts';

const props = (text: string): Record<string, string> => Object.fromEntries(parseProperties(text, 'test.properties'));

/** One test per entry, named by its key: the text parses to exactly these entries. */
function parsesAs(cases: Record<string, [text: string, expected: Record<string, string>]>): void {
  for (const [name, [text, expected]] of Object.entries(cases)) it(name, () => assert.deepEqual(props(text), expected));
}

function assertConfigError(action: () => unknown, pattern: RegExp): string {
  let message = '';
  assert.throws(action, (error: unknown) => {
    assert.ok(isSinkError(error, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(error)}`);
    message = error.message;
    assert.match(message, pattern);
    assert.doesNotMatch(message, /\n/);
    return true;
  });
  return message;
}

describe('parseProperties: seed file', () => {
  it('parses the seed README file exactly', () => {
    assert.deepEqual(props(SEED_PROPERTIES), {
      'kafka.bootstrap.servers': 'localhost:9091,localhost:9092,localhost:9093',
      'kafka.topics': 'dataset1,dataset2,dataset3',
      'kafka.schema.registry.url': 'http://localhost:8081',
      'max.poll.records': '10',
      'poll.interval.ms': '100',
      'blocking.queue.size': '300',
      'mysql.url': 'jdbc:mysql://localhost:3306/bank',
      'mysql.username': 'consumer',
      'mysql.password': 'consumer1!',
      'mysql.maxPoolSize': '50',
    });
  });

  it('reports the line of each entry', () => {
    const entries = parsePropertyEntries(SEED_PROPERTIES, 'seed.properties');
    assert.equal(entries.get('kafka.bootstrap.servers')?.line, 2);
    assert.equal(entries.get('max.poll.records')?.line, 7);
    assert.equal(entries.get('mysql.maxPoolSize')?.line, 15);
  });
});

describe('parseProperties: separators and whitespace', () => {
  it('accepts =, : and whitespace as separators', () => {
    assert.deepEqual(props('a=1\nb: 2\nc 3\nd = 4\ne\t:\t5\nf   6'), {
      a: '1',
      b: '2',
      c: '3',
      d: '4',
      e: '5',
      f: '6',
    });
  });

  it('takes only the first separator; the rest belongs to the value', () => {
    assert.deepEqual(props('a==b\nc=d=e\nf::g\nh = :i'), { a: '=b', c: 'd=e', f: ':g', h: ':i' });
  });

  it('gives an empty value to a key without one', () => {
    assert.deepEqual(props('a=\nb\nc:   '), { a: '', b: '', c: '' });
  });

  it('trims whitespace before keys and around separators, keeps trailing value whitespace (as Java)', () => {
    assert.deepEqual(props('   \t a   =   b  '), { a: 'b  ' });
  });

  it('handles CRLF, CR and a byte-order mark', () => {
    assert.deepEqual(props('\uFEFFa=1\r\nb=2\rc=3\r\n'), { a: '1', b: '2', c: '3' });
  });

  it('keeps the last of duplicate keys, with its line', () => {
    assert.deepEqual(props('a=1\nb=2\na=3'), { a: '3', b: '2' });
    assert.equal(parsePropertyEntries('a=1\nb=2\na=3').get('a')?.line, 3);
  });

  it('returns an empty map for empty, blank and comment-only text', () => {
    assert.equal(parseProperties('').size, 0);
    assert.equal(parseProperties('\n   \n\t\n# x\n! y\n').size, 0);
  });
});

describe('parseProperties: comments', () => {
  it('skips # and ! comment lines, also indented', () => {
    assert.deepEqual(props('# a=1\n! b=2\n   # c=3\n\t! d=4\ne=5'), { e: '5' });
  });

  it('keeps # and ! inside a value', () => {
    assert.deepEqual(props('a=b # not a comment\npassword=consumer1!'), {
      a: 'b # not a comment',
      password: 'consumer1!',
    });
  });

  it('does not continue a comment line that ends with a backslash', () => {
    assert.deepEqual(props('# comment \\\na=1'), { a: '1' });
  });
});

describe('parseProperties: continuation lines', () => {
  it('joins a line ending in a backslash with the next, dropping its leading whitespace', () => {
    assert.deepEqual(props('topics=a,\\\n      b,\\\n\t\tc\nnext=1'), { topics: 'a,b,c', next: '1' });
  });

  it('treats an even number of trailing backslashes as escaped backslashes', () => {
    assert.deepEqual(props('a=x\\\\\nb=y'), { a: 'x\\', b: 'y' });
    assert.deepEqual(props('a=x\\\\\\\nmore'), { a: 'x\\more' });
  });

  it('treats a continuation line starting with # as content', () => {
    assert.deepEqual(props('a=1\\\n  # 2'), { a: '1# 2' });
  });

  it('accepts a continuation at end of input', () => {
    assert.deepEqual(props('a=1\\'), { a: '1' });
  });

  it('continues a key across lines', () => {
    assert.deepEqual(props('mysql.\\\n  url=x'), { 'mysql.url': 'x' });
  });

  it('reports the line where the logical line starts', () => {
    const entries = parsePropertyEntries('x=1\na=1\\\n2\\\n3\nb=4');
    assert.equal(entries.get('a')?.line, 2);
    assert.equal(entries.get('b')?.line, 5);
  });
});

describe('parseProperties: escapes', () => {
  parsesAs({
    'decodes \\uXXXX, in keys and values, either case of hex': [
      'caf\\u00e9=\\u00C9t\\u00e9 \\uD83D\\uDE00',
      { café: 'Été 😀' },
    ],
    'decodes \\t \\n \\r \\f': ['a=1\\t2\\n3\\r4\\f5', { a: '1\t2\n3\r4\f5' }],
    'lets escaped separators and spaces be part of a key': [
      'a\\=b=c\nd\\:e:f\ng\\ h i\n\\#k=v',
      { 'a=b': 'c', 'd:e': 'f', 'g h': 'i', '#k': 'v' },
    ],
    'drops the backslash before any other character': ['a=\\q\\"\\\\', { a: 'q"\\' }],
    'keeps an escaped leading space in a value': ['a=\\  b', { a: '  b' }],
    'reads UTF-8 text as is': ['name=데이터', { name: '데이터' }],
  });
});

describe('parseProperties: bad input', () => {
  it('rejects a malformed \\u escape with file and line, naming the key', () => {
    assertConfigError(
      () => parseProperties('a=1\nb=x\\u12G4', 'conf/sink.properties'),
      /^conf\/sink\.properties:2: malformed \\uXXXX escape in the value of "b"; write exactly four hex digits after \\u/,
    );
  });

  it('rejects a truncated \\u escape at end of input', () => {
    assertConfigError(() => parseProperties('a=\\u00', 'f'), /^f:1: malformed \\uXXXX escape in the value of "a"/);
  });

  it('rejects a malformed \\u escape in a key', () => {
    assertConfigError(() => parseProperties('\n\nk\\uZZ=1', 'f'), /^f:3: malformed \\uXXXX escape in a key/);
  });

  it('reports the natural line of an escape inside a continuation', () => {
    assertConfigError(() => parseProperties('a=1,\\\n  2,\\\n  \\u0', 'f'), /^f:3: /);
  });

  it('never echoes the value, which may be a password', () => {
    const message = assertConfigError(() => parseProperties('mysql.password=hunter2\\u12'), /mysql\.password/);
    assert.ok(!message.includes('hunter2'));
  });
});

describe('formatProperty', () => {
  it('writes plain keys and values as they are', () => {
    assert.equal(formatProperty('kafka.group.id.template', 'group-${topic}'), 'kafka.group.id.template=group-${topic}');
    assert.equal(formatProperty('sink.fields.include', ''), 'sink.fields.include=');
    assert.equal(formatProperty('mysql.password', 'consumer1!'), 'mysql.password=consumer1!');
  });

  it('writes lines that parse back to the same key and value', () => {
    const cases: readonly [string, string][] = [
      ['a b=c:d#e!f', 'x'],
      ['k', '  leading and trailing  '],
      ['k', 'back\\slash \\u0041 and = : # !'],
      ['k', 'tab\tnew\nline\rcr\fff'],
      ['#k', '데이터 😀'],
      ['k', '\\'],
    ];
    for (const [key, value] of cases) {
      const line = formatProperty(key, value);
      assert.doesNotMatch(line, /[\r\n]/);
      assert.deepEqual(Object.fromEntries(parseProperties(line)), { [key]: value }, line);
    }
  });
});
