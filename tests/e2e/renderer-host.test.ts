// End to end: real Chromium loads the built React renderer from the headless host and talks to
// main through the contract over the WebSocket.
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRendererDir } from '../../src-main/host/renderer-dir';
import { startHost, type RunningHost } from '../../src-main/host/server';
import { createTestApp, type TestApp } from '../support/app';
import { artifactPath, launchChromium } from '../support/chromium';

let t: TestApp;
let host: RunningHost;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(`${defaultRendererDir()}/index.html`)) {
    throw new Error('The renderer is not built: run `npm run build` (npm test does it first).');
  }
  t = createTestApp('host');
  host = await startHost({ app: t.app, rendererDir: defaultRendererDir(), logger: t.app.context.logger });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await host?.close();
  t?.cleanup();
});

describe('renderer in Chromium through the headless host', () => {
  it('calls the contract and shows the result', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await expect.poll(() => page.url()).not.toContain(host.token); // the token leaves the address bar
    await page.getByRole('link', { name: 'About Vigil' }).click();
    await expect
      .poll(() => page.getByTestId('app-info').textContent())
      .toMatch(/Vigil \d+\.\d+\.\d+ · browser mode/);
    await page.getByRole('button', { name: 'Check connection' }).click();
    await expect
      .poll(() => page.getByTestId('connection-result').textContent())
      .toMatch(/Connected: Vigil answered in \d+ ms/);
    // The same diagnostics as `vigil doctor`, in the About screen.
    await page.getByRole('button', { name: 'Run diagnostics' }).click();
    await expect
      .poll(() => page.getByTestId('doctor-report').textContent(), { timeout: 60_000 })
      .toContain('Models and binaries:');
    expect(await page.getByTestId('doctor-report').textContent()).toContain('Pending sync:');
    await page.screenshot({ path: artifactPath('e2e', 'start-screen.png'), fullPage: true });

    await page.reload(); // the token survives a reload in this tab
    await expect.poll(() => page.getByTestId('app-info').textContent()).toContain('browser mode');

    // The console is another window: the page reconnects as it, and its About screen works there too.
    await page.evaluate(() => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = '#/proctor';
    });
    await page.getByLabel('Login').waitFor();
    await page.getByRole('link', { name: 'About Vigil' }).click();
    await expect.poll(() => page.getByTestId('app-info').textContent()).toContain('browser mode');
    await page.getByRole('button', { name: 'Check connection' }).click();
    await expect
      .poll(() => page.getByTestId('connection-result').textContent())
      .toMatch(/Connected: Vigil answered in \d+ ms/);
    expect(await page.getByRole('link', { name: 'Review' }).getAttribute('href')).toBe('#/proctor');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('explains what is wrong when opened without the host link', async () => {
    const page = await browser.newPage();
    await page.goto(host.origin + '/');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('needs the link printed by `vigil host`');
    await page.close();
  });
});
