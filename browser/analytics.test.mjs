// Insights on /admin/analytics in a real browser (Debian's headless Chromium): a visitor
// with a phone's User-Agent opens two car pages, clicks a car's WhatsApp button (the
// counting redirect) and searches the catalogue; the bot gets a search by chat. The
// analytics page then draws the funnel, views, clicks and search-term charts as server-side
// SVG with the numbers, and the funnel tables per source and per car. At 390 and 1280 px
// the page does not scroll sideways and axe finds no violations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { sizedContext, watchedPage } from './harness.mjs';
import { chat, demoSuite, signIn } from './admin-helpers.mjs';

const demo = demoSuite();
const url = (slug, path) => demo.server.url(slug, path);
// Headless Chromium says "HeadlessChrome", which insights rightly leave out: the visitor
// presents itself as a phone browser.
const PHONE_UA = 'Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) '
  + 'Chrome/120.0.0.0 Mobile Safari/537.36';

async function axe(page, label) {
  await page.waitForLoadState('networkidle');
  const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  assert.deepEqual(
    res.violations.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`),
    [],
  );
}

test('visits, clicks and searches show as charts and funnels on the analytics page', async () => {
  const visitor = await sizedContext(demo.browser, 390, 900, { userAgent: PHONE_UA });
  const v = await visitor.newPage();
  await v.goto(url('sinarjaya', '/mobil'), { waitUntil: 'load' });
  const slugs = await v.evaluate(() => [...new Set([...document.querySelectorAll('a[href^="/mobil/"]')]
    .map((a) => a.getAttribute('href')).filter((h) => /^\/mobil\/[a-z0-9-]+$/.test(h) && h !== '/mobil/banding'))]);
  assert.ok(slugs.length >= 2, JSON.stringify(slugs));
  for (const path of slugs.slice(0, 2)) {
    await v.goto(url('sinarjaya', path), { waitUntil: 'load' });
  }
  await v.goto(url('sinarjaya', slugs[0]), { waitUntil: 'load' });
  // The WhatsApp button goes through the counting redirect to wa.me.
  const wa = await v.locator('a.btn-wa[href^="/wa/"]').first().getAttribute('href');
  assert.equal(wa, `/wa/${slugs[0].slice('/mobil/'.length)}`);
  const click = await v.evaluate(async (href) => {
    const r = await fetch(href, { redirect: 'manual' });
    return r.type;
  }, wa);
  assert.equal(click, 'opaqueredirect');
  await v.goto(url('sinarjaya', '/mobil?q=avanza'), { waitUntil: 'load' });
  await visitor.close();

  for (const width of [390, 1280]) {
    const p = await watchedPage(demo.browser, width);
    await signIn(p.page, url('sinarjaya', '/admin/login'), demo.logins.sinarjaya);
    if (width === 390) {
      const r = await chat(p.page, '+6281399990002', 'ada brio matic?', 'Rudi');
      assert.ok(r.intent, JSON.stringify(r));
    }
    await p.page.goto(url('sinarjaya', '/admin/analytics?days=7'), { waitUntil: 'load' });
    for (const id of ['ch-funnel', 'ch-views', 'ch-clicks', 'ch-terms']) {
      assert.equal(await p.page.locator(`svg[aria-labelledby^="${id}-t"]`).count(), 1, `${width}px: chart ${id}`);
    }
    const terms = await p.page.locator('#h-terms').locator('xpath=ancestor::section[1]').innerText();
    assert.match(terms, /avanza/);
    const perCar = await p.page.locator('#h-permobil').locator('xpath=ancestor::section[1]').innerText();
    assert.match(perCar, /Dilihat[\s\S]*Terjual/i);
    assert.match(perCar, /\t[1-9]\d*\t[1-9]\d*\t/, "a car viewed and clicked");
    const overflow = await p.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${width}px: no sideways scrolling (${overflow}px too wide)`);
    await axe(p.page, `/admin/analytics @${width}`);
    assert.deepEqual(p.problems, []);
    await p.close();
  }
});
