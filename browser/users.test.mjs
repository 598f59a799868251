// Users per showroom in a real browser (Debian's headless Chromium): the owner invites a
// staff member on /admin/pengguna, the link opens in a fresh browser where the new user
// sets a password and is in, signs in again elsewhere, changes the password on
// /admin/akun, and the first browser's session is gone (the login page). Then axe-core
// finds no violations at all on the user pages at 390 and 1280 px, and none of them
// scrolls sideways on a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { watchedPage } from './harness.mjs';
import { demoSuite, signIn } from './admin-helpers.mjs';

const demo = demoSuite();
const url = (slug, path) => demo.server.url(slug, path);

const FIRST = 'Sales-Baru-Jaya-2026';
const SECOND = 'Ganti-Lagi-Dong-2027';

/** Invites `email` from the owner's page and returns the link's path (shown once). */
async function invite(page, name, email) {
  await page.goto(url('sinarjaya', '/admin/pengguna'), { waitUntil: 'load' });
  await page.fill('#in-name', name);
  await page.fill('#in-email', email);
  await page.selectOption('#in-role', 'staff');
  await page.selectOption('#in-method', 'link');
  await page.click('#users form.form button[type=submit]');
  const secret = page.locator('#shown-secret');
  await secret.waitFor();
  const link = await secret.inputValue();
  assert.match(link, /\/admin\/undangan\/[0-9a-f]{64}$/);
  return new URL(link).pathname;
}

async function noSidewaysScroll(page, label) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${label}: no sideways scrolling (${overflow}px too wide)`);
}

async function axe(page, label) {
  await page.waitForLoadState('networkidle');
  const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  assert.deepEqual(
    res.violations.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`),
    [],
  );
}

test('invite → accept → sign in again → change the password → the old session is gone', async () => {
  const owner = await watchedPage(demo.browser, 1280);
  await signIn(owner.page, url('sinarjaya', '/admin/login'), demo.logins.sinarjaya);
  const path = await invite(owner.page, 'Rudi Sales', 'rudi@sinarjaya.test');
  assert.match(await owner.page.locator('#users').innerText(), /Menunggu undangan diterima/);

  // The link in a fresh browser (a phone): choose a password, and you are in.
  const first = await watchedPage(demo.browser, 390);
  await first.page.goto(url('sinarjaya', path), { waitUntil: 'load' });
  assert.match(await first.page.locator('main').innerText(), /Rudi Sales/);
  await first.page.fill('#password', FIRST);
  await first.page.fill('#confirm_password', FIRST);
  await Promise.all([first.page.waitForNavigation({ waitUntil: 'load' }), first.page.click('button[type=submit]')]);
  assert.match(first.page.url(), /\/admin\?notice=welcome$/);
  assert.match(await first.page.locator('.who-name').innerText(), /Rudi Sales/);

  // Signs in again in another browser with the new password.
  const second = await watchedPage(demo.browser, 1280);
  await signIn(second.page, url('sinarjaya', '/admin/login'), { email: 'rudi@sinarjaya.test', password: FIRST });
  assert.match(second.page.url(), /\/admin\?notice=login$/);

  // Changes the password there: both sessions were listed, the other one ends.
  await second.page.goto(url('sinarjaya', '/admin/akun'), { waitUntil: 'load' });
  assert.equal(await second.page.locator('.session-list li').count(), 2);
  await second.page.fill('#in-current_password', FIRST);
  await second.page.fill('#in-new_password', SECOND);
  await second.page.fill('#in-confirm_password', SECOND);
  await second.page.click('#account form.form button[type=submit]');
  await second.page.locator('.toast-success', { hasText: 'Kata sandi diganti' }).waitFor();
  assert.equal(await second.page.locator('.session-list li').count(), 1);

  // The first browser's session is gone: the next page is the login page.
  await first.page.goto(url('sinarjaya', '/admin/cars'), { waitUntil: 'load' });
  assert.match(first.page.url(), /\/admin\/login/);
  // And the new password is the one that works.
  await signIn(first.page, url('sinarjaya', '/admin/login'), { email: 'rudi@sinarjaya.test', password: SECOND });
  assert.match(first.page.url(), /\/admin\?notice=login$/);

  // The owner reads it all on the activity page.
  await owner.page.goto(url('sinarjaya', '/admin/aktivitas'), { waitUntil: 'load' });
  const log = await owner.page.locator('main').innerText();
  for (const text of ['Pengguna diundang', 'Undangan diterima', 'Kata sandi diganti']) assert.ok(log.includes(text), text);

  for (const w of [owner, first, second]) {
    assert.deepEqual(w.problems, []);
    await w.close();
  }
});

test('the user pages pass axe and fit a phone', async () => {
  for (const width of [390, 1280]) {
    const { page, context, problems } = await watchedPage(demo.browser, width);
    await signIn(page, url('sinarjaya', '/admin/login'), demo.logins.sinarjaya);
    const path = await invite(page, `Tamu ${width}`, `tamu${width}@sinarjaya.test`);
    await noSidewaysScroll(page, `/admin/pengguna with a new link ${width}`);
    await axe(page, `/admin/pengguna with a new link ${width}`);
    await page.goto(url('sinarjaya', '/admin/pengguna'), { waitUntil: 'load' });
    // A user's actions, opened.
    await page.locator('details.manage summary').first().click();
    await noSidewaysScroll(page, `/admin/pengguna ${width}`);
    await axe(page, `/admin/pengguna ${width}`);
    for (const p of ['/admin/akun', '/admin/aktivitas', '/admin/prospek-saya']) {
      await page.goto(url('sinarjaya', p), { waitUntil: 'load' });
      await noSidewaysScroll(page, `${p} ${width}`);
      await axe(page, `${p} ${width}`);
    }
    // The invitation page, as the invited person sees it.
    const guest = await watchedPage(demo.browser, width);
    await guest.page.goto(url('sinarjaya', path), { waitUntil: 'load' });
    await noSidewaysScroll(guest.page, `invitation ${width}`);
    await axe(guest.page, `invitation ${width}`);
    await guest.close();
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('the owner makes a reset link, it sets a new password once; the sign-in pages pass axe', async () => {
  const owner = await watchedPage(demo.browser, 1280);
  await signIn(owner.page, url('sinarjaya', '/admin/login'), demo.logins.sinarjaya);
  // Rudi signed in during the first test: his row offers a reset link, not an invitation.
  await owner.page.goto(url('sinarjaya', '/admin/pengguna'), { waitUntil: 'load' });
  const row = owner.page.locator('#users tr', { hasText: 'rudi@sinarjaya.test' });
  await row.locator('details.manage summary').click();
  await row.getByRole('button', { name: 'Buat tautan atur ulang kata sandi' }).click();
  const shown = row.locator('[data-reset-link]');
  await shown.waitFor();
  const link = new URL((await shown.innerText()).trim());
  assert.match(link.pathname, /^\/admin\/reset-password\/[0-9a-f]+$/);

  for (const width of [390, 1280]) {
    const guest = await watchedPage(demo.browser, width);
    for (const p of ['/admin/lupa-password', link.pathname]) {
      await guest.page.goto(url('sinarjaya', p), { waitUntil: 'load' });
      await noSidewaysScroll(guest.page, `${p} ${width}`);
      await axe(guest.page, `${p} ${width}`);
    }
    assert.deepEqual(guest.problems, []);
    await guest.close();
  }

  // The link sets a new password, signs nobody else in, and is spent.
  const rudi = await watchedPage(demo.browser, 390);
  await rudi.page.goto(url('sinarjaya', link.pathname), { waitUntil: 'load' });
  const fields = rudi.page.locator('form input[type=password]');
  assert.equal(await fields.count(), 2, 'new password and its confirmation');
  await fields.nth(0).fill('Atur-Ulang-Sandi-2028');
  await fields.nth(1).fill('Atur-Ulang-Sandi-2028');
  await Promise.all([rudi.page.waitForNavigation({ waitUntil: 'load' }), rudi.page.locator('form button[type=submit]').click()]);
  await signIn(rudi.page, url('sinarjaya', '/admin/login'), { email: 'rudi@sinarjaya.test', password: 'Atur-Ulang-Sandi-2028' });
  assert.match(rudi.page.url(), /\/admin(\?|$)/, 'the new password signs in');
  const again = await rudi.page.goto(url('sinarjaya', link.pathname), { waitUntil: 'load' });
  assert.equal(again.status(), 410, 'a used link is spent');
  await rudi.close();

  // Root's own security page (the second factor), at both widths.
  for (const width of [390, 1280]) {
    const root = await watchedPage(demo.browser, width);
    await signIn(root.page, url('admin', '/login'), demo.logins.root);
    await root.page.goto(url('admin', '/keamanan'), { waitUntil: 'load' });
    await noSidewaysScroll(root.page, `/keamanan ${width}`);
    await axe(root.page, `/keamanan ${width}`);
    assert.deepEqual(root.problems, []);
    await root.close();
  }
  await owner.close();
});
