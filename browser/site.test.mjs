// The public site in a real browser: htmx updates the catalogue and the credit widget
// in place (no full reload), the address bar follows, and nothing breaks the CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchedPage } from './harness.mjs';
import { demoSuite } from './admin-helpers.mjs';


const demo = demoSuite();

const phonePage = () => watchedPage(demo.browser, 390);

const cardTitles = (page) => page.locator('#hasil .card-title').allInnerTexts();

test('changing a filter updates the list in place and the URL follows', async () => {
  const { page, problems, close } = await phonePage();
  await page.goto(demo.server.url('sinarjaya', '/mobil'), { waitUntil: 'load' });
  await page.waitForFunction(() => window.htmx !== undefined);
  const before = await cardTitles(page);
  assert.ok(before.length > 1, 'the catalogue lists cars');
  await page.evaluate(() => { window.__marker = 'tetap'; });

  await page.locator('.filter-panel > summary').click();
  await page.selectOption('#f-trans', 'MT');
  await page.waitForURL(/\/mobil\?transmission=MT$/);
  await page.waitForFunction(() => !document.querySelector('#hasil').classList.contains('htmx-request'));
  const manual = await cardTitles(page);
  assert.ok(manual.length > 0 && manual.length < before.length, `filtered: ${manual.length} of ${before.length}`);
  const specs = await page.locator('#hasil .card .specs').allInnerTexts();
  assert.ok(specs.every((s) => s.includes('Manual')), 'every card is a manual');
  assert.equal(await page.evaluate(() => window.__marker), 'tetap', 'no full page reload');
  assert.match(await page.title(), /Manual/);
  assert.match(await page.locator('#hasil .count').innerText(), /mobil ditemukan/);

  // Sorting too; then Back restores the previous list and URL.
  await page.selectOption('#f-sort', 'price_asc');
  await page.waitForURL(/transmission=MT&sort=price_asc$/);
  await page.waitForFunction(() => !document.querySelector('#hasil').classList.contains('htmx-request'));
  const prices = (await page.locator('#hasil .price').allInnerTexts()).map((p) => Number(p.replace(/\D/g, '')));
  assert.deepEqual(prices, [...prices].sort((a, b) => a - b), 'cheapest first');
  assert.equal(await page.evaluate(() => window.__marker), 'tetap');
  await page.goBack();
  await page.waitForURL(/\/mobil\?transmission=MT$/);
  assert.deepEqual(problems, [], 'no console errors or CSP violations');
  await close();
});

test('the credit widget recalculates in place', async () => {
  const { page, problems, close } = await phonePage();
  await page.goto(demo.server.url('sinarjaya', '/mobil'), { waitUntil: 'load' });
  const href = await page.locator('#hasil .card-link').first().getAttribute('href');
  await page.goto(demo.server.url('sinarjaya', href), { waitUntil: 'load' });
  await page.waitForFunction(() => window.htmx !== undefined);
  await page.evaluate(() => { window.__marker = 'tetap'; });
  const url = page.url();
  assert.match(await page.locator('#kredit-hasil').innerText(), /36 bulan/);
  await page.selectOption('#k-tenor', '5');
  await page.locator('#kredit-hasil', { hasText: '60 bulan' }).waitFor();
  await page.fill('#k-dp-rp', '1.000.000');
  await page.locator('#k-dp-rp').press('Enter');
  await page.locator('#kredit-hasil [role=alert]').waitFor();
  assert.match(await page.locator('#kredit-hasil').innerText(), /DP minimal/);
  assert.equal(await page.evaluate(() => window.__marker), 'tetap', 'no full page reload');
  assert.equal(page.url(), url, 'the car page URL does not change');
  assert.deepEqual(problems, []);
  await close();
});

test('the site works without JavaScript', async () => {
  const context = await demo.browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(demo.server.url('sinarjaya', '/mobil?transmission=AT'));
  const specs = await page.locator('#hasil .card .specs').allInnerTexts();
  assert.ok(specs.length > 0 && specs.every((s) => s.includes('Otomatis')));
  await context.close();
});
