// Screenshots of the main pages (the entries in lib/pages.js with `shot`)
// at 360 and 1280 px, in both languages, into out/screenshots/. With
// TC_UPDATE_DOCS=1 the few that the README shows are copied to
// docs/screenshots/ as well.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { launch, newContext } from '../lib/browser.js';
import { baseUrl, outDir } from '../lib/env.js';
import { LANGUAGES, PAGES, ROLES } from '../lib/pages.js';
import { languageCookie, roleStates } from '../lib/session.js';

const WIDTHS = [360, 1280];
const shotsDir = join(outDir, 'screenshots');
const docsDir = new URL('../../docs/screenshots/', import.meta.url).pathname;
// The ones committed for the README: name-lang-width.
const FOR_DOCS = ['member-home-en-360', 'member-home-en-1280', 'activities-en-360', 'sign-in-pl-360'];

let browser;
let stateFor;
before(async () => {
  browser = await launch();
  stateFor = roleStates(browser, newContext);
  mkdirSync(shotsDir, { recursive: true });
});
after(async () => {
  await browser?.close();
});

for (const entry of PAGES.filter((p) => p.shot)) {
  for (const lang of LANGUAGES) {
    test(`screenshots of ${entry.shot} (${lang})`, async () => {
      for (const width of WIDTHS) {
        const context = await newContext(browser, {
          storageState: await stateFor(ROLES[entry.role]),
          viewport: { width, height: width < 800 ? 740 : 900 },
        });
        try {
          await context.addCookies([languageCookie(baseUrl, lang)]);
          const page = await context.newPage();
          const path = typeof entry.path === 'function' ? await entry.path(page) : entry.path;
          await page.goto(path);
          if (entry.after) await entry.after(page);
          const file = join(shotsDir, `${entry.shot}-${lang}-${width}.png`);
          await page.screenshot({ path: file, fullPage: true });
          assert.ok(statSync(file).size > 1000, `${file} is empty`);
        } finally {
          await context.close();
        }
      }
    });
  }
}

test('the README\'s screenshots are among those taken', () => {
  for (const name of FOR_DOCS) {
    const file = join(shotsDir, `${name}.png`);
    assert.ok(statSync(file, { throwIfNoEntry: false }), `${name} was not taken: check FOR_DOCS against lib/pages.js`);
    if (process.env.TC_UPDATE_DOCS === '1') {
      mkdirSync(docsDir, { recursive: true });
      copyFileSync(file, join(docsDir, `${name}.png`));
    }
  }
});
