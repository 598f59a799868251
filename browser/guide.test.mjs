// The showroom user guide (/admin/bantuan) in a real browser: every screenshot loads and
// fits a phone, nothing overflows sideways, axe finds no violations at all, and the
// screenshot script still makes exactly the pictures the guide shows (so rerunning it
// after a dashboard change refreshes the guide instead of silently leaving holes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AxeBuilder } from '@axe-core/playwright';
import { watchedPage } from './harness.mjs';
import { demoSuite, signIn } from './admin-helpers.mjs';


const demo = demoSuite();

/** `guide-dashboard.png` → `dashboard`, for every picture on the page. */
async function pictureNames(page) {
  const srcs = await page.$$eval('.guide-shot img', (imgs) => imgs.map((i) => i.getAttribute('src')));
  return srcs.map((s) => s.match(/\/assets\/guide-([a-z-]+)\.[0-9a-f]{10}\.png$/)[1]).sort();
}

test('the guide reads well on a phone and on a desktop', async () => {
  for (const width of [390, 1280]) {
    const { page, context, problems } = await watchedPage(demo.browser, width);
    await signIn(page, demo.server.url('sinarjaya', '/admin/login'), demo.logins.sinarjaya);
    await page.goto(demo.server.url('sinarjaya', '/admin/bantuan'), { waitUntil: 'load' });
    assert.equal(await page.locator('h1').innerText(), 'Panduan');
    // Lazy pictures load as the reader scrolls to them.
    for (const img of await page.locator('.guide-shot img').all()) {
      await img.scrollIntoViewIfNeeded();
      await img.evaluate((el) => el.decode());
      const { natural, shown } = await img.evaluate((el) => ({ natural: el.naturalWidth, shown: el.getBoundingClientRect().width }));
      assert.ok(natural >= 400, `a real picture (${natural}px)`);
      assert.ok(shown <= width, `the picture fits the screen (${shown}px on ${width}px)`);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at ${width}px (${overflow}px too wide)`);
    // The contents jump to each part.
    await page.click('.guide-toc a[href="#domain"]');
    assert.match(page.url(), /#domain$/);
    const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    assert.deepEqual(res.violations.map((v) => `${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`), []);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('the screenshot script makes exactly the pictures the guide shows', async () => {
  const { page, context } = await watchedPage(demo.browser, 1280);
  await signIn(page, demo.server.url('sinarjaya', '/admin/login'), demo.logins.sinarjaya);
  await page.goto(demo.server.url('sinarjaya', '/admin/bantuan'), { waitUntil: 'load' });
  const shown = await pictureNames(page);
  await context.close();
  const committed = readdirSync(resolve(import.meta.dirname, '..', 'crates', 'web', 'assets', 'guide'))
    .filter((f) => f.endsWith('.png')).map((f) => f.replace(/\.png$/, '')).sort();
  assert.deepEqual(shown, committed, 'the guide shows every committed picture, and only those');
  const out = mkdtempSync(join(tmpdir(), 'garasi-guide-'));
  try {
    await promisify(execFile)(process.execPath, [resolve(import.meta.dirname, 'guide-screenshots.mjs'), out], { timeout: 300_000 });
    const made = readdirSync(out).filter((f) => f.endsWith('.png')).map((f) => f.replace(/\.png$/, '')).sort();
    assert.deepEqual(made, committed, 'the script makes the same set of pictures');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
