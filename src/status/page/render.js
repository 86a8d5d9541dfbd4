// DOM helpers and formatting for the status page. Values are set with textContent only: topic names,
// error messages and record contents are data, never markup.

/** Icon + words for every state, so states differ without colour. */
const STATES = {
  running: ['▶', 'running'],
  backpressure: ['‖', 'backpressure'],
  paused: ['‖', 'backpressure'],
  waiting_for_database: ['◌', 'waiting for database'],
  waiting_for_registry: ['◌', 'waiting for registry'],
  failed: ['✖', 'failed'],
  stopping: ['■', 'stopping'],
  stopped: ['■', 'stopped'],
  unassigned: ['○', 'unassigned'],
};

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name === 'className') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function stateBadge(state, reason) {
  const [icon, words] = STATES[state] ?? ['?', state.replaceAll('_', ' ')];
  const badge = el('span', { className: `state state-${state}`, 'data-state': state }, `${icon} ${words}`);
  if (!reason) return badge;
  // The reason can be a long error: folded, so it never stretches the table.
  const details = el('details', { className: 'reason' }, el('summary', {}, firstWords(reason)), reason);
  return el('div', {}, badge, details);
}

function firstWords(text) {
  return text.length > 48 ? `${text.slice(0, 45)}…` : text;
}

export function number(value) {
  return value === null || value === undefined ? '–' : Math.round(value).toLocaleString('en-US');
}

export function rate(value) {
  if (value === null || value === undefined) return '–';
  return value >= 100 ? number(value) : value.toFixed(value >= 10 ? 0 : 1);
}

/** Lag in time at the current rate: null lag with records behind = no progress. */
export function duration(seconds, lag) {
  if (seconds === null || seconds === undefined) return lag ? 'no progress' : '–';
  if (seconds < 1) return seconds === 0 ? '0 s' : '<1 s';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

export function uptime(seconds) {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${seconds % 60}s`;
}

export function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

export function cell(content, attributes = {}) {
  return el('td', attributes, content);
}

export function numCell(content, field) {
  return el('td', { className: 'num', 'data-field': field }, content);
}

/** Hex dump, 16 bytes a line with offsets, for a dead letter's raw bytes. */
export function hexDump(hex) {
  if (hex === null) return '(null)';
  const lines = [];
  for (let i = 0; i < hex.length; i += 32) {
    const chunk = hex.slice(i, i + 32);
    const bytes = chunk.match(/../g) ?? [];
    const ascii = bytes.map((b) => {
      const c = Number.parseInt(b, 16);
      return c >= 32 && c < 127 ? String.fromCharCode(c) : '.';
    });
    lines.push(`${(i / 2).toString(16).padStart(6, '0')}  ${bytes.join(' ').padEnd(47)}  ${ascii.join('')}`);
  }
  return lines.join('\n');
}
