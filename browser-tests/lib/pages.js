// Every page the suite checks, as data. Adding a page (a coordinator's
// register, a desk's till) is one entry here; the axe, width, weight and
// origin checks and the screenshots pick it up.
//
// role:   who looks at it (see ROLES).
// name:   how the report names it.
// path:   where it is, or an async function of a signed-in page that finds
//         the address (the first activity, say).
// status: the HTTP status the page answers with (200 unless said).
// after:  an async function that brings the page into a state worth
//         checking (a form sent with mistakes, so the error summary shows).
// shot:   screenshot it (at 360 and 1280 px) under this file name.
import * as env from './env.js';

/** Who can be signed in, and as whom. `null` is nobody signed in. */
export const ROLES = {
  anonymous: null,
  member: env.members[0],
  coordinator: env.coordinator,
  desk: env.desk,
  manager: env.manager,
  evaluator: env.evaluator,
  admin: env.admin,
};

export const LANGUAGES = ['en', 'pl'];

async function firstActivity(page) {
  await page.goto('/activities');
  const href = await page.locator('#activities a').first().getAttribute('href');
  if (!href) throw new Error('the activities page lists no activity to check');
  return href;
}

/** The address of the first link in `selector` on the page at `from`. */
function firstLink(from, selector) {
  return async (page) => {
    await page.goto(from);
    const href = await page.locator(selector).first().getAttribute('href');
    if (!href) throw new Error(`${from} has no link matching ${selector} to check`);
    return href;
  };
}

/** Sends the page's main form empty, so that its error summary shows. */
async function sendEmpty(page) {
  await Promise.all([
    page.waitForLoadState('load'),
    page.locator('main form[method=post] button[type=submit]').last().click(),
  ]);
  await page.locator('.error-summary').waitFor();
}

/** Acts for the first member listed, so that the proxy banner shows (on /home). */
async function actForFirstMember(page) {
  await Promise.all([
    page.waitForURL('**/home'),
    page.locator('#members form button[type=submit]').first().click(),
  ]);
  await page.locator('#proxy-banner').waitFor();
}

/** Asks for a reset code, so the page shows one. */
async function giveCode(page) {
  await Promise.all([
    page.waitForLoadState('load'),
    page.locator('main form[method=post] button[type=submit]').click(),
  ]);
  await page.locator('#reset-code').waitFor();
}

/**
 * A page of the first programme's evaluation reports (`sub` under
 * `/reports/{id}`); `/reports` goes straight to the only programme.
 */
function reports(sub) {
  return async (page) => {
    await page.goto('/reports');
    const first = await page.locator('#report-links a').first().getAttribute('href');
    if (!first) throw new Error('/reports lists no report to check');
    return first.replace(/\/[^/]+$/, `/${sub}`);
  };
}

/** A page of the manager's first programme (`sub` under `/manage/{id}`). */
function managed(sub) {
  return async (page) => {
    await page.goto('/manage');
    const href = await page.locator('#programmes a').first().getAttribute('href');
    if (!href) throw new Error('/manage lists no programme to check');
    return sub ? `${href}/${sub}` : href;
  };
}

async function firstOrganisation(page) {
  const list = await managed('organisations')(page);
  return firstLink(list, '#organisations a')(page);
}

/** Asks for a change of rules from a past date, so the refusal shows. */
async function rulesFromThePast(page) {
  await page.locator('#effective_from').fill('2000-01-01');
  await Promise.all([
    page.waitForLoadState('load'),
    page.locator('#change button[type=submit]').click(),
  ]);
  await page.locator('.error-summary').waitFor();
}

export const PAGES = [
  { role: 'anonymous', name: 'start', path: '/', shot: 'start' },
  { role: 'anonymous', name: 'sign-in', path: '/sign-in', shot: 'sign-in' },
  { role: 'anonymous', name: 'sign-in with errors', path: '/sign-in', after: sendEmpty },
  { role: 'anonymous', name: 'reset a PIN or password', path: '/reset', shot: 'reset' },
  { role: 'anonymous', name: 'reset with errors', path: '/reset', after: sendEmpty },
  { role: 'anonymous', name: 'not found', path: '/no-such-page', status: 404 },

  { role: 'member', name: 'home', path: '/home', shot: 'member-home' },
  { role: 'member', name: 'statement', path: '/statement', shot: 'member-statement' },
  { role: 'member', name: 'card', path: '/card', shot: 'member-card' },
  { role: 'member', name: 'activities', path: '/activities', shot: 'activities' },
  { role: 'member', name: 'activities, filtered', path: '/activities?place=Marshfield&level=group' },
  { role: 'member', name: 'an activity', path: firstActivity, shot: 'activity' },
  { role: 'member', name: 'claims', path: '/claims', shot: 'member-claims' },
  { role: 'member', name: 'claims with errors', path: '/claims', after: sendEmpty, shot: 'member-claims-errors' },
  { role: 'member', name: 'give', path: '/give', shot: 'member-give' },
  { role: 'member', name: 'give with errors', path: '/give', after: sendEmpty },
  { role: 'member', name: 'offers to spend on', path: '/spend', shot: 'member-spend' },
  { role: 'member', name: 'my details', path: '/details', shot: 'member-details' },
  { role: 'member', name: 'time bank', path: '/timebank', shot: 'member-timebank' },
  { role: 'member', name: 'time bank with errors', path: '/timebank', after: sendEmpty },
  { role: 'member', name: 'propose an exchange', path: firstLink('/timebank', '#listings a[href^="/timebank/propose"]') },
  { role: 'member', name: 'propose with errors', path: firstLink('/timebank', '#listings a[href^="/timebank/propose"]'), after: sendEmpty },
  { role: 'member', name: 'not found', path: '/activities/00000000-0000-7000-8000-000000000000', status: 404 },

  { role: 'coordinator', name: 'home', path: '/home' },
  { role: 'coordinator', name: 'sessions', path: '/sessions', shot: 'coordinator-sessions' },
  { role: 'coordinator', name: 'a register', path: firstLink('/sessions', 'main a[href$="/register"]'), shot: 'coordinator-register' },
  { role: 'coordinator', name: 'claims to decide', path: '/claims/decide', shot: 'coordinator-decide' },
  { role: 'coordinator', name: 'members', path: '/organisation/members', shot: 'coordinator-members' },
  { role: 'coordinator', name: 'members, register with errors', path: '/organisation/members', after: sendEmpty },
  { role: 'coordinator', name: 'a member\'s card to print', path: firstLink('/organisation/members', '#members a[href$="/card"]') },
  { role: 'coordinator', name: 'give a reset code', path: firstLink('/organisation/members', '#members a.reset-code-link') },
  { role: 'coordinator', name: 'a reset code given', path: firstLink('/organisation/members', '#members a.reset-code-link'), after: giveCode },
  { role: 'coordinator', name: 'acting for a member', path: '/organisation/members', after: actForFirstMember },
  { role: 'coordinator', name: 'manage activities', path: '/organisation/activities', shot: 'coordinator-activities' },
  { role: 'coordinator', name: 'manage activities with errors', path: '/organisation/activities', after: sendEmpty },
  { role: 'coordinator', name: 'edit an activity', path: firstLink('/organisation/activities', '#activity-list a') },
  { role: 'coordinator', name: 'organisation statement', path: '/organisation/statement' },

  { role: 'desk', name: 'home', path: '/home' },
  { role: 'desk', name: 'desk', path: '/desk' },
  { role: 'desk', name: 'desk, a member found', path: `/desk?member=${encodeURIComponent(env.members[0].login)}`, shot: 'desk-member' },
  { role: 'desk', name: 'desk, no such member', path: '/desk?member=1234567', status: 422 },
  { role: 'desk', name: 'offers', path: '/desk/offers', shot: 'desk-offers' },
  { role: 'desk', name: 'offers, publish with errors', path: '/desk/offers', after: sendEmpty },
  { role: 'desk', name: 'edit an offer', path: firstLink('/desk/offers', '#offer-list a') },

  { role: 'manager', name: 'home', path: '/home', shot: 'manager-home' },
  { role: 'manager', name: 'activities', path: '/activities' },
  { role: 'manager', name: 'an activity', path: firstActivity },
  { role: 'manager', name: 'manage', path: '/manage' },
  { role: 'manager', name: 'a programme', path: managed(''), shot: 'manager-programme' },
  { role: 'manager', name: 'organisations', path: managed('organisations'), shot: 'manager-organisations' },
  { role: 'manager', name: 'organisations with errors', path: managed('organisations'), after: sendEmpty },
  { role: 'manager', name: 'an organisation', path: firstOrganisation, shot: 'manager-organisation' },
  { role: 'manager', name: 'members', path: managed('members'), shot: 'manager-members' },
  { role: 'manager', name: 'members, searched', path: async (page) => `${await managed('members')(page)}?q=a` },
  { role: 'manager', name: 'rules', path: managed('rules'), shot: 'manager-rules' },
  { role: 'manager', name: 'rules with errors', path: managed('rules'), after: rulesFromThePast },
  { role: 'manager', name: 'circulation', path: managed('circulation'), shot: 'manager-circulation' },
  { role: 'manager', name: 'import', path: managed('import'), shot: 'manager-import' },
  { role: 'manager', name: 'import with errors', path: managed('import'), after: sendEmpty },
  { role: 'manager', name: 'export', path: managed('export') },
  { role: 'manager', name: 'reports', path: managed('reports') },
  { role: 'manager', name: 'evaluation reports', path: '/reports' },
  { role: 'manager', name: 'reach', path: reports('reach'), shot: 'manager-reach' },
  { role: 'manager', name: 'funder report', path: reports('funder') },
  { role: 'evaluator', name: 'home', path: '/home' },
  { role: 'evaluator', name: 'evaluation reports', path: '/reports' },
  { role: 'evaluator', name: 'reach', path: reports('reach') },
  { role: 'evaluator', name: 'engagement', path: reports('engagement'), shot: 'evaluator-engagement' },
  { role: 'evaluator', name: 'outcomes', path: reports('outcomes') },
  { role: 'evaluator', name: 'filter with errors', path: async (page) => `${await reports('reach')(page)}?from=2026-13-01`, status: 422 },
  { role: 'evaluator', name: 'funder report', path: reports('funder'), shot: 'evaluator-funder' },

  { role: 'admin', name: 'home', path: '/home' },
  { role: 'admin', name: 'give a staff reset code', path: '/admin/reset-code' },
  { role: 'admin', name: 'administration', path: '/admin', shot: 'admin' },
  { role: 'admin', name: 'administration with errors', path: '/admin', after: sendEmpty },
  { role: 'admin', name: 'programme staff', path: firstLink('/admin', '#programmes a.programme-staff'), shot: 'admin-programme-staff' },
  { role: 'admin', name: 'programme staff with errors', path: firstLink('/admin', '#programmes a.programme-staff'), after: sendEmpty },
];
