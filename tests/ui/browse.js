/*
** browse.js — the trace browser clicked through as a person would, with
** Playwright (playwright-core from npm) driving Debian's Chromium:
** list → filter → search → sort → trace → span → runs → LLM calls →
** conversations → SQL → live → login.  It prints one JSON object of what
** each page showed; test_ui.py checks it against SQL.
**
**   node browse.js BASE_URL TOKEN_URL TOKEN OUT_DIR
*/
'use strict';
const { chromium } = require('playwright-core');
const [base, tokenBase, token, out] = process.argv.slice(2);
const seen = { dialogs: [], errors: [], csp: [], xss: [] };

async function ready(page, view) {
  await page.waitForFunction(v => document.body.dataset.ready === v, view, { timeout: 15000 });
}
async function go(page, hash, view) {
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.evaluate(h => { location.hash = h; }, hash);
  await ready(page, view);
}
const cells = (page, id) => page.$$eval('#' + id + ' tbody tr', rows => rows.map(r => [...r.cells].map(c => c.textContent)));
const xss = page => page.evaluate(() => window.__xss);

function otlp(name, traceId) {
  const now = BigInt(Date.now()) * 1000000n;
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'live-app' } }] },
    scopeSpans: [{ spans: [{ traceId, spanId: traceId.slice(0, 16), name, kind: 2,
      startTimeUnixNano: String(now), endTimeUnixNano: String(now + 5000000n) }] }] }] };
}
async function send(name, traceId) {
  const r = await fetch(base + 'v1/traces', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                               body: JSON.stringify(otlp(name, traceId)) });
  if (!r.ok) throw new Error('OTLP post: ' + r.status);
}

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
                                          args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on('dialog', d => { seen.dialogs.push(d.message()); d.dismiss(); });
  page.on('pageerror', e => seen.errors.push(String(e)));
  page.on('console', m => { if (/Content Security Policy/.test(m.text())) seen.csp.push(m.text()); });
  const r = {};

  await page.goto(base);
  await ready(page, 'traces');
  r.list = await cells(page, 'traces');
  r.listStatus = await page.textContent('#status');
  await page.screenshot({ path: out + '/traces.png' });

  // Filter by label with the select, as a person would.
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.selectOption('#f-label', 'branch');
  await ready(page, 'traces');
  r.byLabel = await cells(page, 'traces');
  r.hashAfterFilter = await page.evaluate(() => location.hash);

  await go(page, '#/traces', 'traces');
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.fill('#f-q', '<script>');
  await page.click('#apply');
  await ready(page, 'traces');
  r.search = await cells(page, 'traces');

  await go(page, '#/traces?status=error', 'traces');
  r.errors = await cells(page, 'traces');

  await go(page, '#/traces', 'traces');
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.click('#traces th[data-key=duration_ns]');
  await ready(page, 'traces');
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.click('#traces th[data-key=duration_ns]');   // second click: ascending
  await ready(page, 'traces');
  r.byDurationAsc = await cells(page, 'traces');

  await go(page, '#/traces?limit=50', 'traces');
  r.pageInfo = await page.textContent('#page-info');

  // The hostile trace: click its row.
  await go(page, '#/traces?status=error', 'traces');
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.click('#traces tbody tr:first-child td:nth-child(4)');
  await ready(page, 'trace');
  r.traceHash = await page.evaluate(() => location.hash);
  r.summary = await page.$$eval('#trace-summary dd', d => Object.fromEntries(d.map(x => [x.dataset.key, x.textContent])));
  r.tree = await cells(page, 'tree');
  r.critical = await cells(page, 'critical');
  r.title = await page.textContent('h1');
  await page.click('#tree tbody tr:nth-child(2)');
  await page.waitForSelector('#span-fields');
  r.span = await page.$$eval('#span-fields dd', d => Object.fromEntries(d.map(x => [x.dataset.key, x.textContent])));
  r.spanAttrs = await cells(page, 'span-attrs');
  await page.click('#tree tbody tr:nth-child(3)');
  await page.waitForSelector('#span-messages');
  r.messages = await page.$$eval('#span-messages li', l => l.map(x => x.textContent));
  r.scores = await cells(page, 'span-scores');
  const frame = page.frameLocator('#timeline');
  await frame.locator('#tlm-state[data-ready]').waitFor({ state: 'attached', timeout: 15000 });
  r.timeline = await frame.locator('#tlm-state').evaluate(e => ({ ...e.dataset }));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  await page.screenshot({ path: out + '/trace.png' });
  r.xssTrace = await xss(page);

  // A normal trace, and its neighbours and other runs.
  await go(page, '#/traces?label=main&root=rag_pipeline', 'traces');
  const first = (await cells(page, 'traces'))[0];
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.click('#traces tbody tr:first-child td:nth-child(4)');
  await ready(page, 'trace');
  r.normal = { hash: await page.evaluate(() => location.hash), tree: await cells(page, 'tree'),
               critical: await cells(page, 'critical'), runs: await cells(page, 'runs'),
               older: await page.getAttribute('#older', 'href').catch(() => null),
               newer: await page.getAttribute('#newer', 'href').catch(() => null), listRow: first };

  // Runs: pick the two labels and compare.
  await go(page, '#/runs', 'runs');
  await page.fill('#run-a', 'main');
  await page.fill('#run-b', 'branch');
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.click('#compare-button');
  await ready(page, 'runs');
  r.compare = await cells(page, 'compare');
  r.compareClasses = await page.$$eval('#compare tbody tr', rows => rows.map(x => x.className));
  r.compareLinks = await page.$$eval('#compare tbody tr:first-child a', a => a.map(x => x.getAttribute('href')));
  await page.screenshot({ path: out + '/runs.png' });

  await go(page, '#/llm', 'llm');
  r.models = await cells(page, 'models');
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.selectOption('#llm-form-label', 'branch');
  await page.click('#llm-form button[type=submit]');
  await ready(page, 'llm');
  r.modelsBranch = await cells(page, 'models');
  r.callsBranch = (await cells(page, 'calls')).length;
  await go(page, '#/conversations?label=main', 'conversations');
  r.conversationsMain = await cells(page, 'conversations');
  await go(page, '#/conversations', 'conversations');
  r.conversations = await cells(page, 'conversations');
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.click('#conversations tbody tr:first-child');
  await ready(page, 'conversations');
  r.conversationTraces = await cells(page, 'conversation-traces');

  // SQL: a query, a write refused, an example from docs/sql.md.
  await go(page, '#/sql', 'sql');
  await page.fill('#sql-text', "SELECT trace_id, name FROM spans WHERE name = 'retrieve' ORDER BY rowid LIMIT 3");
  await page.click('#sql-run');
  await page.waitForSelector('#sql-table');
  r.sql = await cells(page, 'sql-table');
  r.sqlLinks = await page.$$eval('#sql-table a', a => a.length);
  await page.fill('#sql-text', 'DELETE FROM spans');
  await page.click('#sql-run');
  await page.waitForSelector('#sql-error');
  r.sqlWrite = await page.textContent('#sql-error');
  await page.waitForSelector('#examples li a');
  r.examples = await page.$$eval('#examples li', l => l.length);
  r.xssOther = await xss(page);

  // Live: new traces appear while the page is open; paused, they wait.
  await go(page, '#/traces', 'traces');
  await send('live-trace-1', 'a1'.repeat(16));
  await page.waitForSelector('#traces td >> text=live-trace-1', { timeout: 15000 });
  r.live = true;
  await page.uncheck('#live');
  await send('live-trace-2', 'a2'.repeat(16));
  await page.waitForTimeout(5000);
  r.pausedShows = await page.locator('#traces td >> text=live-trace-2').count();
  await page.check('#live');
  await page.waitForSelector('#traces td >> text=live-trace-2', { timeout: 15000 });
  r.resumed = true;

  // --token: a login page; a wrong token refused; the right one, a cookie.
  const other = await browser.newContext();
  const p2 = await other.newPage();
  await p2.goto(tokenBase);
  r.loginUrl = p2.url();
  await p2.fill('#token', 'wrong');
  await p2.click('button[type=submit]');
  await p2.waitForSelector('#login-error:not([hidden])');
  r.loginWrong = await p2.textContent('#login-error');
  await p2.fill('#token', token);
  await p2.click('button[type=submit]');
  await p2.waitForFunction(() => document.body.dataset.ready === 'traces', null, { timeout: 15000 });
  r.loggedInUrl = p2.url();
  r.loggedInRows = (await cells(p2, 'traces')).length;
  r.cookies = (await other.cookies()).map(c => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }));
  const api = await p2.evaluate(() => fetch('/api/traces').then(x => x.status));
  const anonymous = await (await fetch(tokenBase + 'api/traces')).status;
  r.apiStatus = [api, anonymous];

  // The runs page as a file (tracelm compare --format html), no server.
  const file = await context.newPage();
  file.on('pageerror', e => seen.errors.push(String(e)));
  file.on('dialog', d => { seen.dialogs.push(d.message()); d.dismiss(); });
  await file.goto('file://' + out + '/compare.html');
  await ready(file, 'compare');
  r.file = { rows: await cells(file, 'compare'), title: await file.textContent('h1'), xss: await xss(file) };
  await file.screenshot({ path: out + '/compare_file.png' });

  r.seen = seen;
  console.log(JSON.stringify(r));
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
