/*
** app.js — the TraceLM trace browser: one page, a view per hash route
** (#/traces, #/trace/ID, #/runs, #/llm, #/conversations, #/sql), each
** drawn from the JSON of /api/* (cli/ui_api.c; the SQL is sql/ui_*.sql).
**
** Span names and attributes come from the traced program and may be
** hostile: every value goes into the page as a text node (el() below),
** never as markup, and the only links made are to trace ids checked to be
** 32 hex digits.  The page also renders a file written by
** `tracelm compare --format html`, which carries its rows in a
** <script type="application/json" id="tlm-compare"> block.
*/
'use strict';

const VIEW = document.getElementById('view');
const STATUS = document.getElementById('status');
const HEX32 = /^[0-9a-f]{32}$/;
const PAGE = 50;
/* A file of `tracelm compare --format html`: no server, no links. */
const OFFLINE = document.getElementById('tlm-compare') !== null;

/* ------------------------------------------------------------ helpers */

/* An element with attributes and children; strings become text nodes. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/* A link to a trace, only for a well-formed id. */
function traceLink(id, text) {
  if (typeof id !== 'string' || !HEX32.test(id)) return document.createTextNode(String(id ?? ''));
  if (OFFLINE) return el('span', { class: 'mono', title: id }, text ?? id.slice(0, 12) + '…');
  return el('a', { href: '#/trace/' + id, class: 'trace-link' }, text ?? id.slice(0, 12) + '…');
}

/* As TraceLM's format_duration: ns, µs, ms or s. */
function duration(ns) {
  if (ns === null || ns === undefined || ns === '') return '';
  ns = Number(ns);
  const a = Math.abs(ns);
  if (a < 1e3) return ns + ' ns';
  if (a < 1e6) return (ns / 1e3).toFixed(3) + ' µs';
  if (a < 1e9) return (ns / 1e6).toFixed(3) + ' ms';
  return (ns / 1e9).toFixed(3) + ' s';
}
/* As the timeline: small costs with the digits that make them visible. */
const money = v => (v === null || v === undefined) ? '' :
  '$' + Number(v).toFixed(v !== 0 && Math.abs(v) < 0.01 ? 6 : 4);
const pct = v => (v === null || v === undefined) ? '' : (v > 0 ? '+' : '') + Number(v).toFixed(1) + '%';

/* UTC, to the second: the same on every machine the page is opened on. */
function when(ns) {
  if (ns === null || ns === undefined) return '';
  const d = new Date(Number(ns) / 1e6);
  return isNaN(d) ? '' : d.toISOString().replace('T', ' ').slice(0, 19);
}

/* Rows of {"columns":[...],"rows":[[...]]} as objects by column name. */
function objects(result) {
  return result.rows.map(r => Object.fromEntries(result.columns.map((c, i) => [c, r[i]])));
}

async function api(path, params, options) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const url = '/api/' + path + (q.toString() ? '?' + q : '');
  const r = await fetch(url, Object.assign({ credentials: 'same-origin' }, options || {}));
  if (r.status === 401) { location.href = '/login'; throw new Error('log in first'); }
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function setStatus(text, error) {
  STATUS.textContent = text || '';
  STATUS.className = error ? 'error' : '';
}

/* Replace node's children with parts (nested arrays and nulls allowed). */
function fill(node, ...parts) {
  node.replaceChildren(...parts.flat(Infinity).filter(p => p !== null && p !== undefined));
}
const render = (...parts) => fill(VIEW, ...parts);

function failed(err) {
  render(el('p', { class: 'error', id: 'error' }, String(err.message || err)));
  setStatus('', false);
}

/* A table of objects: columns as [heading, value function, class]. */
function table(rows, columns, options) {
  const o = options || {};
  const head = el('tr', {}, columns.map(([h, , cls, key]) => {
    const th = el('th', { class: cls, 'data-key': key }, h);
    if (o.sortable && key) {
      th.classList.add('sortable');
      if (o.sort === key) th.classList.add(o.dir === 'asc' ? 'asc' : 'desc');
      th.addEventListener('click', () => o.onSort(key));
    }
    return th;
  }));
  const body = rows.map(r => {
    const tr = el('tr', {}, columns.map(([, f, cls]) => el('td', { class: cls }, f(r))));
    if (o.rowClass) tr.className = o.rowClass(r) || '';
    if (o.onRow) tr.addEventListener('click', e => { if (e.target.tagName !== 'A') o.onRow(r, tr); });
    return tr;
  });
  return el('table', { class: 'grid' + (o.onRow ? ' clickable' : ''), id: o.id },
            el('thead', {}, head), el('tbody', {}, body));
}

function route() {
  const hash = location.hash.replace(/^#\/?/, '') || 'traces';
  const [path, query] = hash.split('?');
  const parts = path.split('/');
  return { view: parts[0], arg: parts[1] ? decodeURIComponent(parts[1]) : null,
           params: new URLSearchParams(query || '') };
}

function go(view, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  location.hash = '#/' + view + (q.toString() ? '?' + q : '');
}

/* ------------------------------------------------------------ traces */

const FILTERS = ['since', 'until', 'label', 'service', 'root', 'model', 'status', 'min_ms', 'min_cost', 'q',
                 'sort', 'dir', 'offset'];
const RANGES = [['', 'any time'], ['3600', 'last hour'], ['86400', 'last 24 hours'],
                ['604800', 'last 7 days'], ['2592000', 'last 30 days']];
let filterChoices = null;

async function viewTraces(params) {
  const f = Object.fromEntries(FILTERS.map(k => [k, params.get(k) || '']));
  if (!filterChoices) filterChoices = objects(await api('filters'));
  const choices = kind => filterChoices.filter(c => c.kind === kind);
  const select = (name, label, kind) => el('label', {}, label + ' ',
    el('select', { name, id: 'f-' + name }, el('option', { value: '' }, 'any'),
       choices(kind).map(c => el('option', { value: c.value, selected: c.value === f[name] },
                                 c.value + ' (' + c.n + ')'))));
  const input = (name, label, type, extra) => el('label', {}, label + ' ',
    el('input', Object.assign({ name, id: 'f-' + name, type, value: f[name] }, extra || {})));
  const range = f.since && !f.until && /^r\d+$/.test(f.since) ? f.since.slice(1) : '';
  const form = el('form', { id: 'filters', class: 'filters' },
    el('label', {}, 'started ', el('select', { name: 'range', id: 'f-range' },
       RANGES.map(([v, t]) => el('option', { value: v, selected: v === range }, t)))),
    select('label', 'label', 'label'), select('service', 'service', 'service'),
    select('root', 'root', 'root'), select('model', 'model', 'model'),
    el('label', {}, 'status ', el('select', { name: 'status', id: 'f-status' },
       [['', 'any'], ['error', 'with errors'], ['ok', 'without errors']].map(([v, t]) =>
         el('option', { value: v, selected: v === f.status }, t)))),
    input('min_ms', 'min ms', 'number', { min: 0, step: 'any', class: 'narrow' }),
    input('min_cost', 'min $', 'number', { min: 0, step: 'any', class: 'narrow' }),
    input('q', 'search', 'search', { placeholder: 'span names, attribute values' }),
    el('button', { type: 'submit', id: 'apply' }, 'Apply'),
    el('button', { type: 'button', id: 'clear', onclick: () => go('traces') }, 'Clear'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    const next = { label: d.label, service: d.service, root: d.root, model: d.model, status: d.status,
                   min_ms: d.min_ms, min_cost: d.min_cost, q: d.q, sort: f.sort, dir: f.dir };
    if (d.range) next.since = 'r' + d.range;
    go('traces', next);
  });
  form.querySelectorAll('select').forEach(s => s.addEventListener('change', () => form.requestSubmit()));

  const query = { label: f.label, service: f.service, root: f.root, model: f.model, status: f.status, q: f.q,
                  min_cost: f.min_cost, sort: f.sort, dir: f.dir, offset: f.offset, limit: PAGE };
  if (f.min_ms) query.min_ns = Math.round(Number(f.min_ms) * 1e6);
  if (range) query.since = String(BigInt(Date.now() - Number(range) * 1000) * 1000000n);
  else if (/^\d+$/.test(f.since)) query.since = f.since;
  if (/^\d+$/.test(f.until)) query.until = f.until;
  const t0 = performance.now();
  const result = await api('traces', query);
  const rows = objects(result), offset = Number(f.offset || 0);
  const sort = f.sort || 'start_ns', dir = f.dir || 'desc';
  const onSort = key => go('traces', Object.assign({}, f, { sort: key, dir: key === sort && dir === 'desc' ? 'asc' : 'desc', offset: '' }));
  const grid = table(rows, [
    ['trace', r => traceLink(r.trace_id), 'mono'],
    ['started (UTC)', r => when(r.start_ns), '', 'start_ns'],
    ['service', r => r.service ?? ''],
    ['root', r => r.root, 'name'],
    ['label', r => r.label ?? ''],
    ['duration', r => duration(r.duration_ns), 'num', 'duration_ns'],
    ['spans', r => r.spans, 'num', 'spans'],
    ['tokens', r => r.tokens, 'num', 'tokens'],
    ['cost', r => money(r.cost), 'num', 'cost'],
    ['errors', r => r.errors || '', 'num', 'errors'],
  ], { id: 'traces', sortable: true, sort, dir, onSort, onRow: r => go('trace/' + r.trace_id),
       rowClass: r => r.errors > 0 ? 'has-error' : '' });
  const pager = el('div', { class: 'pager' },
    el('button', { id: 'prev', disabled: offset === 0,
                   onclick: () => go('traces', Object.assign({}, f, { offset: Math.max(0, offset - PAGE) || '' })) }, '← newer'),
    el('span', { id: 'page-info' }, rows.length ? `${offset + 1}–${offset + rows.length}` : 'no traces match'),
    el('button', { id: 'next', disabled: !result.truncated,
                   onclick: () => go('traces', Object.assign({}, f, { offset: offset + PAGE })) }, 'older →'));
  render(el('h1', {}, 'Traces'), form, grid, pager);
  setStatus(`${rows.length} traces in ${Math.round(performance.now() - t0)} ms`);
}

/* ------------------------------------------------------------- trace */

function summaryItems(s, row) {
  const items = [['trace', s.trace_id], ['root', s.root], ['started (UTC)', when(row.start_ns)],
                 ['duration', duration(s.total_ns)], ['spans', s.span_count],
                 ['tokens', (s.tokens_in ?? 0) + ' in / ' + (s.tokens_out ?? 0) + ' out'],
                 ['cost', money(s.cost)], ['errors', s.errors], ['label', row.label ?? ''],
                 ['service', row.service ?? '']];
  return el('dl', { class: 'summary', id: 'trace-summary' }, items.map(([k, v]) => [el('dt', {}, k), el('dd', { 'data-key': k }, v)]));
}

async function viewTrace(id) {
  const d = await api('trace', { id });
  const head = objects(d.summary)[0];
  const s = JSON.parse(head.summary);
  const n = Object.fromEntries(objects(d.neighbours).map(r => [r.side, r.trace_id]));
  const detail = el('aside', { id: 'span-detail', class: 'detail' }, el('p', { class: 'hint' }, 'Click a span in the tree to see it.'));
  const tree = table(objects(d.tree), [
    ['span', r => el('span', { class: 'indent', style: null, 'data-depth': r.depth },
                     '\u2003'.repeat(Math.min(r.depth, 40)), r.name), 'name'],
    ['offset', r => duration(r.offset_ns), 'num'],
    ['duration', r => duration(r.duration_ns), 'num'],
    ['self', r => duration(r.self_ns), 'num'],
    ['tokens', r => (r.tokens_in + r.tokens_out) || '', 'num'],
    ['cost', r => r.cost ? money(r.cost) : '', 'num'],
    ['status', r => r.status === 'unset' ? '' : r.status],
    ['problem', r => r.problem ?? ''],
  ], { id: 'tree', onRow: (r, tr) => showSpan(s.trace_id, r.span_id, tr, detail),
       rowClass: r => r.status === 'error' ? 'has-error' : '' });
  const critical = table(objects(d.critical), [
    ['span', r => r.name, 'name'], ['from', r => duration(r.from_ns), 'num'],
    ['to', r => duration(r.to_ns), 'num'], ['self on the path', r => duration(r.self_ns), 'num'],
  ], { id: 'critical' });
  const runs = objects(d.runs);
  const nav = el('div', { class: 'trace-nav' },
    n.newer ? el('a', { href: '#/trace/' + n.newer, id: 'newer' }, '← newer trace') : el('span', {}, ''),
    el('a', { href: '#/traces' }, 'all traces'),
    n.older ? el('a', { href: '#/trace/' + n.older, id: 'older' }, 'older trace →') : el('span', {}, ''));
  const problems = (s.anomalies || []).concat(s.problems || []);
  render(
    nav, el('h1', {}, s.root ?? '(no root)'), summaryItems(s, head),
    el('iframe', { id: 'timeline', src: '/timeline?id=' + s.trace_id, title: 'timeline', sandbox: 'allow-scripts' }),
    el('div', { class: 'columns' },
      el('section', {}, el('h2', {}, 'Tree', d.tree.truncated ? ' (first 5,000 spans)' : ''), tree),
      detail),
    el('h2', {}, 'Critical path'), critical,
    problems.length ? [el('h2', {}, 'Anomalies and problems'),
                       el('ul', { id: 'problems' }, problems.map(p => el('li', {}, typeof p === 'string' ? p : JSON.stringify(p))))] : null,
    el('h2', {}, 'Other runs of ', el('q', {}, s.root ?? '')),
    runs.length ? table(runs, [
      ['trace', r => traceLink(r.trace_id), 'mono'], ['started (UTC)', r => when(r.start_ns)],
      ['duration', r => duration(r.duration_ns), 'num'], ['label', r => r.label ?? ''],
      ['errors', r => r.errors || '', 'num']], { id: 'runs' }) : el('p', { class: 'hint' }, 'None.'));
  setStatus('');
}

async function showSpan(trace, span, tr, box) {
  document.querySelectorAll('#tree tr.selected').forEach(r => r.classList.remove('selected'));
  tr.classList.add('selected');
  const d = await api('span', { trace, span });
  const r = objects(d.span)[0], messages = objects(d.messages), scores = objects(d.scores);
  if (!r) { fill(box, el('p', { class: 'error' }, 'no such span')); return; }
  const attrs = r.attrs ? JSON.parse(r.attrs) : {};
  const events = r.events ? JSON.parse(r.events) : [];
  const fields = [['name', r.name], ['span id', r.span_id], ['parent', r.parent_id ?? '(root)'], ['kind', r.kind],
                  ['duration', duration(r.duration_ns)], ['status', r.status + (r.status_message ? ': ' + r.status_message : '')],
                  ['model', r.model ?? ''], ['tokens', r.tokens_in + ' in / ' + r.tokens_out + ' out'],
                  ['cost', money(r.cost) + (r.cost_source ? ' (' + r.cost_source + ')' : '')],
                  ['service', r.service ?? ''], ['thread', r.thread_id ?? '']];
  fill(box, 
    el('h2', {}, 'Span'),
    el('dl', { class: 'summary', id: 'span-fields' }, fields.map(([k, v]) => [el('dt', {}, k), el('dd', { 'data-key': k }, v)])),
    el('h3', {}, 'Attributes'),
    el('table', { class: 'grid', id: 'span-attrs' }, el('tbody', {}, Object.entries(attrs).map(([k, v]) =>
      el('tr', {}, el('th', {}, k), el('td', { class: 'value' }, typeof v === 'string' ? v : JSON.stringify(v)))))),
    messages.length ? [el('h3', {}, 'Messages'), el('ol', { id: 'span-messages', class: 'messages' }, messages.map(m =>
      el('li', { class: 'message ' + m.source },
         el('span', { class: 'role' }, m.role ?? m.source), ' ',
         m.kind === 'tool_call' ? el('code', {}, 'tool call ' + (m.tool_name ?? '') + '(' + (m.arguments ?? '') + ')')
                                : el('span', { class: 'text' }, m.text ?? '(' + m.kind + ')'))))] : null,
    scores.length ? [el('h3', {}, 'Scores'), table(scores, [
      ['evaluation', x => x.name, 'name'], ['value', x => x.value ?? '', 'num'], ['label', x => x.label ?? ''],
      ['explanation', x => x.explanation ?? '']], { id: 'span-scores' })] : null,
    events.length ? [el('h3', {}, 'Events'), el('ul', { id: 'span-events' }, events.map(e =>
      el('li', {}, when(e.time_ns) + ' ' + e.name + (e.attrs ? ' ' + JSON.stringify(e.attrs) : ''))))] : null);
}

/* -------------------------------------------------------------- runs */

function compareTable(rows, a, b) {
  const examples = (list, side) => {
    const ids = list ? JSON.parse(list) : [];
    return ids.map((id, i) => [i ? ' ' : '', traceLink(id, side + (i + 1))]);
  };
  /* A score row (an evaluation) shows its values, not durations. */
  const value = (r, v) => r.kind === 'score' ? (v === null ? '' : Number(v).toPrecision(3)) : duration(v);
  return table(rows, [
    ['path', r => r.kind === 'score' ? 'score: ' + r.path : r.path, 'name'], ['n', r => r.n_a + ' / ' + r.n_b, 'num'],
    ['p50 ' + a, r => value(r, r.p50_a), 'num'], ['p50 ' + b, r => value(r, r.p50_b), 'num'],
    ['p50', r => pct(r.p50_change_pct), 'num'], ['p90 ' + b, r => value(r, r.p90_b), 'num'],
    ['p', r => r.p_value === null ? '' : Number(r.p_value).toPrecision(3), 'num'],
    ['ttft', r => pct(r.ttft_change_pct), 'num'],
    ['tokens/run', r => pct(r.tokens_change_pct), 'num'], ['cost/run', r => pct(r.cost_change_pct), 'num'],
    ['change', r => r.change + (r.significant ? ' *' : '')],
    ['examples', r => [examples(r.examples_a, 'a'), ' ', examples(r.examples_b, 'b')]],
  ], { id: 'compare', rowClass: r => r.significant && (r.change === 'slower' || r.change === 'worse') ? 'regression' : (r.significant ? 'significant' : '') });
}

async function viewRuns(params) {
  const labels = objects(await api('labels'));
  const a = params.get('a') || '', b = params.get('b') || '';
  const pick = (name, value) => el('label', {}, (name === 'a' ? 'baseline' : 'candidate') + ' ',
    el('input', { name, id: 'run-' + name, value, list: 'labels', placeholder: 'a label, or SELECT trace_id …' }));
  const form = el('form', { id: 'runs-form', class: 'filters' }, pick('a', a), pick('b', b),
    el('datalist', { id: 'labels' }, labels.map(l => el('option', { value: l.label }, l.traces + ' traces'))),
    el('button', { type: 'submit', id: 'compare-button' }, 'Compare'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    go('runs', { a: form.elements.a.value, b: form.elements.b.value });
  });
  const list = table(labels, [['label', r => r.label, 'name'], ['traces', r => r.traces, 'num'],
                              ['first (UTC)', r => when(r.first_ns)], ['last (UTC)', r => when(r.last_ns)]],
                     { id: 'labels-table' });
  const parts = [el('h1', {}, 'Runs'), form];
  if (a && b) {
    const rows = objects(await api('compare', { a, b }));
    parts.push(el('p', { class: 'hint' }, 'Significant regressions first; * marks p < 0.05 (Mann–Whitney).'),
               compareTable(rows, 'a', 'b'));
  }
  parts.push(el('h2', {}, 'Run labels'), list);
  render(...parts);
  setStatus('');
}

/* --------------------------------------------------------------- llm */

/* The LLM and conversation pages' filters: time range, label, service
** (the trace list's choices), and what the page adds. */
async function windowForm(id, params, extra, onSubmit) {
  const range = params.get('range') || '';
  if (!filterChoices) filterChoices = objects(await api('filters'));
  const select = kind => el('label', {}, kind + ' ', el('select', { name: kind, id: id + '-' + kind },
    el('option', { value: '' }, 'any'), filterChoices.filter(c => c.kind === kind).map(c =>
      el('option', { value: c.value, selected: c.value === (params.get(kind) || '') }, c.value + ' (' + c.n + ')'))));
  const form = el('form', { id, class: 'filters' },
    el('label', {}, 'started ', el('select', { name: 'range' },
       RANGES.map(([v, t]) => el('option', { value: v, selected: v === range }, t)))),
    select('label'), select('service'), extra,
    el('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', e => { e.preventDefault(); onSubmit(Object.fromEntries(new FormData(form))); });
  return form;
}

const sinceOf = range => range ? String(BigInt(Date.now() - Number(range) * 1000) * 1000000n) : null;

async function viewLlm(params) {
  const model = params.get('model') || '';
  const d = await api('llm', { since: sinceOf(params.get('range')), model, label: params.get('label'),
                              service: params.get('service') });
  const models = objects(d.models);
  const form = await windowForm('llm-form', params, el('label', {}, 'model ', el('input', { name: 'model', value: model })),
                                v => go('llm', v));
  render(el('h1', {}, 'LLM calls'), form,
    table(models, [['model', r => r.model ?? '(none)', 'name'], ['calls', r => r.calls, 'num'],
                   ['errors', r => r.errors || '', 'num'], ['tokens in', r => r.tokens_in, 'num'],
                   ['cache reads', r => r.cache_read_tokens, 'num'], ['tokens out', r => r.tokens_out, 'num'],
                   ['cost', r => money(r.cost), 'num'], ['p50', r => duration(r.p50_ns), 'num'],
                   ['p50 first token', r => duration(r.ttft_p50_ns), 'num']],
          { id: 'models', onRow: r => go('llm', { range: params.get('range'), label: params.get('label'),
                                                  service: params.get('service'), model: r.model }) }),
    el('h2', {}, 'Newest calls'),
    table(objects(d.calls), [['trace', r => traceLink(r.trace_id), 'mono'], ['span', r => r.name, 'name'],
                             ['model', r => r.model ?? ''], ['duration', r => duration(r.duration_ns), 'num'],
                             ['first token', r => duration(r.ttft_ns), 'num'],
                             ['tokens', r => r.tokens_in + ' / ' + r.tokens_out, 'num'],
                             ['cost', r => money(r.cost), 'num'], ['status', r => r.status === 'unset' ? '' : r.status]],
          { id: 'calls', rowClass: r => r.status === 'error' ? 'has-error' : '' }));
  setStatus('');
}

async function viewConversations(params) {
  const id = params.get('id') || '';
  const d = await api('conversations', { since: sinceOf(params.get('range')), id, label: params.get('label'),
                                        service: params.get('service') });
  const form = await windowForm('conversations-form', params, null, v => go('conversations', v));
  const parts = [el('h1', {}, 'Conversations'), form,
    table(objects(d.conversations), [
      ['conversation', r => r.conversation_id, 'name'], ['traces', r => r.traces, 'num'],
      ['turns', r => r.turns, 'num'], ['first (UTC)', r => when(r.first_ns)],
      ['span', r => duration(r.span_ns), 'num'], ['tokens', r => r.tokens_in + ' / ' + r.tokens_out, 'num'],
      ['cost', r => money(r.cost), 'num'], ['p50', r => duration(r.p50_ns), 'num'],
      ['errors', r => r.errors || '', 'num']],
      { id: 'conversations', onRow: r => go('conversations', { range: params.get('range'), label: params.get('label'),
                                                               service: params.get('service'), id: r.conversation_id }) })];
  if (id) {
    parts.push(el('h2', {}, 'Traces of ', el('q', {}, id)),
               table(objects(d.traces), [['trace', r => traceLink(r.trace_id), 'mono'],
                                         ['started (UTC)', r => when(r.start_ns)], ['root', r => r.root, 'name'],
                                         ['duration', r => duration(r.duration_ns), 'num'],
                                         ['tokens', r => r.tokens, 'num'], ['errors', r => r.errors || '', 'num']],
                     { id: 'conversation-traces' }));
  }
  render(...parts);
  setStatus('');
}

/* --------------------------------------------------------------- sql */

/* The queries of docs/sql.md: its "sqlite> " lines and their "...> "
** continuations, less those that change the fixture. */
function examplesOf(markdown) {
  const out = [];
  let current = null;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('sqlite> ')) { current = line.slice(8); out.push(current); continue; }
    const m = /^\s*\.\.\.> (.*)$/.exec(line);
    if (m && out.length) { out[out.length - 1] += '\n' + m[1]; continue; }
  }
  return out.filter(q => /^\s*(SELECT|WITH)\b/i.test(q));
}

async function viewSql(params) {
  const box = el('textarea', { id: 'sql-text', rows: 6, spellcheck: 'false' },
                 params.get('q') || 'SELECT trace_id, root_name, span_count FROM traces ORDER BY start_ns DESC LIMIT 10');
  const out = el('div', { id: 'sql-result' });
  const run = async () => {
    const t0 = performance.now();
    const r = await fetch('/api/sql', { method: 'POST', body: box.value, credentials: 'same-origin' });
    const d = await r.json();
    if (!r.ok) { fill(out, el('p', { class: 'error', id: 'sql-error' }, d.error)); return; }
    const rows = d.rows.map(row => Object.fromEntries(d.columns.map((c, i) => [i, row[i]])));
    fill(out, 
      el('p', { class: 'hint', id: 'sql-count' }, `${d.rows.length} rows${d.truncated ? ' (more not shown)' : ''} in ${Math.round(performance.now() - t0)} ms`),
      table(rows, d.columns.map((c, i) => [c, r => (typeof r[i] === 'string' && HEX32.test(r[i])) ? traceLink(r[i], r[i]) : (r[i] ?? '')]),
            { id: 'sql-table' }));
  };
  const examples = el('ul', { id: 'examples', class: 'examples' });
  fetch('/api/examples', { credentials: 'same-origin' }).then(r => r.text()).then(md => {
    examples.replaceChildren(...examplesOf(md).map(q => el('li', {},
      el('a', { href: '#/sql', onclick: e => { e.preventDefault(); box.value = q; run(); } }, q.split('\n')[0]))));
  });
  render(el('h1', {}, 'SQL'),
    el('p', { class: 'hint' }, 'One read-only query on its own connection: at most 1,000 rows and 5 seconds.'),
    box, el('div', {}, el('button', { id: 'sql-run', onclick: run }, 'Run')), out,
    el('h2', {}, 'Examples from docs/sql.md'), examples);
  if (params.get('q')) run();
  setStatus('');
}

/* -------------------------------------------------------------- main */

const VIEWS = { traces: p => viewTraces(p), trace: (p, id) => viewTrace(id), runs: viewRuns, llm: viewLlm,
                conversations: viewConversations, sql: viewSql };

async function show() {
  const r = route();
  document.querySelectorAll('#nav a').forEach(a => a.classList.toggle('active', a.dataset.view === r.view ||
    (r.view === 'trace' && a.dataset.view === 'traces')));
  setStatus('loading…');
  try {
    await (VIEWS[r.view] || VIEWS.traces)(r.params, r.arg);
    document.body.dataset.ready = r.view;
  } catch (err) {
    failed(err);
    document.body.dataset.ready = 'error';
  }
}

/* Live: ask every two seconds whether the database changed (SQLite's
** data_version); reload the first page of the list when it did. */
let lastVersion = null;
async function poll() {
  if (document.getElementById('live').checked && !document.hidden) {
    try {
      const v = objects(await api('version'))[0];
      const key = v.data_version + ':' + v.traces;
      const r = route();
      if (lastVersion !== null && key !== lastVersion && r.view === 'traces' && !r.params.get('offset')) {
        filterChoices = null;
        await show();
      }
      lastVersion = key;
    } catch (err) { /* the next poll tries again */ }
  }
  setTimeout(poll, 2000);
}

if (OFFLINE) {
  const d = JSON.parse(document.getElementById('tlm-compare').textContent);
  document.getElementById('top').replaceChildren(el('span', { id: 'brand' }, 'TraceLM'));
  render(el('h1', {}, 'Runs: ', d.a, ' → ', d.b),
    el('p', { class: 'hint' }, 'Significant regressions first; * marks p < 0.05 (Mann–Whitney).'),
    compareTable(objects(d.rows), 'a', 'b'));
  document.body.dataset.ready = 'compare';
} else {
  window.addEventListener('hashchange', show);
  show();
  poll();
}
