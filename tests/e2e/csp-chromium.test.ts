// The renderer's CSP in real Chromium: a page served by the headless host's static handler (which
// sends the header from src-main/security/csp.ts) carries inline scripts, an inline event handler,
// markup injected at run time, a dynamically built inline script, eval and a script tag added from
// outside. None of them may run; the page's own external script must.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticHandler } from '../../src-main/host/static-files';
import { launchChromium } from '../support/chromium';

const INDEX = `<!doctype html>
<html>
  <head>
    <title>CSP probe</title>
    <script>window.inlineRan = true;</script>
    <script src="/app.js"></script>
  </head>
  <body>
    <img src="/missing.png" onerror="window.handlerRan = true" />
    <div id="slot"></div>
  </body>
</html>`;

const APP_JS = `
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.effectiveDirective));
window.externalRan = true;
window.addEventListener('DOMContentLoaded', () => {
  // An attacker's markup reaching innerHTML (XSS).
  document.getElementById('slot').innerHTML = '<img src="/nope.png" onerror="window.injectedRan = true">';
  const s = document.createElement('script');
  s.textContent = 'window.dynamicInlineRan = true';
  document.body.appendChild(s);
  try { eval('window.evalRan = true'); } catch { window.evalBlocked = true; }
});
`;

let dir: string;
let server: http.Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-csp-'));
  fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
  fs.writeFileSync(path.join(dir, 'app.js'), APP_JS);
  let port = 0;
  const handler = createStaticHandler(dir, () => port);
  server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Content Security Policy in Chromium', () => {
  it('blocks inline, injected and eval-ed scripts while the app script runs', async () => {
    const page = await browser.newPage();
    try {
      const response = await page.goto(`${origin}/index.html`);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      // Four script violations: the inline <script>, the onerror attribute, the injected onerror,
      // and the dynamically created inline script (eval is reported as a fifth).
      await page.waitForFunction(
        () => (globalThis as unknown as { violations: string[] }).violations.length >= 4,
      );
      const injected = await page.addScriptTag({ content: 'window.tagRan = true' }).then(
        () => 'added',
        () => 'refused',
      );
      const state = await page.evaluate(() => {
        const w = globalThis as unknown as Record<string, unknown>;
        return {
          externalRan: w.externalRan === true,
          inlineRan: w.inlineRan === true,
          handlerRan: w.handlerRan === true,
          injectedRan: w.injectedRan === true,
          dynamicInlineRan: w.dynamicInlineRan === true,
          evalRan: w.evalRan === true,
          evalBlocked: w.evalBlocked === true,
          tagRan: w.tagRan === true,
          violations: w.violations as string[],
        };
      });
      expect(injected).toBe('refused');
      expect(state).toMatchObject({
        externalRan: true,
        inlineRan: false,
        handlerRan: false,
        injectedRan: false,
        dynamicInlineRan: false,
        evalRan: false,
        evalBlocked: true,
        tagRan: false,
      });
      expect(state.violations).toEqual(expect.arrayContaining(['script-src-elem', 'script-src-attr']));
    } finally {
      await page.close();
    }
  });
});
