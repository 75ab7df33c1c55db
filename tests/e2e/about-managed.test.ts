// End to end, real Chromium through the headless host: with an IT policy in place, About shows the
// value it sets as "managed by your organisation", read-only, while the candidate's own setting can
// be changed; a forged change of the managed value from the page is refused by main; "Save
// diagnostics" writes one archive to the data folder with the expected entries.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, type BootedApp } from '../../src-main/app/boot';
import { defaultRendererDir } from '../../src-main/host/renderer-dir';
import { startHost, type RunningHost } from '../../src-main/host/server';
import { artifactPath, launchChromium } from '../support/chromium';
import { makeTempDir } from '../support/temp-dir';

let scratch: { dir: string; cleanup(): void };
let dataDir: string;
let booted: BootedApp;
let host: RunningHost;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(`${defaultRendererDir()}/index.html`)) {
    throw new Error('The renderer is not built: run `npm run build` (npm test does it first).');
  }
  scratch = makeTempDir('vigil-about-');
  dataDir = path.join(scratch.dir, 'data');
  const policyFile = path.join(scratch.dir, 'policy.json');
  fs.writeFileSync(policyFile, JSON.stringify({ log: { level: 'warn' }, update: { enabled: false } }));
  booted = await bootApp('host', { policyFile, env: { VIGIL_DATA_DIR: dataDir }, home: scratch.dir });
  host = await startHost({
    app: booted.app,
    rendererDir: defaultRendererDir(),
    logger: booted.app.context.logger,
  });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await host?.close();
  await booted?.close();
  scratch?.cleanup();
});

describe('About: managed settings and Save diagnostics', () => {
  it('marks what IT manages, refuses changing it, and saves the support archive', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await page.getByRole('link', { name: 'About Vigil' }).click();

    const level = page.getByTestId('setting-log.level');
    await expect.poll(() => level.textContent()).toContain('managed by your organisation');
    expect(await level.textContent()).toContain('warn');
    // Read-only: no control to change it, only the value.
    expect(await level.locator('select').count()).toBe(0);
    expect(await page.getByTestId('setting-update.enabled').textContent()).toContain(
      'managed by your organisation',
    );
    expect(await page.getByTestId('policy-note').textContent()).toContain('managed by your organisation');

    // What the candidate may change is a control, and is not marked managed.
    const pageSize = page.getByTestId('setting-report.pageSize');
    expect(await pageSize.textContent()).not.toContain('managed by your organisation');
    await page.getByLabel('Report page size').selectOption('Letter');
    await expect.poll(() => pageSize.textContent()).toContain('your setting');
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8'))).toEqual({
      report: { pageSize: 'Letter' },
    });

    // A page that calls the change anyway is refused by main.
    const forged = await page.evaluate(async () => {
      const g = globalThis as unknown as {
        sessionStorage: { getItem(key: string): string | null };
        location: { host: string };
      };
      const token = encodeURIComponent(g.sessionStorage.getItem('vigil.hostToken') ?? '');
      const socket = new WebSocket(`ws://${g.location.host}/vigil?window=candidate&token=${token}`);
      await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
      const reply = new Promise<string>((resolve) =>
        socket.addEventListener('message', (event) => resolve(String(event.data)), { once: true }),
      );
      socket.send(
        JSON.stringify({ id: 1, call: 'changeSetting', request: { key: 'log.level', value: 'trace' } }),
      );
      const text = await reply;
      socket.close();
      return JSON.parse(text) as { result: { ok: boolean; error?: { code: string; message: string } } };
    });
    expect(forged.result).toMatchObject({ ok: false, error: { code: 'MANAGED' } });
    expect(forged.result.error?.message).toContain('managed by your organisation');
    expect(booted.app.context.loaded.config.log.level).toBe('warn');
    expect(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8')).not.toContain('trace');
    await page.screenshot({ path: artifactPath('e2e', 'about-managed.png'), fullPage: true });

    await page.getByRole('button', { name: 'Save diagnostics' }).click();
    await expect
      .poll(() => page.getByTestId('diagnostics-result').textContent(), { timeout: 60_000 })
      .toContain('Diagnostics saved to');
    const shown = (await page.getByTestId('diagnostics-result').textContent()) ?? '';
    const archive = /saved to (.+\.tar\.gz)\./.exec(shown)?.[1];
    expect(archive && path.dirname(archive)).toBe(path.join(dataDir, 'diagnostics'));
    const listing = execFileSync('tar', ['-tzf', archive!], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((entry) => entry.replace(/^[^/]+\//, ''))
      .sort();
    expect(listing).toEqual(
      expect.arrayContaining([
        'README.txt',
        'doctor.json',
        'policy.json',
        'versions.json',
        'recent-errors.json',
        'logs/vigil.1.log',
      ]),
    );
    const policy = JSON.parse(
      execFileSync('tar', ['-xzOf', archive!, '--wildcards', '*/policy.json'], { encoding: 'utf8' }),
    ) as { managedKeys: string[] };
    expect(policy.managedKeys).toEqual(['log.level', 'update.enabled']);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
