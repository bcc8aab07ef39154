import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { REPO_ROOT } from '../harness/paths.js';

const OUT = join(REPO_ROOT, '.test-output', 'dashboard');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The web dashboard in a real browser (Debian's chromium through playwright-core) against a real polisd. */
describe('dashboard', () => {
  let d: TestDaemon;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  let loginUrl: string;
  const consoleErrors: string[] = [];

  before(async () => {
    const port = await freePort();
    d = await TestDaemon.start({ extraArgs: ['--dashboard-addr', `127.0.0.1:${port}`] });
    await d.importBusybox();
    loginUrl = await waitFor('the dashboard login URL on stdout', () => {
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/dashboard\/login\?token=\S+)/.exec(d.log);
      return m?.[1];
    });
    profile = mkdtempSync(join(tmpdir(), 'polis-chromium-'));
    mkdirSync(OUT, { recursive: true });
    // A persistent context on a fresh directory is playwright's way to pass --user-data-dir.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1100, height: 800 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
  });

  after(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await d?.cleanup();
  });

  it('refuses the page without the token', async () => {
    const res = await fetch(loginUrl.replace(/login\?.*$/, ''));
    assert.equal(res.status, 401);
    const api = await fetch(loginUrl.replace(/dashboard\/login\?.*$/, 'containers/json'));
    assert.equal(api.status, 404);
  });

  it('logs in and shows the overview with component health and no console error', async (t) => {
    await page.goto(loginUrl);
    assert.match(page.url(), /\/dashboard\/(#.*)?$/);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('heading', { name: 'Component health' }).waitFor();
    await page.getByText('polisd:').waitFor();
    const shot = join(OUT, 'overview.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`overview screenshot: ${shot}`);
    assert.deepEqual(consoleErrors, []);
  });

  it('shows a container started through the API without a reload, follows its logs, stops it', async (t) => {
    await page.getByRole('link', { name: 'Containers' }).click();
    await page.getByRole('heading', { name: 'Containers' }).waitFor();
    const started = Date.now();
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'dash-web',
        'busybox',
        'sh',
        '-c',
        'trap "exit 0" TERM; i=0; while true; do echo line-$i; i=$((i+1)); sleep 1; done',
      ]),
    );
    const link = page.getByRole('link', { name: 'dash-web' });
    await link.waitFor({ timeout: 20_000 });
    t.diagnostic(`container appeared in the list ${Date.now() - started} ms after polis run returned`);

    await link.click();
    await page.getByRole('heading', { name: 'dash-web' }).waitFor();
    const logs = page.locator('#logs');
    await logs
      .getByText(/line-\d+/)
      .first()
      .waitFor({ timeout: 20_000 });
    const seen = Math.max(
      ...[...((await logs.textContent()) ?? '').matchAll(/line-(\d+)/g)].map((m) => Number(m[1])),
    );
    // A line written after the page had the stream open appears without a reload.
    await waitFor(`line-${seen + 2} in the logs view`, async () =>
      ((await logs.textContent()) ?? '').includes(`line-${seen + 2}`) ? true : undefined,
    );
    await page.getByRole('img', { name: 'CPU history' }).waitFor({ timeout: 20_000 });
    const shot = join(OUT, 'container.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`container page screenshot: ${shot}`);

    const stop = page.getByRole('button', { name: 'Stop dash-web', exact: true });
    await stop.focus();
    await page.keyboard.press('Enter');
    await waitFor('dash-web to stop', async () => {
      const r = await d.polis(['inspect', '-f', '{{.State.Running}}', 'dash-web']);
      return ok(r).trim() === 'false' ? true : undefined;
    });
    // The page learns it from the event stream: the Start button comes back.
    await page.getByRole('button', { name: 'Start dash-web', exact: true }).waitFor({ timeout: 20_000 });
    // A keyboard user is not thrown back to the top: focus moves from Stop to the Start that replaced it.
    await waitFor('focus on the Start button', async () =>
      (await page.evaluate('document.activeElement?.getAttribute("aria-label")')) === 'Start dash-web'
        ? true
        : undefined,
    );
    assert.deepEqual(consoleErrors, []);
  });

  it('opens every view from the keyboard, and fits a phone-width screen', async (t) => {
    for (const view of ['Images', 'Networks', 'Volumes', 'Live events', 'Alerts', 'Containers', 'Overview']) {
      const link = page.getByRole('link', { name: view === 'Live events' ? 'Events' : view, exact: true });
      await link.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: view, exact: true }).waitFor();
    }
    await page.getByRole('link', { name: 'Events', exact: true }).click();
    // The stop above is in the live feed without a reload.
    await page.getByRole('cell', { name: 'die', exact: true }).first().waitFor();
    await page.setViewportSize({ width: 390, height: 800 });
    for (const view of ['Overview', 'Containers']) {
      await page.getByRole('link', { name: view, exact: true }).click();
      await page.getByRole('heading', { name: view, exact: true }).waitFor();
      const overflow = Number(
        await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
      );
      assert.ok(overflow <= 0, `${view} is ${overflow}px wider than a 390px screen`);
    }
    const shot = join(OUT, 'containers-phone.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`phone-width screenshot: ${shot}`);
    assert.deepEqual(consoleErrors, []);
  });

  it('stays usable with more running containers than a browser opens connections to one host', async () => {
    await page.setViewportSize({ width: 1100, height: 800 });
    await page.getByRole('link', { name: 'Containers', exact: true }).click();
    for (let i = 0; i < 7; i++)
      ok(await d.polis(['run', '-d', '--name', `dash-idle-${i}`, 'busybox', 'sleep', '600']));
    await page.getByRole('link', { name: 'dash-idle-6' }).waitFor({ timeout: 20_000 });
    await page.getByRole('img', { name: 'CPU of dash-idle-6' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Start dash-web', exact: true }).click();
    await waitFor('dash-web to run again', async () =>
      ok(await d.polis(['inspect', '-f', '{{.State.Running}}', 'dash-web'])).trim() === 'true'
        ? true
        : undefined,
    );
    await page.getByRole('button', { name: 'Stop dash-web', exact: true }).waitFor({ timeout: 20_000 });
    assert.deepEqual(consoleErrors, []);
  });

  it("shows a firing alert, with the alerts API's fields, live as it fires", async (t) => {
    ok(await d.polis(['alert', 'add', 'dash-exit', '--on', 'exit', '--event']));
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('heading', { name: 'Alerts', exact: true }).waitFor();
    await page.getByText('0 active of 1 rules').waitFor();
    const id = ok(
      await d.polis(['run', '-d', '--name', 'dash-fail', 'busybox', 'sh', '-c', 'exit 3']),
    ).trim();
    // Live: the page looks again when the container's events (and the alert's own) come in.
    const row = page.getByRole('row').filter({ hasText: 'container dash-fail exited with code 3' }).first();
    await row.waitFor({ timeout: 20_000 });
    const cells = (await row.getByRole('cell').allTextContents()).map((c) => c.trim());
    assert.deepEqual(cells.slice(0, 4), [
      'dash-exit',
      id.slice(0, 12),
      'firing',
      'container dash-fail exited with code 3',
    ]);
    assert.match(cells[4] ?? '', /^\d{4}-\d\d-\d\dT/, 'since: when it started firing');
    await page.getByText('1 active of 1 rules').waitFor();
    // The history's row says what happened (fired) and to what.
    await page
      .getByRole('table', { name: 'Alert history' })
      .getByRole('row')
      .filter({ hasText: 'fired' })
      .filter({ hasText: 'dash-exit' })
      .first()
      .waitFor();
    const shot = join(OUT, 'alerts.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`alerts screenshot: ${shot}`);
    // The overview's active alerts show it too.
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByRole('heading', { name: 'Active alerts' }).waitFor();
    await page.getByRole('cell', { name: 'container dash-fail exited with code 3' }).waitFor();
    ok(await d.polis(['rm', 'dash-fail']));
    ok(await d.polis(['alert', 'rm', 'dash-exit']));
    assert.deepEqual(consoleErrors, []);
  });
});
