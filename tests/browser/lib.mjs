// What the browser tests share (portal.mjs, staff.mjs, oidc.mjs): step
// logging and checks, form submits, the axe-core scan and its table,
// heading and CSP checks, TOTP codes as an authenticator app makes them,
// launching Debian's chromium (after proving the scanner finds the faults
// of a faulty page), and the final verdict line.

import { chromium } from 'playwright-core';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const failures = [];
const axeRows = [];

export function log(line) {
  process.stdout.write(`${line}\n`);
}

export function check(ok, what) {
  if (ok) {
    log(`ok - ${what}`);
  } else {
    log(`FAIL - ${what}`);
    failures.push(what);
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Clicks a form's button and waits for the page it leads to. */
export async function submit(page, button) {
  await Promise.all([page.waitForEvent('load'), button.click()]);
}

// ---- TOTP (RFC 6238) ---------------------------------------------------------

/** RFC 4648 base32 without padding to bytes. */
export function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The six-digit TOTP code (SHA-1, 30 s) for `secret` at `seconds`. */
export function totp(secret, seconds = Date.now() / 1000) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// ---- axe-core ---------------------------------------------------------------

/**
 * Scans the page with axe-core. The source goes in through the DevTools
 * protocol (page.evaluate), which the page's CSP does not govern, so the
 * policy stays in force for the page itself.
 */
export async function scan(page, name) {
  await page.evaluate(axeSource);
  const { violations, passes, incomplete } = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return {
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
        count: v.nodes.length,
      })),
      passes: result.passes.length,
      incomplete: result.incomplete.map((v) => v.id),
    };
  });
  const count = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  for (const v of violations) count[v.impact] = (count[v.impact] || 0) + v.count;
  const lang = await page.evaluate(() => document.documentElement.lang);
  axeRows.push({ name, lang, count, violations, passes, incomplete });
  if (incomplete.length) log(`   axe ${name}: to review by hand: ${incomplete.join(', ')}`);
  for (const v of violations) {
    log(`   axe ${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(', ')}`);
  }
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `axe: no serious or critical violation on "${name}"`);
}

export function axeTable() {
  const head = ['page', 'lang', 'critical', 'serious', 'moderate', 'minor', 'rules', 'passed'];
  const rows = axeRows.map((r) => [
    r.name,
    r.lang,
    String(r.count.critical),
    String(r.count.serious),
    String(r.count.moderate),
    String(r.count.minor),
    r.violations.map((v) => v.id).join(' ') || '-',
    String(r.passes),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  log('');
  log('axe-core results (violations by impact, counted per element; passed: rules that passed):');
  log(line(head));
  log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) log(line(r));
  log('');
}


// ---- page checks ------------------------------------------------------------------

export async function expectHeading(page, text, what) {
  const h1 = (await page.locator('h1').first().textContent()) || '';
  check(h1.includes(text), `${what}: heading "${text}" (got "${h1.trim()}")`);
}

export function checkCsp(response, what) {
  const csp = response.headers()['content-security-policy'] || '';
  check(
    csp.includes("default-src 'none'") && !csp.includes('script-src') && !csp.includes('unsafe-'),
    `${what}: CSP without any script source (${csp})`,
  );
}


// ---- the browser and the verdict ------------------------------------------------------

/** Starts headless chromium and checks that axe finds known faults. */
export async function launch(executablePath) {
  const browser = await chromium.launch({
    executablePath: executablePath || '/usr/bin/chromium',
    headless: true,
    // We run as root in CI containers, where Chromium's sandbox cannot start.
    args: ['--no-sandbox'],
  });
  const axeVersion = JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version;
  log(`chromium ${browser.version()}, axe-core ${axeVersion}`);
  // The scanner itself works: a page with known faults must fail.
  const canary = await browser.newPage();
  await canary.setContent('<html><body><img src="data:,"><input type="text"></body></html>');
  await canary.evaluate(axeSource);
  const found = await canary.evaluate(async () =>
    // eslint-disable-next-line no-undef
    (await axe.run(document)).violations.map((v) => `${v.id}:${v.impact}`),
  );
  check(found.includes('image-alt:critical') && found.includes('label:critical'), `axe finds the faults of a faulty page (${found})`);
  await canary.close();
  return browser;
}

/** Runs named steps; a step that throws is a failure, the others still run. */
export async function steps(browser, list) {
  for (const [name, step] of list) {
    log(`# ${name}`);
    try {
      await step(browser);
    } catch (e) {
      failures.push(`${name}: ${e.stack || e}`);
      log(`FAIL - ${name}: ${e.stack || e}`);
    }
  }
}

/** Prints the axe table, the time and the verdict; exits 1 on a failure. */
export function finish(started) {
  axeTable();
  log(`time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length) {
    log(`RESULT: FAIL (${failures.length})`);
    for (const f of failures) log(`  - ${f}`);
    process.exit(1);
  }
  log('RESULT: PASS');
}
