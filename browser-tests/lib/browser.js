// One Chromium per test file: Debian's build, launched by path, because a
// browser download cannot work here.
import { chromium } from 'playwright-core';
import { baseUrl, origin } from './env.js';

export const CHROMIUM = process.env.TC_CHROMIUM ?? '/usr/bin/chromium';

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A browser context that records every request that leaves the server's
 * origin (the pages promise none: no fonts, scripts or images from
 * elsewhere). `offOrigin` is checked by the callers that care.
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({ baseURL: baseUrl, ...options });
  context.offOrigin = [];
  context.on('request', (request) => {
    const url = request.url();
    // data: URLs (inline images) never leave the page.
    if (url.startsWith('data:') || url.startsWith('about:')) return;
    if (new URL(url).origin !== origin) context.offOrigin.push(url);
  });
  return context;
}

/**
 * Goes to `path` and adds up what the page transferred: the document and
 * every sub-resource, headers and bodies, as Chromium counted them.
 */
export async function gotoMeasured(page, path) {
  // A cold cache every time: the budget is for someone's first visit.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const responses = [];
  const onResponse = (response) => responses.push(response);
  page.on('response', onResponse);
  let status;
  try {
    const response = await page.goto(path, { waitUntil: 'load' });
    status = response?.status();
  } finally {
    page.off('response', onResponse);
    await cdp.detach();
  }
  let bytes = 0;
  for (const response of responses) {
    const sizes = await response.request().sizes();
    bytes += sizes.responseHeadersSize + sizes.responseBodySize;
  }
  return { status, bytes, requests: responses.length };
}
