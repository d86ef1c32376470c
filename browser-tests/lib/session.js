// Signing in and choosing a language the way a person does: through the
// forms on the pages.
import assert from 'node:assert/strict';

export async function signIn(page, who) {
  await page.goto('/sign-in');
  await page.locator('#login').fill(who.login);
  await page.locator('#secret').fill(who.secret);
  await Promise.all([
    page.waitForURL('**/home'),
    page.locator('main form button[type=submit]').click(),
  ]);
}

export async function signOut(page) {
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/'),
    page.locator('form.sign-out button').click(),
  ]);
}

/** Presses the header's button for `tag` and waits for the page to come back in it. */
export async function switchLanguage(page, tag) {
  await Promise.all([
    page.waitForLoadState('load'),
    page.waitForResponse((r) => new URL(r.url()).pathname === '/language'),
    page.locator(`form.language-switch button[value="${tag}"]`).click(),
  ]);
  await page.waitForFunction((t) => document.documentElement.lang === t, tag);
}

export async function htmlLang(page) {
  return page.evaluate(() => document.documentElement.lang);
}

/** Fails with the page's own words when a page did not load as expected. */
export async function expectPath(page, pathname) {
  const url = new URL(page.url());
  assert.equal(url.pathname, pathname,
    `expected ${pathname}, the browser is on ${url.pathname}: ${await mainText(page)}`);
}

export async function mainText(page) {
  const text = await page.locator('main').innerText().catch(() => '(no main)');
  return text.replace(/\s+/g, ' ').slice(0, 400);
}

/**
 * Signs each role in once per browser and keeps the cookies, so that a
 * hundred page checks do not mean a hundred sign-ins.
 */
export function roleStates(browser, newContext) {
  const states = new Map();
  return async function stateFor(who) {
    if (!who) return undefined;
    if (!states.has(who.login)) {
      const context = await newContext(browser);
      const page = await context.newPage();
      await signIn(page, who);
      states.set(who.login, await context.storageState());
      await context.close();
    }
    return states.get(who.login);
  };
}

/** The language cookie the switch sets, for a context that should start in `tag`. */
export function languageCookie(baseUrl, tag) {
  return { name: 'tc_lang', value: tag, url: baseUrl, httpOnly: true, sameSite: 'Lax' };
}
