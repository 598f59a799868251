// The screenshots in the showroom user guide (`/admin/bantuan`), taken from a real
// `garasi serve --demo` after a few simulated customer chats. Usage:
//   node guide-screenshots.mjs [out-dir]   (default: crates/web/assets/guide, which the binary embeds)
// Rerun it after changing a dashboard page the guide shows, then rebuild. `guide.test.mjs`
// runs it into a temp dir and checks it still makes exactly the files the guide shows.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { sizedContext } from './harness.mjs';
import { firstId, signIn, seedChats, startDemo } from './admin-helpers.mjs';

// One size for every picture: a common laptop screen, where every dashboard page shows its
// desktop layout without sideways scrolling.
const WIDTH = 1280;
const HEIGHT = 760;

const out = resolve(process.argv[2] || resolve(import.meta.dirname, '..', 'crates', 'web', 'assets', 'guide'));
mkdirSync(out, { recursive: true });

const demo = await startDemo();
const { server, browser, logins } = demo;

/** The viewport, or one element (`selector`) when the page's top is not what the guide explains. */
async function shoot(page, name, selector) {
  await page.waitForLoadState('networkidle');
  // A passing toast ("… ditambahkan") would cover what the picture explains.
  await page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));
  const file = resolve(out, `${name}.png`);
  if (selector) {
    const el = page.locator(selector).first();
    await el.scrollIntoViewIfNeeded();
    await el.screenshot({ path: file });
  } else {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: file });
  }
  console.log(file);
}

try {
  const context = await sizedContext(browser, WIDTH, HEIGHT, { deviceScaleFactor: 1, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
  const page = await context.newPage();
  await signIn(page, server.url('sinarjaya', '/admin/login'), logins.sinarjaya);
  await seedChats(page);
  const go = (path) => page.goto(server.url('sinarjaya', path), { waitUntil: 'load' });

  await go('/admin');
  await shoot(page, 'dashboard');
  await go('/admin/whatsapp');
  await shoot(page, 'whatsapp');
  await go('/admin/cars');
  await shoot(page, 'cars');
  await go('/admin/cars/new');
  await shoot(page, 'car-new');
  const car = await firstId(page, '/admin/cars?sort=price_desc',
    /href="(?:\/|&#x2f;)admin(?:\/|&#x2f;)cars(?:\/|&#x2f;)([0-9a-f-]{36})"/);
  await go(`/admin/cars/${car}`);
  await shoot(page, 'car-photos', '#photos');
  await go('/admin/cars/import');
  await shoot(page, 'import');
  await go('/admin/sales');
  await shoot(page, 'sales');
  await go('/admin/leads');
  await shoot(page, 'leads');
  await go('/admin/leads/board');
  await shoot(page, 'board');
  const chat = await firstId(page, '/admin/conversations', /admin(?:\/|&#x2f;)conversations(?:\/|&#x2f;)([0-9a-f-]{36})/);
  await go(`/admin/conversations/${chat}`);
  await shoot(page, 'conversation');
  await go('/admin/bot');
  await page.fill('#sim-text', '/help');
  await page.click('[data-sim-form] button');
  await page.waitForSelector('[data-sim-log] .bubble-in');
  await shoot(page, 'bot');
  // A domain waiting for its DNS records: the page then lists what to create.
  await go('/admin/domain');
  await page.fill('#in-domain', 'www.mobilsinarjaya.co.id');
  await page.click('form[action="/admin/domain"] button[type=submit]');
  await page.waitForSelector('#domain-www-mobilsinarjaya-co-id');
  await shoot(page, 'domain', '#domain-www-mobilsinarjaya-co-id');
  await context.close();
} finally {
  await demo.stop();
}
