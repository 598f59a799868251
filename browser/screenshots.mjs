// Screenshots of the public site at phone (390 px) and desktop (1280 px) width:
// home, catalogue and a car page of the demo showroom. Usage:
//   node screenshots.mjs [out-dir]        (default: browser/out)
// Starts its own `garasi serve --demo` (see harness.mjs); set GARASI_BIN to pick a binary.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startGarasi, launchChromium, sizedContext } from './harness.mjs';

const out = resolve(process.argv[2] || resolve(import.meta.dirname, 'out'));
mkdirSync(out, { recursive: true });
const server = await startGarasi();
const browser = await launchChromium(server.port);
try {
  const probe = await browser.newPage();
  await probe.goto(server.url('sinarjaya', '/mobil?sort=price_desc'));
  const car = await probe.locator('#hasil .card-link').first().getAttribute('href');
  await probe.close();
  const pages = [['home', '/'], ['katalog', '/mobil'], ['mobil', car]];
  for (const width of [390, 1280]) {
    const context = await sizedContext(browser, width, 900, { deviceScaleFactor: 1 });
    const page = await context.newPage();
    for (const [name, path] of pages) {
      await page.goto(server.url('sinarjaya', path), { waitUntil: 'networkidle' });
      // Lazy images below the fold: scroll through once so the full-page shot shows them.
      await page.evaluate(async () => {
        for (let y = 0; y < document.body.scrollHeight; y += 600) {
          window.scrollTo(0, y);
          await new Promise((r) => setTimeout(r, 60));
        }
        window.scrollTo(0, 0);
      });
      await page.waitForLoadState('networkidle');
      const file = resolve(out, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
