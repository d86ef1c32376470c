// Every page in lib/pages.js, for its role, in every language: no axe
// violations (WCAG 2.0/2.1/2.2 A and AA), no horizontal scrolling at
// 320 px, at most 100 KB transferred on a cold visit, no request off the
// server's origin, and the page in the language asked for.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { axeViolations, describeViolations } from '../lib/axe.js';
import { gotoMeasured, launch, newContext } from '../lib/browser.js';
import { baseUrl } from '../lib/env.js';
import { LANGUAGES, PAGES, ROLES } from '../lib/pages.js';
import { htmlLang, languageCookie, roleStates } from '../lib/session.js';

const WEIGHT_LIMIT = 100 * 1024;
const NARROW = { width: 320, height: 640 };
const WIDE = { width: 1280, height: 900 };

let browser;
let stateFor;
before(async () => {
  browser = await launch();
  stateFor = roleStates(browser, newContext);
});
after(async () => {
  await browser?.close();
});

async function openPage(entry, lang, viewport) {
  const context = await newContext(browser, {
    storageState: await stateFor(ROLES[entry.role]),
    viewport,
    // axe goes in as an inline script, which the pages' CSP rightly refuses.
    bypassCSP: true,
  });
  await context.addCookies([languageCookie(baseUrl, lang)]);
  const page = await context.newPage();
  const path = typeof entry.path === 'function' ? await entry.path(page) : entry.path;
  const measured = await gotoMeasured(page, path);
  if (entry.after) await entry.after(page);
  return { context, page, path, measured };
}

for (const role of Object.keys(ROLES)) {
  describe(`pages for ${role}`, () => {
    for (const entry of PAGES.filter((p) => p.role === role)) {
      for (const lang of LANGUAGES) {
        test(`${entry.name} (${lang})`, async (t) => {
          const problems = [];
          const wide = await openPage(entry, lang, WIDE);
          try {
            const { page, path, measured } = wide;
            const where = `${role} ${entry.name} ${path} (${lang})`;
            assert.equal(measured.status, entry.status ?? 200, `${where}: HTTP status`);
            assert.equal(await htmlLang(page), lang, `${where}: <html lang>`);

            t.diagnostic(`${path}: ${measured.bytes} bytes in ${measured.requests} responses`);
            if (measured.bytes > WEIGHT_LIMIT) {
              problems.push(`weighs ${measured.bytes} bytes, over ${WEIGHT_LIMIT}`);
            }

            const wideViolations = await axeViolations(page);
            if (wideViolations.length) {
              problems.push(`axe at 1280 px:\n${describeViolations(wideViolations)}`);
            }
            if (wide.context.offOrigin.length) {
              problems.push(`requests off the origin: ${wide.context.offOrigin.join(', ')}`);
            }
          } finally {
            await wide.context.close();
          }

          const narrow = await openPage(entry, lang, NARROW);
          try {
            const { page } = narrow;
            const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
            if (scrollWidth > NARROW.width) {
              const widest = await page.evaluate((limit) => [...document.querySelectorAll('body *')]
                .filter((el) => el.getBoundingClientRect().right > limit)
                .slice(0, 5)
                .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).replace(/\s+/g, '.')}` : ''} (right edge ${Math.round(el.getBoundingClientRect().right)})`), NARROW.width);
              problems.push(`scrolls sideways at 320 px: scrollWidth ${scrollWidth}; too wide: ${widest.join(', ')}`);
            }
            const narrowViolations = await axeViolations(page);
            if (narrowViolations.length) {
              problems.push(`axe at 320 px:\n${describeViolations(narrowViolations)}`);
            }
          } finally {
            await narrow.context.close();
          }

          assert.deepEqual(problems, [], `${role} ${entry.name} (${lang}):\n${problems.join('\n')}`);
        });
      }
    }
  });
}

// Every link in each role's menu leads to a page (not a 404): a menu entry
// for a page not built yet is a dead end for the person who follows it.
describe('menus', () => {
  for (const [role, who] of Object.entries(ROLES)) {
    if (!who) continue;
    test(`every menu link works for ${role}`, async () => {
      const context = await newContext(browser, { storageState: await stateFor(who) });
      try {
        const page = await context.newPage();
        await page.goto('/home');
        const hrefs = await page.locator('nav.site-nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        assert.ok(hrefs.length > 0, `${role} has no menu`);
        const broken = [];
        for (const href of hrefs) {
          const response = await page.goto(href);
          if (response?.status() !== 200) broken.push(`${href} answers ${response?.status()}`);
        }
        assert.deepEqual(broken, [], `${role}'s menu links to pages that are not there: ${broken.join(', ')}`);
      } finally {
        await context.close();
      }
    });
  }
});
