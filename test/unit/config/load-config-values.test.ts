// loadConfig: bad and accepted value forms, and the topic list.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { load, fromText, textError } from './load-config-helpers.ts';

describe('loadConfig: bad values', () => {
  const cases: readonly [string, RegExp][] = [
    [
      'max.poll.records=abc',
      /^config key max\.poll\.records = "abc" \(from sink\.properties:1\) is not a whole number; set a whole number from 1 to 100000$/,
    ],
    ['max.poll.records=1.5', /max\.poll\.records = "1\.5" .* is not a whole number/],
    ['max.poll.records=', /max\.poll\.records = "" .* is not a whole number/],
    ['max.poll.records=1e3', /is not a whole number/],
    ['poll.interval.ms=-1', /poll\.interval\.ms = "-1" .* is out of range; set a whole number from 0 to 600000/],
    ['blocking.queue.size=0', /blocking\.queue\.size = "0" .* is out of range; set a whole number from 1 to 10000000/],
    ['mysql.maxPoolSize=0', /mysql\.maxPoolSize = "0" .* is out of range; set a whole number from 1 to 1000/],
    ['mysql.maxPoolSize=1001', /mysql\.maxPoolSize = "1001" .* is out of range/],
    ['sink.batch.max.records=100001', /sink\.batch\.max\.records = "100001" .* from 1 to 100000/],
    ['sink.batch.max.records=99999999999999999999', /is out of range/],
    ['status.port=65536', /status\.port = "65536" .* from 0 to 65535/],
    [
      'errors.deadletter.log.max=-1',
      /errors\.deadletter\.log\.max = "-1" .* is out of range; set a whole number from 0 to 1000000/,
    ],
    [
      'kafka.value.subject.name.strategy=TopicName',
      /kafka\.value\.subject\.name\.strategy = "TopicName" .* is not a subject name strategy; set one of TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy/,
    ],
    [
      'kafka.group.instance.id=a b',
      /kafka\.group\.instance\.id = "a b" .* is not a usable group instance id; set auto, none, or 1 to 200 characters/,
    ],
    ['kafka.consumer.group.instance.id=x', /set kafka\.group\.instance\.id instead/],
    ['errors.deadletter.log.interval.ms=10', /errors\.deadletter\.log\.interval\.ms = "10" .* from 100 to 3600000/],
    [
      'sink.queue.low.watermark=1.5',
      /sink\.queue\.low\.watermark = "1\.5" .* is out of range; set a fraction from 0 to 1/,
    ],
    ['sink.queue.low.watermark=half', /is not a number; set a fraction/],
    [
      'sink.auto.create=maybe',
      /^config key sink\.auto\.create = "maybe" \(from sink\.properties:1\) is not a boolean; set true or false$/,
    ],
    [
      'sink.insert.mode=merge',
      /sink\.insert\.mode = "merge" .* is not an allowed value; set one of insert, upsert, update, ignore/,
    ],
    ['errors.tolerance=some', /errors\.tolerance = "some" .* set one of all, none/],
    [
      'kafka.schema.registry.url=localhost:8081',
      /^config key kafka\.schema\.registry\.url = "localhost:8081" .* is not an http\(s\) URL; set a URL like http:\/\/127\.0\.0\.1:8081\/apis\/ccompat\/v7$/,
    ],
    ['kafka.schema.registry.url=ftp://r/x', /is not an http\(s\) URL/],
    ['kafka.bootstrap.servers=', /kafka\.bootstrap\.servers = "" .* lists no brokers/],
    ['kafka.bootstrap.servers=a:1,b c:2', /has an invalid broker address "b c:2"; set comma-separated host:port pairs/],
    ['kafka.bootstrap.servers=a:99999', /invalid broker address "a:99999"/],
    ['kafka.client.id=  ', /kafka\.client\.id = "" .* is empty/],
    [
      'sink.string.type=TEXT; DROP TABLE x',
      /sink\.string\.type = "TEXT; DROP TABLE x" .* is not a supported string column type/,
    ],
    ['sink.string.type=VARCHAR(0)', /has a length out of range/],
    ['sink.string.type=VARCHAR(16384)', /has a length out of range/],
    ['sink.string.type=CHAR(256)', /has a length out of range/],
    [
      'sink.string.type=TINYTEXT(10)',
      /sink\.string\.type = "TINYTEXT\(10\)" .* is not a supported string column type; set VARCHAR\(n\) .*, TINYTEXT, TEXT, MEDIUMTEXT or LONGTEXT$/,
    ],
    ['sink.string.type=TINYBLOB', /is not a supported string column type/],
    ['sink.offsets.table=my offsets', /sink\.offsets\.table = "my offsets" .* is not a plain table name/],
    ['sink.deadletter.table=a`b', /sink\.deadletter\.table = "a`b" .* is not a plain table name/],
    ['sink.fields.include=id,2bad', /sink\.fields\.include = "id,2bad" .* has an invalid field name "2bad"/],
    ['status.host=bad host', /status\.host = "bad host" .* is not a host name or IP address/],
    ['kafka.session.timeout.ms=10', /kafka\.session\.timeout\.ms = "10" .* from 1000 to 3600000/],
    ['sink.pk.fields=id,2bad', /sink\.pk\.fields = "id,2bad" .* has an invalid field name "2bad"/],
    [
      'sink.pk.fields=id\nsink.fields.include=name,amount',
      /sink\.pk\.fields .* names "id", which sink\.fields\.include .* leaves out of the table/,
    ],
    [
      'sink.pk.fields=id,name\nsink.fields.exclude=name',
      /sink\.pk\.fields .* names "name", which sink\.fields\.exclude .* leaves out of the table/,
    ],
    [
      'sink.insert.mode=upsert\nsink.provenance.columns=false',
      /sink\.insert\.mode .* = upsert needs a key to match rows on.*set sink\.pk\.fields, sink\.pk\.mode=record_key or sink\.provenance\.columns=true/,
    ],
    ['kafka.offset.hint.interval.ms=-1', /kafka\.offset\.hint\.interval\.ms = "-1" .* from 0 to 3600000/],
    ['kafka.offset.hint.interval.ms=soon', /kafka\.offset\.hint\.interval\.ms = "soon" .* not a whole number/],
    // The Kafka client refuses these only when the consumer is made: without the check the sink retried for ever.
    [
      'kafka.fetch.max.bytes=65536',
      /^config key kafka\.fetch\.max\.bytes = "?65536"? .*below the Kafka client's message\.max\.bytes \(1000000\).*; set it to at least 1000000$/,
    ],
    [
      'kafka.fetch.max.bytes=1048576\nkafka.consumer.message.max.bytes=2000000',
      /kafka\.fetch\.max\.bytes .* message\.max\.bytes \(2000000\).*at least 2000000$/,
    ],
  ];
  for (const [text, pattern] of cases) {
    it(`rejects ${text}`, () => {
      textError(text, pattern);
    });
  }

  it('accepts a fetch size down to message.max.bytes', () => {
    assert.equal(fromText('kafka.fetch.max.bytes=1000000').kafka.fetchMaxBytes, 1_000_000);
    const small = fromText('kafka.fetch.max.bytes=65536\nkafka.consumer.message.max.bytes=65536');
    assert.equal(small.kafka.fetchMaxBytes, 65_536);
  });

  it('hides registry credentials in errors', () => {
    textError(
      'kafka.schema.registry.url=ftp://reg-user:regpw@reg/x',
      /= "ftp:\/\/reg-user:\*\*\*@reg\/x" .* is not an http\(s\) URL/,
      'regpw',
    );
  });

  it('cuts very long values short in the message', () => {
    const message = textError(`kafka.client.id=\nmax.poll.records=${'9'.repeat(500)}`, /is out of range/);
    assert.ok(message.length < 400);
  });

  it('escapes control characters so the message stays one line', () => {
    textError('max.poll.records=1\\n2', /= "1\\n2" .* is not a whole number/);
  });
});

describe('loadConfig: accepted value forms', () => {
  it('trims values and parses booleans, enums and fractions leniently', () => {
    const config = fromText(
      'max.poll.records = 42  \nsink.auto.create=FALSE\nsink.auto.evolve=off\nsink.provenance.columns=0\nlog.level=Debug\nsink.queue.low.watermark=.25',
    );
    assert.equal(config.backpressure.maxPollRecords, 42);
    assert.equal(config.sink.autoCreate, false);
    assert.equal(config.sink.autoEvolve, false);
    assert.equal(config.sink.provenanceColumns, false);
    assert.equal(config.log.level, 'debug');
    assert.equal(config.backpressure.lowWatermark, 0.25);
    assert.equal(config.backpressure.resumeAt, 1250);
  });

  it('keeps the password verbatim, spaces included', () => {
    assert.equal(load({ env: { KMS_MYSQL_PASSWORD: ' pa ss ' } }).mysql.password, ' pa ss ');
    assert.equal(load({ env: { KMS_MYSQL_PASSWORD: '' } }).mysql.password, '');
  });

  it("takes Confluent's subject name strategies by short or qualified class name, any case", () => {
    const strategy = (text: string) =>
      fromText(`kafka.value.subject.name.strategy=${text}`).kafka.valueSubjectNameStrategy;
    assert.equal(strategy('RecordNameStrategy'), 'RecordNameStrategy');
    assert.equal(strategy('io.confluent.kafka.serializers.subject.TopicRecordNameStrategy'), 'TopicRecordNameStrategy');
    assert.equal(strategy('topicnamestrategy'), 'TopicNameStrategy');
  });

  it('normalises the string type', () => {
    assert.equal(fromText('sink.string.type= varchar( 1000 )').sink.stringType, 'VARCHAR(1000)');
    assert.equal(fromText('sink.string.type=longtext').sink.stringType, 'LONGTEXT');
    assert.equal(fromText('sink.string.type= tinytext ').sink.stringType, 'TINYTEXT');
  });

  it('drops empty list items and strips the registry URL trailing slash', () => {
    const config = fromText(
      'kafka.topics=a,,b,\nkafka.schema.registry.url=https://user:pw@reg:8443/apis/ccompat/v7/\nsink.fields.exclude=x, y ,x',
    );
    assert.deepEqual(config.kafka.topics, ['a', 'b']);
    assert.equal(config.kafka.schemaRegistryUrl, 'https://user:pw@reg:8443/apis/ccompat/v7');
    assert.deepEqual(config.sink.fieldsExclude, ['x', 'y']);
  });

  it('accepts broker addresses with protocol, IPv6 or no port', () => {
    assert.deepEqual(fromText('kafka.bootstrap.servers=PLAINTEXT://a:9092,[::1]:9093,broker').kafka.bootstrapServers, [
      'PLAINTEXT://a:9092',
      '[::1]:9093',
      'broker',
    ]);
  });

  it('accepts a registry URL without the ccompat path as given', () => {
    assert.equal(
      fromText('kafka.schema.registry.url=http://localhost:8081').kafka.schemaRegistryUrl,
      'http://localhost:8081',
    );
  });

  it('disables the status server with port 0', () => {
    assert.equal(fromText('status.port=0').status.port, 0);
  });
});

describe('loadConfig: topics', () => {
  it('rejects an empty topic list', () => {
    textError(
      'kafka.topics=',
      /^config key kafka\.topics = "" \(from sink\.properties:1\) lists no topics; set one or more comma-separated topic names/,
    );
    textError('kafka.topics= , ,', /lists no topics/);
  });

  it('rejects invalid topic names with the Kafka rules', () => {
    textError(
      'kafka.topics=ok,bad topic',
      /kafka\.topics = "ok,bad topic" .* has an invalid topic name "bad topic"; use 1 to 249 characters from a-z A-Z 0-9 \. _ -/,
    );
    textError('kafka.topics=a;DROP', /invalid topic name "a;DROP"/);
    textError('kafka.topics=..', /invalid topic name "\.\."/);
    textError(`kafka.topics=${'t'.repeat(250)}`, /invalid topic name/);
  });

  it('accepts a 249-character topic when the table template shortens it', () => {
    const topic = 't'.repeat(249);
    const config = fromText(`kafka.topics=${topic}\nsink.table.template=t_x`);
    assert.deepEqual(config.kafka.topics, [topic]);
  });

  it('rejects a topic listed twice', () => {
    textError('kafka.topics=a,b,a', /lists topic "a" twice; list each topic once/);
  });
});
