// axe-core, injected from node_modules (never from a CDN), run against the
// WCAG 2.0, 2.1 and 2.2 A and AA rules.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** The violations on the page as it is now. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ path: AXE_PATH });
  }
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    WCAG_TAGS,
  );
  return results.violations;
}

/** One line per affected element: what a person fixing a template needs. */
export function describeViolations(violations) {
  const lines = [];
  for (const v of violations) {
    lines.push(`  ${v.id} (${v.impact}): ${v.help} <${v.helpUrl}>`);
    for (const node of v.nodes) {
      lines.push(`    at ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`);
    }
  }
  return lines.join('\n');
}
