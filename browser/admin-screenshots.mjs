// Screenshots of the dashboards (showroom /admin and the root admin) at phone (390 px)
// and desktop (1280 px) width, after a few simulated customer chats. Usage:
//   node admin-screenshots.mjs [out-dir]        (default: browser/out/admin)
// Starts its own `garasi serve --demo` (see harness.mjs). To reuse a running demo server
// instead: GARASI_ATTACH=<port>:<data dir>.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchChromium, sizedContext, startGarasi } from './harness.mjs';
import { demoLogins, firstId, signIn, seedChats } from './admin-helpers.mjs';

const out = resolve(process.argv[2] || resolve(import.meta.dirname, 'out', 'admin'));
mkdirSync(out, { recursive: true });

let server;
if (process.env.GARASI_ATTACH) {
  const [port, dataDir] = process.env.GARASI_ATTACH.split(':');
  server = { port: Number(port), dataDir, url: (slug, path) => `http://${slug}.localhost:${port}${path}`, stop() {} };
} else {
  server = await startGarasi();
}
const browser = await launchChromium(server.port);
const logins = demoLogins(server.dataDir);

async function shoot(page, name, width) {
  await page.waitForLoadState('networkidle');
  const file = resolve(out, `${name}-${width}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(file);
}

try {
  // Data first: chats with the bot make leads, conversations and chart points.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, server.url('sinarjaya', '/admin/login'), logins.sinarjaya);
    const seeded = await page.evaluate(async () => (await fetch('/admin/conversations?q=081311110001')).text());
    if (!seeded.includes('Budi Santoso')) await seedChats(page);
    await context.close();
  }
  for (const width of [390, 1280]) {
    const context = await sizedContext(browser, width, 860, { deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(server.url('sinarjaya', '/admin/login'));
    await shoot(page, 'admin-login', width);
    await signIn(page, server.url('sinarjaya', '/admin/login'), logins.sinarjaya);
    await shoot(page, 'admin-dashboard', width);
    const car = await firstId(page, '/admin/cars?sort=price_desc',
      /href="(?:\/|&#x2f;)admin(?:\/|&#x2f;)cars(?:\/|&#x2f;)([0-9a-f-]{36})"/);
    const lead = await firstId(page, '/admin/leads', /admin(?:\/|&#x2f;)leads(?:\/|&#x2f;)([0-9a-f-]{36})/);
    const chat = await page.evaluate(async () => {
      const html = await (await fetch('/admin/conversations')).text();
      return html.match(/admin(?:\/|&#x2f;)conversations(?:\/|&#x2f;)([0-9a-f-]{36})/)[1];
    });
    const pages = [
      ['admin-cars', '/admin/cars'],
      ['admin-car-edit', `/admin/cars/${car}`],
      ['admin-car-new', '/admin/cars/new'],
      ['admin-import', '/admin/cars/import'],
      ['admin-leads', '/admin/leads'],
      ['admin-lead', `/admin/leads/${lead}`],
      ['admin-board', '/admin/leads/board'],
      ['admin-conversations', '/admin/conversations'],
      ['admin-conversation', `/admin/conversations/${chat}`],
      ['admin-sales', '/admin/sales'],
      ['admin-analytics', '/admin/analytics'],
      ['admin-whatsapp', '/admin/whatsapp'],
      ['admin-settings', '/admin/settings'],
    ];
    for (const [name, path] of pages) {
      await page.goto(server.url('sinarjaya', path), { waitUntil: 'load' });
      await shoot(page, name, width);
    }
    // The new-car form after a wrong submission: the server's messages by each field.
    await page.goto(server.url('sinarjaya', '/admin/cars/new'), { waitUntil: 'load' });
    await page.fill('#in-model', 'Avanza');
    await page.fill('#in-year', '2021');
    await page.fill('#in-price', 'murah');
    await page.evaluate(() => { for (const el of document.querySelectorAll('[required],[pattern],[min],[max]')) { el.removeAttribute('required'); el.removeAttribute('pattern'); } });
    await page.click('#car-form button[type=submit]');
    await page.waitForSelector('.field-error');
    await shoot(page, 'admin-car-errors', width);
    // The bot simulator after one question.
    await page.goto(server.url('sinarjaya', '/admin/bot'), { waitUntil: 'load' });
    await page.fill('#sim-text', 'ada innova diesel?');
    await page.click('[data-sim-form] button');
    await page.waitForSelector('[data-sim-log] .bubble-in');
    await shoot(page, 'admin-bot', width);
    if (width < 600) {
      await page.goto(server.url('sinarjaya', '/admin'), { waitUntil: 'load' });
      await page.click('[data-menu]');
      await page.screenshot({ path: resolve(out, `admin-menu-${width}.png`) });
    }
    // Root admin.
    await page.goto(server.url('admin', '/login'));
    await shoot(page, 'root-login', width);
    await signIn(page, server.url('admin', '/login'), logins.root);
    await shoot(page, 'root-dashboard', width);
    const tenant = await firstId(page, '/tenants', /tenants(?:\/|&#x2f;)([0-9a-f-]{36})/);
    for (const [name, path] of [['root-tenants', '/tenants'], ['root-tenant', `/tenants/${tenant}`], ['root-tenant-new', '/tenants/new'], ['root-connections', '/connections'], ['root-audit', '/audit']]) {
      await page.goto(server.url('admin', path), { waitUntil: 'load' });
      await shoot(page, name, width);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
