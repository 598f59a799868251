// Visits on /admin/jadwal in a real browser (Debian's headless Chromium): a customer books
// a test drive through the bot simulator, the week page shows it with the car and the
// salesperson, the "Datang" button marks it, the lead page lists it, and the calendar
// export is a text/calendar file. Then axe-core finds no violations at all on the week
// page at 390 and 1280 px, and it never scrolls sideways on a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { watchedPage } from './harness.mjs';
import { chat, demoSuite, signIn } from './admin-helpers.mjs';

const demo = demoSuite();
const url = (slug, path) => demo.server.url(slug, path);

/** Tomorrow's date in Jakarta (UTC+7), `YYYY-MM-DD`. */
function tomorrowInJakarta() {
  return new Date(Date.now() + (7 + 24) * 3600 * 1000).toISOString().slice(0, 10);
}

async function axe(page, label) {
  await page.waitForLoadState('networkidle');
  const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  assert.deepEqual(
    res.violations.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`),
    [],
  );
}

test('a test drive booked by chat shows on the week page, is marked as came, and exports', async () => {
  const { page, problems, close } = await watchedPage(demo.browser, 1280);
  await signIn(page, url('sinarjaya', '/admin/login'), demo.logins.sinarjaya);
  const booked = await chat(page, '+6281399990001', 'test drive besok jam 10', 'Dewi Lestari');
  assert.equal(booked.intent, 'visit_booked', JSON.stringify(booked));

  const week = tomorrowInJakarta();
  await page.goto(url('sinarjaya', `/admin/jadwal?minggu=${week}`), { waitUntil: 'load' });
  const item = page.locator('.visit', { hasText: 'Dewi Lestari' });
  await item.waitFor();
  assert.match(await item.innerText(), /10\.00[\s\S]*Test drive[\s\S]*Terjadwal/);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), item.getByRole('button', { name: /^Datang:/ }).click()]);
  assert.match(await page.locator('.visit', { hasText: 'Dewi Lestari' }).innerText(), /Datang/);
  assert.equal(await page.locator('.visit', { hasText: 'Dewi Lestari' }).getByRole('button').count(), 0);

  // The lead page lists the visit.
  await page.locator('.visit', { hasText: 'Dewi Lestari' }).getByRole('link', { name: 'Dewi Lestari' }).click();
  await page.waitForLoadState('load');
  assert.match(await page.locator('#h-appointments').locator('..').locator('..').innerText(), /Test drive[\s\S]*Datang/);

  // The export of that week.
  const ics = await page.evaluate(async (week) => {
    const r = await fetch(`/api/appointments/export.ics?from=${week}&to=${week}`);
    return { type: r.headers.get('content-type'), body: await r.text() };
  }, week);
  assert.match(ics.type, /^text\/calendar/);
  assert.match(ics.body, /BEGIN:VEVENT\r\n[\s\S]*SUMMARY:Test drive: Dewi Lestari/);
  assert.deepEqual(problems, []);
  await close();

  for (const width of [390, 1280]) {
    const p = await watchedPage(demo.browser, width);
    await signIn(p.page, url('sinarjaya', '/admin/login'), demo.logins.sinarjaya);
    await p.page.goto(url('sinarjaya', `/admin/jadwal?minggu=${week}`), { waitUntil: 'load' });
    const overflow = await p.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${width}px: no sideways scrolling (${overflow}px too wide)`);
    await axe(p.page, `/admin/jadwal @${width}`);
    assert.deepEqual(p.problems, []);
    await p.close();
  }
});
