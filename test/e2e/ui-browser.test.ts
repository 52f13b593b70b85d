// End to end in a real browser: Debian's Chromium driven by playwright-core against a real
// Faultline fed by the official OpenTelemetry JS SDK, with a real webhook receiver on loopback.
// The issues page lists what arrived, its filters and search narrow it (and the URL holds them),
// the issue page shows the in-app culprit frame and folds library frames, resolving from the page
// reaches the API, an event from a newer release shows the issue regressed, and a test
// notification from the alerts page reaches the receiver. Each page is screenshot in light and
// dark (1280×800); UPDATE_SCREENSHOTS=1 copies them into docs/ui/ for the README. With admin
// authentication (basic auth, as browsers use it): no credentials get 401, a read-only user sees
// the page but cannot resolve, and a write without the UI's CSRF header, or from a page of another
// site, is refused. Filter boxes suggest every value the server saw; a reload of each page shifts
// nothing on it once its data is in (layout-shift entries, as browsers report them for CLS).
//   UPDATE_SCREENSHOTS=1 node --test dist/test/e2e/ui-browser.test.js

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { hashPassword } from '../../src/admin/password-hash.js';
import { startJsonReceiver } from '../helpers/http.js';
import { requirePeer, PEERS } from '../helpers/peers.js';
import { eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { request } from '../group/api/faultline-with-groups.js';

const UPDATE = process.env['UPDATE_SCREENSHOTS'] === '1';
const DOCS_UI = fileURLToPath(new URL('../../../docs/ui/', import.meta.url));
const TRACE_URL = 'https://jaeger.example.test/trace/{trace_id}';
/** Bounds every wait in the browser: a page that never shows what is expected fails, it does not hang. */
const WAIT_MS = 15_000;

let work: string;
let running: RunningFaultline;
let receiver: Awaited<ReturnType<typeof startJsonReceiver>>;
let browser: BrowserContext;
let page: Page;

// The application code of the test "app": its frames are in-app, the SDK's context frames between them are a library's.
function chargeCard(amount: number): never {
  throw new Error(`card declined: insufficient funds for ${amount}`);
}
function placeOrder(amount: number): void {
  context.with(context.active(), () => chargeCard(amount));
}
function loadInvoice(id: string): never {
  throw new RangeError(`invoice not found in ledger ${id}`);
}

/** Sends one failing request span from `service` at `release`, with the exception `fail` throws, through the official SDK. */
async function sendError(service: string, release: string, route: string, fail: () => void): Promise<void> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.version': release, 'deployment.environment.name': service === 'checkout' ? 'production' : 'staging' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${running.httpUrl}/v1/traces` }) })],
  });
  const span = provider.getTracer('ui-e2e').startSpan(`POST ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': route, 'http.response.status_code': 500 } });
  try {
    fail();
  } catch (error) {
    span.recordException(error as Error);
  }
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
  await provider.forceFlush();
  await provider.shutdown();
}

async function groupList(query = ''): Promise<any[]> {
  return (await request(`${running.adminUrl}/api/v1/groups${query}`)).body.groups;
}

/**
 * The layout shifts of the page since it was loaded (not those right after input, as CLS counts),
 * with the elements that moved: every layout-shift entry the browser buffered, read once two
 * frames have been drawn after the data arrived.
 */
async function layoutShift(): Promise<{ value: number; sources: string[] }> {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const scope = globalThis as unknown as {
          PerformanceObserver: new (callback: (list: { getEntries(): any[] }) => void) => { observe(options: object): void; takeRecords(): any[]; disconnect(): void };
          requestAnimationFrame(callback: () => void): void;
        };
        let value = 0;
        const sources: string[] = [];
        const count = (entries: readonly any[]) => {
          for (const entry of entries) {
            if (entry.hadRecentInput) continue;
            value += entry.value;
            for (const source of entry.sources ?? []) sources.push(`${source.node?.nodeName ?? '?'}.${source.node?.className ?? ''} ${JSON.stringify(source.previousRect)} → ${JSON.stringify(source.currentRect)}`);
          }
        };
        const observer = new scope.PerformanceObserver((list) => count(list.getEntries()));
        observer.observe({ type: 'layout-shift', buffered: true });
        scope.requestAnimationFrame(() =>
          scope.requestAnimationFrame(() => {
            count(observer.takeRecords());
            observer.disconnect();
            resolve({ value, sources });
          }),
        );
      }),
  );
}

/** Screenshots the page as it is in light and dark, into the work directory (and docs/ui/ when updating). */
async function screenshots(name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const file = path.join(work, 'screenshots', `${name}-${scheme}.png`);
    await page.screenshot({ path: file, animations: 'disabled' });
    if (UPDATE) copyFileSync(file, path.join(DOCS_UI, `${name}-${scheme}.png`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

before(async () => {
  const executablePath = requirePeer(PEERS.chromium);
  work = mkdtempSync(path.join(tmpdir(), 'faultline-ui-e2e-'));
  mkdirSync(path.join(work, 'screenshots'));
  if (UPDATE) mkdirSync(DOCS_UI, { recursive: true });
  receiver = await startJsonReceiver();
  running = await startFaultline(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  errors: {}
  identity: { settle_time: 100ms }
exporters:
  groups: { flush_interval: 100ms }
  alerts:
    evaluation_interval: 1s
    channels:
      ops: { type: webhook, url: "${receiver.url}/hooks/ops" }
    rules:
      - { name: new-errors, type: new_group, channels: [ops], cooldown: 1h }
extensions:
  health_check: {}
service:
  extensions: [health_check]
  trace_url: ${TRACE_URL}
  data_dir: ${JSON.stringify(path.join(work, 'data'))}
  pipelines:
    traces: { receivers: [otlp], processors: [errors, identity], exporters: [groups, alerts] }
  telemetry:
    logs: { level: warn }
    metrics: { address: 127.0.0.1:0 }
`);
  await sendError('checkout', '1.0.0', '/api/orders', () => placeOrder(42));
  await sendError('billing', '2.3.1', '/api/invoices/:id', () => loadInvoice('INV-7'));
  await eventually(async () => (await groupList()).length === 2, 250);

  browser = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  });
  browser.setDefaultTimeout(WAIT_MS);
  page = browser.pages()[0] ?? (await browser.newPage());
});

after(async () => {
  await browser?.close();
  await running?.stop();
  await receiver?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the web UI in a real browser', { timeout: 180_000 }, () => {
  it('lists the issues sent through the OpenTelemetry SDK, with their charts', async () => {
    const response = await page.goto(`${running.adminUrl}/`);
    assert.equal(new URL(page.url()).pathname, '/ui/', 'the root redirects to the UI');
    assert.equal(response?.status(), 200);
    await page.locator('tr[data-issue]').nth(1).waitFor();
    assert.equal(await page.locator('tr[data-issue]').count(), 2);
    const rows = await page.locator('tr[data-issue]').allInnerTexts();
    assert.ok(rows.some((row) => row.includes('card declined') && row.includes('checkout') && row.includes('production')));
    assert.ok(rows.some((row) => row.includes('invoice not found in ledger') && row.includes('billing')));
    assert.equal(await page.locator('tr[data-issue] svg.spark rect').count() > 0, true, 'each row has its chart');
    await screenshots('issues');
  });

  it('narrows the list by a filter and by search, keeping both in the URL', async () => {
    await page.getByLabel('Service').fill('checkout');
    await page.getByLabel('Service').press('Enter');
    await page.waitForURL(/[?&]service=checkout/);
    await waitForRows(1);
    assert.match(await page.locator('tr[data-issue]').innerText(), /card declined/);

    await page.goto(`${running.adminUrl}/ui/`);
    await waitForRows(2);
    await page.keyboard.press('/');
    await page.keyboard.type('ledger');
    await page.keyboard.press('Enter');
    await page.waitForURL(/[?&]q=ledger/);
    await waitForRows(1);
    assert.match(await page.locator('tr[data-issue]').innerText(), /invoice not found in ledger/);

    await page.goto(`${running.adminUrl}/ui/?state=resolved`);
    await page.getByText('No issues match.').waitFor();
  });

  it('suggests every service, environment and release the server saw, not only those of the page shown', async () => {
    await page.goto(`${running.adminUrl}/ui/?service=checkout`);
    await waitForRows(1);
    const offered = (list: string) => page.locator(`datalist#${list} option`).evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value).sort());
    await page.locator('datalist#service-seen option[value="billing"]').waitFor({ state: 'attached' });
    assert.deepEqual(await offered('service-seen'), ['billing', 'checkout']);
    assert.deepEqual(await offered('environment-seen'), ['production', 'staging']);
    assert.deepEqual(await offered('release-seen'), ['1.0.0', '2.3.1']);
  });

  it('shows the issue with its in-app culprit frame first, library frames folded, and the trace linked', async () => {
    await page.goto(`${running.adminUrl}/ui/?service=checkout`);
    await page.locator('tr[data-issue] a.issue-title').click();
    await page.waitForURL(/\/ui\/issues\//);
    await page.locator('.frame.in-app').first().waitFor();
    assert.equal(await page.locator('.frame.in-app .function').first().innerText(), 'chargeCard');
    assert.match(await page.locator('.culprit').first().innerText(), /^chargeCard /);
    assert.ok((await page.locator('.library-run summary').count()) > 0, 'library frames are folded');
    assert.equal(await page.locator('.library-run details[open]').count(), 0);
    const trace = await page.locator('a.trace-link').first().getAttribute('href');
    assert.match(trace!, /^https:\/\/jaeger\.example\.test\/trace\/[0-9a-f]{32}$/);
    await page.locator('.release-chart rect').first().waitFor();
    await screenshots('issue');
  });

  it('resolves the issue from the page, and shows it regressed after an event from a newer release', async () => {
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Resolved.' }).waitFor();
    await page.locator('.facts .badge.state-resolved').waitFor();
    const stored = (await request(`${running.adminUrl}/api/v1/groups/${id}`)).body;
    assert.equal(stored.state, 'resolved');
    assert.equal(stored.resolved_in_release, '1.0.0');

    await sendError('checkout', '1.1.0', '/api/orders', () => placeOrder(7));
    await eventually(async () => (await request(`${running.adminUrl}/api/v1/groups/${id}`)).body.regressed === true, 250);
    await page.reload();
    await page.locator('.facts .badge.state-regressed').waitFor();
    await page.goto(`${running.adminUrl}/ui/`);
    await page.locator(`tr[data-issue="${id}"] .badge.state-regressed`).waitFor();
  });

  it('sends a test notification from the alerts page to the real webhook receiver', async () => {
    await page.goto(`${running.adminUrl}/ui/alerts`);
    const row = page.locator('tr[data-channel="ops"]');
    await row.waitFor();
    assert.match(await row.innerText(), /webhook/);
    assert.match(await row.innerText(), /closed/);
    await page.locator('[data-rule="new-errors"]').waitFor();
    await row.getByRole('button', { name: 'Send test notification' }).click();
    await row.getByText('Test notification delivered.').waitFor();
    await eventually(() => receiver.bodies.some((body) => JSON.stringify(body).includes('faultline_test')), 250);
    await screenshots('alerts');
  });

  it('shows the status of every component, the storage and the configured pipelines', async () => {
    await page.goto(`${running.adminUrl}/ui/status`);
    await page.getByRole('heading', { name: 'Configuration' }).waitFor();
    const text = await page.locator('main').innerText();
    assert.match(text, /exporter\.groups/);
    assert.match(text, /sqlite/);
    assert.match(text, /pipeline traces/);
    assert.doesNotMatch(text, /hooks\/ops/, 'no channel URL (a secret) shows');
    await screenshots('status');
  });

  it('does not shift its layout when a page is reloaded, once its data is in (cumulative layout shift 0)', async () => {
    const issue = (await groupList('?service=checkout'))[0].id;
    const pages: [string, () => Promise<unknown>][] = [
      ['/ui/', () => waitForRows(2)],
      [`/ui/issues/${issue}`, () => page.locator('.release-chart rect').first().waitFor()],
      ['/ui/alerts', () => page.locator('[data-rule="new-errors"]').waitFor()],
      ['/ui/status', () => page.getByRole('heading', { name: 'Configuration' }).waitFor()],
    ];
    for (const [where, loaded] of pages) {
      await page.goto(`${running.adminUrl}${where}`);
      await loaded();
      await page.reload();
      await loaded();
      await page.waitForLoadState('networkidle');
      const shift = await layoutShift();
      assert.deepEqual(shift, { value: 0, sources: [] }, `${where} shifted`);
    }
    // The measure sees a shift where there is one, drawn before it looks: a block pushed in above
    // the status page's content, then two frames drawn.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const scope = globalThis as unknown as { document: any; requestAnimationFrame(callback: () => void): void };
          const block = scope.document.createElement('div');
          block.style.height = '200px';
          scope.document.querySelector('main').prepend(block);
          scope.requestAnimationFrame(() => scope.requestAnimationFrame(() => resolve()));
        }),
    );
    assert.ok((await layoutShift()).value > 0, 'a shift made on purpose is measured');
  });

  it('reads on a phone-sized screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${running.adminUrl}/ui/`);
    await waitForRows(2);
    const { scrollWidth, viewport } = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement;
      return { scrollWidth: root.scrollWidth, viewport: (globalThis as unknown as { innerWidth: number }).innerWidth };
    });
    assert.ok(scrollWidth <= viewport, `the page is ${scrollWidth} px wide on a ${viewport} px screen`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

describe('the web UI behind admin authentication', { timeout: 90_000 }, () => {
  const WRITER = { user: 'alice', password: 'correct horse battery staple' };
  const READER = { user: 'bob', password: 'a reader who must not write' };
  const basic = ({ user, password }: { user: string; password: string }) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  let guarded: RunningFaultline;
  let groupId: string;
  let elsewhere: http.Server;
  let elsewhereUrl: string;

  /** A page of the browser that sends `who`'s Basic credentials, as a browser does once a user has logged in. */
  async function pageAs(who?: { user: string; password: string }): Promise<Page> {
    const fresh = await browser.newPage();
    if (who !== undefined) await fresh.setExtraHTTPHeaders({ authorization: basic(who) });
    return fresh;
  }
  const state = async () => (await request(`${guarded.adminUrl}/api/v1/groups/${groupId}`, { headers: { authorization: basic(WRITER) } })).body.state;

  before(async () => {
    // A cheap scrypt cost keeps the test fast; the format and the check are those of the default cost.
    const fast = { cost: 1024, blockSize: 8, parallelization: 1 };
    const [writerHash, readerHash] = await Promise.all([hashPassword(WRITER.password, fast), hashPassword(READER.password, fast)]);
    guarded = await startFaultline(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  errors: {}
  identity: { settle_time: 100ms }
exporters:
  groups: { flush_interval: 100ms }
service:
  data_dir: ${JSON.stringify(path.join(work, 'guarded'))}
  pipelines:
    traces: { receivers: [otlp], processors: [errors, identity], exporters: [groups] }
  telemetry:
    logs: { level: warn }
    metrics:
      address: 127.0.0.1:0
      auth:
        basic_auth:
          - { username: ${WRITER.user}, password_hash: "${writerHash}", access: write }
          - { username: ${READER.user}, password_hash: "${readerHash}", access: read }
`);
    const saved = running;
    running = guarded;
    try {
      await sendError('checkout', '1.0.0', '/api/orders', () => placeOrder(3));
    } finally {
      running = saved;
    }
    const list = async () => (await request(`${guarded.adminUrl}/api/v1/groups`, { headers: { authorization: basic(READER) } })).body.groups as any[];
    await eventually(async () => (await list()).length === 1, 500);
    groupId = (await list())[0].id;
    // A page of another site (another port is another origin) whose form posts to the admin endpoint.
    elsewhere = http.createServer((_incoming, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end(`<form method="post" action="${guarded.adminUrl}/api/v1/alerts/test"><button>win a prize</button></form>`);
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereUrl = `http://localhost:${(elsewhere.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await guarded?.stop();
    if (elsewhere !== undefined) await new Promise((resolve) => elsewhere.close(resolve));
  });

  it('answers 401 to a browser without credentials, for the page and the API', async () => {
    const anonymous = await pageAs();
    try {
      // Through the context's own request client: a navigation to a Basic challenge makes Chromium
      // wait for a password prompt nobody answers, which sometimes outlives every timeout.
      for (const address of [`${guarded.adminUrl}/ui/`, `${guarded.adminUrl}/api/v1/groups`]) {
        const reply = await anonymous.request.get(address);
        assert.equal(reply.status(), 401, address);
        assert.match(reply.headers()['www-authenticate']!, /Basic/);
      }
    } finally {
      await anonymous.close();
    }
  });

  it('shows a read-only user the issue with its actions off, and refuses the resolve that user tries anyway', async () => {
    const reader = await pageAs(READER);
    try {
      assert.equal((await reader.goto(`${guarded.adminUrl}/ui/issues/${groupId}`))?.status(), 200);
      await reader.getByText('Read-only access: actions are off.').waitFor();
      assert.equal(await reader.getByRole('button', { name: 'Resolve', exact: true }).isDisabled(), true);
      const status = await reader.evaluate(
        async ([url, id]) => (await fetch(`${url}/api/v1/groups/${id}`, { method: 'PATCH', headers: { 'X-Faultline-CSRF': '1', 'Content-Type': 'application/json' }, body: '{"state":"resolved"}' })).status,
        [guarded.adminUrl, groupId] as const,
      );
      assert.equal(status, 403);
      assert.equal(await state(), 'unresolved');
    } finally {
      await reader.close();
    }
  });

  it("lets a writer resolve from the page (which sends the CSRF header) and refuses the same write without it", async () => {
    const writer = await pageAs(WRITER);
    try {
      await writer.goto(`${guarded.adminUrl}/ui/issues/${groupId}`);
      const status = await writer.evaluate(
        async ([url, id]) => (await fetch(`${url}/api/v1/groups/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"state":"resolved"}' })).status,
        [guarded.adminUrl, groupId] as const,
      );
      assert.equal(status, 403, 'no X-Faultline-CSRF header: refused');
      assert.equal(await state(), 'unresolved');
      await writer.getByRole('button', { name: 'Resolve', exact: true }).click();
      await writer.getByRole('status').filter({ hasText: 'Resolved.' }).waitFor();
      assert.equal(await state(), 'resolved');
    } finally {
      await writer.close();
    }
  });

  it('refuses a form that a page of another site posts to the admin endpoint with the user\'s credentials', async () => {
    const victim = await pageAs(WRITER);
    try {
      await victim.goto(elsewhereUrl);
      const [response] = await Promise.all([victim.waitForResponse((reply) => reply.url().endsWith('/api/v1/alerts/test')), victim.getByRole('button', { name: 'win a prize' }).click()]);
      assert.equal(response.status(), 403);
    } finally {
      await victim.close();
    }
  });
});

async function waitForRows(count: number): Promise<void> {
  await page.waitForFunction(
    (expected) => (globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number } } }).document.querySelectorAll('tr[data-issue]').length === expected,
    count,
    { timeout: WAIT_MS },
  );
}
