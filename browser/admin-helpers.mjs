// Helpers for the dashboard tests and screenshots: the demo's logins, signing in through
// the login form, and chats with the bot simulator so the dashboards have data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, after } from 'node:test';
import { startGarasi, launchChromium } from './harness.mjs';

/** A fresh `garasi serve --demo` with Chromium pointed at it and the demo's logins:
 * `{ server, browser, logins, stop() }`. What every dashboard script starts with. */
export async function startDemo() {
  const server = await startGarasi();
  const browser = await launchChromium(server.port);
  return {
    server, browser, logins: demoLogins(server.dataDir),
    async stop() { await browser.close(); await server.stop(); },
  };
}

/** For a test file: a demo server and browser started before its tests and stopped after.
 * The returned object is filled in by `before`: read `demo.server`, `demo.browser`,
 * `demo.logins` inside tests, not at import time. */
export function demoSuite() {
  const demo = {};
  before(async () => Object.assign(demo, await startDemo()));
  after(async () => { await demo.stop?.(); });
  return demo;
}

/** What `pattern` captures first in the HTML of `path`, fetched inside the signed-in page. */
export async function firstId(page, path, pattern) {
  const source = pattern.source;
  return page.evaluate(async ({ path, source }) => (await (await fetch(path)).text()).match(new RegExp(source))[1],
    { path, source });
}

/** `{ root: {email, password}, sinarjaya: {…}, berkahmobil: {…} }` from the demo's login file. */
export function demoLogins(dataDir) {
  const text = readFileSync(join(dataDir, 'demo-logins.txt'), 'utf8');
  const out = {};
  let key = null;
  for (const line of text.split('\n')) {
    const url = line.match(/https?:\/\/([a-z0-9-]+)\.localhost/);
    if (url) key = url[1] === 'admin' ? 'root' : url[1];
    const field = line.match(/^\s+(email|password):\s+(\S+)/);
    if (field && key) (out[key] ||= {})[field[1]] = field[2];
  }
  return out;
}

/** Signs in through `/admin/login` (or the root `/login`) and waits for the dashboard. */
export async function signIn(page, url, { email, password }) {
  await page.goto(url, { waitUntil: 'load' });
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type=submit]')]);
}

/** Talks to the bot simulator from inside the signed-in page (same origin, the session cookie). */
export async function chat(page, from, text, name = 'Pelanggan') {
  return page.evaluate(async ({ from, text, name }) => {
    const r = await fetch('/api/bot/simulate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ from, text, name }),
    });
    if (!r.ok) throw new Error(`simulate ${r.status}: ${await r.text()}`);
    return r.json();
  }, { from, text, name });
}

/** A few customers asking about cars, so lists, the board and charts have something in them. */
export async function seedChats(page) {
  const scripts = [
    ['+6281311110001', 'Budi Santoso', ['Ada Avanza matic budget 200 juta?', 'yang pertama', 'Mau lihat langsung']],
    ['+6281311110002', 'Sari Dewi', ['cari SUV diesel dibawah 400jt', 'yang pertama', 'kredit dp 30% tenor 4 tahun brp?', 'Mau lihat langsung']],
    ['+6281311110003', 'Agus', ['ada brio?', 'Mau lihat langsung']],
    ['+6281311110004', 'Rini', ['mobil keluarga 7 seater harga 150an ada?']],
  ];
  for (const [from, name, lines] of scripts) {
    for (const text of lines) await chat(page, from, text, name);
  }
}
