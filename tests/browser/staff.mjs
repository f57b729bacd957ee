// Browser end-to-end test of the staff web (/app), run by
// crates/zegel/tests/browser.rs against a real `zegel serve`.
//
// Playwright (playwright-core) drives Debian's chromium, headless. A sender
// signs in, sees their secure messages and withdraws one at a click, and is
// refused the administration pages; the administrator signs in with a TOTP
// code (computed here as an authenticator app does, RFC 6238), is turned
// back on a wrong one, and offboards the sender, handing the open message
// to a colleague; the sender's session is gone; the administrator sets the
// policy to refuse secure mail and adds an internal domain, after a bad one
// is refused (browser.rs sees the gateway refuse secure mail to outside and
// deliver to the new internal domain). A
// third person writes a secure message and sees the assessment appear as
// they type and attach, then finds it in sent items. axe-core scans every staff
// page, in Dutch and English; at a phone's width no page scrolls sideways.
//
// Input: the JSON in ZEGEL_BROWSER_INPUT (see browser.rs). Output: one line
// per step, the axe table, then "RESULT: PASS" (exit 0) or the failures
// (exit 1).

import { base32, check, expectHeading, finish, launch, log, scan, steps, submit, totp } from './lib.mjs';

const input = JSON.parse(process.env.ZEGEL_BROWSER_INPUT || '{}');

function url(path) {
  return `${input.base}${path}`;
}

/** A fresh browser context (one person), phone-sized when asked. */
async function person(browser, phone = false) {
  const context = await browser.newContext({
    locale: 'nl-NL',
    ...(phone ? { viewport: { width: 375, height: 740 }, isMobile: true } : {}),
  });
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    return host === '127.0.0.1' ? route.continue() : route.abort();
  });
  return context;
}

async function signIn(page, email, password) {
  await page.goto(url('/app'));
  check(page.url().endsWith('/app/login'), `${email}: /app leads to the sign-in page`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await submit(page, page.locator('main button[type=submit]'));
}

async function noSidewaysScroll(page, what) {
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  check(fits, `${what}: fits a phone's width`);
}

let sender;

async function senderFlow(browser) {
  const ctx = await person(browser, true);
  const page = await ctx.newPage();
  sender = page;
  await page.goto(url('/app/login'));
  await expectHeading(page, 'Inloggen voor medewerkers', 'sign-in page');
  await scan(page, 'staff sign-in');
  await noSidewaysScroll(page, 'sign-in');
  // A wrong password: the field says why.
  await page.fill('#email', input.sender);
  await page.fill('#password', 'niet-het-wachtwoord');
  await submit(page, page.locator('main button[type=submit]'));
  const error = await page.locator('#login-error').textContent();
  check((error || '').includes('actief account'), `wrong password is explained (${error})`);
  check((await page.getAttribute('#email', 'aria-describedby')) === 'login-error', 'the error is tied to the field');
  await scan(page, 'staff sign-in, wrong password');
  await signIn(page, input.sender, input.password);
  await expectHeading(page, 'Verzonden beveiligde berichten', 'sent items');
  const rows = page.locator('table.packages tbody tr');
  check((await rows.count()) === 2, `two recipients in sent items (${await rows.count()})`);
  await scan(page, 'sent items');
  await noSidewaysScroll(page, 'sent items');
  // Withdraw the first at a click.
  await submit(page, page.locator('table.packages tbody tr').first().locator('button.danger'));
  const states = await page.locator('table.packages tbody td.state').allTextContents();
  check(states.filter((s) => s === 'Ingetrokken').length === 1 && states.filter((s) => s === 'Beschikbaar').length === 1,
    `one withdrawn, one still available (${states})`);
  // No administration for a sender.
  check((await page.locator('nav a[href="/app/admin/users"]').count()) === 0, 'no administration link for a sender');
  const refused = await page.goto(url('/app/admin/users'));
  check(refused.status() === 403, `administration refused to a sender (${refused.status()})`);
  await expectHeading(page, 'Geen toegang', 'no access page');
  await scan(page, 'no access');
}

async function adminFlow(browser) {
  const ctx = await person(browser);
  const page = await ctx.newPage();
  await signIn(page, input.admin, input.password);
  check(page.url().endsWith('/app/login/code'), 'an administrator is asked for a code');
  await expectHeading(page, 'Code uit uw authenticator-app', 'TOTP page');
  await scan(page, 'TOTP code');
  const secret = base32(input.adminSecret);
  const right = totp(secret);
  await page.fill('#code', right === '000000' ? '111111' : '000000');
  await submit(page, page.locator('main button[type=submit]'));
  check((await page.locator('#code-error').count()) === 1, 'a wrong code is turned back');
  await scan(page, 'TOTP code, wrong');
  await page.fill('#code', totp(secret));
  await submit(page, page.locator('main button[type=submit]'));
  await expectHeading(page, 'Verzonden beveiligde berichten', 'administrator signed in');
  await submit(page, page.locator('nav a[href="/app/admin/users"]'));
  await expectHeading(page, 'Gebruikers', 'users page');
  await scan(page, 'users');
  // Offboard the sender: hand the open message to the colleague.
  const section = page.locator('section.controls', { hasText: input.sender });
  await section.locator('input[value=colleague]').check();
  await section.locator('input[name=colleague]').fill(input.admin);
  await submit(page, section.locator('button.danger'));
  const done = (await page.locator('[role=status]').textContent()) || '';
  check(done.includes(input.sender), `offboarding confirmed (${done})`);
  await scan(page, 'users after offboarding');
  await submit(page, page.locator('nav a[href="/app"]'));
  const recipients = await page.locator('table.packages tbody tr td:nth-child(2)').allTextContents();
  check(recipients.length === 1, `the open message is now the administrator's (${recipients})`);
  // The sender's session ended with the account.
  await sender.goto(url('/app'));
  check(sender.url().endsWith('/app/login'), 'the offboarded sender is signed out');
  // The policy: refuse secure mail from now on (browser.rs then sends
  // one through the gateway and expects the refusal).
  await submit(page, page.locator('nav a[href="/app/admin/policy"]'));
  await expectHeading(page, 'Beleid', 'policy page');
  check((await page.locator('#action').inputValue()) === 'portal', 'the config file\'s action is shown');
  check(await page.locator('input[name=kind][value=bsn]').isChecked(), 'BSN makes mail secure');
  check((await page.locator('#internal').inputValue()) === 'zorg.nl', 'the config file\'s internal domains are shown');
  await scan(page, 'policy');
  // A domain that is none is refused, said in Dutch, and what was typed stays.
  await page.fill('#internal', 'zorg.nl\ngeen domein');
  await submit(page, page.locator('form[action="/app/admin/policy"] button[type=submit]'));
  const refused = (await page.locator('[role=alert]').textContent()) || '';
  check(refused.includes('Geen domeinnaam (zoals zorg.nl): geen'), `a bad internal domain is refused (${refused})`);
  check((await page.locator('#internal').inputValue()) === 'zorg.nl\ngeen domein', 'the typed domains stay');
  await scan(page, 'policy refused');
  // Refuse secure mail, and wijkzorg.nl becomes internal (browser.rs
  // then sees the gateway deliver a BSN to it as internal mail).
  await page.fill('#internal', 'zorg.nl\nWijkzorg.nl');
  await page.selectOption('#action', 'reject');
  await page.fill('#tags', '[veilig], [geheim]');
  await submit(page, page.locator('form[action="/app/admin/policy"] button[type=submit]'));
  const saved = (await page.locator('[role=status]').textContent()) || '';
  check(saved.includes('Beleid opgeslagen'), `policy saved (${saved})`);
  check((await page.locator('#action').inputValue()) === 'reject', 'the page shows the new action');
  check((await page.locator('#internal').inputValue()) === 'zorg.nl\nwijkzorg.nl', 'the page shows the new internal domains');
  await scan(page, 'policy saved');
  await noSidewaysScroll(page, 'policy');
  // Contacts: import a CSV file.
  await submit(page, page.locator('nav a[href="/app/admin/contacts"]'));
  await expectHeading(page, 'Contacten voor sms-codes', 'contacts page');
  await scan(page, 'contacts, empty');
  await page.setInputFiles('#csv', { name: 'contacten.csv', mimeType: 'text/csv', buffer: Buffer.from('e-mail;mobiel\nr.jansen@example.com;06-12345678\n') });
  await submit(page, page.locator('form[action="/app/admin/contacts/import"] button'));
  const imported = (await page.locator('[role=status]').textContent()) || '';
  check(imported.endsWith(': 1') && (await page.locator('tbody tr').count()) === 1, `one contact imported and listed (${imported})`);
  await scan(page, 'contacts');
  await noSidewaysScroll(page, 'contacts');
  // The audit trail: search, then the figures.
  await submit(page, page.locator('nav a[href="/app/admin/audit"]'));
  await expectHeading(page, 'Audittrail', 'audit page');
  check(((await page.locator('[role=status]').textContent()) || '').includes('intact'), 'the chain is intact');
  await page.selectOption('#event', 'policy_changed');
  await submit(page, page.locator('form.search button[type=submit]'));
  check((await page.locator('#found').textContent()) === '1', 'one policy change found');
  await scan(page, 'audit trail');
  await noSidewaysScroll(page, 'audit trail');
  await submit(page, page.locator('nav a[href="/app/admin/figures"]'));
  await expectHeading(page, 'Cijfers', 'figures page');
  check((await page.locator('svg.chart').count()) === 2, 'two charts');
  await scan(page, 'figures');
  await noSidewaysScroll(page, 'figures');
  // The domain check of the organisation's domain (good.test here).
  await submit(page, page.locator('nav a[href="/app/admin/domain"]'));
  await expectHeading(page, 'Domeincontrole: good.test', 'domain page');
  check((await page.locator('#score').textContent()) === '100', 'good.test scores 100');
  await scan(page, 'domain check');
  await noSidewaysScroll(page, 'domain check');
  // English.
  await page.goto(url('/app/admin/domain?lang=en'));
  await scan(page, 'domain check (en)');
  await page.goto(url('/app/admin/audit?lang=en'));
  await scan(page, 'audit trail (en)');
  await page.goto(url('/app/admin/figures?lang=en'));
  await scan(page, 'figures (en)');
  await page.goto(url('/app/admin/contacts?lang=en'));
  await scan(page, 'contacts (en)');
  await page.goto(url('/app/admin/policy?lang=en'));
  await expectHeading(page, 'Policy', 'English policy page');
  await scan(page, 'policy (en)');
  await page.goto(url('/app/admin/users?lang=en'));
  await expectHeading(page, 'Users', 'English users page');
  await scan(page, 'users (en)');
  await page.goto(url('/app'));
  await expectHeading(page, 'Sent secure messages', 'English sent items');
  await scan(page, 'sent items (en)');
  await submit(page, page.locator('nav button', { hasText: 'Sign out' }));
  check(page.url().endsWith('/app/login'), 'signed out');
  await expectHeading(page, 'Staff sign-in', 'English sign-in page');
  await scan(page, 'staff sign-in (en)');
}

async function composeFlow(browser) {
  const ctx = await person(browser, true);
  const page = await ctx.newPage();
  await signIn(page, input.composer, input.password);
  await submit(page, page.locator('nav a[href="/app/compose"]'));
  await expectHeading(page, 'Nieuw beveiligd bericht', 'compose page');
  check((await page.locator('#compose').getAttribute('data-live')) === 'on', 'the live assessment script runs (under the page\'s CSP)');
  await scan(page, 'compose');
  await noSidewaysScroll(page, 'compose');
  await page.fill('#to', 'r.jansen@example.com, s.smit@zorg-nl.com');
  await page.fill('#subject', 'Verslag');
  await page.fill('#text', 'Beste collega, mevrouw Fatima el Amrani heeft diabetes; haar BSN is 111222333.');
  await page.setInputFiles('#files', { name: 'verslag.txt', mimeType: 'text/plain', buffer: Buffer.from('Uitslag bloedonderzoek') });
  // The answer appears while typing, without a click.
  await page.locator('#assessment .verdict.secure').waitFor({ timeout: 15_000 });
  const reasons = (await page.locator('#assessment').textContent()) || '';
  check(/bsn/i.test(reasons), `the live assessment names the BSN (${reasons.slice(0, 160)}...)`);
  check(reasons.includes('zorg-nl.com'), 'the live assessment warns about the look-alike domain');
  await scan(page, 'compose, live assessment');
  await page.check('input[name=factor][value=code]');
  await page.selectOption('#expiry', '14');
  await submit(page, page.locator('button[value=send]'));
  await expectHeading(page, 'Verzonden beveiligde berichten', 'sent items after sending');
  const done = (await page.locator('[role=status]').textContent()) || '';
  check(done.includes('toegangscodes'), `the sender is told where the access codes are (${done})`);
  const recipients = await page.locator('table.packages tbody tr td:nth-child(2)').allTextContents();
  check(recipients.includes('r.jansen@example.com') && recipients.includes('s.smit@zorg-nl.com'), `both recipients in sent items (${recipients})`);
  await scan(page, 'sent items after compose');
  // English compose page.
  await page.goto(url('/app/compose?lang=en'));
  await expectHeading(page, 'New secure message', 'English compose page');
  await scan(page, 'compose (en)');
  await ctx.close();
}

const started = Date.now();
const browser = await launch(input.chromium);
try {
  await steps(browser, [
    ['sender', senderFlow],
    ['administrator', adminFlow],
    ['compose', composeFlow],
  ]);
} finally {
  await browser.close();
}
log('');
finish(started);
