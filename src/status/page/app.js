// The status page: polls the JSON endpoints every 3 s and renders the whole group's picture.
import { drawChart } from './chart.js';
import { cell, duration, el, fillRows, hexDump, number, numCell, rate, stateBadge, uptime } from './render.js';

const REFRESH_MS = 3000;
const $ = (selector) => document.querySelector(selector);

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

function card(label, value, sub, id) {
  return el(
    'div',
    { className: 'card', id },
    el('div', { className: 'label' }, label),
    el('div', { className: 'value', 'data-value': '' }, value),
    sub ? el('div', { className: 'sub' }, sub) : null,
  );
}

function renderOverview(o) {
  const i = o.instance;
  $('#instance-line').textContent =
    `instance ${i.id} · version ${i.version} · up ${uptime(i.uptimeSeconds)} · updated ${new Date(o.at).toLocaleTimeString()}`;

  const problems = [...o.problems];
  const failed = o.partitions.filter((p) => p.state === 'failed');
  if (o.database === 'unreachable') problems.unshift('Database unreachable: offsets and dead letters cannot be read.');
  if (failed.length > 0) problems.push(`${failed.length} partition(s) failed: see the state column.`);
  const box = $('#problems');
  box.hidden = problems.length === 0;
  box.replaceChildren(...problems.map((text) => el('p', {}, `⚠ ${text}`)));

  $('#cards').replaceChildren(
    card(
      'total lag',
      number(o.totals.lag),
      `${duration(o.totals.lagSeconds, o.totals.lag)} at the current rate`,
      'card-lag',
    ),
    card('group rate', `${rate(o.totals.rate)}/s`, 'records committed', 'card-rate'),
    card('this instance', `${rate(i.rate)}/s`, `${number(i.written)} written since start`, 'card-instance'),
    card('dead letters', number(o.totals.deadLetters), `${number(i.deadLetters)} by this instance`, 'card-dead'),
    card(
      'partitions',
      String(o.partitions.length),
      `${i.partitions} here · ${failed.length} failed`,
      'card-partitions',
    ),
    card('database', o.database === 'ok' ? '✔ reachable' : '✖ unreachable', null, 'card-database'),
  );

  fillRows(
    $('#topics tbody'),
    o.topics.map((t) =>
      el(
        'tr',
        { 'data-topic': t.topic },
        cell(t.topic),
        cell(t.group),
        numCell(t.partitions, 'partitions'),
        numCell(number(t.committed), 'committed'),
        numCell(number(t.end), 'end'),
        numCell(number(t.lag), 'lag'),
        numCell(duration(t.lagSeconds, t.lag), 'lagSeconds'),
        numCell(rate(t.rate), 'rate'),
        numCell(number(t.deadLetters), 'deadLetters'),
      ),
    ),
  );

  fillRows(
    $('#partitions tbody'),
    o.partitions.map((p) =>
      el(
        'tr',
        { 'data-partition': `${p.topic}/${p.partition}`, className: `row-${p.state}` },
        cell(p.topic),
        numCell(p.partition, 'partition'),
        cell(stateBadge(p.state, p.reason), { 'data-field': 'state' }),
        numCell(number(p.committed), 'committed'),
        numCell(number(p.end), 'end'),
        numCell(number(p.lag), 'lag'),
        numCell(duration(p.lagSeconds, p.lag), 'lagSeconds'),
        numCell(rate(p.rate), 'rate'),
        cell(p.owner === null ? '–' : p.ownerUrl ? el('a', { href: p.ownerUrl }, p.owner) : p.owner, {
          'data-field': 'owner',
        }),
        numCell(number(p.deadLetters), 'deadLetters'),
        cell(el('button', { type: 'button', onclick: () => peek(p.topic, p.partition) }, 'peek')),
      ),
    ),
  );

  fillRows(
    $('#instances tbody'),
    o.instances.map((x) =>
      el(
        'tr',
        {},
        cell(el('a', { href: x.statusUrl }, x.id)),
        cell(x.version),
        numCell(x.partitions, 'partitions'),
        numCell(`${Math.round(x.ageSeconds)} s ago`, 'age'),
      ),
    ),
  );
  $('#config').replaceChildren(...Object.entries(i.config).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));

  const select = $('#peek-topic');
  const topics = o.topics.map((t) => t.topic);
  if (select.options.length !== topics.length)
    select.replaceChildren(...topics.map((t) => el('option', { value: t }, t)));
}

async function showBytes(id) {
  const box = $('#dead-bytes');
  box.hidden = false;
  box.textContent = 'loading…';
  try {
    const d = await getJson(`api/dead-letters/${id}`);
    box.textContent =
      `dead letter ${d.id}: ${d.topic}/${d.partition}@${d.offset} (${d.reason})\n${d.message}\n\n` +
      `key (${d.keyBytes ?? 0} bytes):\n${hexDump(d.keyHex)}\n\nvalue (${d.valueBytes ?? 0} bytes):\n${hexDump(d.valueHex)}` +
      (d.hexTruncated ? '\n… (truncated)' : '');
  } catch (error) {
    box.textContent = `could not load the bytes: ${error.message}`;
  }
}

function renderDeadLetters(list) {
  $('#dead-empty').hidden = list.length > 0;
  fillRows(
    $('#dead-letters tbody'),
    list.map((d) =>
      el(
        'tr',
        { 'data-dead-letter': d.id },
        cell(d.createdAt),
        cell(d.topic),
        numCell(d.partition, 'partition'),
        numCell(d.offset, 'offset'),
        cell(stateBadgeless(d.reason, d.message)),
        cell(el('button', { type: 'button', onclick: () => showBytes(d.id) }, 'bytes (hex)')),
      ),
    ),
  );
}

function stateBadgeless(reason, message) {
  return el('details', { className: 'reason' }, el('summary', {}, reason), message);
}

async function peek(topic, partition) {
  if (topic !== undefined) {
    $('#peek-topic').value = topic;
    $('#peek-partition').value = String(partition);
    $('#peek-title').scrollIntoView({ behavior: 'smooth' });
  }
  const params = new URLSearchParams({
    topic: $('#peek-topic').value,
    partition: $('#peek-partition').value,
    count: $('#peek-count').value,
  });
  const error = $('#peek-error');
  try {
    const body = await getJson(`api/peek?${params}`);
    error.hidden = true;
    fillRows(
      $('#peek tbody'),
      body.records.map((r) =>
        el(
          'tr',
          { 'data-offset': r.offset },
          numCell(r.offset, 'offset'),
          cell(r.timestamp ?? '–'),
          cell(r.key ?? '(none)'),
          el('td', { className: 'value' }, r.error === null ? JSON.stringify(r.value) : `✖ ${r.error}`),
        ),
      ),
    );
    if (body.records.length === 0) error.hidden = false;
    if (body.records.length === 0) error.textContent = 'The partition has no records.';
  } catch (e) {
    error.hidden = false;
    error.textContent = e.message;
  }
}

async function refresh() {
  const results = await Promise.allSettled([
    getJson('api/overview'),
    getJson('api/history'),
    getJson('api/dead-letters?limit=20'),
  ]);
  const [overview, history, dead] = results;
  if (overview.status === 'fulfilled') renderOverview(overview.value);
  else $('#instance-line').textContent = `the sink does not answer: ${overview.reason.message}`;
  if (history.status === 'fulfilled') drawChart($('#chart'), history.value.points);
  if (dead.status === 'fulfilled') renderDeadLetters(dead.value.deadLetters);
  document.body.dataset.refreshed = String(Date.now());
}

$('#peek-form').addEventListener('submit', (event) => {
  event.preventDefault();
  peek();
});

async function loop() {
  try {
    await refresh();
  } finally {
    setTimeout(loop, REFRESH_MS);
  }
}
loop();
