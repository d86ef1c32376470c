// Where the server under test is and who may sign in to it. .ci/browser.sh
// starts a fresh demo server and passes its address and the demo's printed
// sign-ins; running the suite by hand needs the same two variables.
import { readFileSync } from 'node:fs';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite through .ci/browser.sh, or start ` +
      '`timecredits demo` yourself and set TC_BASE_URL and TC_DEMO_OUT');
  }
  return value;
}

export const baseUrl = required('TC_BASE_URL').replace(/\/$/, '');
export const origin = new URL(baseUrl).origin;
export const outDir = process.env.TC_OUT_DIR ?? new URL('../out/', import.meta.url).pathname;

/**
 * The demo prints its sign-ins as "  role  login  secret"; reading them
 * from that output, rather than copying them here, keeps the suite right
 * when the demo's people change.
 */
function readSignIns(file) {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('Demo sign-ins');
  if (start < 0) throw new Error(`no "Demo sign-ins" list in ${file}`);
  const rows = [];
  for (const line of text.slice(start).split('\n').slice(1)) {
    if (!line.trim()) break;
    // Member numbers contain spaces ("318 204 5"), so split on runs of two or more.
    const [role, login, secret] = line.trim().split(/\s{2,}/);
    if (role && login && secret) rows.push({ role, login, secret });
  }
  if (rows.length === 0) throw new Error(`the demo printed no sign-ins in ${file}`);
  return rows;
}

export const signIns = readSignIns(required('TC_DEMO_OUT'));

function find(predicate, what) {
  const found = signIns.filter(predicate);
  if (found.length === 0) {
    throw new Error(`the demo has no ${what}; it printed: ${JSON.stringify(signIns)}`);
  }
  return found;
}

const isEmail = (s) => s.login.includes('@');
/** The three demo members who sign in with a member number and PIN. */
export const members = find((s) => !isEmail(s), 'member with a PIN');
export const manager = find((s) => s.login.startsWith('manager@'), 'programme manager')[0];
export const coordinator = find((s) => s.login.startsWith('larder@'), 'coordinator')[0];
export const desk = find((s) => s.login.startsWith('leisure@'), 'spend desk')[0];
/** The programme's evaluator: sees its evaluation reports only. */
export const evaluator = find((s) => s.login.startsWith('evaluator@'), 'evaluator')[0];
export const admin = find((s) => s.role === 'administrator', 'administrator')[0];
