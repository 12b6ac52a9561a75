/*
** page.js — the TraceLM trace page: draws the timeline on a <canvas> and
** answers the mouse and keyboard.  Plain JavaScript, no framework; the data
** is the JSON block export_html writes (ext/functions/export_html.c), whose
** "spans" array holds SPAN_FIELDS numbers a span in the order below.
**
** Drawing is one pass over the spans per frame.  A span narrower than a
** pixel is not drawn on its own: it marks its pixel column in its row, and
** the marked columns are filled once, so a million spans zoomed out draw
** as aggregate bars at the cost of a million array writes.
*/
'use strict';

const D = JSON.parse(document.getElementById('tlm-data').textContent);
const SPAN_FIELDS = 15;
const F = { START: 0, DUR: 1, NAME: 2, ROW: 3, KIND: 4, STATUS: 5, PARENT: 6, TOKENS_IN: 7,
            TOKENS_OUT: 8, COST: 9, MODEL: 10, SELF: 11, MESSAGE: 12, PROBLEMS: 13, LEVEL: 14 };
const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUSES = ['unset', 'ok', 'error'];
const KIND_COLOURS = ['#9c9c9c', '#4e79a7', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2'];
const ERROR_COLOUR = '#e15759';
const CRITICAL_COLOUR = '#111111';
const MATCH_COLOUR = '#f5c518';
const LABEL_W = 170, AXIS_H = 24, GROUP_H = 20, ROW_H = 18, BAR_H = 14;
const LEVELS_MAX = 64;   /* aggregate bars keep levels apart up to this depth */

const S = D.spans;
const n = S.length / SPAN_FIELDS;
const total = Math.max(1, D.end_ns - D.start_ns);
const str = i => (i >= 0 ? D.strings[i] : null);
const field = (i, f) => S[i * SPAN_FIELDS + f];

/* ------------------------------------------------------------ numbers */

/* As TraceLM's format_duration: ns, µs, ms or s, three decimals. */
function duration(ns) {
  const a = Math.abs(ns);
  if (a < 1e3) return ns + ' ns';
  if (a < 1e6) return (ns / 1e3).toFixed(3) + ' µs';
  if (a < 1e9) return (ns / 1e6).toFixed(3) + ' ms';
  return (ns / 1e9).toFixed(3) + ' s';
}
const money = v => '$' + v.toFixed(v !== 0 && Math.abs(v) < 0.01 ? 8 : 4);

/* Axis ticks at 1, 2 or 5 times a power of ten, about every 100 px. */
function tickStep(nsPerPx) {
  const raw = nsPerPx * 100, p = Math.pow(10, Math.floor(Math.log10(raw)));
  return [1, 2, 5, 10].map(m => m * p).find(s => s >= raw);
}

/* -------------------------------------------------------------- rows */

/* One group per service, its lanes (thread, overlap) under it; a lane is
** as many bars deep as its spans nest (their level). */
const rowY = new Float64Array(D.rows.length), rowLevels = new Int32Array(D.rows.length);
for (let i = 0; i < n; i++) {
  const r = field(i, F.ROW);
  rowLevels[r] = Math.max(rowLevels[r], field(i, F.LEVEL) + 1);
}
const groups = [];
let height = AXIS_H;
D.rows.forEach((r, i) => {
  if (i === 0 || r[0] !== D.rows[i - 1][0]) {
    groups.push({ pid: r[0], y: height });
    height += GROUP_H;
  }
  rowY[i] = height;
  height += Math.max(1, rowLevels[i]) * ROW_H + 4;
});
height += 8;

/* Critical path membership, by node. */
const critical = new Uint8Array(n);
for (let k = 0; k < D.critical.length; k += 3) critical[D.critical[k]] = 1;

/* ------------------------------------------------------------- state */

const canvas = document.getElementById('canvas');
const box = document.getElementById('timeline');
const ctx = canvas.getContext('2d');
const view = { t0: 0, t1: total };
let showCritical = true, query = '', matches = null, selected = -1, width = 0, drawn = 0;

function resize() {
  const ratio = window.devicePixelRatio || 1;
  width = Math.max(400, box.clientWidth);
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.style.width = width + 'px';
  canvas.style.height = height + 'px';
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
}

const xOf = t => LABEL_W + (t - view.t0) / (view.t1 - view.t0) * (width - LABEL_W - 10);
const tOf = x => view.t0 + (x - LABEL_W) / (width - LABEL_W - 10) * (view.t1 - view.t0);

/* Fit text into w pixels, ending in … when cut. */
function elide(text, w) {
  if (ctx.measureText(text).width <= w) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, mid) + '…').width <= w) lo = mid; else hi = mid - 1;
  }
  return lo > 0 ? text.slice(0, lo) + '…' : '';
}

function colourOf(i) {
  return field(i, F.STATUS) === 2 ? ERROR_COLOUR : KIND_COLOURS[field(i, F.KIND)];
}

/* ------------------------------------------------------------- draw */

function draw() {
  ctx.clearRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const plotW = width - LABEL_W - 10;
  const nsPerPx = (view.t1 - view.t0) / plotW;

  /* Axis and grid. */
  const step = tickStep(nsPerPx);
  ctx.fillStyle = '#666';
  ctx.strokeStyle = '#eee';
  for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
    const x = Math.round(xOf(t)) + 0.5;
    ctx.beginPath(); ctx.moveTo(x, AXIS_H - 4); ctx.lineTo(x, height); ctx.stroke();
    ctx.fillText(duration(t), x + 3, AXIS_H / 2);
  }

  /* Group and lane labels. */
  for (const g of groups) {
    ctx.fillStyle = '#f3f3f3';
    ctx.fillRect(0, g.y, width, GROUP_H);
    ctx.fillStyle = '#333';
    ctx.font = '600 11px system-ui, sans-serif';
    const service = str(D.services[g.pid - 1]);
    ctx.fillText(elide(service === null ? 'unknown service' : service, width - 20), 6, g.y + GROUP_H / 2);
  }
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#777';
  D.rows.forEach((r, i) => {
    const label = 'thread ' + r[1] + (r[2] ? ' (overlap ' + r[2] + ')' : '');
    ctx.fillText(elide(label, LABEL_W - 16), 14, rowY[i] + ROW_H / 2);
  });

  /* Bars, and pixel columns for the ones too small to see. */
  const cols = Math.ceil(plotW + 1);
  const tiny = new Uint8Array(D.rows.length * LEVELS_MAX * cols);
  drawn = 0;
  ctx.save();
  ctx.beginPath(); ctx.rect(LABEL_W, AXIS_H, plotW, height - AXIS_H); ctx.clip();
  for (let i = 0; i < n; i++) {
    const start = field(i, F.START), end = start + field(i, F.DUR);
    if (end < view.t0 || start > view.t1) continue;
    const row = field(i, F.ROW), level = field(i, F.LEVEL);
    const x0 = xOf(start), x1 = xOf(end), y = rowY[row] + level * ROW_H + (ROW_H - BAR_H) / 2;
    drawn++;
    if (x1 - x0 < 1) {
      tiny[(row * LEVELS_MAX + Math.min(level, LEVELS_MAX - 1)) * cols
           + Math.max(0, Math.min(cols - 1, Math.floor(x0 - LABEL_W)))] = 1;
      continue;
    }
    const isMatch = matches !== null && matches[i];
    ctx.fillStyle = colourOf(i);
    ctx.globalAlpha = matches !== null && !isMatch ? 0.35 : 1;
    ctx.fillRect(x0, y, x1 - x0, BAR_H);
    ctx.globalAlpha = 1;
    if (isMatch) { ctx.strokeStyle = MATCH_COLOUR; ctx.lineWidth = 2; ctx.strokeRect(x0 + 1, y + 1, x1 - x0 - 2, BAR_H - 2); }
    if (showCritical && critical[i]) {
      ctx.fillStyle = CRITICAL_COLOUR;
      ctx.fillRect(x0, y + BAR_H - 3, x1 - x0, 3);
    }
    if (i === selected) { ctx.strokeStyle = '#000'; ctx.lineWidth = 2; ctx.strokeRect(x0, y, x1 - x0, BAR_H); }
    if (x1 - x0 > 30) {
      ctx.fillStyle = '#fff';
      const left = Math.max(x0, LABEL_W) + 3;
      ctx.fillText(elide(str(field(i, F.NAME)), Math.min(x1, width) - left - 3), left, y + BAR_H / 2);
    }
  }
  /* Aggregate bars: runs of marked columns in each row and level. */
  ctx.fillStyle = '#8a8a8a';
  for (let r = 0; r < D.rows.length; r++) {
    for (let level = 0; level < Math.min(rowLevels[r], LEVELS_MAX); level++) {
      const base = (r * LEVELS_MAX + level) * cols;
      for (let c = 0; c < cols; c++) {
        if (!tiny[base + c]) continue;
        let e = c;
        while (e + 1 < cols && tiny[base + e + 1]) e++;
        ctx.fillRect(LABEL_W + c, rowY[r] + level * ROW_H + (ROW_H - BAR_H) / 2, e - c + 1, BAR_H);
        c = e;
      }
    }
  }
  ctx.restore();
  report();
}

/* What a test (or a curious user) can read off the page without pixels. */
function report() {
  const state = document.getElementById('tlm-state');
  state.dataset.spans = n;
  state.dataset.drawn = drawn;
  state.dataset.lanes = D.rows.length;
  state.dataset.services = groups.length;
  state.dataset.critical = showCritical ? D.critical.length / 3 : 0;
  state.dataset.matches = matches === null ? '' : matches.reduce((a, b) => a + b, 0);
  state.dataset.selected = selected >= 0 ? D.ids.substr(selected * 16, 16) : '';
}

let frame = 0;
function redraw() { if (!frame) frame = requestAnimationFrame(() => { frame = 0; draw(); }); }

/* ----------------------------------------------------------- summary */

function text(tag, content, cls) {
  const e = document.createElement(tag);
  e.textContent = content;
  if (cls) e.className = cls;
  return e;
}

function fact(label, value, warn) {
  const f = document.createElement('div');
  f.className = 'fact' + (warn ? ' warn' : '');
  f.append(text('b', label), text('span', value));
  return f;
}

function summary() {
  const s = D.summary, header = document.getElementById('summary');
  const h1 = text('h1', (s.root === null ? '(no root)' : s.root) + ' ');
  h1.append(text('code', D.trace_id));
  const facts = document.createElement('div');
  facts.className = 'facts';
  facts.append(fact('latency', duration(s.total_ns)), fact('spans', String(s.span_count)),
               fact('tokens', s.tokens_in + ' in / ' + s.tokens_out + ' out'),
               fact('cost', money(s.cost) + (s.unpriced_models.length ? ' (no price for ' + s.unpriced_models.join(', ') + ')' : ''),
                    s.unpriced_models.length > 0),
               fact('slowest span', s.slowest_span.name ? s.slowest_span.name + ' (' + duration(s.slowest_span.duration_ns) + ')' : '-'),
               fact('errors', String(s.errors), s.errors > 0),
               fact('anomalies', s.anomaly_count ? s.anomalies.map(a => a.name + ' (' + a.kind + ')').join(', ') : 'none',
                    s.anomaly_count > 0));
  const path = text('div', 'Critical path: ' + s.critical_path.join(' → ') +
                    (s.critical_path_count > s.critical_path.length ? ' … and ' + (s.critical_path_count - s.critical_path.length) + ' more' : ''),
                    'path');
  header.replaceChildren(h1, facts, path);
}

/* The bar colours, named (from the same constants the bars use). */
function legend() {
  const entries = [['internal', KIND_COLOURS[1]], ['server', KIND_COLOURS[2]], ['client', KIND_COLOURS[3]],
                   ['producer / consumer', KIND_COLOURS[4]], ['error', ERROR_COLOUR],
                   ['critical path', CRITICAL_COLOUR], ['many small spans', '#8a8a8a']];
  document.getElementById('legend').replaceChildren(...entries.map(([name, colour]) => {
    const item = document.createElement('span'), swatch = document.createElement('i');
    swatch.style.background = colour;
    item.append(swatch, name);
    return item;
  }));
}

/* ----------------------------------------------------------- details */

function details(i) {
  const aside = document.getElementById('details');
  if (i < 0) { aside.replaceChildren(text('p', 'Click a span to see its details.', 'empty')); return; }
  const dl = document.createElement('dl');
  const add = (k, v, cls) => { dl.append(text('dt', k), text('dd', v, cls)); };
  add('span id', D.ids.substr(i * 16, 16));
  add('kind', KINDS[field(i, F.KIND)]);
  add('status', STATUSES[field(i, F.STATUS)], field(i, F.STATUS) === 2 ? 'error' : '');
  if (field(i, F.MESSAGE) >= 0) add('message', str(field(i, F.MESSAGE)), 'error');
  add('start', '+' + duration(field(i, F.START)));
  add('duration', duration(field(i, F.DUR)));
  add('self time', duration(field(i, F.SELF)));
  add('critical path', critical[i] ? 'yes' : 'no');
  if (field(i, F.MODEL) >= 0) add('model', str(field(i, F.MODEL)));
  if (field(i, F.TOKENS_IN) || field(i, F.TOKENS_OUT)) add('tokens', field(i, F.TOKENS_IN) + ' in / ' + field(i, F.TOKENS_OUT) + ' out');
  if (field(i, F.COST)) add('cost', money(field(i, F.COST)));
  const row = D.rows[field(i, F.ROW)];
  add('service', str(D.services[row[0] - 1]) || 'unknown service');
  add('thread', row[1] + (row[2] ? ' (overlap ' + row[2] + ')' : ''));
  const parts = [text('h2', str(field(i, F.NAME))), dl, ...genai(i)];
  const attrs = D.attrs[i];
  if (attrs) parts.push(text('pre', JSON.stringify(attrs, null, 2)));
  /* The chain up to the root; each name selects that span. */
  const chain = document.createElement('div');
  chain.className = 'chain';
  chain.append(text('b', 'Parent chain: '));
  const ancestors = [];
  for (let p = field(i, F.PARENT), guard = 0; p >= 0 && guard < 10000; p = field(p, F.PARENT), guard++) ancestors.push(p);
  if (!ancestors.length) chain.append(text('span', '(root)'));
  ancestors.reverse().forEach((p, k) => {
    if (k) chain.append(' › ');
    const a = text('a', str(field(p, F.NAME)));
    a.addEventListener('click', () => select(p));
    chain.append(a);
  });
  parts.push(chain);
  aside.replaceChildren(...parts);
}

/* An LLM call's messages ([source, role, kind, text, tool, call id,
** arguments] per part) and the scores it got ([name, value, label,
** explanation]): text nodes only, whatever they hold. */
function genai(i) {
  const out = [], messages = (D.messages || {})[i], scores = (D.scores || {})[i];
  if (messages) {
    const list = document.createElement('div');
    list.className = 'messages';
    for (const [source, role, kind, body, tool, callId, args] of messages) {
      const part = document.createElement('div');
      part.className = 'message ' + (source === 'output' ? 'output' : 'input');
      part.append(text('b', (role || source) + (kind && kind !== 'text' ? ' · ' + kind : '')));
      if (tool) part.append(text('span', ' ' + tool + (callId ? ' (' + callId + ')' : '')));
      const shown = body !== null ? body : args;
      if (shown !== null) part.append(text('pre', typeof shown === 'string' ? shown : JSON.stringify(shown)));
      list.append(part);
    }
    out.push(text('h3', 'Messages'), list);
  }
  if (scores) {
    const dl = document.createElement('dl');
    dl.className = 'scores';
    for (const [name, value, label, explanation] of scores) {
      dl.append(text('dt', name === null ? '(unnamed)' : name),
                text('dd', [value, label, explanation].filter(v => v !== null && v !== '').join(' · ')));
    }
    out.push(text('h3', 'Scores'), dl);
  }
  return out;
}

function select(i) {
  selected = i;
  details(i);
  redraw();
}

/* The span under a point, or -1: the last drawn there wins. */
function spanAt(x, y) {
  const row = D.rows.findIndex((r, k) => y >= rowY[k] && y < rowY[k] + Math.max(1, rowLevels[k]) * ROW_H);
  if (row < 0 || x < LABEL_W) return -1;
  const level = Math.floor((y - rowY[row]) / ROW_H);
  const t = tOf(x), slack = (view.t1 - view.t0) / (width - LABEL_W) * 2;
  let found = -1;
  for (let i = 0; i < n; i++) {
    if (field(i, F.ROW) !== row || field(i, F.LEVEL) !== level) continue;
    const s = field(i, F.START);
    if (t >= s - slack && t <= s + field(i, F.DUR) + slack) found = i;
  }
  return found;
}

/* ------------------------------------------------------------ input */

function zoom(factor, atX) {
  const t = tOf(atX === undefined ? (LABEL_W + width) / 2 : atX);
  const span = Math.max(50, Math.min(total * 1.2, (view.t1 - view.t0) * factor));
  const left = (t - view.t0) / (view.t1 - view.t0);
  view.t0 = t - span * left;
  view.t1 = view.t0 + span;
  redraw();
}

function pan(dx) {
  const dt = dx / (width - LABEL_W - 10) * (view.t1 - view.t0);
  view.t0 -= dt;
  view.t1 -= dt;
  redraw();
}

function reset() { view.t0 = 0; view.t1 = total; redraw(); }

canvas.addEventListener('wheel', e => {
  e.preventDefault();
  if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) pan(-(e.deltaX || e.deltaY));
  else zoom(Math.exp(e.deltaY * 0.002), e.offsetX);
}, { passive: false });

let drag = null;
canvas.addEventListener('mousedown', e => { drag = { x: e.clientX, moved: false }; box.classList.add('dragging'); });
window.addEventListener('mouseup', e => {
  if (drag && !drag.moved) {
    const r = canvas.getBoundingClientRect();
    select(spanAt(e.clientX - r.left, e.clientY - r.top));
  }
  drag = null;
  box.classList.remove('dragging');
});
window.addEventListener('mousemove', e => {
  if (drag && e.clientX !== drag.x) { drag.moved = true; pan(e.clientX - drag.x); drag.x = e.clientX; }
});

const tooltip = document.getElementById('tooltip');
canvas.addEventListener('mousemove', e => {
  const i = drag ? -1 : spanAt(e.offsetX, e.offsetY);
  if (i < 0) { tooltip.hidden = true; return; }
  tooltip.textContent = str(field(i, F.NAME)) + ' — ' + duration(field(i, F.DUR));
  tooltip.style.left = (e.offsetX + 12) + 'px';
  tooltip.style.top = (e.offsetY + 12) + 'px';
  tooltip.hidden = false;
});
canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });

window.addEventListener('keydown', e => {
  if (e.target.tagName === 'INPUT') return;
  if (e.key === '+' || e.key === '=') zoom(0.5);
  else if (e.key === '-') zoom(2);
  else if (e.key === '0') reset();
  else if (e.key === 'ArrowLeft') pan(100);
  else if (e.key === 'ArrowRight') pan(-100);
  else if (e.key === 'Escape') select(-1);
});

document.getElementById('zoom-in').addEventListener('click', () => zoom(0.5));
document.getElementById('zoom-out').addEventListener('click', () => zoom(2));
document.getElementById('zoom-reset').addEventListener('click', reset);
document.getElementById('critical').addEventListener('change', e => { showCritical = e.target.checked; redraw(); });
document.getElementById('search').addEventListener('input', e => {
  query = e.target.value.trim().toLowerCase();
  matches = null;
  if (query) {
    const hit = D.strings.map(s => s !== null && s.toLowerCase().includes(query));
    matches = new Uint8Array(n);
    for (let i = 0; i < n; i++) matches[i] = hit[field(i, F.NAME)] ? 1 : 0;
  }
  document.getElementById('matches').textContent =
    matches === null ? '' : matches.reduce((a, b) => a + b, 0) + ' spans match';
  redraw();
});
window.addEventListener('resize', () => { resize(); redraw(); });

/* ------------------------------------------------------------- start */

const started = performance.now();
summary();
legend();
details(-1);
resize();
/* A link to one span: page.html#span=<its id> opens with it selected. */
const linked = /^#span=([0-9a-f]{16})$/.exec(location.hash);
for (let i = 0; linked && i < n; i++) if (D.ids.substr(i * 16, 16) === linked[1]) { selected = i; details(i); break; }
draw();
document.getElementById('tlm-state').dataset.firstPaintMs = Math.round(performance.now() - started);
document.getElementById('tlm-state').dataset.ready = '1';
