// Comparing cars on the public site (issue #17, point 7) in a real browser: the "Bandingkan"
// links build a comparison of up to 3 cars without JavaScript; with it, a tray collects cars
// across pages. More than 3 gets an Indonesian message. A price drop made in the dashboard shows
// the "Harga turun" badge (and its price history on the car's admin page, axe-checked with the
// feed links in Settings). Then, at 390 and 1280 px, the comparison page never scrolls sideways
// (its table scrolls inside its own region), does not shift while loading, and axe-core finds no
// violations at all; the car page shows "Mobil serupa".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { sizedContext, watchedPage } from './harness.mjs';
import { demoSuite, signIn } from './admin-helpers.mjs';

const demo = demoSuite();
const url = (path) => demo.server.url('sinarjaya', path);

async function axe(page, label) {
  await page.waitForLoadState('networkidle');
  const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  assert.deepEqual(
    res.violations.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`),
    [],
  );
}

/** Slugs of the catalogue's first `n` cars. */
async function slugs(page, n) {
  await page.goto(url('/mobil'), { waitUntil: 'load' });
  const hrefs = await page.locator('#hasil .card-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  return hrefs.slice(0, n).map((h) => h.replace('/mobil/', ''));
}

/** The cumulative layout shift of the page so far (PerformanceObserver, buffered). */
function layoutShift(page) {
  return page.evaluate(() => new Promise((ok) => {
    let total = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
    requestAnimationFrame(() => requestAnimationFrame(() => ok(total)));
  }));
}

test('without JavaScript, links build a comparison of up to 3 cars', async () => {
  const context = await sizedContext(demo.browser, 390, 900, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(url('/mobil'), { waitUntil: 'load' });
  await page.locator('#hasil .card-compare a').first().click();
  await page.waitForURL(/\/mobil\/banding\?ids=/);
  assert.equal(await page.locator('table.compare thead th[scope=col]').count(), 1);
  assert.match(await page.locator('main').innerText(), /Tambahkan minimal satu mobil lagi/);
  for (const n of [2, 3]) {
    await page.locator('.compare-add .card-link').first().click();
    await page.waitForLoadState('load');
    assert.equal(await page.locator('table.compare thead th[scope=col]').count(), n, `${n} cars side by side`);
  }
  assert.equal(await page.locator('.compare-add').count(), 0, 'nothing more to add at 3');
  const rows = await page.locator('table.compare tbody th[scope=row]').allInnerTexts();
  for (const label of ['Harga', 'Tahun', 'Kilometer', 'Transmisi', 'Bahan bakar']) assert.ok(rows.includes(label), label);
  // Dropping one leaves the other two.
  await page.locator('.compare-remove').first().click();
  await page.waitForLoadState('load');
  assert.equal(await page.locator('table.compare thead th[scope=col]').count(), 2);

  const four = await slugs(page, 4);
  assert.equal(four.length, 4, 'the demo has at least 4 cars');
  await page.goto(url(`/mobil/banding?ids=${four.join(',')}`), { waitUntil: 'load' });
  assert.match(await page.locator('[role=alert]').innerText(), /Maksimal 3 mobil bisa dibandingkan/);
  assert.equal(await page.locator('table.compare thead th[scope=col]').count(), 3, 'the first three are shown');
  await context.close();
});

test('with JavaScript, a tray collects cars across pages', async () => {
  const { page, problems, close } = await watchedPage(demo.browser, 390);
  await page.goto(url('/mobil'), { waitUntil: 'load' });
  const toggles = page.locator('#hasil .card-compare a');
  await toggles.nth(0).click();
  await toggles.nth(1).click();
  assert.equal(await toggles.nth(0).getAttribute('aria-pressed'), 'true');
  const tray = page.locator('.compare-tray');
  await tray.waitFor();
  assert.equal(await tray.getByRole('link').innerText(), 'Bandingkan (2)');
  // On another page the tray remembers them; a car page adds a third.
  const href = await page.locator('#hasil .card-link').nth(2).getAttribute('href');
  await page.goto(url(href), { waitUntil: 'load' });
  await page.locator('.summary [data-compare]').click();
  assert.equal(await tray.getByRole('link').innerText(), 'Bandingkan (3)');
  await page.goto(url('/mobil'), { waitUntil: 'load' });
  await page.locator('#hasil .card-compare a').nth(3).click();
  await page.locator('#toasts .toast', { hasText: 'Maksimal 3 mobil' }).waitFor();
  await Promise.all([page.waitForURL(/\/mobil\/banding\?ids=/), tray.getByRole('link').click()]);
  assert.equal(await page.locator('table.compare thead th[scope=col]').count(), 3);
  assert.deepEqual(problems, [], 'no console errors or CSP violations');
  await close();
});

test('a price drop shows the badge, and the car page shows similar cars', async () => {
  const { page, problems, close } = await watchedPage(demo.browser, 1280);
  await signIn(page, url('/admin/login'), demo.logins.sinarjaya);
  const [slug] = await slugs(page, 1);
  const car = await page.evaluate(async (slug) => {
    const list = await (await fetch('/api/cars?per_page=100')).json();
    return list.items.find((c) => c.slug === slug);
  }, slug);
  const lowered = await page.evaluate(async ({ id, price }) => {
    const r = await fetch(`/api/cars/${id}`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ price }),
    });
    return r.json();
  }, { id: car.id, price: car.price - 5_000_000 });
  assert.equal(lowered.price_history.at(-1).via, 'api');
  assert.equal(lowered.price_history.at(-1).previous_price, car.price);

  await page.goto(url('/mobil'), { waitUntil: 'load' });
  const card = page.locator('#hasil .card', { has: page.locator(`a[href="/mobil/${slug}"]`) });
  assert.match(await card.innerText(), /Harga turun/);
  await page.goto(url(`/mobil/${slug}`), { waitUntil: 'load' });
  assert.match(await page.locator('.summary').innerText(), /Harga turun/);
  assert.equal(await page.locator('#serupa').innerText(), 'Mobil serupa', 'every car page has the section');
  await axe(page, `/mobil/${slug} @1280`);
  // A car with similar ones: never itself, only cars on sale.
  let found = false;
  for (const other of await slugs(page, 8)) {
    await page.goto(url(`/mobil/${other}`), { waitUntil: 'load' });
    const hrefs = await page.locator('#serupa').locator('..').locator('.card-link')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    if (hrefs.length === 0) continue;
    found = true;
    assert.ok(!hrefs.includes(`/mobil/${other}`), 'never the car itself');
    const badges = await page.locator('#serupa').locator('..').locator('.card .badge').allInnerTexts();
    assert.ok(!badges.includes('Terjual'), 'no sold car');
    break;
  }
  assert.ok(found, 'some demo car has similar cars');

  // The dashboard side of the same data: the car's price history, and the feed links in Settings.
  await page.goto(url(`/admin/cars/${car.id}`), { waitUntil: 'load' });
  const history = await page.locator('#riwayat-harga').innerText();
  assert.match(history, /Riwayat harga[\s\S]*turun Rp 5\.000\.000[\s\S]*API/);
  await axe(page, '/admin/cars/{id} @1280');
  await page.goto(url('/admin/settings'), { waitUntil: 'load' });
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#feed button[type=submit]').click()]);
  const feed = await page.locator('#feed .feed-url').first().inputValue();
  assert.match(feed, /\/feed\/[0-9a-f]{48}\/meta\.csv$/);
  await axe(page, '/admin/settings @1280');
  assert.deepEqual(problems, []);
  await close();
});

test('the comparison page fits 390 and 1280 px, does not shift, and axe finds nothing', async () => {
  const probe = await watchedPage(demo.browser, 1280);
  const three = await slugs(probe.page, 3);
  await probe.close();
  for (const width of [390, 1280]) {
    const { page, problems, close } = await watchedPage(demo.browser, width);
    await page.goto(url(`/mobil/banding?ids=${three.join(',')}`), { waitUntil: 'load' });
    assert.equal(await page.locator('table.compare thead th[scope=col]').count(), 3);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${width}px: no sideways scrolling (${overflow}px too wide)`);
    const cls = await layoutShift(page);
    assert.ok(cls < 0.01, `${width}px: layout shift ${cls}`);
    await axe(page, `/mobil/banding @${width}`);
    // And the catalogue with the "Bandingkan" links.
    await page.goto(url('/mobil'), { waitUntil: 'load' });
    await axe(page, `/mobil @${width}`);
    assert.deepEqual(problems, []);
    await close();
  }
});
