// Starts the built `garasi` binary with demo data on a free 127.0.0.1 port and a temp
// data dir, and Debian's Chromium through playwright-core (no browser download).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');

/** The binary: $GARASI_BIN, else $CARGO_TARGET_DIR (or ./target)/{debug,release}/garasi. */
export function garasiBin() {
  if (process.env.GARASI_BIN) return process.env.GARASI_BIN;
  const target = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
  for (const profile of ['debug', 'release']) {
    const p = join(target, profile, 'garasi');
    if (existsSync(p)) return p;
  }
  throw new Error('garasi binary not found: run `cargo build` or set GARASI_BIN');
}

/** GET with a Host header (fetch may not set one): resolves to the status code. */
function status(port, host, path) {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      ok(res.statusCode);
    });
    req.on('error', fail);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export async function startGarasi() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'garasi-browser-'));
  // SQLite in the temp dir, no Redis, no config file: whatever the caller's shell has set.
  const env = { ...process.env, GARASI_BIND: `127.0.0.1:${port}`, GARASI_INTERNAL_BIND: '127.0.0.1:0', GARASI_DATA_DIR: dataDir, GARASI_LOG: 'warn' };
  for (const k of ['GARASI_DATABASE_URL', 'GARASI_MIGRATE_DATABASE_URL', 'GARASI_REDIS_URL', 'GARASI_CONFIG',
    'GARASI_PUBLIC_BASE_PORT', 'GARASI_PUBLIC_SCHEME', 'GARASI_TENANT_DOMAIN']) delete env[k];
  const child = spawn(garasiBin(), ['serve', '--demo'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 180_000; // the demo draws and encodes photos on first start
  for (;;) {
    if (child.exitCode !== null) throw new Error(`garasi exited with ${child.exitCode}`);
    try {
      if ((await status(port, 'sinarjaya.localhost', '/mobil')) === 200) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('garasi did not start in time');
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    dataDir,
    url: (slug, path) => `http://${slug}.localhost:${port}${path}`,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(port) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--host-resolver-rules=MAP *.localhost 127.0.0.1:${port}`,
    ],
  });
}

/** A context `width` px wide: a touch phone 844 px high below 600 px, else a desktop `desktopHeight` px high. */
export function sizedContext(browser, width, desktopHeight = 900, options = {}) {
  const phone = width < 600;
  return browser.newContext({
    viewport: { width, height: phone ? 844 : desktopHeight }, isMobile: phone, hasTouch: phone, ...options,
  });
}

/** A page `width` px wide that records console errors, page errors and CSP violations in `problems`. */
export async function watchedPage(browser, width) {
  const context = await sizedContext(browser, width);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { page, context, problems, close: () => context.close() };
}
