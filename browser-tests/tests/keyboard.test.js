// The keyboard alone: the skip link comes first and takes focus to the
// main content, and every stop on a page shows where focus is.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, newContext } from '../lib/browser.js';
import { coordinator, desk, members } from '../lib/env.js';
import { roleStates } from '../lib/session.js';

// The pages to tab through, by role (one entry each).
const TAB_PAGES = [
  { role: null, path: '/sign-in' },
  { role: members[0], path: '/home' },
  { role: members[0], path: '/claims' },
  { role: members[0], path: '/activities' },
  { role: members[0], path: '/timebank' },
  { role: coordinator, path: '/sessions' },
  { role: coordinator, path: '/claims/decide' },
  { role: desk, path: `/desk?member=${encodeURIComponent(members[0].login)}` },
];
const MAX_STOPS = 150;

let browser;
let stateFor;
before(async () => {
  browser = await launch();
  stateFor = roleStates(browser, newContext);
});
after(async () => {
  await browser?.close();
});

/** How an element is drawn: whatever may show focus. */
function drawn(el) {
  const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.color,
    s.textDecorationLine, s.borderColor].join('|');
}

/** Notes how the focused element is drawn, and marks it to compare once nothing has focus. */
function markFocused(index) {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  el.dataset.tabStop = String(index);
  el.dataset.focusedLook = (0, eval)(`(${DRAWN})`)(el);
  return {
    name: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40)}"`,
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0,
  };
}

/** The marked elements that look the same with and without focus. */
function unchangedWhenBlurred() {
  document.activeElement?.blur();
  return [...document.querySelectorAll('[data-tab-stop]')]
    .filter((el) => (0, eval)(`(${DRAWN})`)(el) === el.dataset.focusedLook)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.innerText || el.value || '').trim().slice(0, 40)}"`);
}

describe('keyboard', () => {
  for (const { role, path } of TAB_PAGES) {
    test(`${path}${role ? ` as ${role.login}` : ''}: the skip link is first, and focus is always visible`, async (t) => {
      const context = await newContext(browser, { storageState: await stateFor(role) });
      try {
        const page = await context.newPage();
        await page.goto(path);

        await page.keyboard.press('Tab');
        const first = await page.evaluate(() => ({
          className: document.activeElement.className,
          href: document.activeElement.getAttribute('href'),
          top: document.activeElement.getBoundingClientRect().top,
          height: document.activeElement.getBoundingClientRect().height,
        }));
        assert.equal(first.className, 'skip-link', 'the first Tab does not reach the skip link');
        assert.equal(first.href, '#main');
        assert.ok(first.top >= 0 && first.height > 0, 'the focused skip link is not on screen');

        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'main',
          'Enter on the skip link does not move focus to main');

        // From the top again: every Tab stop shows focus, until focus leaves the page.
        await page.goto(path);
        await page.evaluate((source) => { window.DRAWN = source; }, drawn.toString());
        const hidden = [];
        let stops = 0;
        for (; stops < MAX_STOPS; stops += 1) {
          await page.keyboard.press('Tab');
          const atBody = await page.evaluate(() => document.activeElement === document.body);
          if (atBody) break;
          const look = await page.evaluate(markFocused, stops);
          if (!look.visible) hidden.push(`${look.name} (off screen)`);
        }
        hidden.push(...await page.evaluate(unchangedWhenBlurred));
        t.diagnostic(`${stops} Tab stops`);
        // The skip link, the language switch and the form or menu at least.
        assert.ok(stops >= 4, `only ${stops} Tab stops: the walk did not run`);
        assert.deepEqual(hidden, [], `focus cannot be seen on: ${hidden.join(', ')}`);
      } finally {
        await context.close();
      }
    });
  }
});
